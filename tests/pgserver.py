"""A throwaway PostgreSQL server for the tests, started in a temporary directory.

The tests need a real PostgreSQL (triggers, constraint behaviour and types differ from SQLite), but must
not depend on one being configured on the machine. This module finds PostgreSQL's own ``initdb`` and
``pg_ctl``, creates a cluster in a fresh temporary directory, and runs it listening only on
``127.0.0.1`` on a free port, with its unix socket inside that directory, ``trust`` authentication
and durability turned off for speed. Nothing outside the temporary directory is touched, except that
when the tests run as root (as they do in CI) a system user ``clusterbot-pg`` is created if missing,
because PostgreSQL refuses to run as root.

Use it through the pytest fixtures:

* ``postgres_server`` (session scope): the running :class:`PostgresServer`; started on first use and
  stopped when the session ends.
* ``postgres_url`` (function scope): the SQLAlchemy URL of a fresh, uniquely named, empty database,
  dropped again after the test.
* ``postgres_template`` (session scope): a database at the migrations' head, and ``postgres_migrated_url``
  (function scope) the URL of a fresh copy of it, dropped again after the test.

Under pytest-xdist each worker is a session of its own, so each has its own server (its own directory and
port) and nothing is shared between workers.

Register them in a ``conftest.py`` with ``from tests.pgserver import postgres_server, postgres_url``.
If PostgreSQL is not installed the fixtures fail (they do not skip); ``.ci/install-postgres.sh``
installs Debian's ``postgresql`` package.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

PG_USER = "clusterbot-pg"
"""The unprivileged system user that runs the server when the tests run as root."""

SUPERUSER = "postgres"
"""The database superuser the cluster is created with (independent of the operating-system user)."""

INSTALL_HINT = (
    "PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH nor under "
    "/usr/lib/postgresql/*/bin. The database tests start their own PostgreSQL server and cannot run "
    "without one. Install Debian's PostgreSQL with:\n"
    "    sudo apt-get update && sudo apt-get install -y postgresql\n"
    "or run .ci/install-postgres.sh (it does the same, and nothing if PostgreSQL is already there)."
)

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "timezone": "'UTC'",
}


def _version_key(path: str) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>/bin/...``: the version as numbers, 0 if odd."""
    match = re.search(r"/postgresql/([0-9.]+)/bin/", path)
    if not match:
        return (0,)
    return tuple(int(part) for part in match.group(1).split(".") if part)


def find_pg_bin(name: str) -> str:
    """The path of PostgreSQL program ``name``: from PATH, else the highest ``/usr/lib/postgresql/*/bin``.

    Raises :class:`FileNotFoundError` (with installation advice) when it is in neither place.
    """
    found = shutil.which(name)
    if found:
        return found
    candidates = [
        path
        for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
        if os.path.isfile(path) and os.access(path, os.X_OK)
    ]
    if candidates:
        return max(candidates, key=_version_key)
    raise FileNotFoundError(f"{name} not found. {INSTALL_HINT}")


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    """The passwd entry of ``name``, creating it as a no-login system user first if it is missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    result = subprocess.run(
        [useradd, "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    try:  # another process may have created it at the same moment; that's fine
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(
            f"PostgreSQL refuses to run as root, and creating the system user {name!r} failed: "
            f"{result.stderr.strip() or result.stdout.strip()}"
        ) from None


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory; call :meth:`start` and :meth:`stop`."""

    def __init__(self, start_timeout: int = 60) -> None:
        """Prepare (but do not start) a server; ``start_timeout`` is in seconds."""
        self.start_timeout = start_timeout
        self.initdb = find_pg_bin("initdb")
        sibling = Path(self.initdb).resolve().parent / "pg_ctl"
        self.pg_ctl = str(sibling) if sibling.exists() else find_pg_bin("pg_ctl")
        self.base: Path | None = None
        self.port: int | None = None
        self._account: pwd.struct_passwd | None = None
        self._running = False

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        assert self.base is not None, "server not started"
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        """The directory holding the server's unix socket."""
        assert self.base is not None, "server not started"
        return self.base / "socket"

    @property
    def log_file(self) -> Path:
        """The server's log file."""
        assert self.base is not None, "server not started"
        return self.base / "server.log"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the ``postgres`` maintenance database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """The SQLAlchemy URL of database ``name`` on this server."""
        assert self.port is not None, "server not started"
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def server_log(self) -> str:
        """The server's log so far (empty if there is none yet)."""
        try:
            return self.log_file.read_text(errors="replace")
        except (OSError, AssertionError):
            return ""

    def _as_server_user(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped to run as the unprivileged user when we are root."""
        if self._account is None:
            return argv
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        if os.path.exists(runuser):
            return [runuser, "-u", self._account.pw_name, "--", *argv]
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        return [
            setpriv,
            f"--reuid={self._account.pw_uid}",
            f"--regid={self._account.pw_gid}",
            "--clear-groups",
            *argv,
        ]

    def _run(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program as the server user, in the base directory, with a C locale.

        Output goes to a file rather than a pipe, so a postmaster that inherits it cannot keep us waiting.
        """
        assert self.base is not None
        env = {**os.environ, "LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
        if self._account is not None:
            env["HOME"] = str(self.base)
            env["USER"] = env["LOGNAME"] = self._account.pw_name
        with tempfile.TemporaryFile("w+") as output:
            completed = subprocess.run(
                self._as_server_user(argv),
                cwd=self.base,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                text=True,
                check=False,
            )
            output.seek(0)
            completed.stdout = output.read()
        return completed

    def start(self) -> PostgresServer:
        """Create the cluster in a new temporary directory and start the server; returns ``self``.

        Raises :class:`RuntimeError`, including the server log, if the server does not come up within
        ``start_timeout`` seconds.
        """
        if self._running:
            return self
        if os.geteuid() == 0:
            self._account = _ensure_system_user(PG_USER)
        self.base = Path(tempfile.mkdtemp(prefix="clusterbot-pg-"))
        self.socket_dir.mkdir()
        if self._account is not None:
            for path in (self.base, self.socket_dir):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        atexit.register(self.stop)

        init = self._run(
            [
                self.initdb,
                "--pgdata",
                str(self.data_dir),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
            timeout=max(self.start_timeout, 120),
        )
        if init.returncode != 0:
            output = init.stdout
            self._cleanup()
            raise RuntimeError(f"initdb failed (exit {init.returncode}):\n{output}")

        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# clusterbot tests\n")
            for key, value in SETTINGS.items():
                conf.write(f"{key} = {value}\n")
            conf.write(f"unix_socket_directories = '{self.socket_dir}'\n")

        last_output = ""
        for _attempt in range(3):  # the free port can be taken between choosing and binding; retry
            self.port = _free_port()
            try:
                started = self._run(
                    [
                        self.pg_ctl,
                        "start",
                        "--pgdata",
                        str(self.data_dir),
                        "--log",
                        str(self.log_file),
                        "--wait",
                        "--timeout",
                        str(self.start_timeout),
                        "-o",
                        f"-p {self.port}",
                    ],
                    timeout=self.start_timeout + 30,
                )
            except subprocess.TimeoutExpired:
                log = self.server_log()
                self.stop()
                raise RuntimeError(
                    f"PostgreSQL did not start within {self.start_timeout}s (pg_ctl hung). Server log:\n{log}"
                ) from None
            if started.returncode == 0:
                self._running = True
                return self
            last_output = started.stdout
            log = self.server_log()
            if "could not bind" not in log and "could not create any TCP/IP sockets" not in log:
                break
            self._pg_ctl_stop()
            with contextlib.suppress(OSError):
                self.log_file.unlink()
        log = self.server_log()
        self.stop()
        raise RuntimeError(
            f"PostgreSQL failed to start on port {self.port} (waited up to {self.start_timeout}s).\n"
            f"pg_ctl said:\n{last_output}\nServer log:\n{log}"
        )

    def _pg_ctl_stop(self) -> None:
        """Stop the server immediately if it runs; ignore failures (it may never have started)."""
        if self.base is None or not (self.data_dir / "postmaster.pid").exists():
            return
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            self._run(
                [self.pg_ctl, "stop", "--pgdata", str(self.data_dir), "--mode", "immediate", "--wait"],
                timeout=60,
            )

    def _cleanup(self) -> None:
        """Delete the temporary directory."""
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def stop(self) -> None:
        """Stop the server and delete its directory; safe to call more than once."""
        self._pg_ctl_stop()
        self._running = False
        self._cleanup()
        atexit.unregister(self.stop)

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit psycopg connection to ``dbname`` as the superuser."""
        assert self.port is not None, "server not started"
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True)

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` and return its SQLAlchemy URL."""
        with self.connect() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.database_url(name)

    def create_from_template(self, name: str, template: str) -> None:
        """Make database ``name`` anew as a copy of ``template`` (which nobody may be connected to)."""
        with self.connect() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting anyone still using it."""
        with self.connect() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server: started on first use, stopped when the session ends.

    Fails (never skips) with installation advice when PostgreSQL is not installed.
    """
    missing = ""
    try:
        server = PostgresServer()
    except FileNotFoundError as error:
        missing = str(error)
    if missing:
        pytest.fail(missing, pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database for this test alone; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    yield url
    with contextlib.suppress(psycopg.Error):
        postgres_server.drop_database(name)


@pytest.fixture
def postgres_migrated_url(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh database at the migrations' head for this test alone; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    postgres_server.create_from_template(name, postgres_template)
    yield postgres_server.database_url(name)
    with contextlib.suppress(psycopg.Error):
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """The name of a database at the migrations' head, made once a session: tests copy it, not migrate anew.

    Running every migration costs about half a second a test; ``CREATE DATABASE ... TEMPLATE`` a few
    milliseconds, and gives the same schema (``tests/store/test_migrations.py`` still migrates for real).
    """
    from store.db import upgrade  # the migrations are the project's, this module is otherwise standalone

    name = f"head_{uuid.uuid4().hex[:12]}"
    upgrade(postgres_server.create_database(name))
    with postgres_server.connect() as connection:  # a template must have no one connected to it
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
    return name

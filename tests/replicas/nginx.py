"""Debian's nginx, run by a test as an unprivileged user in front of several ``clusterbot serve`` replicas.

Everything nginx writes (its pid file, logs, the request-body and proxy buffers) goes to a fresh temporary
directory; it listens on a free port on 127.0.0.1 and runs in the foreground (``daemon off``) with its master
and one worker in a process group of its own, so a test can always stop the lot. When the tests run as root (as
they do in CI), nginx is started as ``nobody`` the way :mod:`tests.pgserver` starts PostgreSQL unprivileged:
the temporary directory is given to that user and the command is wrapped in ``setpriv`` (or ``runuser``).

Use it through :func:`nginx_in_front`, a context manager that yields the running :class:`Nginx` and always
stops it; ``scripts/test`` installs Debian's ``nginx`` package when it is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

UNPRIVILEGED = "nobody"
"""The user nginx runs as when the tests run as root (nginx would otherwise run its worker as ``www-data``)."""

INSTALL_HINT = "nginx was not found; install Debian's package: sudo apt-get install -y nginx (scripts/test does)."

# Retrying on the next replica. nginx by default never passes a POST on to another upstream once it has sent
# it to one (a POST is not idempotent in HTTP's terms): when the replica dies with the request in flight, the
# client gets a 502 even though two healthy replicas are there. Teams then retries the very same activity
# anyway, so every handler behind /api/messages must already take a second delivery of a click: they do, by
# keys (a vote is one row per item and setting, a submit of an unchanged version returns what the first did,
# a draft is found again by its picker's key, every owed message has a unique outbox key). A retry by nginx is
# that same second delivery, only sooner and in order: the client is still waiting, so it cannot have sent a
# later click meanwhile. And a request the dead replica was processing cannot commit after the retry: its
# transaction ends with its database session, which dies with the process. So ``non_idempotent`` is on, and a
# dead replica costs Teams nothing; ``timeout`` covers a replica that hangs (a retry then overlaps the first
# attempt, which the same keys and the use cases' row locks make harmless). ``http_502`` retries a replica
# that is itself behind a failing proxy; the bot's own 500s are not retried (a bug answers the same anywhere).
CONFIG = """\
daemon off;
master_process on;
worker_processes 1;
pid {base}/nginx.pid;
error_log {base}/error.log warn;

events {{
    worker_connections 512;
}}

http {{
    client_body_temp_path {base}/client_body;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;

    log_format upstreams '$remote_addr "$request" $status upstream=$upstream_addr '
                         'upstream_status=$upstream_status time=$request_time';
    access_log {base}/access.log upstreams;

    upstream clusterbot {{
{servers}
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 50m;

        location / {{
            proxy_pass http://clusterbot;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout http_502 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 30s;
        }}
    }}
}}
"""


def find_nginx() -> str:
    """The nginx program: on PATH, else Debian's ``/usr/sbin/nginx`` (not on a normal user's PATH)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        raise FileNotFoundError(INSTALL_HINT)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_unprivileged(argv: list[str], account: pwd.struct_passwd | None) -> list[str]:
    """``argv`` wrapped to run as ``account`` (when we are root), as tests.pgserver runs PostgreSQL."""
    if account is None:
        return argv
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    if os.path.exists(setpriv):
        return [setpriv, f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups", *argv]
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", account.pw_name, "--", *argv]


class Nginx:
    """nginx proxying ``127.0.0.1:<port>`` to the given upstream ports; :meth:`start` and :meth:`stop`."""

    def __init__(self, upstream_ports: Sequence[int], start_timeout: float = 15) -> None:
        self.upstream_ports = list(upstream_ports)
        self.start_timeout = start_timeout
        self.program = find_nginx()
        self.base = Path(tempfile.mkdtemp(prefix="clusterbot-nginx-"))
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._account = pwd.getpwnam(UNPRIVILEGED) if os.geteuid() == 0 else None
        if self._account is not None:
            os.chown(self.base, self._account.pw_uid, self._account.pw_gid)

    @property
    def url(self) -> str:
        """Where clients reach the replicas through nginx."""
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        """nginx's configuration for the current port (each replica fails over after one error for 2 s)."""
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in self.upstream_ports
        )
        return CONFIG.format(base=self.base, port=self.port, servers=servers)

    def log(self, name: str = "error.log", tail: int | None = 6000) -> str:
        """The last ``tail`` characters (None: all) of nginx's ``error.log`` or ``access.log``; empty if none yet."""
        try:
            return (self.base / name).read_text(errors="replace")[-tail if tail else 0 :]
        except OSError:
            return ""

    def start(self) -> Nginx:
        """Write the configuration, start nginx and wait until it answers; returns ``self``.

        Raises :class:`RuntimeError` with nginx's error log if it does not come up (after three tries, in case
        the free port was taken between choosing it and binding it).
        """
        atexit.register(self.stop)
        for _attempt in range(3):
            self.port = _free_port()
            conf = self.base / "nginx.conf"
            conf.write_text(self.config())
            if self._account is not None:
                os.chown(conf, self._account.pw_uid, self._account.pw_gid)
            argv = [self.program, "-p", str(self.base), "-c", str(conf), "-e", str(self.base / "error.log")]
            with (self.base / "stdout.log").open("ab") as output:
                self.process = subprocess.Popen(
                    _as_unprivileged(argv, self._account),
                    cwd=self.base,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stop() ends master and workers together
                )
            if self._wait_listening():
                return self
            self.stop(keep_files=True)
            if "Address already in use" not in self.log():
                break
        log = self.log() + self.log("stdout.log")
        self.stop()
        raise RuntimeError(f"nginx did not start within {self.start_timeout}s:\n{log}")

    def _wait_listening(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
            time.sleep(0.05)
        return False

    def stop(self, keep_files: bool = False) -> None:
        """Stop nginx (its whole process group) and, unless ``keep_files``, delete its directory; safe twice."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # nginx's fast shutdown
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process is not None:
            with contextlib.suppress(ProcessLookupError):  # a worker outliving its master
                os.killpg(process.pid, signal.SIGKILL)
        if not keep_files:
            shutil.rmtree(self.base, ignore_errors=True)
            atexit.unregister(self.stop)


@contextlib.contextmanager
def nginx_in_front(upstream_ports: Sequence[int]) -> Iterator[Nginx]:
    """nginx running in front of ``upstream_ports``, stopped (and its files removed) when the block ends."""
    server = Nginx(upstream_ports)
    try:
        yield server.start()
    finally:
        server.stop()

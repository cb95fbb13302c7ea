"""Back up and restore a SQLite database with SQLite's online backup API, safe while the bot runs.

The database is in WAL mode (``store.db.make_engine``), so a backup reads one consistent snapshot of what
was committed when it began, while the bot goes on writing; nothing uncommitted reaches the copy. The copy
is written to a temporary file beside the target, checked (``PRAGMA integrity_check``, and that its
migration revision can be read) and only then renamed into place, so a half-written backup never has the
name of a good one. The copy is a single self-contained file (rollback journal, no ``-wal``).

A restore checks that the file is a SQLite database of this app at a migration this code knows before it
touches anything, keeps the current database beside itself (``<db>.before-restore-<time>``), and copies the
backup into the live file through the same API, so SQLite keeps its WAL and shared-memory files consistent;
migrations are then applied if the backup is older than the code.

PostgreSQL is backed up with its own tools (``pg_dump`` / ``pg_restore``; see the README's "Backups").
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from store.db import alembic_config, normalise_url, upgrade

SQLITE_HEADER = b"SQLite format 3\x00"
# Seconds to wait for a lock the bot holds for a moment (as the bot's own engine waits).
LOCK_WAIT = 30.0
PG_HINT = (
    "backup and restore are for SQLite; back up PostgreSQL with its own tools: "
    "pg_dump --format=custom --file=FILE DATABASE, and restore with pg_restore --clean --if-exists "
    "--dbname=DATABASE FILE (see the README, Backups)"
)


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed and the message says why."""


@dataclass(frozen=True)
class Contents:
    """What a database file holds, as a backup or restore reports it."""

    path: Path
    size_bytes: int
    revision: str
    referrals: int
    audit_lines: int
    chained: int = 0  # entries of the record chain (``store.chain``): a backup carries it whole

    def describe(self) -> str:
        """One line: size, migration revision and counts."""
        return (
            f"{_size(self.size_bytes)}, migration {self.revision}, {self.referrals} referrals, "
            f"{self.audit_lines} audit lines, {self.chained} entries in the record chain"
        )


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup it restored, where the database was before, and the migrations applied."""

    restored: Contents
    kept: Path | None
    now_at: str


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


def sqlite_path(url: str) -> Path:
    """The file of the SQLite database at ``url``; refuses PostgreSQL (pointing to pg_dump) and memory."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "postgresql":
        raise BackupError(PG_HINT)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(f"backup and restore are for SQLite databases, not {parsed.get_backend_name()}")
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("the database is in memory: there is no file to back up or restore")
    return Path(parsed.database)


def known_revisions() -> dict[str, int]:
    """Every migration revision this code has, with its position (0 for the first)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    ordered = list(reversed(list(script.walk_revisions())))
    return {rev.revision: number for number, rev in enumerate(ordered)}


def _open_read_only(path: Path) -> sqlite3.Connection:
    # A URI with mode=ro never creates the file and never writes to it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=LOCK_WAIT)


def _contents(connection: sqlite3.Connection, path: Path) -> Contents:
    """Check ``connection``'s database whole, and read its revision and counts; BackupError if it is not ours."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(problems[:3])}")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{path} is a SQLite database but not clusterbot's (it has no alembic_version table)")
        versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
        if len(versions) != 1:
            raise BackupError(f"{path} has {len(versions)} migration revisions recorded, not one")
        referrals = connection.execute("SELECT count(*) FROM referral").fetchone()[0] if "referral" in tables else 0
        audit = connection.execute("SELECT count(*) FROM audit_event").fetchone()[0] if "audit_event" in tables else 0
        chained = (
            connection.execute("SELECT count(*) FROM record_chain").fetchone()[0] if "record_chain" in tables else 0
        )
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    return Contents(path, path.stat().st_size, str(versions[0]), int(referrals), int(audit), int(chained))


def inspect(path: Path) -> Contents:
    """Check the database file at ``path`` and say what it holds; BackupError if it is not clusterbot's."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite database")
    connection = _open_read_only(path)
    try:
        return _contents(connection, path)
    finally:
        connection.close()


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder's entry is on disk (POSIX; a no-op where it cannot be done).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def copy_database(source: Path, target: Path, *, force: bool = False) -> Contents:
    """Copy the live database ``source`` to ``target`` with the online backup API, checked, atomically.

    Refuses an existing ``target`` unless ``force``; the copy replaces it only once it has been checked.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; give --force to replace it")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"{target} is the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{os.getpid()}.partial"
    temporary.unlink(missing_ok=True)
    try:
        live = sqlite3.connect(source, timeout=LOCK_WAIT)
        copy = sqlite3.connect(temporary)
        try:
            # One step (pages=-1): the whole copy comes from one read snapshot, however busy the bot is.
            live.backup(copy, pages=-1)
            # The copy inherits the WAL flag; a backup is one file, so it goes back to a rollback journal.
            copy.execute("PRAGMA journal_mode=DELETE")
            contents = _contents(copy, temporary)
        finally:
            copy.close()
            live.close()
        with temporary.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, target)
        _fsync_dir(target.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Contents(
        target, target.stat().st_size, contents.revision, contents.referrals, contents.audit_lines, contents.chained
    )


def backup(url: str, target: Path, *, force: bool = False) -> Contents:
    """Back up the SQLite database at ``url`` to ``target`` (see :func:`copy_database`)."""
    return copy_database(sqlite_path(url), target, force=force)


def restore(url: str, source: Path, now: datetime) -> Restored:
    """Put the backup ``source`` in place of the SQLite database at ``url``, then migrate it to this code.

    Refuses, changing nothing, unless ``source`` is a SQLite database of this app at a revision this code
    knows. The current database is first copied to ``<db>.before-restore-<now>``. The bot must be stopped:
    a running bot would go on with what it had read before.
    """
    live = sqlite_path(url)
    contents = inspect(source)
    revisions = known_revisions()
    if contents.revision not in revisions:
        raise BackupError(
            f"{source} is at migration {contents.revision}, which this version of clusterbot does not know "
            f"(it knows up to {max(revisions, key=revisions.__getitem__)}): restore it with the version that made it"
        )
    if live.exists() and live.resolve() == source.resolve():
        raise BackupError(f"{source} is the database itself")
    kept: Path | None = None
    if live.exists():
        kept = live.with_name(f"{live.name}.before-restore-{now:%Y%m%dT%H%M%S}")
        copy_database(live, kept)
    backup_file = _open_read_only(source)
    try:
        target = sqlite3.connect(live, timeout=LOCK_WAIT)
        try:
            # Through the API, not a file copy: SQLite rewrites the live file under its own locks, so the
            # -wal and -shm beside it cannot hold pages of the database that was there before.
            backup_file.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        backup_file.close()
    upgrade(url)
    return Restored(contents, kept, inspect(live).revision)

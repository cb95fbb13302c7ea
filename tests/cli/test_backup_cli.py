"""``clusterbot backup`` and ``restore``: a SQLite database copied while in use, and put back exactly."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.cli.main import run
from cluster.clock import FixedClock
from cluster.commands.referrals import SaveDetails, StartReferral
from store import audit
from store.db import alembic_config, make_engine, transaction
from tests.conftest import ROSTER, SENCO, TEST_NOW
from tests.support.referral_flow import GOOD_INDIVIDUAL
from usecases import referrals as uc
from usecases.people import identify
from usecases.roster import import_entries

CLOCK = FixedClock(TEST_NOW)


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bot's database file, seeded with Central and the test roster, named by DATABASE_URL."""
    path = tmp_path / "live.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run(["seed"], clock=CLOCK) == 0
    engine = make_engine(f"sqlite:///{path}")
    import_entries(engine, ROSTER, TEST_NOW, "test")
    engine.dispose()
    return path


def _engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def make_referral(path: Path) -> int:
    engine = _engine(path)
    try:
        with Session(engine) as session:
            senco = identify(session, *SENCO)
        with Session(engine) as session:
            setting = session.execute(text("SELECT id FROM setting WHERE name = 'Etruscan Primary School'")).scalar()
        started = uc.start(
            engine, senco, StartReferral(setting_id=int(setting), kind="individual", once="pick-1"), TEST_NOW
        )
        uc.save_details(engine, senco, SaveDetails(referral_id=started.id, answers=GOOD_INDIVIDUAL), TEST_NOW)
        return started.id
    finally:
        engine.dispose()


def every_row(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in order, and the schema (with the triggers keeping audit lines unchanged)."""
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
        rows["schema"] = connection.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
        return rows
    finally:
        connection.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_restored_backup_brings_back_the_referral_and_the_audit_lines_exactly(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    referral = make_referral(live)
    before = every_row(live)
    assert len(before["referral"]) == 1 and before["audit_event"]
    capsys.readouterr()

    assert run(["backup", str(tmp_path / "nightly.db")], clock=CLOCK) == 0
    said = capsys.readouterr().out
    assert f"wrote {tmp_path / 'nightly.db'}" in said
    assert f"migration 0018, 1 referrals, {len(before['audit_event'])} audit lines" in said

    engine = _engine(live)
    with transaction(engine) as session:
        session.execute(text("UPDATE referral SET details = '{}' WHERE id = :id"), {"id": referral})
        audit.record(session, TEST_NOW, "cli", "after-the-backup")
        session.execute(text("DELETE FROM role_assignment"))
    engine.dispose()
    assert every_row(live) != before

    assert run(["restore", str(tmp_path / "nightly.db"), "--yes"], clock=CLOCK) == 0
    said = capsys.readouterr().out
    assert "restored" in said and "start the bot again" in said

    assert every_row(live) == before
    kept = tmp_path / "live.db.before-restore-20251120T100000"
    assert kept.is_file(), "the database as it was before the restore is kept beside it"
    assert len(every_row(kept)["audit_event"]) == len(before["audit_event"]) + 1


def test_a_backup_holds_what_was_committed_not_a_write_still_in_progress(live: Path, tmp_path: Path) -> None:
    committed = len(every_row(live)["audit_event"])
    writer = sqlite3.connect(live, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO audit_event (at, actor, action, subject, detail) "
            "VALUES ('2025-11-20 10:00:00', 'writer', 'not-yet-committed', '', '{}')"
        )
        assert run(["backup", str(tmp_path / "during.db")], clock=CLOCK) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    copied = every_row(tmp_path / "during.db")["audit_event"]
    assert len(copied) == committed
    assert all("not-yet-committed" not in row for row in copied)


def test_a_backup_is_one_checked_file_and_an_existing_one_is_kept_without_force(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backups" / "copy.db"
    assert run(["backup", str(target)], clock=CLOCK) == 0
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"], "no -wal, no leftover temporary file"
    first = digest(target)
    make_referral(live)
    capsys.readouterr()

    assert run(["backup", str(target)], clock=CLOCK) == 2
    assert "--force" in capsys.readouterr().err
    assert digest(target) == first

    assert run(["backup", str(target), "--force"], clock=CLOCK) == 0
    assert len(every_row(target)["referral"]) == 1


def _foreign_sqlite(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.commit()
    connection.close()
    return path


def _unknown_revision(live: Path, path: Path) -> Path:
    assert run(["backup", str(path)], clock=CLOCK) == 0
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    return path


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("text", "is not a SQLite database"),
        ("foreign", "not clusterbot's"),
        ("future", "migration 9999"),
        ("missing", "does not exist"),
    ],
)
def test_restoring_a_file_that_is_not_our_backup_is_refused_and_the_database_is_untouched(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, said: str
) -> None:
    candidate = tmp_path / f"{kind}.db"
    if kind == "text":
        candidate.write_text("name,role\nSam,senco\n", encoding="utf-8")
    elif kind == "foreign":
        _foreign_sqlite(candidate)
    elif kind == "future":
        _unknown_revision(live, candidate)
    make_referral(live)
    rows = every_row(live)
    capsys.readouterr()

    assert run(["restore", str(candidate), "--yes"], clock=CLOCK) == 2

    assert said in capsys.readouterr().err
    assert every_row(live) == rows
    assert not list(tmp_path.glob("live.db.before-restore-*")), "nothing was done, so nothing needed keeping"


def test_a_restore_without_yes_says_to_stop_the_bot_first_and_changes_nothing(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["backup", str(tmp_path / "b.db")], clock=CLOCK) == 0
    make_referral(live)
    rows = every_row(live)
    capsys.readouterr()

    assert run(["restore", str(tmp_path / "b.db")], clock=CLOCK) == 2

    assert "stop the bot first" in capsys.readouterr().err
    assert every_row(live) == rows


def test_an_older_backup_is_migrated_to_this_code_after_it_is_restored(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    command.upgrade(alembic_config(f"sqlite:///{old}"), "0013")
    capsys.readouterr()

    assert run(["restore", str(old), "--yes"], clock=CLOCK) == 0

    assert "migrated from 0013 to 0018" in capsys.readouterr().out
    assert every_row(live)["alembic_version"] == [("0018",)]
    assert every_row(live)["setting"] == [], "the old backup's (empty) contents, not the seeded ones"


def test_postgresql_is_refused_with_the_pg_dump_and_pg_restore_commands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://clusterbot@db.example/clusterbot")
    monkeypatch.delenv("MicrosoftAppId", raising=False)

    assert run(["backup", str(tmp_path / "x.db")], clock=CLOCK) == 2
    assert "pg_dump --format=custom" in capsys.readouterr().err
    assert run(["restore", str(tmp_path / "x.db"), "--yes"], clock=CLOCK) == 2
    assert "pg_restore --clean --if-exists" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()

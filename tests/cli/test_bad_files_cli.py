"""Files no finance system or admin meant to hand over: each is refused with the line it goes wrong on, in a
few lines of output (at most twenty problems, then how many more), never a traceback, and nothing is stored."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from bot.cli.main import run
from cluster.clock import LONDON, FixedClock
from store.db import make_engine
from store.models import AuditEvent, Person, RoleAssignment
from usecases.csv_files import MAX_BYTES

NOW = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON))
PAYMENTS_HEADER = "instalment_id,amount,paid_date,payment_reference\n"
ROSTER_HEADER = "name,email,aad_object_id,role,cluster,setting\n"
MOST_OUTPUT = 6000  # twenty problems of at most 200 characters, and the heading


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    run(["seed"], clock=NOW)
    return url


def stored(url: str) -> tuple[int, int, int]:
    """What an import would have added: people, roles, and import audit lines."""
    with Session(make_engine(url)) as session:
        imports = col(AuditEvent.action).in_(("payments.import", "roster.import"))
        return (
            session.exec(select(func.count()).select_from(Person)).one(),
            session.exec(select(func.count()).select_from(RoleAssignment)).one(),
            session.exec(select(func.count()).select_from(AuditEvent).where(imports)).one(),
        )


def long_field(header: str) -> str:
    return header + "1," + "9" * 131_073 + ",2026-01-05,PAY-1\n"


def unknown_ids(header: str, count: int) -> str:
    return header + "".join(f"{1_000_000 + i},100.00,2026-01-05,PAY-{i}\n" for i in range(count))


BAD_PAYMENTS: dict[str, tuple[Callable[[Path], None], str]] = {
    "a 131,073-character field": (
        lambda p: p.write_text(long_field(PAYMENTS_HEADER), encoding="utf-8"),
        "line 2: a value is longer than 131,072 characters",
    ),
    "300,000 unknown ids": (
        lambda p: p.write_text(unknown_ids(PAYMENTS_HEADER, 300_000), encoding="utf-8"),
        "the file goes on past 2 MB, more than any real one: split it into smaller files",
    ),
    "a binary file": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096)),
        "this is not",
    ),
    "a huge file": (
        lambda p: p.write_text(PAYMENTS_HEADER + "1,1.00,2026-01-05,PAY-1\n" * (MAX_BYTES // 20), encoding="utf-8"),
        "the file goes on past 2 MB",
    ),
    "an instalment id of 5,000 digits": (
        lambda p: p.write_text(PAYMENTS_HEADER + "9" * 5000 + ",1.00,2026-01-05,PAY-1\n", encoding="utf-8"),
        "line 2: the instalment id must be a whole number",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PAYMENTS))
def test_a_bad_payments_file_is_refused_with_its_line_in_a_few_lines(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write, said = BAD_PAYMENTS[case]
    path = tmp_path / "payments.csv"
    write(path)
    capsys.readouterr()
    assert run(["payments", "import", str(path)], clock=NOW) == 1
    out = capsys.readouterr()
    assert "nothing was marked paid" in out.err and said in out.err, out.err[:2000]
    assert "line " in out.err and "Traceback" not in out.err
    assert len(out.err) + len(out.out) < MOST_OUTPUT
    assert stored(db)[2] == 0


def test_thousands_of_unknown_ids_list_twenty_then_how_many_more(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "payments.csv"
    path.write_text(unknown_ids(PAYMENTS_HEADER, 40_000), encoding="utf-8")
    capsys.readouterr()
    assert run(["payments", "import", str(path)], clock=NOW) == 1
    err = capsys.readouterr().err
    listed = [line.strip() for line in err.splitlines()[1:]]
    assert listed[0] == "line 2: no instalment 1000000"
    assert listed[19] == "line 21: no instalment 1000019"
    assert listed[20:] == ["and 39,980 more problems (fix these first)"]
    assert stored(db)[2] == 0


BAD_ROSTERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "a 131,073-character field": (
        lambda p: p.write_text(long_field(ROSTER_HEADER), encoding="utf-8"),
        "line 2: a value is longer than 131,072 characters",
    ),
    "a binary file": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096)),
        "this is not",
    ),
    "a huge file": (
        lambda p: p.write_text(ROSTER_HEADER + "A,a@b.example,,chair,Central,\n" * (MAX_BYTES // 25), encoding="utf-8"),
        "the file goes on past 2 MB",
    ),
    "thousands of bad lines": (
        lambda p: p.write_text(ROSTER_HEADER + "A,a@b.example,,chair,Nowhere,\n" * 5000, encoding="utf-8"),
        "and 4,980 more problems",
    ),
    "a name of 100,000 characters": (
        lambda p: p.write_text(ROSTER_HEADER + "N" * 100_000 + ",n@b.example,,chair,Central,\n", encoding="utf-8"),
        "line 2: a name is at most 200 characters",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROSTERS))
def test_a_bad_roster_is_refused_with_its_line_in_a_few_lines(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write, said = BAD_ROSTERS[case]
    path = tmp_path / "roster.csv"
    write(path)
    capsys.readouterr()
    before = stored(db)
    assert run(["roster", "import", str(path)], clock=NOW) == 1
    out = capsys.readouterr()
    assert "nothing was imported" in out.err and said in out.err, out.err[:2000]
    assert "line " in out.err and "Traceback" not in out.err
    assert len(out.err) + len(out.out) < MOST_OUTPUT
    assert stored(db) == before

"""``clusterbot capital-round``: a council officer sets a round's total and timeline; ``capital-window`` still works."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.cli.main import run
from store.db import make_engine
from store.models import CapitalWindow

ROUND = [
    "capital-round",
    "set",
    "--year",
    "2025",
    "--label",
    "2025/26",
    "--total",
    "500,000",
    "--opens",
    "2025-09-01",
    "--closes",
    "2025-12-31",
    "--panel-by",
    "2026-01-30",
    "--decisions-by",
    "2026-02-27",
    "--complete-by",
    "2026-08-31",
    "--evaluate-by",
    "2026-09-30",
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def test_a_round_is_set_with_its_total_and_timeline_and_listed(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ROUND) == 0
    assert "Capital Fund round 2025/26: £500,000.00; applications 1 September 2025 to 31 December 2025" in (
        capsys.readouterr().out
    )
    with Session(make_engine(db)) as session:
        row = session.get(CapitalWindow, 2025)
    assert row is not None and row.total_pence == 500_000_00 and row.panel_by == date(2026, 1, 30)
    assert run(["capital-round", "list"]) == 0
    listed = capsys.readouterr().out
    assert "2025/26\twindow 2025-09-01 to 2025-12-31\ttotal £500,000.00\tapproved £0.00" in listed


def test_a_round_with_dates_out_of_order_or_outside_its_year_is_refused(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    backwards = [*ROUND]
    backwards[backwards.index("--decisions-by") + 1] = "2026-01-02"
    assert run(backwards) == 2
    assert "must not be before" in capsys.readouterr().err
    assert run([*ROUND[:3], "2026", *ROUND[4:]]) == 2
    assert "must fall within that school year" in capsys.readouterr().err
    with Session(make_engine(db)) as session:
        assert session.get(CapitalWindow, 2025) is None and session.get(CapitalWindow, 2026) is None


def test_the_window_alone_can_still_be_moved_and_a_round_keeps_its_timeline(db: str) -> None:
    assert run(ROUND) == 0
    assert run(["capital-window", "--year", "2025", "--opens", "2025-09-08", "--closes", "2025-12-19"]) == 0
    with Session(make_engine(db)) as session:
        row = session.get(CapitalWindow, 2025)
    assert row is not None and (row.opens, row.closes) == (date(2025, 9, 8), date(2025, 12, 19))
    assert row.label == "2025/26" and row.evaluate_by == date(2026, 9, 30)


def test_the_window_alone_follows_the_rounds_rules_it_cannot_pass_the_panels_date_or_leave_its_year(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(ROUND) == 0
    assert run(["capital-window", "--year", "2025", "--opens", "2025-09-01", "--closes", "2026-02-10"]) == 2
    assert "must not be before" in capsys.readouterr().err, "the panel meets by 30 January"
    assert run(["capital-window", "--year", "2024", "--opens", "2025-09-01", "--closes", "2025-12-31"]) == 2
    assert "must fall within that school year" in capsys.readouterr().err
    with Session(make_engine(db)) as session:
        row = session.get(CapitalWindow, 2025)
        assert row is not None and row.closes == date(2025, 12, 31)
        assert session.get(CapitalWindow, 2024) is None

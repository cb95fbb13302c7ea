"""The funding formula from the command line: a year recorded with counts, changed with a reason, read back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.cli.main import run
from cluster.clock import LONDON, FixedClock

NOW = FixedClock(datetime(2026, 4, 2, 9, 0, tzinfo=LONDON))
LATER = FixedClock(datetime(2026, 9, 14, 15, 0, tzinfo=LONDON))
YEAR = ["--year", "2026/27", "--starts", "2026-04-01", "--ends", "2027-03-31"]


@pytest.fixture
def city(cli_database: str, tmp_path: Path) -> Path:
    for name, code in (("North", "NTH"), ("South", "STH"), ("East", "EST")):
        assert run(["cluster", "add", "--name", name, "--code", code]) == 0
    counts = tmp_path / "counts.csv"
    counts.write_text("cluster,ehcp_pupils,fixed_share\nNorth,1,1\nSouth,1,1\neast,1,1\n", encoding="utf-8")
    return counts


def test_a_year_is_shared_to_the_penny_and_each_cluster_s_budget_follows_it(
    city: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["funding", "set", *YEAR, "--baseline", "100.00", "--counts", str(city), "--reason", "Set"], NOW) == 0
    out = capsys.readouterr().out
    # £100 by three equal counts: 3,333p each and one penny left, to the first by name (East).
    assert "East: £33.34" in out and "North: £33.33" in out and "South: £33.33" in out
    assert run(["budget", "show", "--cluster", "East", "--on", "2026-05-01"], NOW) == 0
    assert "allocated £33.34" in capsys.readouterr().out


def test_a_change_is_kept_with_who_and_why_and_the_counts_stay_as_last_recorded(
    city: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["funding", "set", *YEAR, "--baseline", "90", "--counts", str(city), "--reason", "Budget set"], NOW)
    assert run(["funding", "set", *YEAR, "--baseline", "90", "--uplift", "3", "--uplift-by", "fixed",
                "--reason", "Yearly review: more for growth"], LATER) == 0  # fmt: skip
    capsys.readouterr()
    assert run(["funding", "show", "--year", "2026/27"], LATER) == 0
    out = capsys.readouterr().out
    assert "North: £31.00 (£30.00, £1.00, £0.00)" in out
    assert "changed 2 Apr 2026 09:00 by clusterbot: Budget set (£90.00)" in out
    assert "changed 14 Sep 2026 15:00 by clusterbot: Yearly review: more for growth (£93.00)" in out


def test_no_reason_and_nothing_to_share_by_are_refused_with_what_to_do(
    city: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["funding", "set", *YEAR, "--baseline", "10", "--counts", str(city), "--reason", " "], NOW) == 2
    assert "Say why the formula is being set or changed" in capsys.readouterr().err
    assert run(["funding", "set", *YEAR, "--baseline", "10", "--baseline-by", "settings", "--reason", "x"], NOW) == 2
    assert "no cluster has any settings: record the counts or share it another way" in capsys.readouterr().err
    assert run(["funding", "show"], NOW) == 2

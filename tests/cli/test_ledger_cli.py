"""The ledger from the command line: term dates loaded and listed, payments imported, finance exported."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli.main import run
from cluster.clock import LONDON, FixedClock
from reports.finance import read_csv_tables
from store.db import make_engine
from store.models import AuditEvent, TermDate

NOW = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def terms(url: str) -> list[tuple[int, str, str, str, str]]:
    with Session(make_engine(url)) as session:
        rows = session.exec(select(TermDate).order_by(TermDate.starts)).all()
        return [(r.year, r.name, str(r.starts), str(r.ends), r.source) for r in rows]


def test_seeding_loads_the_indicative_term_dates_once_and_says_they_must_be_confirmed(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["seed"], clock=NOW) == 0
    assert "9 school terms added from the shipped, indicative dates: confirm them" in capsys.readouterr().out
    assert run(["seed"], clock=NOW) == 0
    assert "school terms added" not in capsys.readouterr().out
    assert len(terms(db)) == 9 and terms(db)[0][:4] == (2025, "autumn", "2025-09-03", "2025-12-19")
    assert run(["terms", "list"], clock=NOW) == 0
    listed = capsys.readouterr()
    assert "2027/28\tsummer\t2028-04-24\t2028-07-21" in listed.out
    assert listed.err == "", "no warning while the dates run more than six months"


def test_the_council_s_dates_replace_the_terms_they_name_and_add_the_next_year(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"], clock=NOW)
    published = tmp_path / "stoke-term-dates.csv"
    published.write_text(
        "Year,Term,Starts,Ends\n"
        "2027,summer,24/04/2028,20/07/2028\n"
        "2028,autumn,2028-09-05,2028-12-20\n"
        "2028,spring,2029-01-08,2029-03-29\n"
        "2028,summer,2029-04-16,2029-07-20\n",
        encoding="utf-8",
    )
    assert run(["terms", "import", str(published)], clock=NOW) == 0
    assert "term dates: 3 added, 1 changed; 12 terms loaded" in capsys.readouterr().out
    loaded = terms(db)
    assert (2027, "summer", "2028-04-24", "2028-07-20", "stoke-term-dates.csv") in loaded
    assert loaded[-1][:4] == (2028, "summer", "2029-04-16", "2029-07-20")
    with Session(make_engine(db)) as session:
        loads = session.exec(select(AuditEvent).where(AuditEvent.action == "terms.load")).all()
    assert [(e.actor, e.detail["source"], e.detail["changed"]) for e in loads][-1] == ("cli", published.name, 1)


def test_a_term_dates_file_with_a_mistake_loads_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"], clock=NOW)
    before = terms(db)
    overlapping = tmp_path / "terms.json"
    overlapping.write_text(
        json.dumps(
            {
                "terms": [
                    {"year": 2028, "term": "autumn", "starts": "2028-09-05", "ends": "2029-01-10"},
                    {"year": 2028, "term": "spring", "starts": "2029-01-08", "ends": "2029-03-29"},
                ]
            }
        ),
        encoding="utf-8",
    )
    assert run(["terms", "import", str(overlapping)], clock=NOW) == 1
    err = capsys.readouterr().err
    assert "no term dates were loaded" in err
    assert "Spring term 2029 starts (2029-01-08) before the Autumn term 2028 ends" in err
    assert terms(db) == before


def test_terms_list_warns_when_the_loaded_dates_end_within_six_months(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"], clock=NOW)
    capsys.readouterr()
    assert run(["terms", "list"], clock=FixedClock(datetime(2028, 2, 1, 9, 0, tzinfo=LONDON))) == 0
    assert "warning: The school term dates loaded end on 21 July 2028" in capsys.readouterr().err


def test_a_payments_file_that_cannot_be_read_marks_nothing_paid(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"], clock=NOW)
    empty = tmp_path / "payments.csv"
    empty.write_text("reference,amount\n", encoding="utf-8")
    assert run(["payments", "import", str(empty)], clock=NOW) == 1
    err = capsys.readouterr().err
    assert "nothing was marked paid" in err and "the file needs a column for paid on" in err


def test_the_finance_export_is_written_per_cluster_or_citywide(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"], clock=NOW)
    assert run(["budget", "set", "--cluster", "Central", "--label", "2025/26", "--starts", "2025-09-01",
                "--ends", "2026-08-31", "--baseline", "250000", "--reserve", "10000"], clock=NOW) == 0  # fmt: skip
    out = tmp_path / "central.csv"
    assert run(["finance", "export", "--cluster", "Central", "--format", "csv", str(out)], clock=NOW) == 0
    assert "Central cluster: 0 allocations, 0 instalments" in capsys.readouterr().out
    tables = read_csv_tables(out.read_bytes())
    assert list(tables) == ["Budgets", "Allocations", "Instalments", "Due per term", "Capital applications"]
    [budget] = tables["Budgets"]
    assert budget["Allocated (£)"] == "250000.00" and budget["Available (£)"] == "240000.00"
    assert run(["finance", "export", "--cluster", "Nowhere", str(out)], clock=NOW) == 2
    assert "There is no cluster called 'Nowhere'." in capsys.readouterr().err


def test_a_budget_amount_with_a_misplaced_comma_is_refused_naming_its_option(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"], clock=NOW)
    capsys.readouterr()
    assert run(["budget", "set", "--cluster", "Central", "--label", "2025/26", "--starts", "2025-09-01",
                "--ends", "2026-08-31", "--baseline", "25,0000"], clock=NOW) == 2  # fmt: skip
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "--baseline: “25,0000” is not an amount: put commas only between groups of three digits, as in 250,000."
        )
    )
    assert run(["budget", "show", "--cluster", "Central"], clock=NOW) != 0, "no budget was set"

"""``clusterbot provision``: a document loaded as a new version from the command line, a bad one refused by line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli.main import run
from cluster.clock import LONDON, FixedClock
from store.db import make_engine
from store.models import ProvisionDocument, ProvisionEntry
from usecases.provision_documents import EXAMPLE

NOW = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON))


def versions(url: str) -> list[tuple[str, int, int, bool]]:
    with Session(make_engine(url)) as session:
        return [(d.financial_year, d.version, d.rows, d.example) for d in session.exec(select(ProvisionDocument))]


def test_a_document_loads_as_the_year_s_next_version_and_is_listed(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["provision", "load", str(EXAMPLE), "--year", "2026/27"], clock=NOW) == 0
    assert capsys.readouterr().out == "Loaded version 1 of the 2026-27 document: 30 provisions.\n"
    dearer = tmp_path / "prices.csv"
    dearer.write_text(EXAMPLE.read_text(encoding="utf-8").replace("24.00", "25.00"), encoding="utf-8")
    assert run(["provision", "load", str(dearer), "--year", "2026-27"], clock=NOW) == 0
    assert "Loaded version 2 of the 2026-27 document" in capsys.readouterr().out
    assert versions(cli_database) == [("2026-27", 1, 30, False), ("2026-27", 2, 30, False)]
    assert run(["provision", "list"], clock=NOW) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("2026-27\tversion 2\t30 provisions\tprices.csv\t2026-03-02 09:00 by the command line")
    assert listed[1].startswith("2026-27\tversion 1\t30 provisions\tcosted_provision_example_made_up.csv")


def test_a_bad_document_loads_nothing_and_each_bad_line_is_named(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Area of need,Provision,Delivered by,Unit,Unit cost\nCI,Group,TA,hour,18\nXX,Pairs,TA,hour,18\nCL,,TA,hour,\n",
        encoding="utf-8",
    )
    assert run(["provision", "load", str(bad), "--year", "2026-27"], clock=NOW) == 1
    err = capsys.readouterr().err
    assert "clusterbot: nothing was loaded from bad.csv:" in err
    assert "  line 3: the area of need “XX” is not one of CI, CL, SEMH, SP\n" in err
    assert "  line 4: no provision; no cost\n" in err
    assert versions(cli_database) == []
    with Session(make_engine(cli_database)) as session:
        assert session.exec(select(ProvisionEntry)).all() == []


def test_a_year_that_is_not_a_financial_year_is_refused_before_anything_is_read(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["provision", "load", str(EXAMPLE), "--year", "2026"], clock=NOW) == 2
    assert "--year: “2026” is not a financial year: write it as 2026-27." in capsys.readouterr().err

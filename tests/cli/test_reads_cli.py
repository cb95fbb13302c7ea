"""``clusterbot audit`` and ``clusterbot subject-access`` as a data protection officer would run them."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import Engine

from bot.cli.main import run
from cluster.clock import LONDON, FixedClock
from store import audit
from store.db import make_engine, transaction, upgrade
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER, TEST_NOW
from tests.support.pupils import KEPT_FILE, Pupils, build_pupils
from usecases.roster import import_entries

ASKED = datetime(2026, 7, 20, 14, 30, tzinfo=LONDON)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    seed_file(engine, CENTRAL, TEST_NOW)
    import_entries(engine, ROSTER, TEST_NOW, "test")
    return engine


@pytest.fixture
def pupils(db: Engine) -> Pupils:
    return build_pupils(db, TEST_NOW)


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str]]:
    assert run(["audit", "--format", "csv", *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_a_referrals_lines_name_the_people_and_the_reference_newest_first(
    pupils: Pupils, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = listed(capsys, "--referral", pupils.reference.lower())
    assert {"Theo Team <theo@stoke.example>", "Sam Senco <sam@etruscan.example>"} <= {r["who"] for r in rows}
    read = next(r for r in rows if r["action"] == "referral.read")
    assert read["kind"] == "read" and read["subject"] == f"referral:{pupils.referral_id} ({pupils.reference})"
    assert read["when"] == "2025-11-20 10:00:00", "London time"
    assert any(r["subject"] == f"review:{pupils.review_id} ({pupils.reference})" for r in rows), "its review's too"
    assert any(r["action"] == "vote.cast" for r in rows), "its agenda item's too"
    assert not any(f"referral:{i}" in r["subject"] for r in rows for i in pupils.other_ids)
    assert [r["when"] for r in rows] == sorted((r["when"] for r in rows), reverse=True)


def test_reads_and_changes_are_listed_apart(pupils: Pupils, capsys: pytest.CaptureFixture[str]) -> None:
    reads = listed(capsys, "--referral", pupils.reference, "--action", "read")
    changes = listed(capsys, "--referral", pupils.reference, "--action", "change")
    everything = listed(capsys, "--referral", pupils.reference)
    assert reads and changes and len(reads) + len(changes) == len(everything)
    assert {r["kind"] for r in reads} == {"read"} and {r["kind"] for r in changes} == {"change"}
    assert "review.submit" in {r["action"] for r in changes} and "referral.read" in {r["action"] for r in reads}


def test_a_persons_lines_are_found_by_their_email_or_teams_id(
    pupils: Pupils, capsys: pytest.CaptureFixture[str]
) -> None:
    by_email = listed(capsys, "--person", "THEO@stoke.example")
    assert by_email and {r["who"] for r in by_email} == {"Theo Team <theo@stoke.example>"}
    assert listed(capsys, "--person", "aad-tac") == by_email


def test_days_are_london_days_and_inclusive(pupils: Pupils, capsys: pytest.CaptureFixture[str]) -> None:
    july = listed(capsys, "--from", "2026-07-01", "--to", "2026-07-01")
    assert july and {r["when"][:10] for r in july} == {"2026-07-01"}
    assert "review.submit" in {r["action"] for r in july}
    assert listed(capsys, "--from", "2026-07-02") == []


def test_the_csv_cannot_run_as_a_spreadsheet_formula(db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with transaction(db) as session:
        audit.record(session, TEST_NOW, "cli", "settings.import", '=HYPERLINK("http://x.example")', rows=1)
    [row] = listed(capsys, "--action", "change", "--from", "2025-11-20", "--to", "2025-11-20")[:1]
    assert row["subject"] == '\'=HYPERLINK("http://x.example")'


def test_the_limit_keeps_the_newest_and_says_more_match(pupils: Pupils, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "--limit", "2"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip().splitlines()) == 3, "a header and two lines"
    assert "showing the newest 2 lines" in err


def test_an_unknown_reference_is_refused_clearly(db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "--referral", "CEN-9999-999"]) == 2
    assert "No referral has the reference CEN-9999-999" in capsys.readouterr().err


def test_subject_access_writes_json_word_and_the_kept_files_and_is_then_listed_as_a_read(
    pupils: Pupils, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sar"
    code = run(
        ["subject-access", "--setting", "etruscan primary school", "--pupil-ref", "etr-0042", "--out", str(out)],
        clock=FixedClock(ASKED),
    )
    assert code == 0
    assert f"1 referral(s) ({pupils.reference})" in capsys.readouterr().out
    body = json.loads((out / "ETR-0042.json").read_text(encoding="utf-8"))
    assert [r["reference"] for r in body["referrals"]] == [pupils.reference]
    text = "\n".join(p.text for p in docx.Document(str(out / "ETR-0042.docx")).paragraphs)
    assert f"Referral {pupils.reference}" in text
    [kept] = [p for p in out.iterdir() if p.suffix == ".pdf"]
    assert kept.read_bytes() == KEPT_FILE and kept.name.startswith(pupils.reference)
    [line] = [r for r in listed(capsys, "--action", "read") if r["action"] == "pupil.subject_access"]
    assert line["who"] == "cli" and "0042" not in line["detail"] and str(pupils.referral_id) in line["detail"]


def test_subject_access_with_nothing_held_says_so_and_exits_0(
    pupils: Pupils, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        ["subject-access", "--setting", "Etruscan Primary School", "--pupil-ref", "ETR-7777", "--out", str(tmp_path)]
    )
    assert code == 0
    assert "Nothing is held about that pupil of Etruscan Primary School" in capsys.readouterr().out
    assert json.loads((tmp_path / "ETR-7777.json").read_text())["referrals"] == []


def test_subject_access_for_an_unknown_setting_is_refused(db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["subject-access", "--setting", "Nowhere School", "--pupil-ref", "X1"]) == 2
    assert "No setting is called Nowhere School" in capsys.readouterr().err


def test_the_table_names_people_and_the_command_line_is_found_as_itself(
    pupils: Pupils, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", "--referral", pupils.reference]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["WHEN", "WHO", "ACTION", "KIND", "SUBJECT", "DETAIL"]
    assert "Theo Team <theo@stoke.example>" in table and "referral.read" in table
    run(["subject-access", "--setting", "Etruscan Primary School", "--pupil-ref", "ETR-0042", "--out", "sar"])
    capsys.readouterr()
    by_cli = listed(capsys, "--person", "cli")
    assert by_cli[0]["action"] == "pupil.subject_access" and {r["who"] for r in by_cli} == {"cli"}

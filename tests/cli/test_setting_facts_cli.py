"""``clusterbot settings``: the council records which settings are mainstream and which had HNCG funding."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli.main import run
from store.db import make_engine
from store.models import AuditEvent, Setting


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run(["seed"]) == 0
    return url


def facts_of(url: str) -> dict[str, tuple[bool, bool]]:
    with Session(make_engine(url)) as session:
        return {s.name: (s.mainstream, s.received_hncg) for s in session.exec(select(Setting))}


def audited(url: str, action: str) -> int:
    with Session(make_engine(url)) as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_settings_list_shows_each_settings_facts(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["settings", "list", "--cluster", "Central"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 29
    assert "Merit Pupil Referral Unit\tnot mainstream\tno HNCG funding" in lines
    assert "Etruscan Primary School\tmainstream\tno HNCG funding" in lines


def test_settings_set_changes_one_fact_and_leaves_the_other(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["settings", "set", "--cluster", "Central", "--setting", "Haywood Academy", "--received-hncg", "yes"]) == 0
    )
    assert capsys.readouterr().out.strip() == "Haywood Academy\tmainstream\treceived HNCG funding"
    assert facts_of(db)["Haywood Academy"] == (True, True)
    assert audited(db, "setting.capital_facts") == 1


def test_settings_set_with_nothing_to_set_or_an_unknown_setting_is_refused(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["settings", "set", "--cluster", "Central", "--setting", "Haywood Academy"]) == 2
    assert "say what to set" in capsys.readouterr().err
    assert run(["settings", "set", "--cluster", "Central", "--setting", "Hogwarts", "--mainstream", "no"]) == 2
    assert "There is no setting called 'Hogwarts' in the Central cluster." in capsys.readouterr().err
    assert audited(db, "setting.capital_facts") == 0


def test_a_settings_file_sets_the_facts_it_names_and_blanks_leave_facts_alone(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "settings.csv"
    path.write_text(
        "cluster,setting,mainstream,received_hncg\n"
        "Central,New Ford Academy,no,\n"
        "CEN,haywood academy,,yes\n"
        "Central,Merit Pupil Referral Unit,no,no\n",
        encoding="utf-8",
    )
    assert run(["settings", "import", str(path)]) == 0
    assert "imported: 2 settings changed" in capsys.readouterr().out
    found = facts_of(db)
    assert found["New Ford Academy"] == (False, False)
    assert found["Haywood Academy"] == (True, True)
    assert found["Merit Pupil Referral Unit"] == (False, False)
    assert audited(db, "setting.capital_facts") == 2 and audited(db, "settings.import") == 1


def test_one_bad_line_in_a_settings_file_names_its_line_and_reason_and_nothing_changes(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = facts_of(db)
    path = tmp_path / "settings.csv"
    path.write_text(
        "cluster,setting,mainstream,received_hncg\n"
        "Central,New Ford Academy,no,\n"
        "Central,Hogwarts,no,\n"
        "North,Etruscan Primary School,no,\n"
        "Central,Haywood Academy,maybe,\n"
        "Central,new ford academy,,yes\n",
        encoding="utf-8",
    )
    assert run(["settings", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported or changed" in err
    assert "line 3: no setting 'Hogwarts' in the Central cluster" in err
    assert "line 4: unknown cluster 'North'" in err
    assert "line 5: mainstream: 'maybe' is not yes or no" in err
    assert "line 6: New Ford Academy is already on line 2" in err
    assert facts_of(db) == before
    assert audited(db, "setting.capital_facts") == 0


def test_a_settings_file_with_a_wrong_header_or_missing_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "settings.csv"
    path.write_text("cluster,school,mainstream\nCentral,Haywood Academy,no\n", encoding="utf-8")
    assert run(["settings", "import", str(path)]) == 1
    assert "line 1: the header lacks setting" in capsys.readouterr().err
    assert run(["settings", "import", "nope.csv"]) == 1
    assert "cannot read nope.csv" in capsys.readouterr().err

"""Every role granted at the command line has its own audit line: a roster import, ``people add`` and a
cluster file's people (``seed --file``), each line naming who granted which role to whom, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import run
from store.db import make_engine
from tests.support.four_clusters import NORTH
from tests.support.grants import role_grants


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def test_a_roster_import_writes_one_audit_line_per_role_granted(db: str, tmp_path: Path) -> None:
    run(["seed"])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,aad_object_id,role,cluster,setting\n"
        "Sam Senco,sam@etruscan.example,aad-1,senco,Central,Etruscan Primary School\n"
        "Chris Chair,chris@abbey.example,,chair,Central,\n"
        "Olive Officer,olive@stoke.example,,officer,,\n",
        encoding="utf-8",
    )
    assert run(["roster", "import", str(roster)]) == 0
    assert run(["roster", "import", str(roster)]) == 0  # nothing new granted: no new line
    assert role_grants(make_engine(db)) == [
        ("cli", "Sam Senco", "senco", "Central", "Etruscan Primary School"),
        ("cli", "Chris Chair", "chair", "Central", None),
        ("cli", "Olive Officer", "officer", None, None),
    ]


def test_people_add_writes_the_roles_audit_line(db: str) -> None:
    run(["seed"])
    assert (
        run(
            [
                "people",
                "add",
                "--name",
                "Ada Admin",
                "--email",
                "ada@stoke.example",
                "--role",
                "admin",
                "--cluster",
                "Central",
            ]
        )
        == 0
    )
    assert role_grants(make_engine(db)) == [("cli", "Ada Admin", "admin", "Central", None)]


def test_a_cluster_files_people_each_have_their_audit_line(db: str) -> None:
    assert run(["seed", "--file", str(NORTH)]) == 0
    grants = role_grants(make_engine(db))
    assert len(grants) == 7
    assert grants[0] == ("cli", "Nora Northfield", "senco", "North", "Northfield Primary (made-up)")
    assert {g[0] for g in grants} == {"cli"} and all(g[3] == "North" for g in grants)

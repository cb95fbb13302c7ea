"""A council officer adds clusters and loads them from files at the command line, then lists them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import run
from tests.support.four_clusters import NORTH, SOUTH


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def test_an_officer_adds_a_cluster_loads_others_from_files_and_lists_them_all(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["seed"]) == 0
    assert run(["seed", "--file", str(NORTH)]) == 0
    assert "North: 8 settings, 6 meetings, 7 people and 7 roles added" in capsys.readouterr().out
    assert run(["seed", "--file", str(SOUTH)]) == 0
    assert run(["cluster", "add", "--name", "East", "--code", "est", "--deadline-days", "10"]) == 0
    assert "added the East cluster" in capsys.readouterr().out
    assert run(["cluster", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "name\tcode\tsettings\tpeople\tmeetings\tchannel",
        "Central\tCEN\t29\t0\t6\tnot linked",
        "East\tEST\t0\t0\t0\tnot linked",
        "North\tNTH\t8\t7\t6\tnot linked",
        "South\tSTH\t7\t7\t5\tnot linked",
    ]


def test_a_cluster_whose_name_or_code_is_taken_is_refused_with_the_reason(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"])
    capsys.readouterr()
    assert run(["cluster", "add", "--name", "central", "--code", "XYZ"]) == 1
    assert "There is already a cluster called Central." in capsys.readouterr().err
    assert run(["cluster", "add", "--name", "Elsewhere", "--code", "CEN"]) == 1
    assert "The code CEN is already the Central cluster's." in capsys.readouterr().err
    assert run(["cluster", "add", "--name", "Elsewhere", "--code", "C"]) == 1
    assert "code: A code is 2 to 8 letters or digits" in capsys.readouterr().err
    run(["cluster", "list"])
    assert "Elsewhere" not in capsys.readouterr().out

"""``clusterbot people``: an observer named with the service they represent, and services the council adds."""

from __future__ import annotations

import pytest

from bot.cli.main import run


def test_an_observer_is_added_with_their_service_and_the_council_adds_one_of_its_own(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["seed"]) == 0
    added = ["people", "add", "--name", "Hana Health", "--email", "hana@nhs.example", "--role", "observer"]
    assert run([*added, "--cluster", "Central", "--service", "health"]) == 0
    assert run(["people", "services", "add", "Youth justice"]) == 0
    assert "observers may now name Youth justice" in capsys.readouterr().out
    yj = ["people", "add", "--name", "Yan Justice", "--email", "yan@council.example", "--role", "observer"]
    assert run([*yj, "--cluster", "Central", "--service", "youth justice"]) == 0
    capsys.readouterr()
    assert run(["people", "services", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Health",
        "Social care",
        "Early help",
        "Commissioning",
        "Youth justice",
    ]
    assert run(["people", "list", "--cluster", "Central"]) == 0
    listed = capsys.readouterr().out
    assert "Observer for Health, Central cluster" in listed and "Observer for Youth justice, Central cluster" in listed


def test_a_service_on_a_role_other_than_observer_is_refused(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["seed"]) == 0
    chair = ["people", "add", "--name", "Cara", "--email", "cara@council.example", "--role", "chair"]
    assert run([*chair, "--cluster", "Central", "--service", "health"]) != 0
    assert "only an observer names the service they represent" in capsys.readouterr().err

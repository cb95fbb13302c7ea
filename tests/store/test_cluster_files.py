"""A cluster file names its people too: loaded with its settings and meetings, idempotently, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from store.models import Cluster, Person, RoleAssignment, Setting
from tests.conftest import TEST_NOW
from tests.support.four_clusters import NORTH
from usecases.clusters import ClusterError, load_file
from usecases.people import identify


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Cluster, Setting, Person, RoleAssignment)
        )


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_cluster_file_loads_its_people_with_their_roles_once_however_often_it_is_loaded(engine: Engine) -> None:
    first = load_file(engine, NORTH, TEST_NOW)
    assert (first.settings_added, first.meetings_added, first.people_added, first.roles_added) == (8, 6, 7, 7)
    again = load_file(engine, NORTH, TEST_NOW)
    assert (again.settings_added, again.meetings_added, again.people_added, again.roles_added) == (0, 0, 0, 0)
    assert counts(engine) == (1, 8, 7, 7)
    with Session(engine) as session:
        senco = identify(session, "aad-north-senco", "Nora")
    assert [g.describe() for g in senco.grants] == ["SENCO of Northfield Primary (made-up) (North)"]


def test_a_bad_person_names_its_entry_and_nothing_of_the_file_is_stored(engine: Engine, tmp_path: Path) -> None:
    data = json.loads(NORTH.read_text(encoding="utf-8"))
    data["people"][2]["setting"] = "Nowhere School"
    data["people"][4]["role"] = "headteacher"
    with pytest.raises(ClusterError) as refused:
        load_file(engine, write(tmp_path, data), TEST_NOW)
    assert refused.value.problems[0].startswith("people 5: unknown role 'headteacher'")
    data["people"][4]["role"] = "admin"
    with pytest.raises(ClusterError) as refused:
        load_file(engine, write(tmp_path, data), TEST_NOW)
    assert refused.value.problems == ["people 3: no setting 'Nowhere School' in the North cluster"]
    assert counts(engine) == (0, 0, 0, 0), "not the cluster, its settings or the other people"


@pytest.mark.parametrize(
    ("person", "problem"),
    [
        ({"name": "Ann", "role": "admin"}, "give an email or an aad_object_id"),
        ({"name": "Ann", "email": "ann@x.example", "role": "admin", "phone": "1"}, "unknown field(s) phone"),
        ({"name": "Ann", "email": "ann@x.example", "role": "senco"}, "a SENCO must name a setting"),
        ("Ann, ann@x.example, admin", "must be an object"),
    ],
)
def test_a_person_the_roster_would_refuse_is_refused_in_a_file_too(
    engine: Engine, tmp_path: Path, person: Any, problem: str
) -> None:
    data = {"cluster": {"name": "East", "code": "EST"}, "settings": [{"name": "East School"}], "people": [person]}
    with pytest.raises(ClusterError) as refused:
        load_file(engine, write(tmp_path, data), TEST_NOW)
    [said] = refused.value.problems
    assert said.startswith("people 1: ") and problem in said
    assert counts(engine) == (0, 0, 0, 0)


def test_a_council_officer_in_a_cluster_file_is_citywide(engine: Engine, tmp_path: Path) -> None:
    officer = {"name": "Olga", "email": "olga@council.example", "role": "officer", "aad_object_id": "aad-olga"}
    load_file(engine, write(tmp_path, {"cluster": {"name": "East", "code": "EST"}, "people": [officer]}), TEST_NOW)
    with Session(engine) as session:
        assert [g.describe() for g in identify(session, "aad-olga", "Olga").grants] == ["Council officer (citywide)"]

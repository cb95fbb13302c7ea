"""The council officer's clusters card: all four clusters with their counts, and adding a fifth from Teams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bot.config import Settings
from bot.http.app import create_app
from cards import verbs
from cluster.clock import FixedClock
from store.models import AuditEvent, Cluster, Meeting, Person, RoleAssignment, Setting
from tests.conftest import TEST_NOW, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.four_clusters import FourClusters, four_clusters
from tests.support.grants import role_grants
from tests.support.referral_flow import Flow, find_action, shows
from tests.support.tables import is_table, table_rows

EAST = {
    "name": "East",
    "code": "est",
    "deadline_days": "10",
    "settings": "Eastfield Primary (made-up)\nEastgate Academy (made-up)\n",
    "meetings": "2026-02-10\n2026-03-24",
    "people": (
        "Erin Eastfield, erin@eastfield.example, senco, Eastfield Primary (made-up)\nEd Admin, ed@east.example, admin"
    ),
}


@pytest.fixture
async def city(engine: Engine, connector: FakeConnector) -> AsyncIterator[tuple[Bot, FourClusters]]:
    scene = four_clusters(engine, TEST_NOW, connector.url)
    app = create_app(
        Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=FixedClock(TEST_NOW), engine=engine
    )
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector), scene
    await client.close()


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def rows(card: dict[str, Any]) -> list[list[str]]:
    [table] = [e for e in card["body"] if is_table(e)]
    return table_rows(table)[1:]


async def test_the_officer_types_clusters_and_sees_all_four_with_their_counts(
    city: tuple[Bot, FourClusters], engine: Engine
) -> None:
    bot, scene = city
    await bot.post(act.personal_message(bot.connector.url, *scene.officer.who, "clusters"))
    [call] = await bot.connector.wait_for(1)
    [card] = call.cards
    assert rows(card) == [
        ["Central (CEN)", "29", "7", "6", "Linked"],
        ["North (NTH)", "8", "7", "6", "Linked"],
        ["South (STH)", "7", "7", "5", "Linked"],
        ["West (WST)", "10", "7", "7", "Linked"],
    ]
    find_action(card, verbs.CLUSTER_ADD)


async def test_the_officer_adds_a_cluster_with_its_settings_meetings_and_people(
    city: tuple[Bot, FourClusters], engine: Engine
) -> None:
    bot, scene = city
    card = await Flow(bot, scene.officer.who).card(verbs.CLUSTER_ADD, EAST)
    assert shows(card, "Added the East cluster (EST): 2 settings, 2 meetings")
    assert ["East (EST)", "2", "2", "2", "Not linked"] in rows(card)
    with Session(engine) as session:
        east = session.exec(select(Cluster).where(Cluster.name == "East")).one()
        assert east.deadline_days == 10
        days = sorted(str(m.day) for m in session.exec(select(Meeting).where(Meeting.cluster_id == east.id)))
        assert days == ["2026-02-10", "2026-03-24"]
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "cluster.add")).one()
        assert audit.subject == "cluster:East" and audit.detail["people_added"] == 2
        erin = session.exec(select(Person).where(Person.email == "erin@eastfield.example")).one()
        [role] = session.exec(select(RoleAssignment).where(RoleAssignment.person_id == erin.id))
        setting = session.get(Setting, role.setting_id)
        assert role.role == "senco" and setting is not None and setting.name == "Eastfield Primary (made-up)"


async def test_a_doubled_add_makes_one_cluster(city: tuple[Bot, FourClusters], engine: Engine) -> None:
    bot, scene = city
    flow = Flow(bot, scene.officer.who)
    first, second = await asyncio.gather(flow.card(verbs.CLUSTER_ADD, EAST), flow.card(verbs.CLUSTER_ADD, EAST))
    for card in (first, second):
        assert shows(card, "Added the East cluster (EST)"), card
    with Session(engine) as session:
        assert len(session.exec(select(Cluster).where(Cluster.name == "East")).all()) == 1
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "cluster.add")).all()) == 1


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("name", "north", "There is already a cluster called North."),
        ("code", "CEN", "The code CEN is already the Central cluster's."),
        ("code", "E", "A code is 2 to 8 letters or digits"),
        ("meetings", "2026-02-10\n10 March", "line 2: give the day as YYYY-MM-DD"),
        (
            "settings",
            "Eastfield Primary (made-up)\neastfield primary (made-up)",
            "line 2: eastfield primary (made-up) is already on line 1.",
        ),
        (
            "people",
            "Erin Eastfield, erin@eastfield.example, senco, Nowhere",
            "line 1: Nowhere is not one of the settings",
        ),
        ("people", "Ed Admin, ed@east.example, headteacher", "line 1: unknown role 'headteacher'"),
        ("people", "Ed Admin", "line 1: write it as: Name, email, role, setting"),
        ("deadline_days", "soon", "Enter a whole number of days from 0 to 60."),
    ],
)
async def test_a_mistake_comes_back_next_to_its_field_and_nothing_is_stored(
    city: tuple[Bot, FourClusters], engine: Engine, field: str, typed: str, said: str
) -> None:
    bot, scene = city
    before = [count(engine, m) for m in (Cluster, Setting, Meeting, Person, RoleAssignment)]
    card = await Flow(bot, scene.officer.who).card(verbs.CLUSTER_ADD, {**EAST, field: typed})
    body = card["body"]
    [at] = [i for i, e in enumerate(body) if e.get("id") == field]
    assert said in body[at + 1]["text"].replace("\\", ""), body[at + 1]
    assert body[at]["value"] == typed.strip(), "what was typed stays in the field"
    assert [count(engine, m) for m in (Cluster, Setting, Meeting, Person, RoleAssignment)] == before


async def test_only_a_council_officer_sees_or_adds_clusters(city: tuple[Bot, FourClusters], engine: Engine) -> None:
    bot, scene = city
    for cluster in scene:
        for member in cluster.people.values():
            flow = Flow(bot, member.who)
            assert await flow.refused(verbs.CLUSTERS) == "Only a council officer can see and add clusters."
            assert await flow.refused(verbs.CLUSTER_ADD, EAST) == "Only a council officer can see and add clusters."
    assert count(engine, Cluster) == 4


async def test_every_role_the_card_grants_has_its_audit_line_even_when_the_cluster_is_sent_again(
    city: tuple[Bot, FourClusters], engine: Engine
) -> None:
    bot, scene = city
    flow = Flow(bot, scene.officer.who)
    await flow.card(verbs.CLUSTER_ADD, EAST)
    with Session(engine) as session:
        officer = session.exec(select(Person).where(Person.aad_object_id == scene.officer.who[0])).one()
    by = f"person:{officer.id}"
    assert role_grants(engine)[-2:] == [
        (by, "Erin Eastfield", "senco", "East", "Eastfield Primary (made-up)"),
        (by, "Ed Admin", "admin", "East", None),
    ]
    before = len(role_grants(engine))
    # The same cluster sent again with two new people lines, one of them a council officer.
    again = {
        **EAST,
        "people": EAST["people"] + "\nEve Extra, eve@east.example, chair\nOz Other, oz@council.example, officer",
    }
    card = await flow.card(verbs.CLUSTER_ADD, again)
    assert shows(card, "Added the East cluster (EST)")
    assert role_grants(engine)[before:] == [
        (by, "Eve Extra", "chair", "East", None),
        (by, "Oz Other", "officer", None, None),
    ]

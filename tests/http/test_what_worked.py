"""``what worked`` through /api/messages, over a made-up record of 2,000 reviews and 200 discussions.

It finds a need's and a provision's groups, ranks them, hides any group under five referrals, shows no pupil,
setting, person or reference, reads its own cluster unless the council consented to sharing, and costs the
same few queries however large the record.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.http.app import create_app
from cards import verbs
from cluster.clock import FixedClock
from cluster.commands.reviews import SubmitReview
from cluster.permissions import SHARE_WHAT_WORKED, WHAT_WORKED
from cluster.roles import Role
from cluster.what_worked import Query
from store.models import Cluster, Person, RoleAssignment, Setting, WhatWorked
from tests.conftest import ADMIN, CHAIR, SENCO, TEST_NOW, Bot, _seed_central
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.queries import count_queries
from tests.support.referral_flow import Flow
from tests.support.review_flow import fund
from tests.support.what_worked_record import PROVISIONS, RARE, Record, make_record
from usecases.people import identify
from usecases.reviews import submit_review
from usecases.what_worked import rebuild
from usecases.what_worked_search import NOT_SHARING, search

NORTH_SENCO = ("aad-north-senco", "Nia North")
OFFICER = ("aad-officer", "Olu Officer")
CARD_LIMIT = 40 * 1024


def _person(session: Session, who: tuple[str, str], role: Role, cluster_id: int | None, setting_id: int | None) -> None:
    person = Person(aad_object_id=who[0], name=who[1])
    session.add(person)
    session.flush()
    session.add(RoleAssignment(person_id=person.id or 0, role=role.value, cluster_id=cluster_id, setting_id=setting_id))


def _north(engine: Engine) -> tuple[int, int]:
    """A made-up second cluster with a SENCO, and a council officer; returns (Central's id, North's id)."""
    with Session(engine) as session:
        central = session.exec(select(Cluster).where(Cluster.name == "Central")).one()
        north = Cluster(name="North", code="NOR")
        session.add(north)
        session.flush()
        school = Setting(cluster_id=north.id or 0, name="Made-up Northfield Primary")
        session.add(school)
        session.flush()
        _person(session, NORTH_SENCO, Role.SENCO, north.id, school.id)
        _person(session, OFFICER, Role.COUNCIL_OFFICER, None, None)
        session.commit()
        return central.id or 0, north.id or 0


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """Central and the test roster, on SQLite and on PostgreSQL."""
    _seed_central(engine, TEST_NOW)
    return engine


@pytest.fixture
async def bot(seeded: Engine, connector: FakeConnector) -> AsyncIterator[Bot]:
    settings = Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False)
    app = create_app(settings, clock=FixedClock(TEST_NOW), engine=seeded)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector)
    await client.close()


@pytest.fixture
def record(seeded: Engine) -> Record:
    central_id, north_id = _north(seeded)
    built = make_record(
        seeded,
        [(central_id, "Etruscan Primary School", "Sam Senco"), (north_id, "Made-up Northfield Primary", "Nia North")],
        reviews=2000,
        discussions=200,
        now=TEST_NOW,
    )
    rebuild(seeded, TEST_NOW)
    return built


async def _card_said(bot: Bot, who: tuple[str, str], text: str) -> dict[str, Any]:
    before = len(bot.connector.calls)
    await bot.post(act.personal_message(bot.connector.url, *who, text))
    await bot.connector.wait_for(before + 1)
    cards = [a["content"] for c in bot.connector.calls[before:] for a in c.body.get("attachments") or []]
    assert cards, [c.body for c in bot.connector.calls[before:]]
    found: dict[str, Any] = cards[-1]
    return found


def _groups(card: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """Each result group on the card: its provision and its facts."""
    found = []
    for element in card["body"]:
        if element.get("type") == "Container" and element.get("separator"):
            title, fact_set = element["items"]
            found.append((title["text"], {f["title"]: f["value"] for f in fact_set["facts"]}))
    return found


def _nothing_identifying(card: dict[str, Any], record: Record) -> None:
    shown = json.dumps(card)
    assert len(shown.encode()) < CARD_LIMIT
    assert not re.search(r"WWR-\d+|PUPIL-\d+", shown), "a reference or a pupil's reference is shown"
    for name in {*record.names, "Jones", "Sam", "Nia", "Mrs"}:
        assert name not in shown, name
    assert not re.search(r"\bQX\b", shown), "the pupil's initials are shown"


async def test_a_senco_finds_a_needs_provisions_ranked_with_small_groups_hidden_and_no_one_named(
    bot: Bot, record: Record
) -> None:
    flow = Flow(bot, SENCO)
    card = await _card_said(bot, SENCO, "what worked language")
    groups = _groups(card)
    names = [name for name, _ in groups]
    # "language" is in the first provision's name and in its need (SLCN): it ranks above Lego therapy (ASD), whose
    # rows match nothing; the speech group's own words come first.
    assert names[0] == "Speech and language group", names
    central = {
        name: n for (cluster, name), n in record.referrals.items() if cluster == min(c for c, _ in record.referrals)
    }
    speech = dict(groups[0][1])
    assert speech["Rests on"] == f"{central['Speech and language group']} referrals"
    n = central["Speech and language group"]
    assert speech["Outcomes"] == f"Mostly achieved: {2 * n} achieved, {n} partly, 0 not"
    assert speech["Area of need"] == "Communication and interaction"
    _nothing_identifying(card, record)

    # By area of need alone, ranked by how often outcomes were achieved: precision teaching (all achieved) first.
    card = await flow.card(verbs.WHAT_WORKED, {"area_of_need": "CL"})
    assert [name for name, _ in _groups(card)] == ["Precision teaching"]
    by_need = await flow.card(verbs.WHAT_WORKED, {"area_of_need": "SEMH"})
    ranked = [name for name, _ in _groups(by_need)]
    assert ranked == ["Emotional literacy support", "Nurture group"], ranked  # 1/3 achieved each, more referrals
    _nothing_identifying(by_need, record)

    # Equine therapy rests on four referrals: found by name, it is still not shown.
    rare = await flow.card(verbs.WHAT_WORKED, {"provision": RARE[0].lower()})
    assert _groups(rare) == []
    assert "No provision matches that rests on 5 or more referrals" in json.dumps(rare)

    # The peers' advice: the closest few of the discussions that match, with what named anyone taken out.
    advice = await flow.card(verbs.WHAT_WORKED, {"text": "transition timetable"})
    shown = json.dumps(advice)
    assert "What peers advised" in shown and "visual timetable" in shown
    assert f"From {record.discussions // 2} discussions that match" in shown  # Central's own discussions
    _nothing_identifying(advice, record)


async def test_another_clusters_record_is_searched_only_with_the_councils_consent(bot: Bot, record: Record) -> None:
    north = Flow(bot, NORTH_SENCO)
    for who in (NORTH_SENCO, OFFICER):
        await bot.post(act.personal_install(bot.connector.url, *who))
    own = await north.card(verbs.WHAT_WORKED, {"text": "speech", "scope": "city"})
    assert NOT_SHARING in json.dumps(own)  # North does not share: its own record only
    north_only = _groups(own)[0][1]["Rests on"]

    officer = Flow(bot, OFFICER)
    sharing = await officer.card(verbs.WHAT_WORKED_SHARING)
    choices = {c["title"].split(" (")[0]: c["value"] for c in sharing["body"][-1]["choices"]}
    for name in ("Central", "North"):
        done = await officer.card(verbs.WHAT_WORKED_SHARE, {"share": "on", "cluster_id": choices[name]})
        assert f"{name} now shares its record of what worked." in json.dumps(done)
    both = await north.card(verbs.WHAT_WORKED, {"text": "speech", "scope": "city"})
    shown = json.dumps(both)
    assert NOT_SHARING not in shown and "Searched 2 clusters sharing their record." in shown
    assert int(_groups(both)[0][1]["Rests on"].split()[0]) > int(north_only.split()[0])
    _nothing_identifying(both, record)

    # Only a council officer gives consent; an admin may not search.
    assert await north.refused(verbs.WHAT_WORKED_SHARE, {"share": "off", "cluster_id": choices["North"]}) == (
        SHARE_WHAT_WORKED.refusal
    )
    await bot.post(act.personal_install(bot.connector.url, *ADMIN))
    assert await Flow(bot, ADMIN).refused(verbs.WHAT_WORKED) == WHAT_WORKED.refusal
    chair = await Flow(bot, CHAIR).card(verbs.WHAT_WORKED, {"provision": "lego"})
    assert [name for name, _ in _groups(chair)] == ["Lego therapy"]


def test_a_search_costs_the_same_few_queries_over_a_small_record_and_a_large_one(seeded: Engine) -> None:
    central_id, north_id = _north(seeded)
    clusters = [(central_id, "Etruscan Primary School", "Sam Senco"), (north_id, "Made-up Northfield Primary", "Nia")]
    with Session(seeded) as session:
        actor = identify(session, *SENCO)
    query = Query(area_of_need="CI", text="speech")
    counts = []
    for reviews, discussions in ((120, 10), (2000, 200)):
        make_record(seeded, clusters, reviews=reviews, discussions=discussions, now=TEST_NOW)
        rebuild(seeded, TEST_NOW)
        with count_queries(seeded) as counted:
            found = search(seeded, actor, query)
        assert found.groups and found.groups[0].provision == PROVISIONS[0][0]
        counts.append(counted.count)
    assert counts[0] == counts[1] <= 5, counts  # BEGIN, the clusters, the groups, the advice, COMMIT


def test_a_submitted_review_is_found_at_once_with_its_ratings(seeded: Engine) -> None:
    review_id = fund(seeded, datetime(2025, 11, 20, 10, 0, tzinfo=TEST_NOW.tzinfo))
    with Session(seeded) as session:
        actor = identify(session, *SENCO)
    # Only the rating matters here; the rest of the form is filled in as briefly as it allows.
    evidence = dict.fromkeys(("attendance", "progress", "wellbeing", "provision_delivered"), "As planned")
    answers = {"outcome_rating_1": "achieved", "outcomes_achieved": "Met.", "actual_spend": "100", **evidence}
    answers["recommendation"] = "stop"
    submit_review(seeded, actor, SubmitReview(review_id=review_id, answers=answers), TEST_NOW)
    with Session(seeded) as session:
        rows = session.exec(select(WhatWorked)).all()
    assert rows and {r.provision for r in rows} >= {"Language group"}
    assert all(r.achieved == 1 and r.partly == 0 and r.year_band == "KS2" for r in rows)
    assert all("ETR-0042" not in r.body and "JS" not in r.body.split() for r in rows)

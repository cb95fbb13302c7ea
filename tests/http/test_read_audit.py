"""Issue 13, reads are recorded: each showing of a referral's full details, export of its pack and reading of
a review writes one audit line (who, what, when) in the same transaction, through the real /api/messages.

A refused read (a stranger, another cluster's person, a forged id) shows the refusal and writes no read line:
the unit of work rolls back with the refusal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.http.app import create_app
from cards import verbs
from cluster.clock import FixedClock
from cluster.permissions import READ_REFERRAL
from store.models import AuditEvent, Person
from tests.conftest import Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.queries import count_queries
from tests.support.two_clusters import NORTH_PEOPLE, NOW, PEOPLE, Scene, build_scene
from tests.support.two_clusters import Person as Someone

CARD = "application/vnd.microsoft.card.adaptive"
CONSENT = "application/vnd.microsoft.teams.card.file.consent"
BY_KEY = {p.key: p for p in (*PEOPLE, *NORTH_PEOPLE)}


@pytest.fixture
async def world(engine: Engine, tmp_path: Path, connector: FakeConnector) -> AsyncIterator[tuple[Bot, Scene]]:
    scene = build_scene(engine, tmp_path)
    app = create_app(
        Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=FixedClock(NOW), engine=engine
    )
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    for person in (*PEOPLE, *NORTH_PEOPLE):
        await bot.post(act.personal_install(connector.url, *person.who))
    yield bot, scene
    await client.close()


def tag_of(engine: Engine, key: str) -> str:
    with Session(engine) as session:
        found = session.exec(select(Person).where(Person.aad_object_id == BY_KEY[key].who[0])).one()
    return f"person:{found.id}"


def newest_id(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one() or 0)


def lines_since(engine: Engine, seen: int) -> list[tuple[str, str, str]]:
    """The audit lines written after ``seen``, as (who, action, subject)."""
    with Session(engine) as session:
        found = session.exec(select(AuditEvent).where(col(AuditEvent.id) > seen).order_by(col(AuditEvent.id)))
        return [(e.actor, e.action, e.subject) for e in found]


async def click(bot: Bot, who: Someone, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await bot.post(act.card_click(bot.connector.url, *who.who, verb, data))
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def shown(bot: Bot, engine: Engine, key: str, verb: str, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Press a button that answers with a card; the audit lines that press wrote."""
    seen = newest_id(engine)
    body = await click(bot, BY_KEY[key], verb, data)
    assert body["type"] == CARD, body
    return lines_since(engine, seen)


async def test_the_team_opening_a_referral_writes_one_read_line_naming_them_and_it(
    world: tuple[Bot, Scene], engine: Engine
) -> None:
    bot, scene = world
    referral = scene.central.referral
    lines = await shown(bot, engine, "team", verbs.REFERRAL_OPEN, {"referral_id": referral})
    assert lines == [(tag_of(engine, "team"), "referral.read", f"referral:{referral}")]


async def test_the_senco_looking_over_their_draft_before_submitting_writes_a_read_line(
    world: tuple[Bot, Scene], engine: Engine
) -> None:
    bot, scene = world
    draft = scene.central.draft
    for verb in (verbs.REVIEW, verbs.DOCUMENTS):
        lines = await shown(bot, engine, "senco", verb, {"referral_id": draft})
        assert lines == [(tag_of(engine, "senco"), "referral.read", f"referral:{draft}")], verb


async def test_the_chair_opening_a_capital_application_writes_one_read_line(
    world: tuple[Bot, Scene], engine: Engine
) -> None:
    bot, scene = world
    capital = scene.central.capital
    lines = await shown(bot, engine, "chair", verbs.CAPITAL_OPEN, {"referral_id": capital})
    assert lines == [(tag_of(engine, "chair"), "capital.read", f"referral:{capital}")]


async def test_the_senco_opening_a_review_writes_one_read_line(world: tuple[Bot, Scene], engine: Engine) -> None:
    bot, scene = world
    review = scene.central.review
    lines = await shown(bot, engine, "senco", verbs.REVIEW_OPEN, {"review_id": review})
    assert lines == [(tag_of(engine, "senco"), "review.read", f"review:{review}")]


async def offered(bot: Bot, who: Someone, text: str) -> dict[str, Any]:
    """``who`` types ``text`` in personal chat and is offered one file: the offer (a file consent card)."""
    before = len(bot.connector.calls)
    await bot.post(act.personal_message(bot.connector.url, *who.who, text))
    calls = await bot.connector.wait_for(before + 1)
    [offer] = [a for call in calls[before:] for a in call.body.get("attachments") or [] if a["contentType"] == CONSENT]
    return offer


async def answered(bot: Bot, who: Someone, offer: dict[str, Any], action: str, file_name: str) -> None:
    answer = act.file_consent_answer(bot.connector.url, *who.who, offer, action, file_name)
    assert (await bot.post(answer)).status == 200


async def test_one_export_of_a_pack_is_one_export_line_written_when_accepted_and_a_declined_offer_writes_none(
    world: tuple[Bot, Scene], engine: Engine
) -> None:
    bot, scene = world
    referral, reference = scene.central.referral, scene.central.reference
    team = BY_KEY["team"]
    who = tag_of(engine, "team")
    seen = newest_id(engine)
    offer = await offered(bot, team, f"export {reference}")
    assert lines_since(engine, seen) == [], "an offer is not an export: the pack has not been handed over"
    await answered(bot, team, offer, "accept", "pack.docx")
    assert "pack.docx" in bot.connector.uploads
    assert lines_since(engine, seen) == [(who, "referral.export", f"referral:{referral}")]

    seen = newest_id(engine)
    offer = await offered(bot, team, f"export {reference}")
    await answered(bot, team, offer, "decline", "declined.docx")
    assert "declined.docx" not in bot.connector.uploads
    assert lines_since(engine, seen) == [], "declined: nothing was read"


async def test_one_capital_report_is_one_report_line_written_when_accepted(
    world: tuple[Bot, Scene], engine: Engine
) -> None:
    bot, _ = world
    officer = BY_KEY["officer"]
    seen = newest_id(engine)
    offer = await offered(bot, officer, "capital report")
    assert lines_since(engine, seen) == []
    await answered(bot, officer, offer, "accept", "capital.xlsx")
    assert "capital.xlsx" in bot.connector.uploads
    assert [line[1:] for line in lines_since(engine, seen)] == [("capital.report", "capital:report")]


@pytest.mark.parametrize(
    ("key", "verb", "target"),
    [
        ("stranger", verbs.REFERRAL_OPEN, "referral"),
        ("north_senco", verbs.REFERRAL_OPEN, "referral"),
        ("other_senco", verbs.REVIEW_OPEN, "review"),
        ("north_chair", verbs.CAPITAL_OPEN, "capital"),
        ("team", verbs.REFERRAL_OPEN, "forged"),
    ],
)
async def test_a_refused_read_shows_the_refusal_and_writes_no_read_line(
    world: tuple[Bot, Scene], engine: Engine, key: str, verb: str, target: str
) -> None:
    bot, scene = world
    ids = {"referral": scene.central.referral, "review": scene.central.review, "capital": scene.central.capital}
    data = {"review_id": ids["review"]} if target == "review" else {"referral_id": ids.get(target, 987654)}
    seen = newest_id(engine)
    body = await click(bot, BY_KEY[key], verb, data)
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    assert lines_since(engine, seen) == [], "a refusal is not a read"
    if key == "north_senco":
        assert body["value"] == READ_REFERRAL.refusal


async def test_a_read_costs_one_insert_into_the_audit_log_and_no_other_write(
    world: tuple[Bot, Scene], engine: Engine
) -> None:
    bot, scene = world
    for key, verb, data in (
        ("team", verbs.REFERRAL_OPEN, {"referral_id": scene.central.referral}),
        ("senco", verbs.REVIEW, {"referral_id": scene.central.draft}),
        ("chair", verbs.CAPITAL_OPEN, {"referral_id": scene.central.capital}),
        ("senco", verbs.REVIEW_OPEN, {"review_id": scene.central.review}),
    ):
        await click(bot, BY_KEY[key], verb, data)  # the person's first turn of the day records their name
        with count_queries(engine) as counted:
            body = await click(bot, BY_KEY[key], verb, data)
        assert body["type"] == CARD
        assert [w.split("(")[0].split()[:3] for w in counted.writes] == [["INSERT", "INTO", "audit_event"]], verb

"""Thirty members vote at once, and Teams delivers every click twice: exactly thirty votes, and a card of thirty.

Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.config import Settings
from bot.http.app import NOTIFIER, create_app
from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.commands.meetings import StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.roles import Role
from store.models import Cluster, ConversationRef, Setting, Vote
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import everyone_present, on_its_day
from tests.support.referral_flow import GOOD_EHCP
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.budget import set_budget
from usecases.meeting_day import agenda as agenda_uc
from usecases.meeting_day.agenda import start_meeting
from usecases.meetings import set_voting_rules
from usecases.people import identify
from usecases.roster import Entry, import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
VOTERS = [(f"aad-voter-{i:02d}", f"Voter {i:02d}") for i in range(30)]
CHANNEL_CONVERSATION = {"conversationType": "channel", "id": act.CHANNEL_ID, "isGroup": True, "tenantId": act.TENANT}


@pytest.fixture
async def busy(engine: Engine, connector: FakeConnector) -> AsyncIterator[tuple[Bot, int]]:
    clock = FixedClock(NOW)
    seed_file(engine, CENTRAL, NOW)
    with Session(engine) as session:
        cluster = session.exec(select(Cluster)).one()
        for extra in ("Test Setting A", "Test Setting B"):
            session.add(Setting(cluster_id=cluster.id or 0, name=extra))
        session.commit()
        names = [
            s for s in session.exec(select(Setting.name).order_by(Setting.name)).all() if s != "Etruscan Primary School"
        ]
    import_entries(engine, ROSTER, NOW, "test")
    import_entries(
        engine,
        [
            Entry(name, None, aad, Role.SENCO, "Central", setting)
            for (aad, name), setting in zip(VOTERS, names, strict=False)
        ],
        NOW,
        "test",
    )
    set_voting_rules(engine, "Central", NOW, quorum=None, same_trust_recusal=None)
    set_budget(engine, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [100000000, 0, 0, 0], NOW)
    with Session(engine) as session:
        sam, admin, chair = (identify(session, *who) for who in (SENCO, ADMIN, CHAIR))
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="ehcp", once="k"), NOW)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_EHCP), NOW)
    submit_shown(engine, sam, draft.id, NOW)
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), NOW)
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=clock, engine=engine)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    await bot.post(act.team_install(connector.url, *ADMIN))
    await bot.post(act.channel_message(connector.url, *ADMIN, "link cluster Central"))
    await bot.post(act.channel_message(connector.url, *CHAIR, "agenda"))
    with Session(engine) as session:
        assert session.exec(select(ConversationRef).where(ConversationRef.cluster_id.is_not(None))).first()  # type: ignore[union-attr]
    view = agenda_uc.agenda(engine, 2)
    everyone_present(engine, 2, on_its_day(engine, 2))
    start_meeting(engine, chair, StartMeeting(meeting_id=2), on_its_day(engine, 2))
    item_id = view.entries[0].item_id
    opened = await bot.post(click(bot, CHAIR, item_id, verbs.ITEM_OPEN, {}))
    assert opened.status == 200
    await app[NOTIFIER].drain()
    assert [c.method for c in connector.calls if "Vote:" in c.all_json()] == ["POST"], "the vote card is posted"
    yield bot, item_id
    await client.close()


def click(
    bot: Bot, who: tuple[str, str], item_id: int, verb: str = verbs.VOTE_CAST, data: dict[str, str] | None = None
) -> dict[str, object]:
    activity = act.card_click(
        bot.connector.url,
        *who,
        verb,
        {"item_id": item_id, **({"choice": "approve"} if data is None else data)},
        conversation=CHANNEL_CONVERSATION,
    )
    activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
    return activity


async def test_thirty_votes_at_once_each_delivered_twice_count_thirty_and_the_card_shows_thirty(
    busy: tuple[Bot, int], engine: Engine
) -> None:
    bot, item_id = busy
    clicks = [click(bot, who, item_id) for who in VOTERS]
    responses = await asyncio.gather(*(bot.post(c) for c in clicks + clicks))
    assert all(r.status == 200 for r in responses)
    bodies = [await r.json() for r in responses]
    assert all(b["type"] == "application/vnd.microsoft.card.adaptive" for b in bodies), [
        b for b in bodies if b["type"] != "application/vnd.microsoft.card.adaptive"
    ][:2]
    await bot.client.server.app[NOTIFIER].drain()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Vote).where(Vote.item_id == item_id)).one() == 30
    updates = [c for c in bot.connector.calls if c.method == "PUT" and "Vote:" in c.all_json()]
    assert updates, "the shared vote card was updated"
    assert re.search(r"Approve 30\b", updates[-1].all_json()), updates[-1].all_json()[:2000]
    assert len(updates) < 30, "updates of the shared card are coalesced, not one per vote"

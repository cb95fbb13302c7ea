"""Every notice goes once, through /api/messages: the same click delivered twice, one after the other or
at the same moment, tells the people concerned once.

The use cases owe the notice in the transaction of the change, under a key from the change, so a repeat
owes nothing more. Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from cards import verbs
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from store.models import Referral
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import VOTERS, Room, meeting_room, start_meeting
from tests.support.referral_flow import GOOD_DISCUSSION
from usecases import referrals as uc
from usecases.people import identify

CARD = "application/vnd.microsoft.card.adaptive"


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        yield room


@pytest.fixture
async def to_check(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    """The referrals submitted, waiting for the admin's check."""
    async with meeting_room(engine, connector, accepted=False) as room:
        yield room


def reference(room: Room, name: str) -> str:
    with Session(room.engine) as session:
        referral = session.get(Referral, room.referrals[name])
        assert referral is not None and referral.reference
        return referral.reference


async def twice(room: Room, activity: dict[str, Any], at_once: bool) -> list[dict[str, Any]]:
    """Post the same activity twice, as Teams may: one after the other, or at the same moment."""
    if at_once:
        bodies = list(await asyncio.gather(room.post(activity), room.post(activity)))
    else:
        bodies = [await room.post(activity), await room.post(activity)]
    await room.settle()
    return bodies


async def carried(room: Room, item: int) -> None:
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    for who in VOTERS[:3]:
        await room.click(who, verbs.VOTE_CAST, {"item_id": item, "choice": "approve"})
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": item})


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_the_same_record_the_decision_click_twice_tells_the_referrer_once(room: Room, at_once: bool) -> None:
    await start_meeting(room)
    item = room.item("ipn")
    await carried(room, item)
    record = room.click_activity(
        CHAIR, verbs.DECISION_RECORD, {"item_id": item, "outcome": "approved", "schedule": "termly"}
    )
    bodies = await twice(room, record, at_once)
    assert [b["type"] for b in bodies] == [CARD, CARD], "both copies are answered with the decided vote card"
    assert len(room.decisions()) == 1
    told = room.told(SENCO, f"Decision on {reference(room, 'ipn')}")
    assert len(told) == 1, [c.all_json()[:200] for c in told]
    [decision] = room.decisions()
    assert room.notices_owed("notice:decision") == [
        f"notice:decision:{decision.id}:person:{sam_id(room)}",
        f"notice:decision:{decision.id}:letter:person:{sam_id(room)}",  # the decision letter, offered once
    ]


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_a_discussions_advice_recorded_twice_tells_the_referrer_once(room: Room, at_once: bool) -> None:
    await start_meeting(room)
    advice = {"item_id": room.item("talk"), "outcome": "advice", "feedback": "Try a visual timetable."}
    await twice(room, room.click_activity(CHAIR, verbs.DECISION_RECORD, advice), at_once)
    assert len(room.told(SENCO_2, "Decision on", "Try a visual timetable.")) == 1


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_the_same_accept_click_twice_tells_the_referrer_once(to_check: Room, at_once: bool) -> None:
    room = to_check
    accept = act.card_click(room.connector.url, *ADMIN, verbs.ACCEPT, {"referral_id": room.referrals["ipn"]})
    await twice(room, accept, at_once)
    told = room.told(SENCO, "Your referral is on the agenda", reference(room, "ipn"))
    assert len(told) == 1


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_the_same_return_click_twice_tells_the_referrer_once(to_check: Room, at_once: bool) -> None:
    room = to_check
    referral_id = room.referrals["talk"]
    back = act.card_click(
        room.connector.url, *ADMIN, verbs.RETURN, {"referral_id": referral_id, f"reason_{referral_id}": "No consent."}
    )
    await twice(room, back, at_once)
    told = room.told(SENCO_2, "Your referral was returned", "No consent.")
    assert len(told) == 1


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_the_same_submit_click_twice_tells_the_admin_once(room: Room, at_once: bool) -> None:
    with Session(room.engine) as session:
        sam = identify(session, *SENCO)
    draft = uc.start(
        room.engine,
        sam,
        StartReferral(setting_id=uc.picker(sam)[0][0], kind="discussion", once="key-new"),
        room.clock.now(),
    )
    uc.save_details(room.engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), room.clock.now())
    version = uc.open_for_edit(room.engine, sam, OneReferral(referral_id=draft.id), room.clock.now()).version
    submit = act.card_click(room.connector.url, *SENCO, verbs.SUBMIT, {"referral_id": draft.id, "version": version})
    await twice(room, submit, at_once)
    with Session(room.engine) as session:
        submitted = session.get(Referral, draft.id)
        assert submitted is not None and submitted.reference
    assert len(room.told(ADMIN, "New referral to check", submitted.reference)) == 1


def sam_id(room: Room) -> int:
    with Session(room.engine) as session:
        person = identify(session, *SENCO)
        assert person.person_id is not None
        return person.person_id

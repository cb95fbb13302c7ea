"""Meetings keep to their day, through /api/messages on SQLite and PostgreSQL (issue 18, point 1).

A meeting is started only on its day or the day before; once ended it is never "the next meeting" and takes
no referrals; what it did not reach moves to the next meeting and each referrer is told once; its minutes
carry the date it was really held; a cluster with no linked channel has its admin and chair told when the
agenda falls due, and the agenda posts as soon as the channel is linked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.http.app import NOTIFIER
from cards import verbs
from cluster.clock import LONDON
from scheduler.jobs import post_due_agendas
from store.models import Meeting, Referral
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2
from tests.support import activities as act
from tests.support.fake_connector import Call, FakeConnector
from tests.support.meeting_room import MEETING_ID, Room, meeting_room, post_agenda
from tests.support.referral_flow import GOOD_DISCUSSION, Flow
from usecases.meetings import set_deadline_days

MESSAGE = "application/vnd.microsoft.activity.message"
CARD = "application/vnd.microsoft.card.adaptive"
SPRING_1 = 3  # Thursday 5 February 2026, the meeting after Autumn 2 (Thursday 11 December 2025)


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        yield room


def at(day: int, hour: int, month: int = 12, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LONDON)


def meeting(room: Room, meeting_id: int = MEETING_ID) -> Meeting:
    with Session(room.engine) as session:
        found = session.get(Meeting, meeting_id)
        assert found is not None
        return found


def meeting_of(room: Room, referral_id: int) -> int | None:
    with Session(room.engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        return referral.meeting_id


def channel_posts(room: Room, text: str) -> list[Call]:
    """What was posted to the team channel (new messages, not updates) carrying ``text``."""
    return [
        c
        for c in room.connector.calls
        if c.method == "POST" and c.conversation_id.startswith(act.CHANNEL_ID) and text in c.all_json()
    ]


async def hold(room: Room, when: datetime) -> None:
    """The chair posts the agenda beforehand, then starts and ends the meeting at ``when`` (nothing decided)."""
    await post_agenda(room)
    room.clock.set(when)
    started = await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    assert started["type"] == CARD, started
    ended = await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
    assert ended["type"] == CARD, ended
    await room.settle()


async def test_a_meeting_is_started_only_on_its_day_or_the_day_before(room: Room) -> None:
    await post_agenda(room)
    too_soon = await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    assert too_soon["type"] == MESSAGE
    assert "This meeting is on Thursday 11 December 2025" in too_soon["value"]
    assert "the day before" in too_soon["value"]
    room.clock.set(at(12, 9))
    too_late = await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    assert too_late["type"] == MESSAGE and "was on Thursday 11 December 2025" in too_late["value"]
    assert meeting(room).started_at is None

    room.clock.set(at(10, 16))  # the afternoon before: the chair sets up
    started = await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    assert started["type"] == CARD and meeting(room).started_at is not None


async def test_an_ended_meeting_is_not_next_and_a_new_referral_goes_to_the_next_one(room: Room) -> None:
    # Referrals close at 23:59 on the meeting's own day, so the meeting ends with its deadline still open.
    set_deadline_days(room.engine, "Central", 0, room.clock.now())
    await hold(room, at(11, 9))
    room.clock.set(at(11, 11))  # before its scheduled end (13:00)

    await room.bot.post(act.personal_message(room.connector.url, *SENCO_2, "next meeting"))
    await room.settle()
    [answer] = [c for c in room.told(SENCO_2, "Next meeting") if "Meeting in" in c.all_json()][-1:]
    assert "5 February 2026" in answer.all_json() and "11 December 2025" not in answer.all_json()

    flow = Flow(room.bot, SENCO_2)
    referral_id, _ = await flow.start("discussion")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    submitted = await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    assert "5 February 2026" in json.dumps(submitted), json.dumps(submitted)[:2000]
    assert meeting_of(room, referral_id) == SPRING_1


async def test_what_an_ended_meeting_did_not_reach_moves_on_and_each_referrer_is_told_once(room: Room) -> None:
    await post_agenda(room)
    room.clock.set(at(11, 9))
    await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    end = room.click_activity(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
    await room.post(end)
    await room.post(end)  # Teams delivers the click twice
    await room.settle()

    assert {name: meeting_of(room, r) for name, r in room.referrals.items()} == dict.fromkeys(room.referrals, SPRING_1)
    for who, reference in ((SENCO, "CEN-2526-001"), (SENCO, "CEN-2526-002"), (SENCO_2, "CEN-2526-003")):
        told = room.told(who, f"{reference} goes to the next meeting")
        assert len(told) == 1, (who, reference, len(told))
        assert "Thursday 5 February 2026" in told[0].all_json() and "11 December 2025" in told[0].all_json()

    # Spring 1's agenda lists them, carried over; Autumn 2's agenda no longer does.
    room.clock.set(at(29, 9, month=1, year=2026))
    await post_agenda(room)
    [spring] = channel_posts(room, "5 February 2026")
    assert all(f"CEN-2526-00{n}" in spring.all_json() for n in (1, 2, 3))


async def test_a_referral_waiting_for_its_check_when_the_meeting_ends_moves_and_is_accepted_onto_the_next(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector, accepted=False) as room:
        await hold(room, at(11, 9))
        assert meeting_of(room, room.referrals["talk"]) == SPRING_1
        assert len(room.told(SENCO_2, "CEN-2526-003 goes to the next meeting")) == 1
        accept = act.card_click(room.connector.url, *ADMIN, verbs.ACCEPT, {"referral_id": room.referrals["talk"]})
        assert (await room.post(accept))["type"] == CARD
        await room.settle()
        assert meeting_of(room, room.referrals["talk"]) == SPRING_1
        assert len(room.told(SENCO_2, "CEN-2526-003 goes to the next meeting")) == 1, "told once"


async def test_the_minutes_carry_the_day_the_meeting_was_really_held(room: Room) -> None:
    await hold(room, at(10, 16))  # held the afternoon before its day
    [minutes] = channel_posts(room, "Minutes:")
    shown = minutes.all_json()
    assert "Minutes: Central cluster, Wednesday 10 December 2025" in shown, shown[:1500]
    assert "scheduled for Thursday 11 December 2025" in shown


class AppDelivers:
    """The scheduler's sender, as the app has it: deliver what is owed and wait for it."""

    def __init__(self, room: Room) -> None:
        self.room = room

    async def deliver_due(self) -> Any:
        self.room.app[NOTIFIER].deliver_soon()
        await self.room.settle()


async def test_an_unlinked_clusters_admin_and_chair_are_told_once_and_the_agenda_posts_on_link(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector, linked=False) as room:
        await room.bot.post(act.personal_install(room.connector.url, *CHAIR))
        await room.settle()
        sender = AppDelivers(room)
        link = "@Cluster Funding link cluster Central"

        assert await post_due_agendas(room.engine, sender, at(3, 18)) == []
        assert not room.told(ADMIN, link) and not room.told(CHAIR, link), "not before the agenda is due"
        for when in (at(4, 7), at(4, 8)):  # the agenda's day (five working days before), and a later run
            room.clock.set(when)
            assert await post_due_agendas(room.engine, sender, when) == []
        for who in (ADMIN, CHAIR):
            [note] = room.told(who, link)
            assert "Thursday 11 December 2025" in note.all_json()
        assert not room.told(SENCO, link)
        assert not channel_posts(room, "Agenda: Central cluster")

        await room.bot.post(act.channel_message(room.connector.url, *ADMIN, "link cluster Central"))
        await room.settle()
        [agenda] = channel_posts(room, "Agenda: Central cluster")
        assert all(f"CEN-2526-00{n}" in agenda.all_json() for n in (1, 2, 3))
        assert await post_due_agendas(room.engine, sender, at(4, 9)) == [], "posted once"
        assert len(channel_posts(room, "Agenda: Central cluster")) == 1
        assert all(len(room.told(who, link)) == 1 for who in (ADMIN, CHAIR))

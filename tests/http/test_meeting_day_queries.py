"""Meeting day costs the same number of queries whatever the size of the meeting (counted, not timed).

One database holds two meetings of Central: 11 December 2025 with 3 items and 5 February 2026 with 30. Each
is run through the use cases (every item voted on and decided, the discussions advised on), and the agenda,
a vote click and the minutes are asked for through the real /api/messages, counting the statements the
engine sends. A read that loaded each item on its own would send ten times as many for the larger meeting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.delivery.channel_cards import draw_channel_card
from bot.http.app import NOTIFIER
from cards import verbs
from cluster.clock import LONDON
from cluster.commands import meetings as command
from store.models import AgendaItem, Referral
from tests.conftest import CHAIR, SENCO_2
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import (
    MEETING_DAY,
    MEETING_ID,
    VOTERS,
    Room,
    accept_referrals,
    everyone_present,
    meeting_room,
)
from tests.support.queries import count_queries
from usecases.meeting_day.agenda import start_meeting
from usecases.meeting_day.decisions import record_decision
from usecases.meeting_day.minutes import end_meeting
from usecases.meeting_day.votes import cast_vote, close_item, declare_interest, open_item
from usecases.people import Actor, identify

SPRING_1 = 3  # 5 February 2026
SPRING_1_DAY = datetime(2026, 2, 5, 10, 0, tzinfo=LONDON)
AFTER_AUTUMN_2_DEADLINE = datetime(2025, 12, 5, 10, 0, tzinfo=LONDON)
MORE_ITEMS = 30


@dataclass(frozen=True)
class Costs:
    """The statements each read or click sent, for one meeting."""

    agenda_click: int
    agenda_card: int
    vote_click: int
    minutes_files: int
    minutes_card: int


def actor(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def items_of(engine: Engine, meeting_id: int) -> list[tuple[int, str]]:
    """The meeting's items and their referrals' kinds, in agenda order of creation."""
    with Session(engine) as session:
        rows = session.exec(
            select(AgendaItem.id, Referral.kind)
            .join(Referral, Referral.id == AgendaItem.referral_id)  # type: ignore[arg-type]
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.id)  # type: ignore[arg-type]
        ).all()
        return [(item_id or 0, kind) for item_id, kind in rows]


def hold_meeting(engine: Engine, meeting_id: int, now: datetime) -> int:
    """Start the meeting and decide every item but the last money item, which stays open; returns that one."""
    chair = actor(engine, CHAIR)
    voters = [actor(engine, who) for who in VOTERS[:3]]
    everyone_present(engine, meeting_id, now)
    start_meeting(engine, chair, command.StartMeeting(meeting_id=meeting_id), now)
    items = items_of(engine, meeting_id)
    voted = [item for item, kind in items if kind != "discussion"]
    for number, (item, kind) in enumerate(items):
        if kind == "discussion":
            record_decision(
                engine,
                chair,
                command.RecordDecision(item_id=item, outcome="advice", feedback="Try a visual timetable."),
                now,
            )
            continue
        open_item(engine, chair, command.OpenItem(item_id=item), now)
        if item == voted[-1]:
            continue  # left open for the vote click; the items after it are decided too
        choice = "approve" if number % 3 else "decline"
        for voter in voters:
            cast_vote(engine, voter, command.CastVote(item_id=item, choice=choice), now)
        if number % 5 == 0:
            declare_interest(engine, actor(engine, SENCO_2), command.DeclareInterest(item_id=item), now)
        close_item(engine, chair, command.CloseVote(item_id=item), now)
        record_decision(
            engine,
            chair,
            command.RecordDecision(
                item_id=item,
                outcome="approved" if choice == "approve" else "declined",
                feedback="" if choice == "approve" else "Not this time.",
            ),
            now,
        )
    return voted[-1]


def finish_meeting(engine: Engine, meeting_id: int, item: int, now: datetime) -> None:
    chair = actor(engine, CHAIR)
    for who in VOTERS[1:3]:
        cast_vote(engine, actor(engine, who), command.CastVote(item_id=item, choice="approve"), now)
    close_item(engine, chair, command.CloseVote(item_id=item), now)
    record_decision(engine, chair, command.RecordDecision(item_id=item, outcome="approved"), now)
    end_meeting(engine, chair, command.EndMeeting(meeting_id=meeting_id), now)


async def costs_of(room: Room, meeting_id: int, day: datetime) -> Costs:
    """Hold the meeting on ``day`` and count what its agenda, a vote click and its minutes cost."""
    room.clock.set(day)
    left_open = hold_meeting(room.engine, meeting_id, day)
    with count_queries(room.engine) as agenda_click:
        shown = await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": meeting_id})
    assert shown["type"] == "application/vnd.microsoft.card.adaptive"
    with count_queries(room.engine) as agenda_card:
        draw_channel_card(room.engine, f"agenda:{meeting_id}")
    # A vote that changes the voter's mind: it writes, owes the shared card's redraw and answers their view.
    with count_queries(room.engine) as vote_click:
        mine = await room.click(VOTERS[0], verbs.VOTE_CAST, {"item_id": left_open, "choice": "decline"})
    assert "You voted" in str(mine["value"])
    finish_meeting(room.engine, meeting_id, left_open, day)
    with count_queries(room.engine) as minutes_files:
        response = await room.bot.post(act.personal_message(room.connector.url, *SENCO_2, "minutes"))
    assert response.status == 200
    with count_queries(room.engine) as minutes_card:
        draw_channel_card(room.engine, f"minutes:{meeting_id}")
    return Costs(agenda_click.count, agenda_card.count, vote_click.count, minutes_files.count, minutes_card.count)


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        # Nothing is delivered while counting: a redraw sent in the background would be counted with the click.
        async def hold(_after_seconds: float) -> None:
            return None

        monkeypatch.setattr(room.app[NOTIFIER], "_deliver", hold)
        room.clock.set(AFTER_AUTUMN_2_DEADLINE)
        accept_referrals(room.engine, MORE_ITEMS, AFTER_AUTUMN_2_DEADLINE)  # onto 5 February, the next to close
        yield room


async def test_the_agenda_a_vote_click_and_the_minutes_cost_the_same_for_30_items_as_for_3(room: Room) -> None:
    small = await costs_of(room, MEETING_ID, MEETING_DAY)
    large = await costs_of(room, SPRING_1, SPRING_1_DAY)
    assert len(items_of(room.engine, MEETING_ID)) == 3
    assert len(items_of(room.engine, SPRING_1)) == MORE_ITEMS
    print(f"\n3 items: {small}\n{MORE_ITEMS} items: {large}")
    assert large == small

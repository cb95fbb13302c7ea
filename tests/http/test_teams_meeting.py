"""The Teams meeting in the cluster's channel, through /api/messages: its start, end, joins and leaves, and the
in-meeting notification when an item opens. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.attendance import AttendsAs, Presence, settings_present
from store.models import Meeting, Outbox
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector, meeting_target
from tests.support.meeting_room import MEETING_DAY, MEETING_ID, VOTERS, Room, meeting_room, start_meeting
from tests.support.snapshot import every_row
from usecases.meeting_day.register import attendees

GUEST = ("aad-guest-educational-psychologist", "Gita Guest")


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    """The meeting room on the meeting's day, with the chair's personal chat installed."""
    async with meeting_room(engine, connector) as room:
        await room.bot.post(act.personal_install(connector.url, *CHAIR))
        room.clock.set(MEETING_DAY)
        await room.settle()
        yield room


async def tell(room: Room, activity: dict[str, object]) -> None:
    """Teams posts an event; the bot answers 200 with nothing, and what it owed is delivered."""
    response = await room.bot.post(activity)
    assert response.status == 200, await response.text()
    await room.settle()


def register(room: Room) -> dict[str, tuple[str, str, int | None]]:
    """Each register line by name: presence, capacity, setting."""
    with Session(room.engine) as session:
        return {a.name: (a.presence.value, a.attends_as.value, a.setting_id) for a in attendees(session, MEETING_ID)}


def present_settings(room: Room) -> frozenset[int]:
    with Session(room.engine) as session:
        return settings_present(attendees(session, MEETING_ID))


def teams_meeting_id(room: Room) -> str | None:
    with Session(room.engine) as session:
        meeting = session.get(Meeting, MEETING_ID)
        assert meeting is not None
        return meeting.teams_meeting_id


async def test_the_teams_meeting_starting_offers_the_chair_the_cluster_meeting_once(room: Room) -> None:
    start = act.meeting_start(room.connector.url, CHAIR)
    await tell(room, start)
    await tell(room, start)  # Teams delivers it again
    offers = room.told(CHAIR, "The Teams meeting has started", "Start the cluster meeting")
    assert len(offers) == 1
    (offer,) = offers[0].cards
    (button,) = offer["actions"]
    assert button["verb"] == verbs.MEETING_START and button["data"]["meeting_id"] == MEETING_ID
    assert teams_meeting_id(room) == act.TEAMS_MEETING_ID
    assert not room.told(SENCO, "The Teams meeting has started"), "only the chair is offered it"


async def test_people_joining_and_leaving_the_teams_meeting_fill_the_register(room: Room) -> None:
    await tell(room, act.meeting_start(room.connector.url, CHAIR))
    await tell(room, act.meeting_participants(room.connector.url, True, SENCO, VOTERS[0], CHAIR, GUEST))
    lines = register(room)
    assert lines[SENCO[1]][:2] == (Presence.PRESENT.value, AttendsAs.SENCO.value)
    assert lines[VOTERS[0][1]][:2] == (Presence.PRESENT.value, AttendsAs.SENCO.value)
    assert lines[CHAIR[1]][:2] == (Presence.PRESENT.value, AttendsAs.CHAIR.value)
    assert lines[GUEST[1]] == (Presence.PRESENT.value, AttendsAs.OTHER.value, None), "a stranger goes on by name"
    senco_setting, voter_setting = lines[SENCO[1]][2], lines[VOTERS[0][1]][2]
    assert present_settings(room) == {senco_setting, voter_setting}

    # The setting's only attendee leaves: it is taken off the settings present; joining twice changes nothing.
    await tell(room, act.meeting_participants(room.connector.url, False, VOTERS[0]))
    await tell(room, act.meeting_participants(room.connector.url, True, SENCO))
    assert register(room)[VOTERS[0][1]][0] == Presence.LEFT.value
    assert present_settings(room) == {senco_setting}
    assert len(register(room)) == 4


async def test_the_teams_meeting_ending_reminds_the_chair_only_while_the_cluster_meeting_is_open(room: Room) -> None:
    await tell(room, act.meeting_start(room.connector.url, CHAIR))
    await tell(room, act.meeting_end(room.connector.url, CHAIR))
    assert not room.told(CHAIR, "The cluster meeting is still open"), "never started: nothing to end"

    await start_meeting(room)
    end = act.meeting_end(room.connector.url, CHAIR)
    await tell(room, end)
    await tell(room, end)
    reminders = room.told(CHAIR, "The cluster meeting is still open", "End the meeting")
    assert len(reminders) == 1
    (button,) = reminders[0].cards[0]["actions"]
    assert button["verb"] == verbs.MEETING_END and button["data"]["meeting_id"] == MEETING_ID

    await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
    await room.settle()
    await tell(room, act.meeting_end(room.connector.url, CHAIR, meeting_id="another-teams-meeting"))
    assert len(room.told(CHAIR, "The cluster meeting is still open")) == 1


async def test_an_item_opening_in_a_teams_meeting_notifies_the_people_present_in_it(room: Room) -> None:
    await tell(room, act.meeting_start(room.connector.url, CHAIR))
    await tell(room, act.meeting_participants(room.connector.url, True, SENCO, SENCO_2, ADMIN, GUEST))
    await start_meeting(room)
    item = room.item("ipn")
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})  # doubled
    await room.settle()
    (sent,) = room.connector.notifications_to(act.TEAMS_MEETING_ID)
    assert sent.body["type"] == "targetedMeetingNotification"
    # The people present whose Teams ids the bot knows (their personal chats); the guest has none.
    assert sent.body["value"]["recipients"] == sorted(f"29:{aad}" for aad, _ in (SENCO, SENCO_2, ADMIN))
    assert sent.body["value"]["surfaces"] == [{"surface": "meetingTabIcon"}]


async def test_no_notification_for_a_meeting_not_held_in_teams(room: Room) -> None:
    await start_meeting(room)
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": room.item("ipn")})
    await room.settle()
    assert not [c for c in room.connector.calls if c.conversation_id.startswith("meeting:")]


async def test_a_forged_event_for_a_channel_that_is_not_linked_changes_nothing(room: Room) -> None:
    other = "19:not-linked@thread.tacv2"
    before = every_row(room.engine)
    sent = len(room.connector.calls)
    await tell(room, act.meeting_start(room.connector.url, CHAIR, channel_id=other))
    await tell(room, act.meeting_participants(room.connector.url, True, SENCO, GUEST, channel_id=other))
    await tell(room, act.meeting_end(room.connector.url, CHAIR, channel_id=other))
    assert every_row(room.engine) == before
    assert len(room.connector.calls) == sent


async def test_an_event_on_a_day_without_a_meeting_changes_nothing(room: Room) -> None:
    room.clock.set(MEETING_DAY.replace(day=12))
    before = every_row(room.engine)
    await tell(room, act.meeting_start(room.connector.url, CHAIR))
    await tell(room, act.meeting_participants(room.connector.url, True, SENCO))
    assert every_row(room.engine) == before


async def test_a_meeting_that_refuses_the_notification_leaves_it_unsent_and_tells_nobody_else(room: Room) -> None:
    await tell(room, act.meeting_start(room.connector.url, CHAIR))
    await tell(room, act.meeting_participants(room.connector.url, True, SENCO))
    await start_meeting(room)
    room.connector.refuse(meeting_target(act.TEAMS_MEETING_ID), 404)  # the Teams meeting is over, or lacks the bot
    before = len(room.connector.calls)
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": room.item("ipn")})
    await room.settle()
    with Session(room.engine) as session:
        row = session.exec(select(Outbox).where(Outbox.key.startswith("meeting-notification:"))).one()  # type: ignore[attr-defined]
    assert row.state == "undeliverable"
    assert not [c for c in room.connector.calls[before:] if "meeting-notification" in c.all_json()]
    personal = [c for c in room.connector.calls[before:] if c.conversation_id.startswith("a:personal-")]
    assert personal == [], "nothing is passed to the admins"


async def test_the_chair_starts_and_ends_the_cluster_meeting_from_their_chat(room: Room) -> None:
    await tell(room, act.meeting_start(room.connector.url, CHAIR))
    started = await room.post(
        act.card_click(room.connector.url, *CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    )
    assert started["type"] == "application/vnd.microsoft.card.adaptive", started
    await room.settle()
    await tell(room, act.meeting_end(room.connector.url, CHAIR))
    end = act.card_click(room.connector.url, *CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
    ended = await room.post(end)
    assert ended["type"] == "application/vnd.microsoft.card.adaptive", ended
    with Session(room.engine) as session:
        meeting = session.get(Meeting, MEETING_ID)
        assert meeting is not None and meeting.started_at is not None and meeting.ended_at is not None

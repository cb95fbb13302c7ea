"""The vote at a meeting, taken from who is there: through the real /api/messages, on SQLite and PostgreSQL.

An item opens only when quorate from the register (the settings present, less those recused on it); the
chair sees that check on their own view of the agenda before opening; a setting that is not on the
register cannot vote, and one that leaves is taken off the count; a substitute votes once for their
setting and its SENCO's own vote at that meeting is refused; the chair sees who has not voted and can
remind them; the shared cards carry only the member's view; and a meeting handed to someone else is run
by them.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.attendance import AttendsAs, Presence
from store.models import AgendaItem, Person, Setting, Substitute, Vote
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, TAC
from tests.support import activities as act
from tests.support.fake_connector import Call, FakeConnector
from tests.support.meeting_room import (
    MEETING_DAY,
    MEETING_ID,
    VOTERS,
    Room,
    everyone_present,
    meeting_room,
    post_agenda,
    set_present,
    start_meeting,
)
from usecases.meeting_day import register

# Every control that runs the meeting: none of them may be on a shared card.
CHAIR_VERBS = frozenset(
    {
        verbs.MEETING_START,
        verbs.ITEM_OPEN,
        verbs.ITEM_CLOSE,
        verbs.DECISION_FORM,
        verbs.MEETING_END,
        verbs.VOTE_REMIND,
        verbs.HAND_OVER_FORM,
    }
)
QUORUM_LINE = re.compile(r"(\d+) settings? present, (\d+) recused: (\d+) may vote, (\d+) needed")


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        for who in (*VOTERS, CHAIR, TAC):
            await room.bot.post(act.personal_install(connector.url, *who))
        await room.settle()
        yield room


def verbs_in(node: Any) -> set[str]:
    """Every Action.Execute verb anywhere in a card (or an activity carrying one), its refresh included."""
    found: set[str] = set()
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute" and isinstance(node.get("verb"), str):
            found.add(node["verb"])
        for value in node.values():
            found |= verbs_in(value)
    elif isinstance(node, list):
        for value in node:
            found |= verbs_in(value)
    return found


def dump(node: Any) -> str:
    """A card's JSON as text, as a person reads it (not ASCII-escaped)."""
    return json.dumps(node, ensure_ascii=False)


def channel_cards(room: Room, title: str) -> list[Call]:
    """Every post and update of a shared card in the channel whose JSON carries ``title``."""
    return [
        c
        for c in room.connector.calls
        if c.conversation_id.startswith(act.CHANNEL_ID) and c.method in ("POST", "PUT") and title in c.all_json()
    ]


def shared_card(room: Room, title: str) -> dict[str, Any]:
    """The latest shared copy of a channel card."""
    call = channel_cards(room, title)[-1]
    card: dict[str, Any] = call.cards[0]
    return card


def quorum_of(text: str) -> tuple[int, int, int, int]:
    found = QUORUM_LINE.search(text)
    assert found is not None, text[:2000]
    present, recused, may_vote, needed = (int(n) for n in found.groups())
    return present, recused, may_vote, needed


def person_id(engine: Engine, who: tuple[str, str]) -> int:
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.aad_object_id == who[0])).one()
        assert person.id is not None
        return person.id


def setting_of(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        setting = session.exec(select(Setting).where(Setting.name == name)).one()
        assert setting.id is not None
        return setting.id


async def test_an_item_cannot_open_without_quorum_and_the_chair_sees_the_check_first(room: Room) -> None:
    await start_meeting(room, present=False)
    ipn = room.item("ipn")
    refused = await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})
    assert "This item is not quorate: 0 settings present" in refused["value"]
    assert "Wait for more settings to join, or take the roll call." in refused["value"]
    with Session(room.engine) as session:
        assert (session.get(AgendaItem, ipn) or AgendaItem()).state == "pending", "the item stays pending"

    everyone_present(room.engine, MEETING_ID, MEETING_DAY)
    chairs_view = await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID})
    present, recused, may_vote, needed = quorum_of(dump(chairs_view["value"]))
    assert recused == 1 and may_vote == present - 1 and may_vote >= needed, "Sam's own setting is recused"
    members_view = await room.click(SENCO_2, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID})
    assert QUORUM_LINE.search(dump(members_view["value"])) is None, "the check is the chair's"

    opened = await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})
    assert opened["type"] == "application/vnd.microsoft.card.adaptive"
    await room.settle()
    assert channel_cards(room, "Vote: CEN-2526-001"), "the vote card is posted"


async def test_a_setting_that_leaves_is_taken_off_the_count_and_cannot_vote(room: Room) -> None:
    await start_meeting(room)
    ipn = room.item("ipn")
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})
    await room.click(VOTERS[1], verbs.VOTE_CAST, {"item_id": ipn, "choice": "approve"})
    await room.settle()
    before = dump(shared_card(room, "Vote: CEN-2526-001"))
    present, _, may_vote, _ = quorum_of(before)
    assert f"1 of {may_vote} present settings have voted" in before

    # Voter 0 is the only attendee of their setting: the Teams meeting says they left.
    set_present(room.engine, MEETING_ID, VOTERS[0], Presence.LEFT, MEETING_DAY)
    refused = await room.click(VOTERS[0], verbs.VOTE_CAST, {"item_id": ipn, "choice": "decline"})
    assert "Your setting is not on this meeting's register" in refused["value"]
    assert "I'm here" in refused["value"] and "join the cluster's Teams meeting" in refused["value"]
    chair = await room.click(CHAIR, verbs.VOTE_REFRESH, {"item_id": ipn})
    after = dump(chair["value"])
    assert quorum_of(after)[:3] == (present - 1, 1, may_vote - 1)
    assert f"1 of {may_vote - 1} present settings have voted" in after


async def test_a_substitute_votes_once_for_their_setting_and_the_sencos_own_vote_is_refused(room: Room) -> None:
    await start_meeting(room)
    ipn = room.item("ipn")
    voter_setting = setting_of(room.engine, "Abbey Hulton Primary School")
    theo, named_by = person_id(room.engine, TAC), person_id(room.engine, VOTERS[0])
    with Session(room.engine) as session:
        session.add(
            Substitute(
                meeting_id=MEETING_ID,
                setting_id=voter_setting,
                person_id=theo,
                named_by=named_by,
                named_at=MEETING_DAY,
                confirmed_by=named_by,
                confirmed_at=MEETING_DAY,
            )
        )
        line = register.Line(register.who_person(theo), TAC[1], AttendsAs.SUBSTITUTE, voter_setting, theo)
        register.set_presence(session, MEETING_ID, line, Presence.PRESENT, "self", MEETING_DAY)
        session.commit()
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})

    refused = await room.click(VOTERS[0], verbs.VOTE_CAST, {"item_id": ipn, "choice": "decline"})
    assert refused["value"] == "Theo Team is your setting's substitute at this meeting, so they vote for it."
    await room.click(TAC, verbs.VOTE_CAST, {"item_id": ipn, "choice": "decline"})
    click = room.click_activity(TAC, verbs.VOTE_CAST, {"item_id": ipn, "choice": "approve"})
    await room.post(click)  # a change of mind, delivered twice
    mine = await room.post(click)
    assert "You voted: Approve" in dump(mine["value"]), "the substitute sees their setting's vote"
    await room.settle()
    shared = dump(shared_card(room, "Vote: CEN-2526-001"))
    assert "Approve 1 · Decline 0 · Abstain 0" in shared
    assert "Settings voted (1)" in shared and "Abbey Hulton Primary School" in shared
    with Session(room.engine) as session:
        votes = session.exec(select(Vote).where(Vote.item_id == ipn)).all()
        assert [(v.setting_id, v.person_id, v.choice) for v in votes] == [(voter_setting, theo, "approve")]


async def test_recused_settings_are_not_counted_and_the_quorum_is_kept_at_close(room: Room) -> None:
    await start_meeting(room)
    ipn = room.item("ipn")
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})
    refused = await room.click(SENCO, verbs.VOTE_CAST, {"item_id": ipn, "choice": "approve"})
    assert refused["value"] == "You cannot vote on your own school's referral."
    await room.click(SENCO_2, verbs.VOTE_INTEREST, {"item_id": ipn})  # Waterside's only voter: recused too
    chair = dump((await room.click(CHAIR, verbs.VOTE_REFRESH, {"item_id": ipn}))["value"])
    present, recused, may_vote, _ = quorum_of(chair)
    assert recused == 2 and may_vote == present - 2
    assert f"0 of {may_vote} present settings have voted" in chair
    assert "Etruscan Primary School" not in chair.split("Not voted yet")[1].split("}")[0]
    for who in VOTERS[:3]:
        await room.click(who, verbs.VOTE_CAST, {"item_id": ipn, "choice": "approve"})
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": ipn})
    with Session(room.engine) as session:
        item = session.get(AgendaItem, ipn)
        assert item is not None and item.quorum_record is not None and item.quorum_needed == 3
        kept = item.quorum_record
    assert kept["recused"] == {
        "Etruscan Primary School": "its own referral",
        "Waterside Primary School": "declared an interest",
    }
    assert "Abbey Hulton Primary School" in kept["present"] and str(kept["line"]).endswith("needed")


async def test_the_chair_sees_who_has_not_voted_and_reminds_them_once(room: Room) -> None:
    await start_meeting(room)
    ipn = room.item("ipn")
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})
    await room.click(VOTERS[0], verbs.VOTE_CAST, {"item_id": ipn, "choice": "approve"})
    chair = dump((await room.click(CHAIR, verbs.VOTE_REFRESH, {"item_id": ipn}))["value"])
    waiting = chair.split("Not voted yet")[1]
    assert "Birches Head Academy" in waiting and "Abbey Hulton Primary School" not in waiting.split('"}')[0]
    member = (await room.click(VOTERS[1], verbs.VOTE_REFRESH, {"item_id": ipn}))["value"]
    assert "Not voted yet" not in dump(member) and verbs.VOTE_REMIND not in verbs_in(member)

    click = room.click_activity(CHAIR, verbs.VOTE_REMIND, {"item_id": ipn})
    await room.post(click)
    await room.post(click)  # Teams delivers the click twice
    await room.settle()
    reminded = room.told(VOTERS[1], "The chair asks for your setting's vote on this item.", "Vote: CEN-2526-001")
    assert len(reminded) == 1
    assert room.told(VOTERS[0], "The chair asks for your setting's vote") == [], "Abbey Hulton voted"
    assert room.told(SENCO, "The chair asks for your setting's vote") == [], "Etruscan is recused"
    # The reminder's buttons work from the personal chat.
    voted = act.card_click(room.connector.url, *VOTERS[1], verbs.VOTE_CAST, {"item_id": ipn, "choice": "decline"})
    assert "You voted: Decline" in dump((await room.post(voted))["value"])


async def test_the_shared_cards_carry_the_members_view_and_the_chair_gets_theirs_by_refresh(room: Room) -> None:
    await post_agenda(room)
    agenda = shared_card(room, "Agenda:")
    shown = verbs_in(agenda["body"]) | verbs_in(agenda.get("actions", []))
    assert shown == {verbs.REGISTER_HERE, verbs.AGENDA_SHOW}, "members: I'm here, and 'Refresh my view'"
    assert agenda["refresh"]["action"]["verb"] == verbs.AGENDA_SHOW
    assert agenda["refresh"]["userIds"][0] == f"29:{CHAIR[0]}" and len(agenda["refresh"]["userIds"]) <= 60
    chairs = (await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID}))["value"]
    assert {verbs.MEETING_START, verbs.HAND_OVER_FORM} <= verbs_in(chairs)

    await start_meeting(room)
    ipn = room.item("ipn")
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn})
    await room.click(VOTERS[0], verbs.VOTE_CAST, {"item_id": ipn, "choice": "approve"})
    await room.settle()
    for title in ("Agenda:", "Vote: CEN-2526-001"):
        for call in channel_cards(room, title):
            card = call.cards[0]
            shown = verbs_in(card["body"]) | verbs_in(card.get("actions", []))
            assert not shown & CHAIR_VERBS, (title, shown & CHAIR_VERBS)
    vote = shared_card(room, "Vote: CEN-2526-001")
    assert vote["refresh"]["userIds"][0] == f"29:{CHAIR[0]}"
    assert "1 of " in dump(vote) and "Not voted yet" not in dump(vote)
    chairs_vote = (await room.click(CHAIR, verbs.VOTE_REFRESH, {"item_id": ipn}))["value"]
    assert {verbs.ITEM_CLOSE, verbs.VOTE_REMIND} <= verbs_in(chairs_vote)
    chairs_agenda = (await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID}))["value"]
    assert {verbs.MEETING_END, verbs.DECISION_FORM} <= verbs_in(chairs_agenda)
    members_agenda = (await room.click(SENCO_2, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID}))["value"]
    assert not verbs_in(members_agenda) & CHAIR_VERBS


async def test_a_meeting_handed_to_a_vice_chair_is_run_by_them_and_not_by_the_team(room: Room) -> None:
    await start_meeting(room)
    ipn = room.item("ipn")
    refused = await room.click(TAC, verbs.ITEM_OPEN, {"item_id": ipn})
    assert refused["value"] == "Only the chair, or the person the chair handed this meeting to, can do that."
    form = (await room.click(ADMIN, verbs.HAND_OVER_FORM, {"meeting_id": MEETING_ID}))["value"]
    vice = person_id(room.engine, VOTERS[2])
    assert f'"value": "{vice}"' in dump(form) and "Voter 2" in dump(form)
    refused = await room.click(VOTERS[2], verbs.HAND_OVER, {"meeting_id": MEETING_ID, "person_id": vice})
    assert refused["value"] == "Only the cluster's chair or admin can hand a meeting to someone else."

    handed = await room.click(CHAIR, verbs.HAND_OVER, {"meeting_id": MEETING_ID, "person_id": vice})
    await room.click(CHAIR, verbs.HAND_OVER, {"meeting_id": MEETING_ID, "person_id": vice})  # twice: told once
    assert "Chaired at this meeting by Voter 2 (acting chair)." in dump(handed["value"])
    await room.settle()
    assert len(room.told(VOTERS[2], "You chair this meeting")) == 1
    own_view = (await room.click(VOTERS[2], verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID}))["value"]
    assert verbs.ITEM_OPEN in verbs_in(own_view)
    opened = await room.click(VOTERS[2], verbs.ITEM_OPEN, {"item_id": ipn})
    assert opened["type"] == "application/vnd.microsoft.card.adaptive"
    agenda = shared_card(room, "Agenda:")
    assert f"29:{VOTERS[2][0]}" in agenda["refresh"]["userIds"][:2]

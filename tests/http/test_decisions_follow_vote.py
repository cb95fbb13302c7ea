"""Decisions follow the vote, through /api/messages: a lost vote is not recorded as approved, an inquorate
item can only be deferred, and a discussion is recorded as advice without a vote.

Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from cards import verbs
from store.models import AgendaItem, Referral
from tests.conftest import CHAIR, SENCO, SENCO_2
from tests.support.card_schema import actions_in
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import MEETING_ID, VOTERS, Room, meeting_room, post_agenda, start_meeting
from tests.support.referral_flow import beside

REFUSED = "application/vnd.microsoft.activity.message"


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        yield room


def shown(body: dict[str, Any]) -> str:
    return json.dumps(body.get("value"), ensure_ascii=False)


def offered(form: dict[str, Any]) -> list[str]:
    [outcome] = [e for e in form["value"]["body"] if e.get("id") == "outcome"]
    return [c["value"] for c in outcome["choices"]]


async def vote(room: Room, item: int, choices: list[str]) -> None:
    """The chair opens the item, the voters vote in order, and the chair closes it."""
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    for who, choice in zip(VOTERS, choices, strict=False):
        mine = await room.click(who, verbs.VOTE_CAST, {"item_id": item, "choice": choice})
        assert "You voted" in shown(mine)
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": item})


async def test_a_lost_vote_cannot_be_recorded_as_approved_and_the_referrer_hears_nothing_of_it(room: Room) -> None:
    await start_meeting(room)
    item = room.item("ipn")
    await vote(room, item, ["decline", "decline", "approve"])
    form = await room.click(CHAIR, verbs.DECISION_FORM, {"item_id": item})
    assert offered(form) == ["declined", "deferred"], "the form offers only what a lost vote allows"
    assert "3 voted, 3 needed" in shown(form)

    approved = {"item_id": item, "outcome": "approved", "schedule": "termly"}
    refused = await room.click(CHAIR, verbs.DECISION_RECORD, approved)
    assert refused["type"] == REFUSED
    assert refused["value"] == "The vote was lost, so the item can be declined or deferred."
    reduced = await room.click(
        CHAIR, verbs.DECISION_RECORD, {**approved, "outcome": "approved_reduced", "amount": "500"}
    )
    assert reduced["value"] == "The vote was lost, so the item can be declined or deferred."
    await room.settle()
    assert room.decisions() == [], "nothing is stored"
    with Session(room.engine) as session:
        stored_item = session.get(AgendaItem, item)
        referral = session.get(Referral, room.referrals["ipn"])
        assert stored_item is not None and stored_item.state == "closed"
        assert referral is not None and referral.state == "accepted"
    assert room.told(SENCO, "Decision on") == [], "the referrer is not told"
    assert room.notices_owed("notice:decision") == []

    declined = {"item_id": item, "outcome": "declined", "feedback": "Ordinarily available provision."}
    await room.click(CHAIR, verbs.DECISION_RECORD, declined)
    await room.settle()
    [decision] = room.decisions()
    assert decision.outcome == "declined" and decision.amount_pence == 0
    [told] = room.told(SENCO, "Decision on")
    assert "Declined" in told.all_json() and "Ordinarily available provision." in told.all_json()


async def test_an_inquorate_item_can_only_be_deferred(room: Room) -> None:
    await start_meeting(room)
    item = room.item("ehcp")
    await vote(room, item, ["approve", "approve"])
    form = await room.click(CHAIR, verbs.DECISION_FORM, {"item_id": item})
    assert offered(form) == ["deferred"]
    assert "Not quorate" in shown(form) and "2 voted, 3 needed" in shown(form)
    for outcome in ("approved", "declined", "advice"):
        refused = await room.click(
            CHAIR, verbs.DECISION_RECORD, {"item_id": item, "outcome": outcome, "feedback": "Sorry."}
        )
        assert refused["value"] == (
            "The meeting was not quorate for this item (2 voted, 3 needed), so it can only be deferred."
        )
    assert room.decisions() == []

    deferred = {"item_id": item, "outcome": "deferred", "information_needed": "The EP's report."}
    await room.click(CHAIR, verbs.DECISION_RECORD, deferred)
    await room.settle()
    [decision] = room.decisions()
    assert decision.outcome == "deferred"
    with Session(room.engine) as session:
        referral = session.get(Referral, room.referrals["ehcp"])
        assert referral is not None and referral.meeting_id == MEETING_ID + 1, "to 5 February"
    assert len(room.told(SENCO, "Decision on", "The EP's report.")) == 1


async def test_a_discussion_is_recorded_as_advice_without_a_vote_and_the_referrer_is_told(room: Room) -> None:
    await post_agenda(room)
    item = room.item("talk")
    advice = {"item_id": item, "outcome": "advice", "feedback": "Try a visual timetable."}
    early = await room.click(CHAIR, verbs.DECISION_RECORD, advice)
    assert early["value"] == "Start the meeting from the agenda card first."

    await start_meeting(room)
    before = len(room.connector.calls)
    agenda = await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID})
    on_item = [a for a in actions_in(agenda["value"]) if a.get("data", {}).get("item_id") == item]
    with Session(room.engine) as session:
        talk = session.get(Referral, room.referrals["talk"])
        assert talk is not None
    assert [(a["title"], a["verb"]) for a in on_item] == [(f"Record advice on {talk.reference}", verbs.DECISION_FORM)]
    refused = await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    assert refused["type"] == REFUSED and "not voted on" in refused["value"]
    form = await room.click(CHAIR, verbs.DECISION_FORM, {"item_id": item})
    assert offered(form) == ["advice", "deferred"]
    assert "Approve" not in shown(form)
    wrong = await room.click(CHAIR, verbs.DECISION_RECORD, {**advice, "outcome": "approved"})
    assert wrong["value"] == (
        "A solution-focused discussion asks for no money and is not voted on, so it can be recorded as advice "
        "only or deferred."
    )
    unwritten = await room.click(CHAIR, verbs.DECISION_RECORD, {**advice, "feedback": ""})
    assert unwritten["value"] == "Write down the advice the meeting gave the school."
    assert room.decisions() == []

    recorded = await room.click(CHAIR, verbs.DECISION_RECORD, advice)
    assert "Agenda" in shown(recorded) and "Advice only" in shown(recorded), "the chair is back at the agenda"
    await room.settle()
    [decision] = room.decisions()
    assert decision.outcome == "advice" and decision.feedback == "Try a visual timetable."
    [told] = room.told(SENCO_2, "Decision on", "Try a visual timetable.")
    assert "Advice only" in told.all_json()
    posted = room.connector.calls[before:]
    assert not [c for c in posted if "Vote: " in c.all_json()], "no vote card is posted for a discussion"
    assert not [c for c in posted if '"Approve"' in c.all_json()]


async def test_a_misplaced_comma_in_the_amount_approved_comes_back_beside_it_and_nothing_is_decided(room: Room) -> None:
    await start_meeting(room)
    item = room.item("ipn")
    await vote(room, item, ["approve", "approve", "approve"])
    reduced = {"item_id": item, "outcome": "approved_reduced", "schedule": "termly", "amount": "9,00.00"}
    form = await room.click(CHAIR, verbs.DECISION_RECORD, reduced)
    assert beside(form["value"], "amount") == (
        "9,00.00",
        "“9,00.00” is not an amount: put commas only between groups of three digits, as in 900.00.",
    )
    await room.settle()
    assert room.decisions() == [], "not £900, nor anything else"
    assert room.told(SENCO, "Decision on") == []

    await room.click(CHAIR, verbs.DECISION_RECORD, {**reduced, "amount": "£900.00"})
    [decision] = room.decisions()
    assert decision.outcome == "approved_reduced" and decision.amount_pence == 900_00


async def test_a_decision_form_returned_with_a_mistake_keeps_the_reserve_and_every_other_input(room: Room) -> None:
    await start_meeting(room)
    item = room.item("ipn")
    await vote(room, item, ["approve", "approve", "approve"])
    typed = {
        "outcome": "approved_reduced",
        "amount": "4,2500.25",  # the mistake
        "review_date": "2026-07-01",
        "schedule": "one_sum",
        "conditions": "Termly report to the cluster.",
        "feedback": "A strong case.",
        "information_needed": "The EP's report.",
        "draw_on_reserve": "true",
    }
    form = await room.click(CHAIR, verbs.DECISION_RECORD, {"item_id": item, **typed})
    kept = {name: beside(form["value"], name)[0] for name in typed}
    assert kept == typed, "every input comes back as the chair left it, the reserve's tick included"
    await room.settle()
    assert room.decisions() == []

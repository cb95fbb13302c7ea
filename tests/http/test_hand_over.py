"""Handing a meeting over, through /api/messages: an acting chair is not offered the hand-over (it would refuse
them), and the chair takes a handed-over meeting back from the hand-over form ("Myself")."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine

from cards import verbs
from tests.conftest import ADMIN, CHAIR
from tests.http.test_quorum_from_presence import person_id, shared_card
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import MEETING_ID, VOTERS, Room, meeting_room, start_meeting

TAKE_BACK = "Myself: take the meeting back"


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        for who in (*VOTERS, CHAIR):
            await room.bot.post(act.personal_install(connector.url, *who))
        await room.settle()
        yield room


def titles(card: dict[str, Any]) -> set[str]:
    """The titles of a card's buttons."""
    return {a["title"] for a in card.get("actions", [])}


def dump(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


async def test_an_acting_chair_runs_the_meeting_but_is_not_offered_the_hand_over(room: Room) -> None:
    await start_meeting(room)
    vice = VOTERS[2]
    await room.click(CHAIR, verbs.HAND_OVER, {"meeting_id": MEETING_ID, "person_id": person_id(room.engine, vice)})

    own_view = (await room.click(vice, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID}))["value"]
    opened = (await room.click(vice, verbs.ITEM_OPEN, {"item_id": room.item("ipn")}))["value"]
    for card in (own_view, opened):
        assert "End the meeting" in titles(card), titles(card)
        assert "Hand this meeting over" not in titles(card), titles(card)
    refused = await room.click(vice, verbs.HAND_OVER_FORM, {"meeting_id": MEETING_ID})
    assert refused["value"] == "Only the cluster's chair or admin can hand a meeting to someone else."

    # The chair (and an admin) are still offered it, on the card their own clicks answer with.
    chairs = (await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID}))["value"]
    assert "Hand this meeting over" in titles(chairs)


async def test_the_chair_takes_a_handed_over_meeting_back(room: Room) -> None:
    await start_meeting(room)
    vice = VOTERS[2]
    form = (await room.click(CHAIR, verbs.HAND_OVER_FORM, {"meeting_id": MEETING_ID}))["value"]
    assert TAKE_BACK not in dump(form), "nothing to take back yet"
    await room.click(CHAIR, verbs.HAND_OVER, {"meeting_id": MEETING_ID, "person_id": person_id(room.engine, vice)})

    form = (await room.click(CHAIR, verbs.HAND_OVER_FORM, {"meeting_id": MEETING_ID}))["value"]
    [choice] = [e for e in form["body"] if e.get("type") == "Input.ChoiceSet"]
    myself = choice["choices"][0]
    assert myself == {"title": TAKE_BACK, "value": str(person_id(room.engine, CHAIR))}, choice["choices"]
    assert myself["value"] not in [c["value"] for c in choice["choices"][1:]], "the chair is offered once"
    # An admin who does not chair is not offered "Myself".
    assert TAKE_BACK not in dump((await room.click(ADMIN, verbs.HAND_OVER_FORM, {"meeting_id": MEETING_ID}))["value"])

    taken = await room.click(CHAIR, verbs.HAND_OVER, {"meeting_id": MEETING_ID, "person_id": myself["value"]})
    assert "(acting chair)" not in dump(taken["value"]), "no acting chair any more"
    refused = await room.click(vice, verbs.ITEM_OPEN, {"item_id": room.item("ipn")})
    assert refused["value"] == "Only the chair, or the person the chair handed this meeting to, can do that."
    await room.settle()
    assert "(acting chair)" not in dump(shared_card(room, "Agenda:")), "the channel's agenda follows"

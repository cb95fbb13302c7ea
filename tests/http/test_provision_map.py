"""A provision map priced from the council's Costed Provision Document, through the real /api/messages (issue 21).

The SENCO finds a provision by typing part of its name (Teams' search as you type, or the look-up button on a
client without it); its rate and unit come from the document, she gives the amounts; a provision the document
lacks needs a reason, which reaches the cluster's agenda; a later version of the document never changes an
existing referral's money. Each version of the document is loaded by its loader (``store_document``).
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON
from cluster.commands.referrals import OneReferral
from cluster.provision_map import CHOOSE, GONE, WRONG_VERSION
from store.db import transaction
from store.models import ProvisionLine, Referral
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import Room, meeting_room, post_agenda
from tests.support.provision_entries import document_row
from tests.support.referral_flow import GOOD_INDIVIDUAL, ROW_1, Flow, beside, find_action
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases.people import identify
from usecases.provision_documents import store_document

SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
# The document's own rows: (provision, delivered by, unit, cost in pence, fixed group size).
KNOWN = [
    ("Speech and language group", "Teaching assistant", "hour", 2150, 6),
    ("Speech and language therapy, one to one", "Speech and language therapist", "session", 6500, None),
    ("Sensory circuit", "Teaching assistant", "hour", 1875, None),
    ("Emotional literacy support (ELSA)", "ELSA-trained assistant", "week", 4000, 1),
    ("Specialist teacher assessment", "Specialist teacher", "item", 32000, 1),
]
FILLER = 300  # a document of several hundred rows: the search answers from it in one query with a limit


def load_document(engine: Engine, rate_change: int = 0) -> int:
    """The 2025-26 document's next version, loaded by its loader; returns its id."""
    rows = [(p, who, unit, cost + rate_change, group) for p, who, unit, cost, group in KNOWN]
    rows += [(f"Intervention {n:03d}", "Teaching assistant", "hour", 1500 + n, None) for n in range(FILLER)]
    document = [document_row(line, *row) for line, row in enumerate(rows, start=2)]
    loaded_at = datetime(2025, 11, 1, 9, 0, tzinfo=LONDON)
    with transaction(engine) as session:
        return store_document(session, document, "2025-26", "cpd.csv", loaded_at, "test").version.id


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        yield room


async def draft_with_details(flow: Flow) -> tuple[int, dict[str, Any]]:
    """A new individual referral with its details saved; returns its id and the costs card."""
    referral_id, _ = await flow.start("individual")
    card = await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    return referral_id, card


def choice_of(card: dict[str, Any]) -> dict[str, Any]:
    """The row form's choice of the document's provisions."""
    pending: list[Any] = [card]
    found = []
    while pending:
        node = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        pending.extend(children)
        if isinstance(node, dict) and node.get("id") == "entry" and node.get("type") == "Input.ChoiceSet":
            found.append(node)
    assert len(found) == 1, "the row form has one choice of the document's provisions"
    return found[0]


async def search(bot: Bot, dataset: str, query: str, who: tuple[str, str] = SENCO) -> list[dict[str, str]]:
    response = await bot.post(act.search(bot.connector.url, *who, dataset, query))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["type"] == SEARCH_RESPONSE
    results: list[dict[str, str]] = body["value"]["results"]
    return results


def lines_of(engine: Engine, referral_id: int) -> list[ProvisionLine]:
    with Session(engine) as session:
        return list(session.exec(select(ProvisionLine).where(ProvisionLine.referral_id == referral_id)))


def referral(engine: Engine, referral_id: int) -> Referral:
    with Session(engine) as session:
        found = session.get(Referral, referral_id)
        assert found is not None
        return found


async def test_a_senco_finds_a_provision_by_typing_and_the_row_takes_the_documents_rate_and_unit(room: Room) -> None:
    document = load_document(room.engine)
    flow = Flow(room.bot)
    referral_id, costs = await draft_with_details(flow)
    choice = choice_of(costs)
    assert choice["style"] == "filtered"
    assert choice["choices.data"] == {"type": "Data.Query", "dataset": f"provision:{document}"}

    results = await search(room.bot, choice["choices.data"]["dataset"], "speech LANGUAGE")
    titles = [r["title"] for r in results]
    assert titles[0].startswith("Speech and language group · Teaching assistant · £21.50 a hour, group of 6")
    assert all("speech" in t.lower() and "language" in t.lower() for t in titles)
    many = await search(room.bot, choice["choices.data"]["dataset"], "intervention")
    assert len(many) == 15, "Teams shows at most 15 choices, however many rows match"
    assert await search(room.bot, choice["choices.data"]["dataset"], "100%_") == [], "wildcards are literal"

    group = results[0]["value"]
    card = await flow.card(
        verbs.ROW_ADD,
        {"referral_id": referral_id, "entry": group, "minutes_per_session": "30", "sessions_per_week": "3",
         "weeks": "38", "group_size": "2"},
    )  # fmt: skip
    assert "Speech and language group" in str(card)
    [line] = lines_of(room.engine, referral_id)
    assert (line.entry_id, line.unit, line.hourly_rate_pence, line.group_size) == (int(group), "hour", 2150, 6)
    # 30 min x 3 a week x 38 weeks = 57 hours at £21.50 shared by a group of 6 the document fixes: £204.25.
    assert referral(room.engine, referral_id).provision_document_id == document
    assert "£204.25" in str(card)

    therapy = (await search(room.bot, f"provision:{document}", "therapist"))[0]["value"]
    await flow.card(
        verbs.ROW_ADD,
        {"referral_id": referral_id, "entry": therapy, "sessions_per_week": "1", "weeks": "10", "group_size": "1"},
    )
    therapy_line = lines_of(room.engine, referral_id)[1]
    assert (therapy_line.unit, therapy_line.hourly_rate_pence) == ("session", 6500)
    assert "1/week × 10 weeks, 1:1 at £65.00/session" in str(
        await flow.card(verbs.REFERRAL_ROWS, {"referral_id": referral_id})
    )


async def test_a_row_names_a_provision_or_describes_one_with_its_reason_and_the_reason_reaches_the_agenda(
    room: Room,
) -> None:
    load_document(room.engine)
    flow = Flow(room.bot)
    referral_id, _ = await draft_with_details(flow)
    nothing = await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, "weeks": "10"})
    assert beside(nothing, "entry")[1] == CHOOSE
    no_reason = await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1, "provision": "Equine therapy"})
    assert beside(no_reason, "custom_reason")[1].endswith("is required.")
    assert lines_of(room.engine, referral_id) == [], "nothing is stored from a form with mistakes"

    reason = "No provision in the document works with horses; the setting has a farm partner."
    card = await flow.card(
        verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1, "provision": "Equine therapy", "custom_reason": reason}
    )
    assert "Not in the council's document: No provision in the document works with horses" in str(card)
    [line] = lines_of(room.engine, referral_id)
    assert (line.entry_id, line.custom_reason) == (None, reason)

    with Session(room.engine) as session:
        senco, admin = identify(session, *SENCO), identify(session, *ADMIN)
    submit_shown(room.engine, senco, referral_id, room.clock.now())
    accepted = checks.accept(room.engine, admin, OneReferral(referral_id=referral_id), room.clock.now())
    assert accepted is not None
    await post_agenda(room)
    agenda = [c for c in room.connector.sent_to(act.CHANNEL_ID) if "Equine therapy" in c.all_json()]
    assert agenda, "the agenda marks the provision the document lacks"
    assert "No provision in the document works with horses" in agenda[-1].all_json()


async def test_a_later_version_never_changes_an_existing_referrals_money_to_the_penny(room: Room) -> None:
    first = load_document(room.engine)
    flow = Flow(room.bot)
    referral_id, _ = await draft_with_details(flow)
    entry = (await search(room.bot, f"provision:{first}", "sensory"))[0]["value"]
    amounts = {"minutes_per_session": "20", "sessions_per_week": "5", "weeks": "13", "group_size": "3"}
    await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, "entry": entry, **amounts})
    before = [(line.hourly_rate_pence, line.entry_id) for line in lines_of(room.engine, referral_id)]
    total_before = await _total(flow, referral_id)
    assert total_before == "£135.42"  # 21 h 40 min at £18.75 shared by 3: 13,541.67 pence, to the penny

    second = load_document(room.engine, rate_change=499)
    assert [(line.hourly_rate_pence, line.entry_id) for line in lines_of(room.engine, referral_id)] == before
    assert await _total(flow, referral_id) == total_before
    again = await flow.card(verbs.REFERRAL_ROWS, {"referral_id": referral_id})
    assert choice_of(again)["choices.data"]["dataset"] == f"provision:{first}", "it keeps searching its version"
    newer = (await search(room.bot, f"provision:{second}", "sensory"))[0]["value"]
    refused = await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, "entry": newer, **amounts})
    assert beside(refused, "entry")[1] == WRONG_VERSION.format(version=1)
    assert len(lines_of(room.engine, referral_id)) == 1
    assert await _total(flow, referral_id) == total_before

    other = Flow(room.bot, SENCO_2)
    new_id, costs = await draft_with_details(other)
    assert choice_of(costs)["choices.data"]["dataset"] == f"provision:{second}", "a new referral prices from today's"
    gone = await other.card(verbs.ROW_ADD, {"referral_id": new_id, "entry": entry, **amounts})
    assert beside(gone, "entry")[1] == GONE


async def _total(flow: Flow, referral_id: int) -> str:
    card = await flow.card(verbs.REFERRAL_ROWS, {"referral_id": referral_id})
    shown = str(card)
    start = shown.index("Total of rows")
    return shown[start:].split("'value': '", 1)[1].split("'", 1)[0]


async def test_without_the_search_the_look_up_button_lists_the_matches_and_keeps_what_was_typed(room: Room) -> None:
    load_document(room.engine)
    flow = Flow(room.bot)
    referral_id, costs = await draft_with_details(flow)
    look = find_action(costs, verbs.ROW_FIND)
    card = await flow.card(verbs.ROW_FIND, {**look["data"], "find": "elsa", "weeks": "12"})
    choices = choice_of(card)["choices"]
    assert [c["title"] for c in choices] == [
        "Emotional literacy support (ELSA) · ELSA-trained assistant · £40.00 a week, group of 1"
    ]
    assert beside(card, "weeks")[0] == "12", "what was typed is kept"
    added = await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, "entry": choices[0]["value"], "weeks": "12"})
    assert "12 weeks, 1:1 at £40.00/week" in str(added) and "£480.00" in str(added)


async def test_a_search_is_refused_to_those_the_permission_does_not_name(room: Room) -> None:
    document = load_document(room.engine)
    response = await room.bot.post(act.search(room.connector.url, *CHAIR, f"provision:{document}", "speech"))
    assert response.status == 403
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.error"
    assert "can search the provision document" in body["value"]["message"]

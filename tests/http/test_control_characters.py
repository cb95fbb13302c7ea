"""Text from any keyboard, through /api/messages: control characters and bidi overrides never block anything.

Text pasted from PowerPoint or Word carries U+000B (a line break inside a paragraph) and U+000C; python-docx
and openpyxl refuse them. A typed U+202E (right-to-left override) would reverse what follows it wherever it
is shown. Teams' text is cleaned where it comes in (``bot.turns``), and every writer cleans again, for rows
stored before. A decision is never held back by its letter. Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.cli.main import run
from cards import verbs
from cluster.text import BIDI_CONTROLS, is_clean
from store.models import Decision, DecisionLetter, Person, ProvisionLine, Referral
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2
from tests.http.test_ledger import accept, decide, docx_text, offers_since
from tests.http.test_meeting_day import item_of
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import MEETING_ID, VOTERS, Room, meeting_room, start_meeting
from tests.support.referral_flow import GOOD_INDIVIDUAL, GOOD_PROJECT, ROW_1, Flow, find_action

VT, FF, RLO = "\x0b", "\x0c", "\u202e"
APPROVE = ["approve", "approve", "approve"]
REFUSED = "application/vnd.microsoft.activity.message"


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        yield room


def workbook_texts(data: bytes) -> list[str]:
    """Every text cell of every sheet of a workbook."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def no_bidi_controls(shown: str) -> bool:
    """Neither the character nor its JSON escape (``\\u202e``) is in ``shown``."""
    escaped = json.dumps(BIDI_CONTROLS)[1:-1].lower()
    return not any(c in shown for c in BIDI_CONTROLS) and not any(
        escaped[i : i + 6] in shown.lower() for i in range(0, len(escaped), 6)
    )


def letter_offers(room: Room) -> list[dict[str, Any]]:
    """The decision letters offered to the SENCO so far."""
    return [o for o in offers_since(room, 0, SENCO) if o["content"]["acceptContext"].get("kind") == "decision_letter"]


async def submit_typed(room: Room, kind: str, details: dict[str, str], row: dict[str, str]) -> tuple[int, str]:
    """The SENCO types a referral through the cards and submits it; returns its id and reference."""
    sam = Flow(room.bot)
    referral_id, _ = await sam.start(kind)
    await sam.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **details})
    await sam.card(verbs.ROW_ADD, {"referral_id": referral_id, **row})
    review = await sam.card(verbs.REVIEW, {"referral_id": referral_id})
    await sam.card(verbs.SUBMIT, find_action(review, verbs.SUBMIT)["data"])
    with Session(room.engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.reference
        return referral_id, referral.reference


async def export_pack(room: Room, reference: str, name: str) -> bytes:
    """The SENCO asks for the referral's Word pack and accepts it; returns the document."""
    before = len(room.connector.calls)
    await room.bot.post(act.personal_message(room.connector.url, *SENCO, f"export {reference}"))
    await room.settle()
    offers = offers_since(room, before, SENCO)
    assert offers, f"no pack was offered: {[c.all_json()[:300] for c in room.connector.calls[before:]]}"
    return await accept(room, SENCO, offers[0], name)


async def minutes_files(room: Room) -> tuple[str, bytes]:
    """A member asks for the minutes and accepts both files: the Markdown and the spreadsheet."""
    before = len(room.connector.calls)
    await room.bot.post(act.personal_message(room.connector.url, *SENCO_2, "minutes"))
    await room.settle()
    md_offer, xlsx_offer = offers_since(room, before, SENCO_2)
    markdown = (await accept(room, SENCO_2, md_offer, "minutes.md")).decode("utf-8")
    return markdown, await accept(room, SENCO_2, xlsx_offer, "minutes.xlsx")


async def test_a_chairs_feedback_pasted_from_powerpoint_records_the_decision_and_its_letter(room: Room) -> None:
    await start_meeting(room)
    feedback = f"Strong evidence of need.{VT}Share the APDR cycles with the SENCO network.{FF}Well done."
    decided = await decide(room, "ipn", APPROVE, outcome="approved", schedule="termly", feedback=feedback)
    await room.settle()

    assert decided["type"] == "application/vnd.microsoft.card.adaptive", decided
    [decision] = room.decisions()
    assert decision.feedback == (
        "Strong evidence of need.\nShare the APDR cycles with the SENCO network.\nWell done."
    ), "each break pasted from PowerPoint is kept as a line break"
    [offer] = letter_offers(room)
    letter = docx_text(await accept(room, SENCO, offer, "letter.docx"))
    assert "Strong evidence of need.\nShare the APDR cycles with the SENCO network.\nWell done." in letter


async def test_a_letter_that_cannot_be_made_does_not_stop_the_decision_and_is_made_when_asked_for(
    room: Room, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await start_meeting(room)

    def broken(view: Any) -> bytes:
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")

    monkeypatch.setattr("usecases.meeting_day.decisions.decision_letter_docx", broken)
    with caplog.at_level(logging.ERROR, logger="clusterbot.letters"):
        decided = await decide(room, "ipn", APPROVE, outcome="approved", schedule="termly")
        await room.settle()

    # The chair sees the decision recorded, not an apology nor the exception's text; the log has a reference.
    assert decided["type"] == "application/vnd.microsoft.card.adaptive", decided
    assert "XML compatible" not in json.dumps(decided)
    [decision] = room.decisions()
    assert decision.outcome == "approved"
    [logged] = [r for r in caplog.records if r.name == "clusterbot.letters"]
    assert "ref=ERR-" in logged.getMessage() and logged.exc_info is not None
    with Session(room.engine) as session:
        assert session.get(DecisionLetter, decision.id) is None

    # The referrer is told, and the notice's letter button makes the letter once it can be made.
    monkeypatch.undo()
    [notice] = room.told(SENCO, "Decision on CEN-2526-001")
    button = find_action(notice.cards[0], verbs.DECISION_LETTER)
    before = len(room.connector.calls)
    answer = await Flow(room.bot, SENCO).click(verbs.DECISION_LETTER, button["data"])
    assert answer["value"].startswith("Here is the decision letter for CEN-2526-001."), answer
    await room.settle()
    [offer] = offers_since(room, before, SENCO)
    assert "Decision on CEN-2526-001" in docx_text(await accept(room, SENCO, offer, "made-later.docx"))
    with Session(room.engine) as session:
        assert session.get(DecisionLetter, decision.id) is not None, "kept, so it is the same letter next time"


async def test_a_referral_typed_with_control_characters_exports_as_a_word_pack_and_a_subject_access_export(
    room: Room, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    details = {
        **GOOD_INDIVIDUAL,
        "pupil_ref": "ETR-0777",
        "summary": f"Pasted from the plan:{VT}limited expressive language.{FF}Struggles in class.",
        "outcomes": f"Uses {RLO}3-word phrases{RLO} by July.",
    }
    _, reference = await submit_typed(room, "individual", details, {**ROW_1, "provision": f"Language{VT}group"})

    words = docx_text(await export_pack(room, reference, "pack.docx"))
    assert "Pasted from the plan:\nlimited expressive language.\nStruggles in class." in words
    assert "Uses 3-word phrases by July." in words and RLO not in words
    assert "Language\ngroup" in words

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    out = tmp_path / "sar"
    setting = f"Etruscan {RLO}Primary School"  # typed at the command line: cleaned as Teams' text is
    args = ["subject-access", "--setting", setting, "--pupil-ref", "ETR-0777", "--out", str(out)]
    assert run(args) == 0
    exported = docx.Document(str(out / "ETR-0777.docx"))
    texts = [p.text for p in exported.paragraphs] + [c.text for t in exported.tables for r in t.rows for c in r.cells]
    assert any("limited expressive language" in t for t in texts)
    assert all(is_clean(t) for t in texts)


async def test_a_typed_right_to_left_override_reaches_no_agenda_vote_card_or_minutes(room: Room) -> None:
    title = f"Nurture room {RLO}for Key Stage 1"
    details = {**GOOD_PROJECT, "title": title, "summary": f"A shared {RLO}nurture provision."}
    referral_id, _ = await submit_typed(room, "project", details, ROW_1)
    await Flow(room.bot, ADMIN).card(verbs.ACCEPT, {"referral_id": referral_id})
    await start_meeting(room)
    item_id = item_of(room.engine, referral_id)
    await decide_project(room, item_id)
    await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
    await room.settle()

    channel = [c for c in room.connector.calls if c.conversation_id.startswith(act.CHANNEL_ID)]
    assert any("Nurture room for Key Stage 1" in c.all_json() for c in channel), "the agenda shows the title"
    for call in room.connector.calls:
        assert no_bidi_controls(call.all_json()), call.all_json()[:500]
    markdown, workbook = await minutes_files(room)
    assert "Nurture room for Key Stage 1" in markdown and no_bidi_controls(markdown)
    assert "Agreed: a good plan." in workbook_texts(workbook), "the chair's feedback, typed with an override"
    assert all(is_clean(t) for t in workbook_texts(workbook))
    with Session(room.engine) as session:
        stored = session.exec(select(Referral).where(Referral.id == referral_id)).one()
    assert stored.details["title"] == "Nurture room for Key Stage 1", "stored without the override"


async def decide_project(room: Room, item_id: int) -> None:
    """The project is voted on and approved; the vote card goes to the channel."""
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item_id})
    for who in VOTERS[:3]:
        await room.click(who, verbs.VOTE_CAST, {"item_id": item_id, "choice": "approve"})
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": item_id})
    answer = await room.click(
        CHAIR,
        verbs.DECISION_RECORD,
        {"item_id": item_id, "outcome": "approved", "schedule": "one_sum", "feedback": f"Agreed: a {RLO}good plan."},
    )
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer


async def test_rows_stored_with_control_characters_still_make_a_pack_a_letter_the_minutes_and_a_spreadsheet(
    room: Room,
) -> None:
    # Rows written before text was cleaned: a referral's answers, a cost row and a person's name.
    with Session(room.engine) as session:
        referral = session.get(Referral, room.referrals["ipn"])
        assert referral is not None and referral.reference
        reference = referral.reference
        referral.details = {
            **referral.details,
            "pupil_initials": f"J{VT}S{RLO}",  # shown on the agenda, the vote card and the minutes
            "summary": f"Limited{VT}expressive{FF}language{RLO}.\x1b\ufffe",
            "outcomes": f'=HYPERLINK("x"){VT}Uses 3-word phrases.',
        }
        session.add(referral)
        row = session.exec(select(ProvisionLine).where(ProvisionLine.referral_id == referral.id)).first()
        assert row is not None
        row.provision = f"Language{VT}group{RLO}"
        session.add(row)
        sam = session.exec(select(Person).where(Person.aad_object_id == SENCO[0])).one()
        sam.name = f"Sam{VT}Senco{RLO}"
        session.add(sam)
        session.commit()

    words = docx_text(await export_pack(room, reference, "pack.docx"))
    assert "Limited\nexpressive\nlanguage." in words and "Language\ngroup" in words and is_clean(words)

    await start_meeting(room)
    decided = await decide(room, "ipn", APPROVE, outcome="approved", schedule="termly")
    assert decided["type"] == "application/vnd.microsoft.card.adaptive", decided
    await room.settle()
    [offer] = letter_offers(room)
    letter = docx_text(await accept(room, SENCO, offer, "letter.docx"))
    assert f"Decision on {reference}" in letter and is_clean(letter)

    await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
    await room.settle()
    for call in room.connector.calls:
        assert no_bidi_controls(call.all_json()) and "\\u000b" not in call.all_json().lower(), call.all_json()[:500]
    markdown, workbook = await minutes_files(room)
    assert is_clean(markdown) and reference in markdown
    texts = workbook_texts(workbook)
    assert reference in texts and all(is_clean(t) for t in texts)
    with Session(room.engine) as session:
        [decision] = session.exec(select(Decision)).all()
        assert session.get(DecisionLetter, decision.id) is not None

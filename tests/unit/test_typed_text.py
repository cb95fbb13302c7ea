"""Text people type, or that comes from data, is shown in cards exactly as typed: never as Markdown or a link."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cards.common import facts, heading, link, message_card, text
from cards.meeting_day.agenda import agenda_card
from cards.meeting_day.minutes import minutes_card
from cards.meeting_day.notices import outcome_notice_card
from cards.meeting_day.votes import vote_card
from cards.meetings import meeting_morning_card
from cards.referrals import (
    admin_notice_card,
    my_referrals_card,
    referral_card,
    returned_notice_card,
    review_card,
    to_check_card,
)
from cluster.agenda import DecisionView, ItemState, MinutesEntry, MinutesView
from cluster.decisions import Outcome, Schedule
from cluster.markdown import escape_markdown, plain
from cluster.provision import ProvisionRow
from cluster.referrals import Document, Kind, State
from cluster.voting import Choice, Result, Tally
from tests.support.gallery import POSITION, REVIEW, SLOT, agenda, entry, referral, vote
from tests.support.typed_text import (
    EVIL,
    EVIL_LINES,
    EVIL_LINK,
    EVIL_MENTION,
    card_texts,
    live_markup,
    shown_as_typed,
    unescape,
)

TYPED = [
    EVIL,
    EVIL_LINES,
    "a\\b and \\*not bold\\*",
    "&lt;b&gt; is not <b>",
    "mail me: someone@evil.example, or mailto:someone@evil.example",
    "  2) indented list\n+ plus list\n=== underline\n--- rule\n> quote\n| a | b |",
    "https://evil.example www.evil.example WWW.EVIL.EXAMPLE ftp://evil.example",
]


@pytest.mark.parametrize("typed", TYPED)
def test_escaped_text_shows_exactly_what_was_typed_and_nothing_teams_would_act_on(typed: str) -> None:
    shown = plain(typed)
    assert unescape(shown) == typed
    assert live_markup(shown) == [], shown


def test_ordinary_sentences_are_left_readable() -> None:
    for sentence in (
        "Nothing to check.",
        "£1,200.00 (UK time)",
        "Step 1 of 4: Details",
        "Time 09:30–13:00",
        "12.5 hours",
    ):
        assert plain(sentence) == sentence


def test_a_dash_in_a_table_cell_is_not_a_list_so_is_left_alone_there() -> None:
    assert plain("-£20.00", line_start=False) == "-£20.00"
    assert plain("-£20.00") == "\\-£20.00"


def test_text_headings_and_facts_escape_what_they_are_given() -> None:
    assert live_markup(text(EVIL)["text"]) == []
    assert live_markup(heading(EVIL)["text"]) == []
    fact = facts([(EVIL_LINK, EVIL_MENTION)])["facts"][0]
    assert live_markup(fact["title"]) == [] and live_markup(fact["value"]) == []
    assert unescape(fact["title"]) == EVIL_LINK and unescape(fact["value"]) == EVIL_MENTION
    assert live_markup(message_card(EVIL, title=EVIL)["body"][1]["text"]) == []


def test_only_our_own_markdown_is_markdown() -> None:
    assert text("**Details**", markdown=True)["text"] == "**Details**"
    assert text("**Details**")["text"] == "\\*\\*Details\\*\\*"


def test_a_meeting_link_cannot_break_out_of_its_link() -> None:
    shown = link("Join the online meeting", "https://teams.example/x) [evil](https://evil.example")
    assert shown.startswith("[Join the online meeting](https://teams.example/x%29%20%5Bevil%5D%28https")
    assert shown.count("(") == 1 and shown.count(")") == 1 and shown.count("[") == 1
    card = meeting_morning_card("Central", replace(SLOT, online_link="https://teams.example/x) <at>y</at>"))
    assert "<at>" not in str(card)


def shown(card: dict[str, Any]) -> list[str]:
    """The card's texts, less our own Markdown (the step trail's bold)."""
    return [t for t in card_texts(card) if not t.startswith("Step ")]


def assert_as_typed(card: dict[str, Any], *typed: str) -> None:
    for block in shown(card):
        assert live_markup(block) == [], block
    for value in typed:
        assert shown_as_typed(card, value), (value, shown(card))


def test_referral_cards_show_typed_titles_summaries_rows_documents_and_reasons_as_typed() -> None:
    row = ProvisionRow(EVIL[:200], "CI", EVIL[:100], 30, 3, 2, 38, 15_00)
    view = referral(
        Kind.PROJECT,
        State.RETURNED,
        setting=EVIL,
        details={"title": EVIL[:120], "summary": EVIL_LINES, "partners": []},
        rows=(row,),
        documents=(Document(1, EVIL, True, "https://evil.example/x", None, None),),
        returned_reason=EVIL_LINES,
    )
    assert_as_typed(referral_card(view, editable=True), EVIL, EVIL[:120], EVIL_LINES, EVIL[:100])
    assert_as_typed(review_card(view, [EVIL]), EVIL, EVIL_LINES)
    assert_as_typed(my_referrals_card([view]), EVIL[:120])
    assert_as_typed(to_check_card([view]), EVIL)
    assert_as_typed(admin_notice_card(view), EVIL)
    assert_as_typed(returned_notice_card(view), EVIL_LINES)


def test_meeting_cards_show_typed_titles_settings_conditions_and_feedback_as_typed() -> None:
    decision = DecisionView(
        Outcome.APPROVED_REDUCED,
        900_00,
        conditions=EVIL_LINES,
        feedback=EVIL,
        review_date=REVIEW,
        schedule=Schedule.TERMLY,
    )
    typed = entry(kind=Kind.PROJECT, setting=EVIL, title=EVIL[:120], pupil_label="", decision=decision)
    decided = replace(typed, state=ItemState.DECIDED)
    assert_as_typed(agenda_card(agenda((decided,), cluster=EVIL)), EVIL, EVIL[:120])
    tally = Tally(2, 0, 0, frozenset({1, 2}), 2)
    closed = vote(
        entry=decided,
        state=ItemState.DECIDED,
        tally=tally,
        result=Result.APPROVED,
        voted=(EVIL,),
        interests=(EVIL,),
        ballots=((EVIL, Choice.APPROVE),),
    )
    assert_as_typed(vote_card(closed), EVIL, EVIL_LINES)
    assert_as_typed(vote_card(vote(entry=replace(typed, state=ItemState.OPEN), voted=(EVIL,))), EVIL)
    minutes = MinutesView(SLOT, EVIL, (MinutesEntry(decided, tally, Result.APPROVED, (EVIL,)),), None, POSITION)
    assert_as_typed(minutes_card(minutes), EVIL, EVIL_LINES)
    assert_as_typed(outcome_notice_card(decided, decision, SLOT.day, None), EVIL, EVIL_LINES)


@given(st.text(alphabet=st.sampled_from("ab1 .:/@#+-=_*[]<>`~|&\\\nwW(9)"), max_size=40), st.booleans())
def test_skipping_text_with_nothing_to_escape_never_changes_what_is_shown(typed: str, line_start: bool) -> None:
    assert plain(typed, line_start) == escape_markdown(typed, line_start)

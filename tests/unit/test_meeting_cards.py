"""Meeting-day cards: the agenda, live votes, the decision form, minutes and the referrer's outcome notice."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from cards import verbs
from cards.meeting_day.agenda import agenda_card
from cards.meeting_day.decision_form import decision_form_card
from cards.meeting_day.minutes import minutes_card
from cards.meeting_day.notices import outcome_notice_card
from cards.meeting_day.votes import CASTING_NOTE, vote_card
from cards.meetings import MEETINGS_SHOWN, meetings_admin_card
from cluster.agenda import AgendaEntry, ItemState
from cluster.referrals import Kind
from cluster.voting import Choice, Result, Tally
from tests.support.card_schema import actions_in, schema_errors
from tests.support.gallery import (
    AGENDA_ENTRIES,
    CLOSED,
    CLOSED_BALLOTS,
    DECISION_ERRORS,
    DECISION_TYPED,
    DEFERRED,
    MEMBERS,
    NEXT_SLOT,
    POSITION,
    REVIEW,
    SLOT,
    STARTED_ENTRIES,
    VOTED,
    agenda,
    entry,
    meeting_gallery,
    vote,
)

CARDS = meeting_gallery()
CHANNEL_CARDS = {name: card for name, card in CARDS.items() if "outcome" not in name}


def texts(node: Any) -> list[str]:
    """Every piece of text a person can read on a card: text blocks, facts, titles, labels and choices."""
    found: list[str] = []
    if isinstance(node, dict):
        for key in ("text", "title", "value", "label", "placeholder"):
            if isinstance(node.get(key), str):
                found.append(node[key])
        for value in node.values():
            found += texts(value)
    elif isinstance(node, list):
        for value in node:
            found += texts(value)
    return found


def shown(card: dict[str, Any]) -> str:
    return "\n".join(texts(card))


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def buttons(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, verb) of each Action.Execute, refresh excluded."""
    return [(a["title"], a["verb"]) for a in actions_in(card) if a["type"] == "Action.Execute" and "title" in a]


def entries_named(card: dict[str, Any]) -> list[str]:
    """The references in the order the card lists them."""
    return [t.split(" · ")[0] for t in texts(card) if t.startswith("CEN-")]


# The agenda ----------------------------------------------------------------------------------------------


def test_the_agenda_lists_deferred_items_first_then_each_kind_in_order() -> None:
    shuffled = tuple(reversed(AGENDA_ENTRIES))
    card = agenda_card(agenda(shuffled))
    assert entries_named(card) == [
        "CEN-2526-009",  # deferred from an earlier meeting
        "CEN-2526-014",  # Individual Pupil Need
        "CEN-2526-015",  # Project-Based Work
        "CEN-2526-016",  # EHCP
        "CEN-2526-017",  # capital
        "CEN-2526-018",  # discussion
    ]
    headings = [t for t in texts(card) if t in ("Deferred from earlier meetings", "Individual Pupil Need")]
    assert headings == ["Deferred from earlier meetings", "Individual Pupil Need"]


def test_the_agenda_heading_shows_the_cluster_meeting_date_time_and_budget_position() -> None:
    text = shown(CARDS["meeting_agenda"])
    assert "Agenda: Central cluster, Autumn 2" in text
    assert "Thursday 11 December 2025, 09:30–13:00" in text
    assert "Available now\n£45,000.00" in text
    assert "Total requested\n£22,800.00" in text
    assert "No budget set" in shown(CARDS["meeting_agenda_no_budget"])


def test_each_agenda_entry_shows_its_amount_or_that_no_money_is_asked_and_its_state() -> None:
    text = shown(CARDS["meeting_agenda_started"])
    assert "£1,200.00 · JS Year 4 · Open for voting" in text
    assert "£850.00 · AB Year 6 · Approved £850.00" in text
    assert "£4,850.00 · AB Year 9 · Approved £4,000.00 of £4,850.00 with conditions" in text
    assert "No money asked · JS Year 2 · Not yet opened" in text
    assert "Shared ELSA supervision" in text


HERE = ("I'm here", verbs.REGISTER_HERE)  # everyone's button while the meeting is to come or runs (issue 20)


def test_before_the_meeting_the_chair_can_only_start_it_or_hand_it_over() -> None:
    assert buttons(CARDS["meeting_agenda"]) == [
        ("Start the meeting", verbs.MEETING_START),
        ("Hand this meeting over", verbs.HAND_OVER_FORM),
        HERE,
    ]
    [start] = actions_in(CARDS["meeting_agenda"])[:1]
    assert start["data"] == {"verb": verbs.MEETING_START, "meeting_id": SLOT.id}


def test_during_the_meeting_each_item_not_yet_opened_has_open_and_the_card_has_end() -> None:
    card = CARDS["meeting_agenda_started"]
    opened = [a["data"]["item_id"] for a in actions_in(card) if a.get("verb") == verbs.ITEM_OPEN]
    pending = [e.item_id for e in STARTED_ENTRIES if e.state == ItemState.PENDING and e.kind is not Kind.DISCUSSION]
    assert sorted(set(opened)) == sorted(pending) and pending
    assert buttons(card)[-2:] == [("End the meeting", verbs.MEETING_END), HERE]
    assert ("Start the meeting", verbs.MEETING_START) not in buttons(card)


def test_no_agenda_button_sends_inputs() -> None:
    for name in ("meeting_agenda", "meeting_agenda_started"):
        for action in actions_in(CARDS[name]):
            assert action["associatedInputs"] == "None", action["title"]


def test_members_get_only_im_here_and_their_own_view_and_an_ended_meeting_no_buttons() -> None:
    # "Refresh my view" answers the clicker with their own view: the chair's controls reach only the chair.
    assert buttons(CARDS["meeting_agenda_member"]) == [HERE, ("Refresh my view", verbs.AGENDA_SHOW)]
    assert buttons(CARDS["meeting_agenda_ended"]) == []


def test_an_empty_agenda_says_so() -> None:
    assert "Nothing is on the agenda yet." in shown(CARDS["meeting_agenda_empty"])


def forty_entries(kinds: int, deferred: int = 0) -> tuple[AgendaEntry, ...]:
    """40 long agenda entries of the first ``kinds`` kinds in turn, the first ``deferred`` of them deferred."""
    return tuple(
        entry(
            item_id=1000 + i,
            referral_id=2000 + i,
            reference=f"CEN-2526-{100 + i:03d}",
            kind=list(Kind)[i % kinds],
            setting="Whitfield Valley Primary Academy",
            requested_pence=12_345_67,
            pupil_label="ABCD Year 10",
            title="Shared educational psychology supervision across the cluster",
            deferred=i < deferred,
        )
        for i in range(40)
    )


def test_the_agenda_for_40_items_stays_under_28_kb() -> None:
    entries = forty_entries(4, deferred=5)
    card = agenda_card(agenda(entries, started=True))
    assert len([a for a in actions_in(card) if a.get("verb") == verbs.ITEM_OPEN]) == 40
    assert len(json.dumps(card).encode()) < 28 * 1024
    assert schema_errors(card) == []


# Privacy -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHANNEL_CARDS))
def test_channel_cards_show_a_pupil_only_by_initials_and_year_group(name: str) -> None:
    text = shown(CHANNEL_CARDS[name])
    # The views carry no pupil reference, name or birth date: only the label, which is all a channel sees.
    for never in ("ETR-", "pupil_ref", "John", "Smith", "date of birth"):
        assert never not in text
    labels = {e.pupil_label for e in AGENDA_ENTRIES if e.pupil_label}
    pupil_words = [t for t in texts(CHANNEL_CARDS[name]) if "Year " in t]
    for line in pupil_words:
        assert any(label in line for label in labels), line


def test_the_open_vote_card_shows_the_pupil_only_as_given_by_the_label() -> None:
    card = vote_card(vote(entry=entry(state=ItemState.OPEN, pupil_label="JS Year 4")))
    assert "JS Year 4" in shown(card)
    assert "Year 4" not in shown(card).replace("JS Year 4", "")


# Votes ---------------------------------------------------------------------------------------------------


def test_the_open_vote_card_shows_which_settings_voted_but_not_how() -> None:
    card = CARDS["meeting_vote_open_tied"]
    text = shown(card)
    assert "Vote: CEN-2526-014" in text
    assert "Approve 3 · Decline 3 · Abstain 1" in text
    assert all(setting in text for setting in VOTED)
    assert "Settings voted (7)" in text
    assert "Quorum\n7 voted, 15 needed" in text
    assert "Megan Bowen" in text  # interests declared
    facts = [f for node in card["body"] if node.get("type") == "FactSet" for f in node["facts"] if f["title"] in VOTED]
    assert facts == []  # no setting is listed with its choice while the vote is open


def test_the_open_vote_card_has_the_vote_buttons_and_sends_no_inputs_with_them() -> None:
    card = CARDS["meeting_vote_open_personal"]
    sent = {a["title"]: a for a in actions_in(card) if a["type"] == "Action.Execute" and "title" in a}
    for title, choice in (("Approve", "approve"), ("Decline", "decline"), ("Abstain", "abstain")):
        assert sent[title]["data"] == {"verb": verbs.VOTE_CAST, "item_id": 41, "choice": choice}
        assert sent[title]["associatedInputs"] == "None"
    assert sent["Declare an interest"]["data"] == {"verb": verbs.VOTE_INTEREST, "item_id": 41}
    assert "associatedInputs" not in sent["Close the vote"]  # it sends the casting vote


def test_the_personal_view_says_how_you_voted_and_the_shared_one_does_not() -> None:
    mine = vote(your_choice=Choice.DECLINE)
    assert "You voted: Decline" in shown(vote_card(mine, user_choice=True))
    assert "You voted" not in shown(vote_card(mine))


def test_the_vote_cards_refresh_lists_the_members_user_ids() -> None:
    refresh = CARDS["meeting_vote_open_tied"]["refresh"]
    assert refresh["userIds"] == list(MEMBERS)
    assert refresh["action"] == {
        "type": "Action.Execute",
        "verb": verbs.VOTE_REFRESH,
        "data": {"verb": verbs.VOTE_REFRESH, "item_id": 41},
    }


def test_the_refresh_asks_for_at_most_60_personal_views() -> None:
    many = tuple(f"29:user-{i}" for i in range(75))
    assert len(vote_card(vote(refresh_user_ids=many))["refresh"]["userIds"]) == 60


def test_closed_and_decided_vote_cards_do_not_refresh() -> None:
    for name in ("meeting_vote_closed", "meeting_vote_closed_casting", "meeting_vote_decided"):
        assert "refresh" not in CARDS[name]


def test_the_casting_choice_appears_only_on_a_tie() -> None:
    tied = CARDS["meeting_vote_open_tied"]
    casting = inputs(tied)["casting"]
    assert [c["value"] for c in casting["choices"]] == ["approve", "decline"]
    assert casting["label"] == CASTING_NOTE and not casting.get("isRequired")
    assert "casting" not in inputs(CARDS["meeting_vote_open_personal"])  # 4 to 2
    nobody = Tally(approve=0, decline=0, abstain=2, settings_voted=frozenset({1, 2}), needed=15)
    assert "casting" not in inputs(vote_card(vote(tally=nobody)))  # 0 to 0 is no tie: no votes were cast


def test_members_do_not_get_the_chairs_controls() -> None:
    assert ("Close the vote", verbs.ITEM_CLOSE) not in buttons(vote_card(vote(), for_chair=False))
    assert "casting" not in inputs(vote_card(vote(), for_chair=False))


def test_the_closed_card_shows_the_result_and_how_each_setting_voted() -> None:
    card = CARDS["meeting_vote_closed"]
    text = shown(card)
    assert "Vote result: Approved" in text
    assert "Approve 9 · Decline 4 · Abstain 3" in text
    for setting, choice in CLOSED_BALLOTS:
        assert f"{setting}\n{choice.value.capitalize()}" in text
    assert buttons(card) == [("Record the decision", verbs.DECISION_FORM)]


def test_the_closed_card_names_the_chairs_casting_vote() -> None:
    assert "Vote result: Declined, on the chair's casting vote (Decline)" in shown(CARDS["meeting_vote_closed_casting"])


@pytest.mark.parametrize(
    ("result", "title"),
    [
        (Result.APPROVED, "Approved"),
        (Result.DECLINED, "Declined"),
        (Result.TIE, "Tied"),
        (Result.NOT_QUORATE, "Not quorate"),
        (Result.NO_VOTES, "No votes cast"),
    ],
)
def test_each_result_has_its_title(result: Result, title: str) -> None:
    assert f"Vote result: {title}" in shown(vote_card(vote(state=ItemState.CLOSED, result=result)))


def test_the_decided_card_shows_the_decision_and_has_no_buttons() -> None:
    card = CARDS["meeting_vote_decided"]
    text = shown(card)
    assert "Approved\n" in text and "£850.00" in text
    assert "Review date\n11 December 2026" in text
    assert "Termly instalments" in text
    assert actions_in(card) == []


# The decision form ---------------------------------------------------------------------------------------


def _offered(card: dict[str, Any]) -> list[str]:
    return [c["title"] for c in inputs(card)["outcome"]["choices"]]


def test_the_decision_form_after_a_carried_vote_offers_approval_but_not_declining() -> None:
    assert _offered(CARDS["meeting_decision_form"]) == [
        "Approved",
        "Approved for a smaller amount or with conditions",
        "Deferred for more information",
        "Advice only",
    ]


def test_the_decision_form_after_a_lost_vote_offers_only_declining_or_deferring_and_asks_no_money() -> None:
    card = CARDS["meeting_decision_form_lost"]
    assert _offered(card) == ["Declined", "Deferred for more information"]
    assert not {"amount", "review_date", "schedule", "conditions", "draw_on_reserve"} & set(inputs(card))
    assert "3 voted, 3 needed" in shown(card)


def test_the_decision_form_for_an_inquorate_item_offers_only_deferral_already_chosen() -> None:
    card = CARDS["meeting_decision_form_not_quorate"]
    assert _offered(card) == ["Deferred for more information"]
    assert inputs(card)["outcome"]["value"] == "deferred"
    assert "Not quorate" in shown(card) and "2 voted, 3 needed" in shown(card)


def test_a_discussion_has_record_advice_on_the_agenda_instead_of_open() -> None:
    card = CARDS["meeting_agenda_started"]
    discussion = [e.item_id for e in STARTED_ENTRIES if e.kind is Kind.DISCUSSION and e.state == ItemState.PENDING]
    assert discussion
    advice = [a for a in actions_in(card) if str(a.get("title", "")).startswith("Record advice on ")]
    assert [a["data"]["item_id"] for a in advice] == discussion
    assert all(a["verb"] == verbs.DECISION_FORM for a in advice)
    opened = {a["data"]["item_id"] for a in actions_in(card) if a.get("verb") == verbs.ITEM_OPEN}
    assert not opened & set(discussion)


def test_a_discussions_form_records_advice_or_a_deferral_and_goes_back_to_the_agenda() -> None:
    card = CARDS["meeting_decision_form_discussion"]
    assert _offered(card) == ["Advice only", "Deferred for more information"]
    assert inputs(card)["feedback"]["label"] == "Advice for the school"
    assert "amount" not in inputs(card) and "Result" not in shown(card)
    assert ("Back", verbs.AGENDA_SHOW) in buttons(card)


def test_the_decision_form_is_prefilled_with_the_amount_requested_the_default_review_and_termly() -> None:
    fields = inputs(CARDS["meeting_decision_form"])
    assert set(fields) == {
        "outcome",
        "amount",
        "review_date",
        "schedule",
        "conditions",
        "feedback",
        "information_needed",
        "draw_on_reserve",
    }
    assert fields["outcome"]["isRequired"] is True
    assert fields["amount"]["value"] == "1200.00"
    assert fields["review_date"]["value"] == REVIEW.isoformat() == "2026-12-11"
    assert fields["review_date"]["max"] == "2026-12-11"
    assert fields["schedule"]["value"] == "termly"
    assert fields["draw_on_reserve"]["title"] == "Draw on the emergency reserve if needed"
    assert fields["draw_on_reserve"]["value"] == "false"
    assert "Available now\n£45,000.00" in shown(CARDS["meeting_decision_form"])


def test_decision_errors_follow_their_fields_and_a_budget_refusal_heads_the_form() -> None:
    card = CARDS["meeting_decision_form_errors"]
    body = card["body"]
    ids = [node.get("id") for node in body]
    after_review = body[ids.index("review_date") + 2]  # the review-date hint, then the error
    assert after_review["text"] == DECISION_ERRORS["review_date"] and after_review["color"] == "Attention"
    after_conditions = body[ids.index("conditions") + 1]
    assert after_conditions["text"] == DECISION_ERRORS["conditions"]
    assert body.index(next(n for n in body if n.get("text") == DECISION_ERRORS["budget"])) < ids.index("outcome")
    typed = inputs(card)
    assert typed["amount"]["value"] == DECISION_TYPED["amount"]
    assert typed["review_date"]["value"] == DECISION_TYPED["review_date"]


def test_the_decision_form_records_with_its_inputs_and_goes_back_without_them() -> None:
    record, back = actions_in(CARDS["meeting_decision_form"])[0], actions_in(CARDS["meeting_decision_form"])[2]
    assert record["verb"] == verbs.DECISION_RECORD and "associatedInputs" not in record
    assert record["data"] == {"verb": verbs.DECISION_RECORD, "item_id": 41}
    assert back["verb"] == verbs.VOTE_REFRESH and back["associatedInputs"] == "None"


def test_a_discussion_is_not_prefilled_with_an_amount() -> None:
    card = decision_form_card(CLOSED, 0, {}, {}, REVIEW, POSITION)
    assert "value" not in inputs(card)["amount"]


# Minutes and the outcome ---------------------------------------------------------------------------------


def test_the_minutes_give_each_items_outcome_votes_interests_amount_and_review_date() -> None:
    text = shown(CARDS["meeting_minutes"])
    assert "Minutes: Central cluster, Thursday 11 December 2025" in text
    assert "Outcome\nApproved for a smaller amount or with conditions" in text
    assert "Votes\nApprove 9 · Decline 4 · Abstain 3 (Approved)" in text
    assert "Interests declared\nMegan Bowen" in text
    assert "Amount approved\n£4,000.00" in text
    assert "Review date\n20 July 2026" in text
    assert "Outcome\nNot decided" in text
    assert "Committed at this meeting\n£4,850.00" in text
    assert "Available after the meeting\n£40,150.00" in text
    assert actions_in(CARDS["meeting_minutes"]) == []


def test_the_minutes_of_a_meeting_without_a_budget_say_so() -> None:
    from cluster.agenda import MinutesView

    card = minutes_card(MinutesView(SLOT, "Central", (), None, None))
    assert "No budget set" in shown(card) and "Nothing was on the agenda." in shown(card)


def test_an_approval_tells_the_referrer_the_amount_review_date_and_payments() -> None:
    text = shown(CARDS["meeting_outcome_approved_termly"])
    assert "Decision on CEN-2526-014" in text
    assert "Amount approved\n£850.00" in text
    assert "Review date\n11 December 2026" in text
    assert "Termly instalments" in text
    # Termly, from the ledger: the first day of each term from the next one, never the meeting day.
    assert "5 January 2026 (Spring term 2026)\n£283.34" in text
    assert "3 September 2026 (Autumn term 2026)\n£283.33" in text
    assert "11 December 2025\n£" not in text


def test_a_deferral_tells_the_referrer_what_is_needed_and_the_next_meetings_date() -> None:
    text = shown(CARDS["meeting_outcome_deferred"])
    assert DEFERRED.information_needed in text
    assert "Thursday 5 February 2026, 09:30–13:00" in text
    assert NEXT_SLOT.day.isoformat() not in text


def test_a_decline_gives_the_feedback() -> None:
    text = shown(CARDS["meeting_outcome_declined"])
    assert "Declined" in text and "ordinarily available provision" in text
    assert "Amount approved" not in text


def test_the_outcome_notice_opens_the_referral() -> None:
    notice = outcome_notice_card(entry(), DEFERRED, SLOT.day, None)
    assert ("Open the referral", verbs.REFERRAL_OPEN) in buttons(notice)
    assert "It goes to the next meeting." in shown(notice)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_meeting_card_is_valid_for_teams(name: str) -> None:
    assert schema_errors(CARDS[name]) == []


def test_every_meeting_verb_is_known() -> None:
    sent = {a["verb"] for card in CARDS.values() for a in actions_in(card) if a["type"] == "Action.Execute"}
    meeting = {
        verbs.MEETING_START,
        verbs.ITEM_OPEN,
        verbs.VOTE_CAST,
        verbs.VOTE_INTEREST,
        verbs.VOTE_REFRESH,
        verbs.ITEM_CLOSE,
        verbs.DECISION_FORM,
        verbs.DECISION_RECORD,
        verbs.MEETING_END,
    }
    assert meeting <= sent <= verbs.ALL
    assert verbs.AGENDA_SHOW in verbs.ALL


def test_an_entry_without_a_pupil_or_title_shows_neither() -> None:
    capital: AgendaEntry = entry(kind=Kind.CAPITAL, pupil_label="", title="")
    line = [t for t in texts(agenda_card(agenda((capital,)))) if "Not yet opened" in t]
    assert line == ["£1,200.00 · Not yet opened"]


def test_the_admins_meetings_card_shows_the_soonest_meetings_and_says_how_many_more() -> None:
    slots = [replace(SLOT, id=n, day=SLOT.day + timedelta(weeks=n)) for n in range(MEETINGS_SHOWN + 2)]
    card = meetings_admin_card("Central", slots)
    moves = [a["data"]["meeting_id"] for a in actions_in(card) if a.get("verb") == verbs.MEETING_MOVE]
    assert moves == list(range(MEETINGS_SHOWN)), "the soonest, each with its buttons"
    assert "2 later meetings are not shown: each appears here as the meetings above are held." in texts(card)
    assert not any("later meeting" in t for t in texts(meetings_admin_card("Central", slots[:MEETINGS_SHOWN])))


def test_the_agenda_for_40_items_with_each_quorum_check_and_60_refreshed_keeps_its_limits() -> None:
    """The shared (member's) copy stays under 28 KB with its refresh; the chair's view, an answer to the
    refresh that is never posted, under the 40 KB every client takes (TEAMS.md)."""
    entries = forty_entries(3)  # no discussion: every item has its quorum check
    lines = tuple((1000 + i, "19 settings present, 12 recused: 7 may vote, 10 needed", False) for i in range(40))
    people = tuple(f"29:{'a' * 8}-{i:04d}-{'b' * 4}-{'c' * 4}-{'d' * 12}" for i in range(70))
    view = agenda(entries, started=True, quorum_lines=lines, refresh_user_ids=people, acting_chair="Megan Bowen")
    card = agenda_card(view)
    assert len(card["refresh"]["userIds"]) == 60
    assert shown(card).count("(not quorate yet)") == 40
    assert len(json.dumps(card).encode()) < 40 * 1024
    assert schema_errors(card) == []
    shared = agenda_card(view, for_chair=False)
    assert "(not quorate yet)" not in shown(shared) and len(shared["refresh"]["userIds"]) == 60
    assert len(json.dumps(shared).encode()) < 28 * 1024

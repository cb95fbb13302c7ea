"""Cards for the meeting day (issue 4): the agenda, live votes, the decision form, minutes and the outcome.

The agenda, vote cards, decision form and minutes are posted in the cluster's team channel, where every
member of the team reads them. So they show a pupil only by the entry's ``pupil_label`` (initials and year
group at most) and never the school's pupil reference, the pupil's name or date of birth, nor the referral's
details; and while a vote is open they show which settings have voted, never how each voted. How each
setting voted is shown once the vote is closed. The outcome notice alone goes to the referrer in personal
chat.

The vote card is shared by everyone in the channel and updated in place; while the vote is open it carries
a ``refresh`` action, so Teams asks the bot for each listed member's own copy (showing their own choice).
Buttons that do not submit the card's inputs send none (``associatedInputs: None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, meeting_name, text
from cards.referrals import input_for
from cluster.agenda import AgendaEntry, AgendaView, DecisionView, ItemState, MinutesView, Moved, VoteView
from cluster.budget import Position
from cluster.clock import LONDON
from cluster.decisions import FUNDED, OUTCOME_TITLES, SCHEDULE_TITLES, Outcome, Schedule, outcomes_allowed
from cluster.forms import Field, FieldType
from cluster.impact import ratings_line
from cluster.ledger import Payment
from cluster.meetings import MeetingSlot
from cluster.provision import format_pence
from cluster.referrals import KIND_TITLES, Kind
from cluster.voting import RESULT_TITLES, Choice, Result, Tally, quorum_line

Element = dict[str, Any]

CHOICE_TITLES: dict[Choice, str] = {Choice.APPROVE: "Approve", Choice.DECLINE: "Decline", Choice.ABSTAIN: "Abstain"}
STATE_TITLES: dict[str, str] = {
    ItemState.PENDING: "Not yet opened",
    ItemState.OPEN: "Open for voting",
    ItemState.CLOSED: "Vote closed: decision to record",
    ItemState.DECIDED: "Decided",
}
CASTING_NOTE = "Chair's casting vote (used only on a tie)"
REVIEW_HINT = "By default 12 months after the meeting; the chair may set it earlier, never later."
RESERVE_TITLE = "Draw on the emergency reserve if needed"

DECISION_FIELDS: tuple[Field, ...] = (
    Field(
        "outcome",
        "Outcome",
        FieldType.CHOICE,
        choices=tuple((outcome.value, title) for outcome, title in OUTCOME_TITLES.items()),
    ),
    Field("amount", "Amount approved (£)", FieldType.MONEY, required=False, hint="e.g. 1250.00"),
    Field("review_date", "Review date", FieldType.DATE, required=False),
    Field(
        "schedule",
        "Payment",
        FieldType.CHOICE,
        required=False,
        choices=tuple((s.value, SCHEDULE_TITLES[s]) for s in (Schedule.TERMLY, Schedule.ONE_SUM)),
    ),
    Field(
        "conditions",
        "Conditions (approvals)",
        FieldType.MULTILINE,
        required=False,
        max_length=2000,
        hint="What the school must do, if approved with conditions",
    ),
    Field(
        "feedback",
        "Feedback for the school",
        FieldType.MULTILINE,
        required=False,
        max_length=2000,
        hint="Needed when declining",
    ),
    Field(
        "information_needed",
        "Information needed (deferrals)",
        FieldType.MULTILINE,
        required=False,
        max_length=2000,
        hint="What the next meeting needs to decide",
    ),
)
DECISION_INPUTS = frozenset({f.name for f in DECISION_FIELDS} | {"draw_on_reserve"})


# Small shared pieces -------------------------------------------------------------------------------------


def _action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def _day(day: date) -> str:
    """'Thursday 11 December 2025'."""
    return day.strftime("%A %-d %B %Y")


def _long_date(day: date) -> str:
    """'11 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def _slot_line(slot: MeetingSlot) -> str:
    """'Thursday 11 December 2025, 09:30–13:00'."""
    return f"{_day(slot.day)}, {slot.start:%H:%M}–{slot.end:%H:%M}"


def _amount(entry: AgendaEntry) -> str:
    """What the entry asks for; a discussion asks for no money."""
    if entry.kind is Kind.DISCUSSION:
        return "No money asked"
    return format_pence(entry.requested_pence)


def _who(entry: AgendaEntry) -> list[str]:
    """The pupil (initials and year group only) and the project's title, where there are any."""
    return [part for part in (entry.pupil_label, entry.title) if part]


def _entry_line(entry: AgendaEntry) -> str:
    """'Etruscan Primary School · Individual Pupil Need · £1,200.00 · JS Year 4'."""
    return " · ".join([entry.setting, KIND_TITLES[entry.kind], _amount(entry), *_who(entry)])


def _counts(tally: Tally) -> str:
    """'Approve 3 · Decline 1 · Abstain 0'."""
    return f"Approve {tally.approve} · Decline {tally.decline} · Abstain {tally.abstain}"


def _quorum(tally: Tally, open_: bool) -> str:
    """'4 voted, 3 needed'; '2 voted, 3 needed — not met' once a vote closed short of its quorum."""
    return quorum_line(tally) + ("" if tally.quorate or open_ else " — not met")


def _names(names: Sequence[str], none: str = "None") -> str:
    return ", ".join(names) if names else none


def decision_summary(decision: DecisionView, requested_pence: int) -> str:
    """A decision in a few words: 'Approved £1,200.00', 'Approved £900.00 with conditions', 'Deferred'."""
    if decision.outcome in FUNDED:
        summary = f"Approved {format_pence(decision.amount_pence)}"
        if decision.amount_pence < requested_pence:
            summary += f" of {format_pence(requested_pence)}"
        if decision.conditions:
            summary += " with conditions"
        if decision.reserve_drawn:
            summary += " (drawing on the emergency reserve)"
        return summary
    return {
        Outcome.DEFERRED: "Deferred",
        Outcome.DECLINED: "Declined",
        Outcome.ADVICE_ONLY: "Advice only",
    }.get(decision.outcome, OUTCOME_TITLES[decision.outcome])


def _decision_pairs(decision: DecisionView) -> list[tuple[str, str]]:
    """The decision as label and value pairs: outcome, money, review date, payment, and what was said."""
    pairs = [("Outcome", OUTCOME_TITLES[decision.outcome])]
    if decision.outcome in FUNDED:
        pairs.append(("Amount approved", format_pence(decision.amount_pence)))
        if decision.reserve_drawn:
            pairs.append(("Emergency reserve", "Drawn on"))
        if decision.review_date:
            pairs.append(("Review date", _long_date(decision.review_date)))
        if decision.schedule:
            pairs.append(("Payment", SCHEDULE_TITLES[decision.schedule]))
    for label, value in (
        ("Conditions", decision.conditions),
        ("Feedback", decision.feedback),
        ("Information needed", decision.information_needed),
    ):
        if value:
            pairs.append((label, value))
    return pairs


def _position_pairs(position: Position | None, requested_pence: int | None = None) -> list[tuple[str, str]]:
    """The budget position: available now (without the reserve), the reserve left, and what is asked."""
    if position is None:
        pairs = [("Budget", "No budget set")]
    else:
        pairs = [("Available now", format_pence(position.available))]
        if position.reserve_used:
            pairs.append(("Emergency reserve used", format_pence(position.reserve_used)))
        if position.reserve:
            pairs.append(("Emergency reserve", format_pence(position.reserve_left)))
    if requested_pence is not None:
        pairs.append(("Total requested", format_pence(requested_pence)))
    return pairs


# The agenda ----------------------------------------------------------------------------------------------


def _entry_state(entry: AgendaEntry) -> str:
    if entry.decision is not None:
        return decision_summary(entry.decision, entry.requested_pence)
    return STATE_TITLES.get(entry.state, entry.state)


def _agenda_entry(entry: AgendaEntry, open_button: bool) -> Element:
    """One agenda line, kept small so that 40 of them fit in a Teams message."""
    details = " · ".join([_amount(entry), *_who(entry), _entry_state(entry)])
    items: list[Element] = [
        text(f"{entry.reference} · {entry.setting}", weight="Bolder"),
        text(details, subtle=True, spacing="None"),
    ]
    if entry.outcome_ratings:
        items.append(text(f"Outcomes at review — {ratings_line(entry.outcome_ratings)}", subtle=True, spacing="None"))
    if open_button:
        # No Action.Submit fallback on these: every Teams client runs Action.Execute, and 40 fallbacks would
        # take the agenda past Teams' 28 KB limit. The card's own buttons keep theirs.
        # A discussion is not voted on: the chair records the advice straight from the agenda.
        title, verb = (
            (f"Record advice on {entry.reference}", verbs.DECISION_FORM)
            if entry.kind is Kind.DISCUSSION
            else (f"Open the vote on {entry.reference}", verbs.ITEM_OPEN)
        )
        data = {"verb": verb, "item_id": entry.item_id}
        action = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
        items.append(_action_set([{**action, "associatedInputs": "None"}]))
    return {"type": "Container", "separator": True, "items": items}


def agenda_card(view: AgendaView, for_chair: bool = True) -> Card:
    """A meeting's agenda for the channel: the budget position and each item, deferred items first, by kind.

    For the chair it carries the meeting's controls: "Start the meeting" until it starts; then an "Open"
    button on each item not yet opened ("Record advice" on a discussion, which is not voted on) and "End the
    meeting"; nothing once it has ended. With
    ``for_chair=False`` it has no buttons. Stays under 28 KB for 40 items.
    """
    title = f"{view.cluster} cluster, {view.meeting.title}" if view.meeting.title else f"{view.cluster} cluster meeting"
    body: list[Element] = [
        heading(f"Agenda: {title}"),
        text(_slot_line(view.meeting), spacing="None"),
    ]
    if view.ended:
        body.append(text("The meeting has ended.", subtle=True, spacing="None"))
    elif view.started:
        body.append(text("The meeting is under way.", weight="Bolder", spacing="None"))
    body.append(facts(_position_pairs(view.position, view.requested_pence)))
    live = for_chair and view.started and not view.ended
    if not view.entries:
        body.append(text("Nothing is on the agenda yet.", subtle=True))
    for group_title, entries in view.groups():
        body.append(text(group_title, weight="Bolder", size="Medium", spacing="Large"))
        body += [_agenda_entry(e, live and e.state == ItemState.PENDING) for e in entries]
    actions: list[Element] = []
    if for_chair and not view.started and not view.ended:
        actions.append(button("Start the meeting", verbs.MEETING_START, {"meeting_id": view.meeting_id}))
    if live:
        actions.append(button("End the meeting", verbs.MEETING_END, {"meeting_id": view.meeting_id}))
    return card(body, actions)


# Votes ---------------------------------------------------------------------------------------------------


def _result_line(view: VoteView) -> str:
    if view.result is None:
        return "Vote result: not known"
    # "Vote result", not "Result": until the chair records it, the vote is not the decision.
    line = f"Vote result: {RESULT_TITLES[view.result]}"
    tied = view.tally.approve == view.tally.decline
    if tied and view.casting in (Choice.APPROVE, Choice.DECLINE) and view.result in (Result.APPROVED, Result.DECLINED):
        line += f", on the chair's casting vote ({CHOICE_TITLES[view.casting]})"
    return line


def _is_tie(tally: Tally) -> bool:
    return tally.approve == tally.decline and tally.cast_votes > 0


def _chair_close(view: VoteView) -> Element:
    """The chair's part of an open vote: the casting vote on a tie, and Close."""
    items: list[Element] = [text("For the chair", weight="Bolder")]
    if _is_tie(view.tally):
        items += [
            {
                "type": "Input.ChoiceSet",
                "id": "casting",
                "label": CASTING_NOTE,
                "style": "expanded",
                "isRequired": False,
                "choices": [
                    {"title": CHOICE_TITLES[Choice.APPROVE], "value": Choice.APPROVE.value},
                    {"title": CHOICE_TITLES[Choice.DECLINE], "value": Choice.DECLINE.value},
                ],
            },
            text("Without a casting vote a tie is recorded as tied.", subtle=True, size="Small", spacing="None"),
        ]
    items.append(_action_set([button("Close the vote", verbs.ITEM_CLOSE, {"item_id": view.item_id}, inputs=True)]))
    return {"type": "Container", "style": "emphasis", "separator": True, "items": items}


def _refresh(view: VoteView) -> dict[str, Any]:
    data = {"verb": verbs.VOTE_REFRESH, "item_id": view.item_id}
    return {
        "action": {"type": "Action.Execute", "verb": verbs.VOTE_REFRESH, "data": data},
        "userIds": list(view.refresh_user_ids)[:60],  # Teams refreshes automatically for at most 60 users
    }


def vote_card(view: VoteView, user_choice: bool = False, for_chair: bool = True) -> Card:
    """An item's vote card in the agenda's thread.

    While open: the counts, which settings have voted (not how), the quorum and the interests declared; the
    vote buttons and, for the chair, Close (with a casting vote on a tie); and a ``refresh`` so each listed
    member gets their own copy - with ``user_choice`` that copy says how they voted. Once closed: the
    result and how each setting voted, with "Record the decision" for the chair. Once decided: the
    decision, and no buttons. ``for_chair=False`` leaves out the chair's controls.
    """
    entry = view.entry
    body: list[Element] = [
        heading(f"Vote: {entry.reference}"),
        text(_entry_line(entry), spacing="None"),
    ]
    if entry.outcome_ratings:
        body.append(facts([("Outcomes rated at review", ratings_line(entry.outcome_ratings))]))
    is_open = view.state == ItemState.OPEN
    actions: list[Element] = []
    if view.state == ItemState.PENDING:
        body.append(text("This item is not open for voting yet.", subtle=True))
    elif is_open:
        body.append(text("Open for voting", weight="Bolder"))
        body.append(
            facts(
                [
                    ("Votes", _counts(view.tally)),
                    (f"Settings voted ({len(view.voted)})", _names(view.voted, "None yet")),
                    ("Quorum", _quorum(view.tally, open_=True)),
                    ("Interests declared", _names(view.interests)),
                ]
            )
        )
        body.append(text("How each setting voted is shown when the vote closes.", subtle=True, size="Small"))
        if user_choice and view.your_choice is not None:
            body.append(
                text(f"You voted: {CHOICE_TITLES[view.your_choice]}", weight="Bolder"),
            )
            body.append(text("You can change your vote until the chair closes it.", subtle=True, spacing="None"))
        if for_chair:
            body.append(_chair_close(view))
        item = {"item_id": view.item_id}
        actions = [
            *(
                button(CHOICE_TITLES[c], verbs.VOTE_CAST, {**item, "choice": c.value})
                for c in (Choice.APPROVE, Choice.DECLINE, Choice.ABSTAIN)
            ),
            button("Declare an interest", verbs.VOTE_INTEREST, item),
        ]
    else:
        body.append(text(_result_line(view), size="Medium", weight="Bolder"))
        body.append(
            facts(
                [
                    ("Votes", _counts(view.tally)),
                    ("Quorum", _quorum(view.tally, open_=False)),
                    ("Interests declared", _names(view.interests)),
                ]
            )
        )
        if view.ballots:
            body.append(text("How each setting voted", weight="Bolder"))
            body.append(facts([(setting, CHOICE_TITLES[choice]) for setting, choice in view.ballots]))
        if view.state == ItemState.DECIDED and entry.decision is not None:
            body.append(text("Decision", weight="Bolder", size="Medium", spacing="Medium"))
            body.append(facts(_decision_pairs(entry.decision)))
        elif view.state == ItemState.CLOSED:
            body.append(text("The vote is closed. The chair records the decision.", subtle=True))
            if for_chair:
                actions = [button("Record the decision", verbs.DECISION_FORM, {"item_id": view.item_id})]
    result = card(body, actions)
    if is_open:
        result["refresh"] = _refresh(view)
    return result


# Recording the decision ----------------------------------------------------------------------------------


def _pounds(pence: int) -> str:
    """Pence as a money input shows them: 125000 is '1250.00'."""
    return f"{pence // 100}.{pence % 100:02d}"


def _reserve_toggle(value: str | None, error: str | None) -> list[Element]:
    toggle: Element = {
        "type": "Input.Toggle",
        "id": "draw_on_reserve",
        "label": "Emergency reserve",
        "title": RESERVE_TITLE,
        "valueOn": "true",
        "valueOff": "false",
        "value": "true" if value == "true" else "false",
        "wrap": True,
    }
    hint = text(
        "Only if this approval would take the cluster's commitments past the budget available without it.",
        subtle=True,
        size="Small",
        spacing="None",
    )
    return [toggle, hint, *([text(error, color="Attention", spacing="None")] if error else [])]


def decision_form_card(
    view: VoteView,
    requested_pence: int,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    default_review: date,
    position: Position | None,
    meeting_id: int | None = None,
) -> Card:
    """The chair's form for recording the decision on a closed item (or a discussion), with the budget position.

    It offers only the outcomes the vote allows (:func:`cluster.decisions.outcomes_allowed`); where none
    of them is funded (a lost or inquorate vote, a discussion) it asks for no money, review date or payment.
    A discussion is not voted on, so its form shows no result and "Back" returns to the agenda
    (``meeting_id``). Inputs are prefilled with the amount requested, the default review date and termly
    payment, unless ``values`` (as typed) say otherwise. Each error is shown right after its field; an error
    keyed by anything other than a field (such as a budget refusal) is shown above the form.
    """
    entry = view.entry
    discussion = entry.kind is Kind.DISCUSSION
    allowed = outcomes_allowed(discussion, view.result)
    funded = any(outcome in FUNDED for outcome in allowed)
    if discussion:
        standing = text("A solution-focused discussion is not voted on: record the advice given.", weight="Bolder")
    else:
        standing = text(f"{_result_line(view)} ({_counts(view.tally)}; {quorum_line(view.tally)})", weight="Bolder")
    body: list[Element] = [
        heading(f"Decision: {entry.reference}"),
        text(_entry_line(entry), spacing="None"),
        standing,
    ]
    if funded:
        body.append(facts(_position_pairs(position)))
    general = [message for key, message in errors.items() if key not in DECISION_INPUTS]
    if errors:
        count = len(errors)
        body.append(text(f"Please fix {count} {'thing' if count == 1 else 'things'} below.", color="Attention"))
    body += [text(message, color="Attention", weight="Bolder") for message in general]
    defaults = {
        "amount": _pounds(requested_pence) if requested_pence else "",
        "review_date": default_review.isoformat(),
        "schedule": Schedule.TERMLY.value,
        "draw_on_reserve": "false",
    }
    shown = {**defaults, **values}
    if len(allowed) == 1 or shown.get("outcome") not in {o.value for o in allowed}:
        shown["outcome"] = allowed[0].value if len(allowed) == 1 else ""
    for f in _decision_fields(allowed, funded, discussion):
        elements = input_for(f, shown.get(f.name), errors.get(f.name))
        if f.name == "review_date":
            elements[0]["max"] = default_review.isoformat()
            elements.insert(1, text(REVIEW_HINT, subtle=True, size="Small", spacing="None"))
        body += elements
    if funded:
        body += _reserve_toggle(shown.get("draw_on_reserve"), errors.get("draw_on_reserve"))
    item = {"item_id": view.item_id}
    back = (
        button("Back", verbs.AGENDA_SHOW, {"meeting_id": meeting_id})
        if discussion and meeting_id is not None
        else button("Back", verbs.VOTE_REFRESH, item)
    )
    return card(body, [button("Record the decision", verbs.DECISION_RECORD, item, inputs=True), back])


_MONEY_FIELDS = frozenset({"amount", "review_date", "schedule", "conditions"})


def _decision_fields(allowed: Sequence[Outcome], funded: bool, discussion: bool) -> list[Field]:
    """The form's fields: only the outcomes allowed; no money fields unless one of them is funded."""
    fields = []
    for f in DECISION_FIELDS:
        if f.name == "outcome":
            f = replace(f, choices=tuple((o.value, OUTCOME_TITLES[o]) for o in allowed))
        elif f.name in _MONEY_FIELDS and not funded:
            continue
        elif f.name == "feedback" and discussion:
            f = replace(f, label="Advice for the school", hint="What the meeting advised")
        elif f.name == "information_needed" and Outcome.DEFERRED not in allowed:
            continue
        fields.append(f)
    return fields


# Minutes -------------------------------------------------------------------------------------------------


def minutes_card(view: MinutesView) -> Card:
    """The meeting's minutes for the channel: each item's outcome, votes, interests, amount and review date."""
    body: list[Element] = [
        heading(f"Minutes: {view.cluster} cluster, {_day(view.held_on)}"),
        text(
            (f"{meeting_name(view.meeting.title)}, " if view.meeting.title else "")
            + f"{view.meeting.start:%H:%M}–{view.meeting.end:%H:%M}"
            + (f"; ended at {_time(view.ended_at)}" if view.ended_at else "")
            + (f"; scheduled for {_day(view.meeting.day)}" if view.held_elsewhen else ""),
            subtle=True,
            spacing="None",
        ),
    ]
    if not view.entries:
        body.append(text("Nothing was on the agenda.", subtle=True))
    committed = 0
    for item in view.entries:
        entry, decision = item.entry, item.entry.decision
        pairs = [
            ("Kind", KIND_TITLES[entry.kind]),
            ("Requested", _amount(entry)),
            ("Outcome", OUTCOME_TITLES[decision.outcome] if decision else "Not decided"),
        ]
        if item.tally is not None:
            votes = _counts(item.tally)
            if item.result is not None:
                votes += f" ({RESULT_TITLES[item.result]})"
            pairs.append(("Votes", votes))
        else:
            pairs.append(("Votes", "Not voted on"))
        pairs.append(("Interests declared", _names(item.interests)))
        if entry.outcome_ratings:
            pairs.append(("Outcomes rated at review", ratings_line(entry.outcome_ratings)))
        if decision is not None:
            if decision.outcome in FUNDED:
                committed += decision.amount_pence
            pairs += [p for p in _decision_pairs(decision) if p[0] != "Outcome"]
        who = " · ".join(_who(entry))
        items: list[Element] = [text(f"{entry.reference} · {entry.setting}", weight="Bolder")]
        if who:
            items.append(text(who, subtle=True, spacing="None"))
        items.append(facts(pairs))
        body.append({"type": "Container", "separator": True, "items": items})
    totals = [("Committed at this meeting", format_pence(committed))]
    if view.position is None:
        totals.append(("Budget", "No budget set"))
    else:
        totals.append(("Available after the meeting", format_pence(view.position.available)))
        if view.position.reserve_used:
            totals.append(("Emergency reserve used", format_pence(view.position.reserve_used)))
        if view.position.reserve:
            totals.append(("Emergency reserve left", format_pence(view.position.reserve_left)))
    body += [text("Totals", weight="Bolder", size="Medium", spacing="Large"), facts(totals)]
    return card(body)


def _time(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%H:%M}"


# The outcome, to the referrer ----------------------------------------------------------------------------


def outcome_notice_card(
    entry: AgendaEntry,
    decision: DecisionView,
    meeting_day: date,
    deferred_to: MeetingSlot | None,
    payments: Sequence[Payment] = (),
    decision_id: int | None = None,
) -> Card:
    """To the referrer in personal chat: what the meeting decided, with the feedback, amount and review date.

    A funded decision lists its instalments from the ledger (each on a term's first day, from the term
    after the meeting); a deferral says which meeting it goes to. With ``decision_id`` it offers the
    decision's letter (Word), which the bot also sends beside the notice.
    """
    funded = decision.outcome in FUNDED
    body: list[Element] = [
        heading(f"Decision on {entry.reference}"),
        text(_entry_line(entry), subtle=True, spacing="None"),
        # The words carry the outcome: no colour (Teams' green falls short of 4.5:1 contrast in some themes).
        text(decision_summary(decision, entry.requested_pence), size="Medium", weight="Bolder"),
        facts([("Meeting", _day(meeting_day)), *_decision_pairs(decision)]),
    ]
    if funded and payments:
        body.append(text("Payments", weight="Bolder"))
        body.append(
            facts(
                [
                    (
                        f"{_long_date(p.due_on)} ({p.term})" if p.term else _long_date(p.due_on),
                        format_pence(p.amount_pence),
                    )
                    for p in payments
                ]
            )
        )
    if funded and decision.review_date:
        body.append(
            text(
                f"The cluster reviews this allocation by {_long_date(decision.review_date)}.",
                subtle=True,
            )
        )
    if decision.outcome is Outcome.DEFERRED:
        if deferred_to is not None:
            where = f"It goes to the next meeting: {_slot_line(deferred_to)}."
        else:
            where = "It goes to the next meeting."
        body.append(text(f"{where} Have the information needed ready for it."))
    actions = [
        button("Open the referral", verbs.REFERRAL_OPEN, {"referral_id": entry.referral_id}),
        button("My referrals", verbs.MY_REFERRALS),
    ]
    if decision_id is not None:
        actions.insert(1, button("Decision letter (Word)", verbs.DECISION_LETTER, {"decision_id": decision_id}))
    return card(body, actions)


def moved_notice_card(moved: Moved) -> Card:
    """To the referrer in personal chat: the meeting their referral was on has ended, so it goes to the next one."""
    what = f"The review of {moved.reference}" if moved.review else moved.reference
    return card(
        [
            heading(f"{moved.reference} goes to the next meeting"),
            text(
                f"{what} was waiting on the {moved.cluster} cluster's meeting of {_day(moved.ended.day)}, which has "
                f"ended without reaching it. It goes to the next meeting: {_slot_line(moved.to)}. "
                "You need do nothing."
            ),
        ],
        [
            button("Open the referral", verbs.REFERRAL_OPEN, {"referral_id": moved.referral_id}),
            button("My referrals", verbs.MY_REFERRALS),
        ],
    )

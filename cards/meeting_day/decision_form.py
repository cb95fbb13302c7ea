"""The chair's decision form for a closed item (or a discussion), offering only the outcomes the vote allows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.meeting_day.parts import Element, counts, entry_line, position_pairs, result_line
from cards.referrals import input_for
from cluster.agenda import VoteView
from cluster.budget import Position
from cluster.commands.inputs import data_for, input_keys
from cluster.commands.meetings import RecordDecision, ShowAgenda, ShowVote
from cluster.decisions import FUNDED, OUTCOME_TITLES, SCHEDULE_TITLES, Outcome, Schedule, outcomes_allowed
from cluster.forms import Field, FieldType
from cluster.referrals import Kind
from cluster.voting import quorum_line

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
# The form's inputs are the command's, so the form and its handler cannot disagree on them; a mistake keyed
# by anything else is the form's as a whole, shown above it.
DECISION_INPUTS = input_keys(RecordDecision)


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
        standing = text(f"{result_line(view)} ({counts(view.tally)}; {quorum_line(view.tally)})", weight="Bolder")
    body: list[Element] = [
        heading(f"Decision: {entry.reference}"),
        text(entry_line(entry), spacing="None"),
        standing,
    ]
    if funded:
        body.append(facts(position_pairs(position)))
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
    back = (
        button("Back", verbs.AGENDA_SHOW, data_for(ShowAgenda, meeting_id=meeting_id))
        if discussion and meeting_id is not None
        else button("Back", verbs.VOTE_REFRESH, data_for(ShowVote, item_id=view.item_id))
    )
    return card(
        body,
        [
            button(
                "Record the decision",
                verbs.DECISION_RECORD,
                data_for(RecordDecision, item_id=view.item_id),
                inputs=True,
            ),
            back,
        ],
    )


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

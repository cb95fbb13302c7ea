"""Review cards, for personal chats: lists, the nudge, the form, the confirmation.

A pupil appears by initials and year group at most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards import verbs
from cards.common import Card, button, card, execute, facts, heading, text
from cards.referrals import input_for
from cluster.commands.inputs import data_for
from cluster.commands.reviews import OneReview, SubmitReview
from cluster.impact import RATING_CHOICES, RATING_TITLES, RatedOutcome
from cluster.provision import format_pence
from cluster.review_form import EXTRA_RATINGS, RATE_THIS, RECOMMENDATIONS, rating_fields, rest_of_form
from cluster.review_plan import (
    FROM_DOCUMENT,
    NOT_IN_DOCUMENT,
    Delivered,
    PlannedRow,
    amount_words,
    delivered_total,
    delivery_fields,
    delivery_words,
    paid_words,
)
from cluster.reviews import REVIEW_STATE_TITLES, Nudge, ReviewState, ReviewView


def _day(view: ReviewView) -> str:
    return f"{view.due:%A %-d %B %Y}"


def _line(view: ReviewView) -> str:
    pupil = f" · {view.pupil_label}" if view.pupil_label else ""
    return f"{view.reference} · {view.setting}{pupil} · {format_pence(view.amount_pence)}"


def _open(view: ReviewView, title: str | None = None) -> dict[str, Any]:
    return button(
        title or f"Open the review form: {view.reference}", verbs.REVIEW_OPEN, data_for(OneReview, review_id=view.id)
    )


# The list shows this much of each outcome: 30 reviews of 8 outcomes each stay well inside a Teams message.
LISTED_OUTCOME = 80


def _shortened(outcome: str, limit: int) -> str:
    return outcome if len(outcome) <= limit else outcome[: limit - 1].rstrip() + "…"


def rated_lines(rated: Sequence[RatedOutcome], limit: int | None = None) -> list[dict[str, Any]]:
    """Each outcome set with its rating ("Achieved: Reads …"), the typed text shown as typed."""
    return [
        text(
            f"{RATING_TITLES[r.rating] if r.rating else 'Not rated'}: "
            + (r.text if limit is None else _shortened(r.text, limit)),
            spacing="None",
        )
        for r in rated
    ]


def reviews_card(views: Sequence[ReviewView], title: str = "Your reviews", more: bool = False) -> Card:
    """A list of reviews with their state and due date (``more``: some were left off the end)."""
    body: list[dict[str, Any]] = [heading(title)]
    if not views:
        body.append(text("No reviews yet: each funded referral gets one, due by the date the meeting set."))
    for view in views:
        state = REVIEW_STATE_TITLES[view.state]
        body += [
            text(_line(view), weight="Bolder", separator=True),
            text(
                f"{state} · due {_day(view)}",
                spacing="None",
                color="Attention" if view.state is ReviewState.OVERDUE else "Default",
            ),
        ]
        if view.state in (ReviewState.DUE, ReviewState.OVERDUE, ReviewState.UPCOMING):
            body.append({"type": "ActionSet", "actions": [_open(view)]})
        elif view.outcomes:  # submitted: how it rated each outcome set
            body += rated_lines(view.rated, LISTED_OUTCOME)
    if more:
        body.append(text(f"These are the {len(views)} due earliest; more fall due after them.", subtle=True))
    return card(body)


def review_nudge_card(view: ReviewView, nudge: Nudge) -> Card:
    """A 1:1 reminder that a review is coming, due or overdue, with the form one click away."""
    if nudge.escalate:
        lead = f"The review of {view.reference} ({view.setting}) is overdue: it was due {_day(view)}."
    elif view.state is ReviewState.OVERDUE:
        lead = f"Your review of {view.reference} is overdue: it was due {_day(view)}."
    elif nudge.point == "due":
        lead = f"Your review of {view.reference} is due today."
    else:
        lead = f"Your review of {view.reference} is due on {_day(view)}."
    actions = [_open(view)]
    if not nudge.escalate:
        actions.append(button("Remind me in a week", verbs.REVIEW_SNOOZE, data_for(OneReview, review_id=view.id)))
    return card([heading("Review reminder"), text(lead), text(_line(view), subtle=True)], actions)


def review_form_card(view: ReviewView, values: Mapping[str, str], errors: Mapping[str, str]) -> Card:
    """The review form, prefilled from the referral's outcomes; mistakes shown next to their fields."""
    body: list[dict[str, Any]] = [heading(f"Review: {view.reference}"), text(_line(view), subtle=True)]
    body.append(facts([("Due", _day(view)), ("State", REVIEW_STATE_TITLES[view.state])]))
    if errors:
        body.append(text(f"Please fix {len(errors)} thing{'s' if len(errors) > 1 else ''} below.", color="Attention"))
    if view.outcomes:
        body += _rating_inputs(view.outcomes, values, errors)
    elif view.outcomes_set:
        body += [text("Outcomes set", weight="Bolder"), text(view.outcomes_set, spacing="None")]
    if errors.get(EXTRA_RATINGS):
        body.append(text(errors[EXTRA_RATINGS], color="Attention"))
    if view.paid is not None:
        body += [
            text("What was paid", weight="Bolder", size="Medium", separator=True),
            facts(paid_words(view.paid)),
            text("The actual spend below starts from what was paid: change it if the spend differed.", subtle=True),
        ]
    body += _planned_inputs(view.planned, values, errors)
    for field in rest_of_form(view.planned):
        body += input_for(field, values.get(field.name), errors.get(field.name))
    submit = execute("Submit the review", verbs.REVIEW_SUBMIT, data_for(SubmitReview, review_id=view.id))
    return card(body, [submit])


def _rating_inputs(
    outcomes: Sequence[str], values: Mapping[str, str], errors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each outcome set, as typed, and a required choice of how far it was achieved right under it.

    The outcome's text is a TextBlock (escaped: it was typed) rather than the input's label, which some
    clients render as Markdown; the label itself is our own words.
    """
    body: list[dict[str, Any]] = [
        text("Outcomes set", weight="Bolder", size="Medium"),
        text("Rate how far each outcome set in the referral was achieved.", subtle=True, spacing="None"),
    ]
    for position, (outcome, field) in enumerate(zip(outcomes, rating_fields(outcomes), strict=True), 1):
        typed = values.get(field.name)
        # A value that is none of the three (a forged card) is not shown as chosen: nothing would match it.
        shown = typed if typed in dict(RATING_CHOICES) else None
        [choice, *error] = input_for(field, shown, errors.get(field.name))
        choice |= {"label": f"How far was outcome {position} achieved?", "errorMessage": RATE_THIS}
        choice["style"] = "expanded"
        choice.pop("placeholder", None)
        body += [
            text(f"Outcome {position}", weight="Bolder", separator=True),
            text(outcome, spacing="None"),
            choice,
            *error,
        ]
    return body


def _row_words(row: PlannedRow) -> str:
    source = FROM_DOCUMENT if row.from_document else NOT_IN_DOCUMENT
    return f"{row.delivered_by} · {amount_words(row)} · {format_pence(row.cost_pence)} · {source}"


def _planned_inputs(
    rows: Sequence[PlannedRow], values: Mapping[str, str], errors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each row of the provision map as approved, with the weeks delivered prefilled from the plan to confirm.

    The row's words are TextBlocks (escaped: the provision's name may have been typed); the input's label is ours.
    """
    if not rows:
        return []
    body: list[dict[str, Any]] = [
        text("Provision planned", weight="Bolder", size="Medium", separator=True),
        text(
            "Each row of the provision map, as approved. Confirm the weeks delivered, or change them "
            "(0 if it was not delivered).",
            subtle=True,
            spacing="None",
        ),
    ]
    for row, field in zip(rows, delivery_fields(rows), strict=True):
        [weeks, *error] = input_for(field, values.get(field.name), errors.get(field.name))
        weeks["label"] = f"Weeks of row {row.position} delivered (planned: {row.weeks})"
        body += [
            text(f"Row {row.position}: {row.provision}", weight="Bolder", separator=True),
            text(_row_words(row), subtle=True, spacing="None"),
            weeks,
            *error,
        ]
    return body


def delivered_lines(rows: Sequence[Delivered]) -> list[dict[str, Any]]:
    """Each row of the map with how far it was delivered and what that cost, then the delivered total."""
    lines = [
        text(
            f"Row {d.row.position}, {d.row.provision}: {delivery_words(d)}"
            + (f" · {format_pence(d.cost_pence)}" if d.cost_pence is not None else ""),
            spacing="None",
        )
        for d in rows
    ]
    total = delivered_total(rows)
    if total is not None:
        lines.append(text(f"What was delivered costs {format_pence(total)} at the map's rates.", subtle=True))
    return lines


def _next_step(recommendation: str, reference: str) -> str:
    if recommendation in ("continue", "adjust"):
        return "Continuing or adjusting the funding goes to the next meeting for a decision."
    if recommendation == "stop":
        return "The funding stops; what was not yet paid goes back to the cluster's budget."
    if recommendation == "ehcna":
        return (
            "The next meeting decides whether the funding carries on while the EHC needs assessment is made. "
            f"To reuse the referral's paperwork for the request, say “export {reference}” for its pack."
        )
    return "The cluster's admin has the review."


def review_submitted_card(view: ReviewView) -> Card:
    """Confirms a submitted review and what happens next."""
    recommendation = dict(RECOMMENDATIONS).get(str(view.answers.get("recommendation", "")), "")
    body = [
        heading(f"Review submitted: {view.reference}"),
        text(f"Recommendation: {recommendation}."),
        text(_next_step(str(view.answers.get("recommendation", "")), view.reference)),
    ]
    if view.outcomes:
        body += [text("Outcomes set", weight="Bolder"), *rated_lines(view.rated)]
    if any(d.weeks is not None for d in view.delivered):
        body += [text("Provision delivered", weight="Bolder"), *delivered_lines(view.delivered)]
    return card(body)

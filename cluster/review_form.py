"""The review form's fields and checks: outcomes against what was set, impact, spend, and a recommendation.

Each outcome the referral set (``cluster.impact.outcomes_of``) gets one required rating; a referral stored
before outcomes were set one per line has none, and its review describes them in the free-text box only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from cluster.decisions import default_review_date
from cluster.forms import Checked, Field, FieldType, as_typed, check_form
from cluster.impact import RATING_CHOICES, RATING_FIELD, rating_field
from cluster.review_plan import Paid, PlannedRow, confirms_rows, delivered_field, delivery_fields

RECOMMENDATIONS: tuple[tuple[str, str], ...] = (
    ("continue", "Continue the funding"),
    ("adjust", "Adjust the amount"),
    ("stop", "Stop the funding"),
    ("ehcna", "Move to an EHC needs assessment"),
)
# A move to an EHC needs assessment goes to the meeting too: the cluster decides whether funding carries on
# while the council assesses (otherwise the review would be left with nobody to decide it).
GOES_TO_MEETING = frozenset({"continue", "adjust", "ehcna"})
CONTINUES = frozenset({"continue", "adjust"})

REVIEW_FIELDS: tuple[Field, ...] = (
    Field("outcomes_achieved", "Outcomes achieved, against the outcomes set", FieldType.MULTILINE, max_length=3000),
    Field("attendance", "Evidence of impact: attendance", FieldType.MULTILINE, max_length=1500),
    Field("progress", "Evidence of impact: progress", FieldType.MULTILINE, max_length=1500),
    Field("wellbeing", "Evidence of impact: wellbeing", FieldType.MULTILINE, max_length=1500),
    Field("provision_delivered", "Provision delivered", FieldType.MULTILINE, max_length=3000),
    Field("actual_spend", "Actual spend (£)", FieldType.MONEY, minimum=0, maximum=500_000_00),
    Field("recommendation", "Recommendation", FieldType.CHOICE, choices=RECOMMENDATIONS),
    Field(
        "adjusted_amount",
        "New amount, if adjusting (£)",
        FieldType.MONEY,
        required=False,
        minimum=1,
        maximum=500_000_00,
    ),
    Field("next_review", "Next review date, if continuing", FieldType.DATE, required=False),
)


RATE_THIS = "Rate this outcome: achieved, partly achieved or not achieved."
# Where a rating for an outcome the referral does not set is reported (a forged or out-of-date card).
EXTRA_RATINGS = "outcome_ratings"


def rating_fields(outcomes: Sequence[str]) -> tuple[Field, ...]:
    """One required choice per outcome set, in order; the card shows each under its outcome's text."""
    return tuple(
        Field(rating_field(position), f"Outcome {position}", FieldType.CHOICE, choices=RATING_CHOICES)
        for position in range(1, len(outcomes) + 1)
    )


# With the map confirmed row by row, the provision delivered needs no words: they are for anything else.
ANYTHING_ELSE = "Anything else about the provision delivered"


def rest_of_form(rows: Sequence[PlannedRow] = ()) -> tuple[Field, ...]:
    """The fields after the ratings and the map's rows: the words about delivery optional when rows confirm it."""
    if not rows:
        return REVIEW_FIELDS
    return tuple(
        replace(f, label=ANYTHING_ELSE, required=False) if f.name == "provision_delivered" else f for f in REVIEW_FIELDS
    )


def review_fields(outcomes: Sequence[str] = (), rows: Sequence[PlannedRow] = ()) -> tuple[Field, ...]:
    """The review form's fields: a rating per outcome set, the weeks delivered per map row, then the rest."""
    return (*rating_fields(outcomes), *delivery_fields(rows), *rest_of_form(rows))


def prefilled(
    outcomes: Sequence[str], rows: Sequence[PlannedRow], paid: Paid | None, answers: Mapping[str, Any]
) -> dict[str, str]:
    """The form's values: what the review holds, else the plan (weeks as planned) and what was paid (the spend).

    The SENCO then confirms or changes them; nothing is stored until the form is submitted.
    """
    start: dict[str, Any] = {delivered_field(row.position): row.weeks for row in rows}
    if paid is not None and paid.paid_pence:
        start["actual_spend"] = paid.paid_pence
    return as_typed(review_fields(outcomes, rows), {**start, **answers})


def _extra_ratings(raw: Mapping[str, Any], count: int) -> str | None:
    """A message when the form rates an outcome the referral does not set, else None."""
    expected = {rating_field(position) for position in range(1, count + 1)}
    prefix = RATING_FIELD.format("")
    if any(isinstance(k, str) and k.startswith(prefix) and k not in expected for k in raw):
        if not count:
            return "This referral set no outcomes one by one, so there are none to rate: describe them below."
        return f"Only the {count} outcome{'s' if count > 1 else ''} the referral set can be rated."
    return None


def check_review(
    raw: Mapping[str, Any], today: date, outcomes: Sequence[str] = (), rows: Sequence[PlannedRow] = ()
) -> Checked:
    """Check a review form, with the rules that span fields.

    ``outcomes`` are those the referral set, ``rows`` its provision map; a form that confirms the map row by
    row needs the weeks of every row, one sent before it did (no weeks) the provision delivered in words.
    """
    confirmed = rows if confirms_rows(raw, rows) else ()
    checked = check_form(review_fields(outcomes, confirmed), raw)
    errors = dict(checked.errors)
    for f in rating_fields(outcomes):
        if f.name in errors:  # missing, or a value that is none of the three (a forged card)
            errors[f.name] = RATE_THIS
    extra = _extra_ratings(raw, len(outcomes))
    if extra:
        errors[EXTRA_RATINGS] = extra
    values = checked.values
    recommendation = values.get("recommendation")
    if recommendation == "adjust" and "adjusted_amount" not in values and "adjusted_amount" not in errors:
        errors["adjusted_amount"] = "Give the new amount when recommending an adjustment."
    if recommendation in CONTINUES:
        if "next_review" not in values and "next_review" not in errors:
            errors["next_review"] = "Give the next review date when the funding is to continue."
        elif "next_review" in values:
            chosen = date.fromisoformat(values["next_review"])
            if chosen <= today:
                errors["next_review"] = "The next review must be after today."
            elif chosen > default_review_date(today):
                errors["next_review"] = "The next review must be within a year."
    return Checked(values, errors)

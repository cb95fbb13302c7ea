"""The review form's fields and checks: outcomes against what was set, impact, spend, and a recommendation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cluster.decisions import default_review_date
from cluster.forms import Checked, Field, FieldType, check_form

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


def check_review(raw: Mapping[str, Any], today: date) -> Checked:
    """Check a review form, with the rules that span fields."""
    checked = check_form(REVIEW_FIELDS, raw)
    errors = dict(checked.errors)
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

"""The review cards' commands: opening the review form, submitting it, snoozing its nudges.

A review's form depends on the outcomes its referral set (one rating per outcome), so what was typed comes
as :func:`~cluster.commands.inputs.answers` for the use case to check against that review's form
(:func:`cluster.review_form.check_review`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cluster.commands.inputs import answers, row_id

REVIEW_GONE = "I can't find that review, or it isn't one you can see."


@dataclass(frozen=True, kw_only=True)
class OneReview:
    """A button that names one review: open its form, or pause its nudges for a week."""

    review_id: int = row_id(REVIEW_GONE)


@dataclass(frozen=True, kw_only=True)
class SubmitReview:
    """Submit a review: the form's answers, checked against the outcomes the referral set."""

    review_id: int = row_id(REVIEW_GONE)
    answers: dict[str, str] = answers()

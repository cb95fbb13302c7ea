"""Reviews in personal chat: the lists, the form, snoozing; each calls one use case.

The review form that comes back with mistakes is drawn again by :func:`open_review` (the submit's
``form=``), with what was typed kept and each mistake beside its field.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.reviews import review_form_card, review_submitted_card, reviews_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.commands.reviews import OneReview, SubmitReview
from cluster.review_form import prefilled
from usecases import reviews as uc


@ACTIONS.personal("reviews", p.MY_REVIEWS)
@ACTIONS.verb(verbs.REVIEWS, p.MY_REVIEWS)
def my_reviews(turn: Turn, _: Nothing) -> Reply:
    """The person's setting's reviews and their states."""
    return Reply(card=reviews_card(uc.my_reviews(turn.engine, turn.actor, turn.now())))


@ACTIONS.personal("reviews due", p.REVIEWS_DUE)
def reviews_due(turn: Turn, _: Nothing) -> Reply:
    """The cluster's reviews that are due, overdue or waiting for a decision (chairs and admins)."""
    page = uc.reviews_due(turn.engine, turn.actor, turn.now())
    return Reply(card=reviews_card(page.items, "Reviews due in your cluster", page.more))


@ACTIONS.verb(verbs.REVIEW_OPEN, p.DO_REVIEW, OneReview)
def open_review(turn: Turn, command: OneReview) -> Reply:
    """The review form: as stored (at first the plan and what was paid), or as typed when it comes back to fix."""
    view = uc.open_review(turn.engine, turn.actor, command, turn.now())
    values = turn.values or prefilled(view.outcomes, view.planned, view.paid, view.answers)
    return Reply(card=review_form_card(view, values, turn.errors))


@ACTIONS.verb(verbs.REVIEW_SUBMIT, p.DO_REVIEW, SubmitReview, form=open_review)
def submit_review(turn: Turn, command: SubmitReview) -> Reply:
    """Submit the review; mistakes come back next to their fields."""
    return Reply(card=review_submitted_card(uc.submit_review(turn.engine, turn.actor, command, turn.now())))


@ACTIONS.verb(verbs.REVIEW_SNOOZE, p.SNOOZE_REVIEW, OneReview)
def snooze_review(turn: Turn, command: OneReview) -> Reply:
    """Pause the nudges for a week."""
    view = uc.snooze(turn.engine, turn.actor, command, turn.now())
    return Reply(text=f"I'll remind you about the review of {view.reference} again in a week.")

"""Handlers for reviews in personal chat: the lists, the form, snoozing; each calls one use case."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.actions.legacy import Routes
from bot.actions.turn import Reply, Request
from cards import verbs
from cards.reviews import review_form_card, review_submitted_card, reviews_card
from cluster.card_ids import named_id
from cluster.clock import Clock
from cluster.forms import as_typed
from cluster.review_form import review_fields
from usecases import reviews as uc


class ReviewRoutes:
    """``reviews``, ``reviews due`` and the review cards' verbs."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register commands and verbs."""
        routes.personal.update({"reviews": self.mine, "reviews due": self.due})
        routes.verbs.update(
            {
                verbs.REVIEWS: self.mine,
                verbs.REVIEW_OPEN: self.open,
                verbs.REVIEW_SUBMIT: self.submit,
                verbs.REVIEW_SNOOZE: self.snooze,
            }
        )

    @staticmethod
    def _id(request: Request) -> int:
        return named_id(request.data.get("review_id"), uc.NOT_FOUND)

    async def mine(self, request: Request) -> Reply:
        """The person's setting's reviews and their states."""
        return Reply(card=reviews_card(uc.my_reviews(self.engine, request.actor, self.clock.now())))

    async def due(self, request: Request) -> Reply:
        """The cluster's reviews that are due, overdue or waiting for a decision (chairs and admins)."""
        page = uc.reviews_due(self.engine, request.actor, self.clock.now())
        return Reply(card=reviews_card(page.items, "Reviews due in your cluster", page.more))

    async def open(self, request: Request) -> Reply:
        """The review form."""
        view = uc.open_review(self.engine, request.actor, self._id(request), self.clock.now())
        return Reply(card=review_form_card(view, as_typed(review_fields(view.outcomes), view.answers), {}))

    async def submit(self, request: Request) -> Reply:
        """Submit the review; mistakes come back next to their fields."""
        try:
            view = uc.submit_review(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        except uc.Mistakes as bad:
            return Reply(card=review_form_card(bad.view, bad.values, bad.errors))
        return Reply(card=review_submitted_card(view))

    async def snooze(self, request: Request) -> Reply:
        """Pause the nudges for a week."""
        view = uc.snooze(self.engine, request.actor, self._id(request), self.clock.now())
        return Reply(text=f"I'll remind you about the review of {view.reference} again in a week.")

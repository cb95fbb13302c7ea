"""Handlers for meeting day in the cluster's channel: agenda, votes, decisions, minutes.

The agenda, each vote card and the minutes are shared messages. The use cases owe a redraw of the cards
they change, in the same transaction (``store.meeting_day``); the handlers here ask for delivery, which the
sender does in the background (``bot.channel_cards`` draws the cards). The person who clicks gets their own
view back as the invoke's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Engine

from bot.files import file_consent_card
from bot.routes import Notice, Reply, Request, Routes, text_input
from cards import meeting as mc
from cards import verbs
from cluster.agenda import VoteView
from cluster.card_ids import parse_card_id
from cluster.clock import Clock
from cluster.decisions import default_review_date
from cluster.errors import InvalidInput, Refusal
from cluster.provision import parse_money
from reports.minutes import minutes_filename, minutes_markdown, minutes_xlsx
from store import meeting_day as md

# Votes come in bursts when the chair opens an item; the shared card is redrawn once for each burst.
VOTE_REDRAW_SECONDS = 0.5
DECISION_INPUTS = ("outcome", "amount", "review_date", "schedule", "conditions", "feedback", "information_needed")


class DeliverSoon(Protocol):
    """Has what is owed delivered in the background (``bot.notify.Notifier.deliver_soon``)."""

    def __call__(self, after_seconds: float = 0.0) -> None:
        """Deliver soon; ``after_seconds`` lets a burst of changes go out together."""
        ...


class MeetingRoutes:
    """The meeting commands and verbs, added to the shared :class:`~bot.routes.Routes`."""

    def __init__(self, engine: Engine, clock: Clock, deliver_soon: DeliverSoon) -> None:
        self.engine = engine
        self.clock = clock
        # The use cases owe redraws of the channel cards they change; this has them delivered.
        self.deliver_soon = deliver_soon

    def install(self, routes: Routes) -> None:
        """Register commands and verbs."""
        routes.channel.update({"agenda": self.agenda, "minutes": self.minutes})
        routes.personal["minutes"] = self.export_minutes
        routes.verbs.update(
            {
                verbs.MEETING_START: self.start,
                verbs.AGENDA_SHOW: self.show_agenda,
                verbs.ITEM_OPEN: self.open_item,
                verbs.VOTE_CAST: self.vote,
                verbs.VOTE_INTEREST: self.interest,
                verbs.VOTE_REFRESH: self.refresh,
                verbs.ITEM_CLOSE: self.close,
                verbs.DECISION_FORM: self.decision_form,
                verbs.DECISION_RECORD: self.record,
                verbs.MEETING_END: self.end,
            }
        )

    def _in_channel(self, request: Request) -> str:
        if request.kind != "channel":
            raise Refusal("Meetings are run in the cluster's team channel.")
        return request.conversation_id

    # --- agenda ---

    async def agenda(self, request: Request) -> Reply:
        """``@bot agenda``: post the next meeting's agenda, replacing the one posted before."""
        channel = self._in_channel(request)
        md.agenda_for_channel(self.engine, request.actor, channel, self.clock.now())
        self.deliver_soon()
        return Reply()

    async def show_agenda(self, request: Request) -> Reply:
        """Redraw the agenda card."""
        meeting_id = parse_card_id(request.data.get("meeting_id")) or 0
        return Reply(card=mc.agenda_card(md.agenda(self.engine, meeting_id)))

    async def start(self, request: Request) -> Reply:
        """The chair starts the meeting from the agenda card."""
        self._in_channel(request)
        view = md.start_meeting(self.engine, request.actor, request.data.get("meeting_id"), self.clock.now())
        self.deliver_soon()
        return Reply(card=mc.agenda_card(view))

    async def open_item(self, request: Request) -> Reply:
        """Open an item: its vote card appears in the agenda's thread."""
        self._in_channel(request)
        view = md.open_item(self.engine, request.actor, request.data.get("item_id"), self.clock.now())
        self.deliver_soon()
        return Reply(card=mc.agenda_card(md.agenda(self.engine, md.meeting_of_item(self.engine, view.item_id))))

    # --- votes ---

    async def vote(self, request: Request) -> Reply:
        """Approve, Decline or Abstain: counted once per setting; the shared card follows."""
        self._in_channel(request)
        data = request.data
        view = md.cast_vote(
            self.engine, request.actor, data.get("item_id"), text_input(data, "choice"), self.clock.now()
        )
        self.deliver_soon(VOTE_REDRAW_SECONDS)
        return self._personal(request, view)

    def _personal(self, request: Request, view: VoteView) -> Reply:
        """A member's own view of a vote card: their choice shown, the chair's controls only for the chair."""
        chair = md.chairs_item(self.engine, request.actor, view.item_id)
        return Reply(card=mc.vote_card(view, user_choice=True, for_chair=chair))

    async def interest(self, request: Request) -> Reply:
        """Declare an interest: the person does not vote on this item."""
        self._in_channel(request)
        view = md.declare_interest(self.engine, request.actor, request.data.get("item_id"), self.clock.now())
        self.deliver_soon(VOTE_REDRAW_SECONDS)
        return self._personal(request, view)

    async def refresh(self, request: Request) -> Reply:
        """Teams asks for a member's own view of a vote card (their choice shown)."""
        view = md.vote_view(self.engine, request.data.get("item_id"), request.actor)
        return self._personal(request, view)

    async def close(self, request: Request) -> Reply:
        """The chair closes the vote, with the casting vote on a tie."""
        self._in_channel(request)
        data = request.data
        view = md.close_item(
            self.engine, request.actor, data.get("item_id"), text_input(data, "casting") or None, self.clock.now()
        )
        self.deliver_soon()
        return Reply(card=mc.vote_card(view, user_choice=True))

    # --- decisions ---

    async def decision_form(self, request: Request) -> Reply:
        """The chair's decision form for a closed item."""
        view = md.vote_view(self.engine, request.data.get("item_id"), request.actor)
        meeting_day = md.meeting_day_of_item(self.engine, view.item_id)
        budget = md.budget_position_for_item(self.engine, view.item_id)
        return Reply(
            card=mc.decision_form_card(
                view, view.entry.requested_pence, {}, {}, default_review_date(meeting_day), budget
            )
        )

    async def record(self, request: Request) -> Reply:
        """Record the decision; the shared cards follow and the referrer is told 1:1."""
        self._in_channel(request)
        data = request.data
        item_id = data.get("item_id")
        try:
            amount, review, errors = self._parse_decision(data)
            if errors:
                raise InvalidInput(errors, {k: text_input(data, k) for k in DECISION_INPUTS})
            decided = md.record_decision(
                self.engine,
                request.actor,
                item_id,
                text_input(data, "outcome"),
                amount_pence=amount,
                review_date=review,
                schedule=text_input(data, "schedule") or None,
                conditions=text_input(data, "conditions"),
                feedback=text_input(data, "feedback"),
                information_needed=text_input(data, "information_needed"),
                draw_on_reserve=text_input(data, "draw_on_reserve").lower() == "true",
                now=self.clock.now(),
            )
        except InvalidInput as bad:
            view = md.vote_view(self.engine, item_id, request.actor)
            meeting_day = md.meeting_day_of_item(self.engine, view.item_id)
            return Reply(
                card=mc.decision_form_card(
                    view,
                    view.entry.requested_pence,
                    bad.values,
                    bad.errors,
                    default_review_date(meeting_day),
                    md.budget_position_for_item(self.engine, view.item_id),
                )
            )
        self.deliver_soon()
        notice = mc.outcome_notice_card(decided.vote.entry, decided.decision, decided.meeting_day, decided.deferred_to)
        return Reply(card=mc.vote_card(decided.vote), notices=(Notice((decided.referrer,), notice),))

    @staticmethod
    def _parse_decision(data: Mapping[str, Any]) -> tuple[int | None, date | None, dict[str, str]]:
        errors: dict[str, str] = {}
        amount: int | None = None
        review: date | None = None
        if text_input(data, "amount"):
            try:
                amount = parse_money(text_input(data, "amount"))
            except ValueError as exc:
                errors["amount"] = f"Amount: {exc}."
        if text_input(data, "review_date"):
            try:
                review = date.fromisoformat(text_input(data, "review_date"))
            except ValueError:
                errors["review_date"] = "The review date must be a date."
        if not text_input(data, "outcome"):
            errors["outcome"] = "Choose the outcome."
        return amount, review, errors

    # --- the end ---

    async def end(self, request: Request) -> Reply:
        """End the meeting: the minutes are posted to the channel."""
        self._in_channel(request)
        minutes = md.end_meeting(self.engine, request.actor, request.data.get("meeting_id"), self.clock.now())
        self.deliver_soon()
        return Reply(card=mc.agenda_card(md.agenda(self.engine, minutes.meeting.id)))

    async def minutes(self, request: Request) -> Reply:
        """``@bot minutes``: the minutes of the latest meeting."""
        channel = self._in_channel(request)
        return Reply(card=mc.minutes_card(md.minutes(self.engine, request.actor, channel, self.clock.now())))

    async def export_minutes(self, request: Request) -> Reply:
        """``minutes`` in personal chat: the latest minutes as Markdown and as a spreadsheet (Teams asks first)."""
        view = md.member_minutes(self.engine, request.actor, self.clock.now())
        now = self.clock.now()
        offers = tuple(
            file_consent_card(
                minutes_filename(view, extension),
                size,
                {"kind": "minutes", "meeting_id": view.meeting.id, "format": extension},
            )
            for extension, size in (
                ("md", len(minutes_markdown(view, now).encode("utf-8"))),
                ("xlsx", len(minutes_xlsx(view, now))),
            )
        )
        return Reply(
            text=f"Here are the minutes of {view.cluster}'s meeting on {view.meeting.day:%-d %B %Y}.",
            attachments=offers,
        )

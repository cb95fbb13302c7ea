"""Handlers for meeting day in the cluster's channel: agenda, votes, decisions, minutes.

The agenda, each vote card and the minutes are shared messages. The use cases owe a redraw of the cards
they change, in the same transaction (``usecases.agenda``, ``votes``, ``decisions``, ``minutes``); the
handlers here ask for delivery, which the sender does in the background (``bot.delivery.channel_cards`` draws the
cards). Each handler reads the card's ids once (``cluster.card_ids``) and calls one use case, which returns
everything the answer shows: the person who clicks gets their own view back as the invoke's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Engine

from bot.actions.ledger import letter_offer
from bot.actions.legacy import Routes, text_input
from bot.actions.turn import DeliverSoon, Reply, Request
from bot.teams.files import file_consent_card
from cards import meeting as mc
from cards import verbs
from cards.common import plain
from cluster.card_ids import item_id_of, meeting_id_of
from cluster.clock import Clock
from cluster.decisions import default_review_date
from cluster.errors import Refusal
from cluster.provision import NotAnAmount, parse_money
from reports.minutes import minutes_filename, minutes_markdown, minutes_xlsx
from usecases import agenda as agenda_uc
from usecases import decisions as decisions_uc
from usecases import minutes as minutes_uc
from usecases import votes as votes_uc
from usecases.decisions import Decided, DecisionForm
from usecases.votes import PersonalVote

# Votes come in bursts when the chair opens an item; the shared card is redrawn once for each burst.
VOTE_REDRAW_SECONDS = 0.5


def outcome_notice(decided: Decided) -> dict[str, Any]:
    """The referrer's notice of a decision (owed by the use case with the decision), with its instalments."""
    return mc.outcome_notice_card(
        decided.vote.entry,
        decided.decision,
        decided.meeting_day,
        decided.deferred_to,
        decided.payments,
        decided.decision_id or None,  # a letter not made with the decision is made when asked for
    )


def decision_letter_offer(decided: Decided) -> dict[str, Any]:
    """The file offer of the decision's letter, owed beside the outcome notice."""
    assert decided.letter is not None
    filename, size = decided.letter
    return letter_offer(decided.decision_id, filename, size)


class MeetingRoutes:
    """The meeting commands and verbs, added to the shared :class:`~bot.actions.router.Routes`."""

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
        agenda_uc.agenda_for_channel(self.engine, request.actor, channel, self.clock.now())
        self.deliver_soon()
        return Reply()

    async def show_agenda(self, request: Request) -> Reply:
        """Redraw the agenda card."""
        return Reply(card=mc.agenda_card(agenda_uc.agenda_for(self.engine, request.actor, meeting_id_of(request.data))))

    async def start(self, request: Request) -> Reply:
        """The chair starts the meeting from the agenda card."""
        self._in_channel(request)
        view = agenda_uc.start_meeting(self.engine, request.actor, meeting_id_of(request.data), self.clock.now())
        self.deliver_soon()
        return Reply(card=mc.agenda_card(view))

    async def open_item(self, request: Request) -> Reply:
        """Open an item: its vote card appears in the agenda's thread; the chair sees the agenda."""
        self._in_channel(request)
        view = votes_uc.open_item(self.engine, request.actor, item_id_of(request.data), self.clock.now())
        self.deliver_soon()
        return Reply(card=mc.agenda_card(view))

    # --- votes ---

    async def vote(self, request: Request) -> Reply:
        """Approve, Decline or Abstain: counted once per setting; the shared card follows."""
        self._in_channel(request)
        data = request.data
        mine = votes_uc.cast_vote(
            self.engine, request.actor, item_id_of(data), text_input(data, "choice"), self.clock.now()
        )
        self.deliver_soon(VOTE_REDRAW_SECONDS)
        return self._personal(mine)

    @staticmethod
    def _personal(mine: PersonalVote) -> Reply:
        """A member's own view of a vote card: their choice shown, the chair's controls only for the chair."""
        return Reply(card=mc.vote_card(mine.view, user_choice=True, for_chair=mine.chairs))

    async def interest(self, request: Request) -> Reply:
        """Declare an interest: the person does not vote on this item."""
        self._in_channel(request)
        mine = votes_uc.declare_interest(self.engine, request.actor, item_id_of(request.data), self.clock.now())
        self.deliver_soon(VOTE_REDRAW_SECONDS)
        return self._personal(mine)

    async def refresh(self, request: Request) -> Reply:
        """Teams asks for a member's own view of a vote card (their choice shown)."""
        return self._personal(votes_uc.personal_vote(self.engine, request.actor, item_id_of(request.data)))

    async def close(self, request: Request) -> Reply:
        """The chair closes the vote, with the casting vote on a tie."""
        self._in_channel(request)
        data = request.data
        view = votes_uc.close_item(
            self.engine, request.actor, item_id_of(data), text_input(data, "casting") or None, self.clock.now()
        )
        self.deliver_soon()
        return Reply(card=mc.vote_card(view, user_choice=True))

    # --- decisions ---

    async def decision_form(self, request: Request) -> Reply:
        """The chair's decision form for a closed item, or for a discussion (advice, without a vote)."""
        return Reply(card=self._form(decisions_uc.decision_form(self.engine, request.actor, item_id_of(request.data))))

    @staticmethod
    def _form(
        form: DecisionForm, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The decision form, offering only the outcomes the item's vote allows."""
        return mc.decision_form_card(
            form.vote,
            form.vote.entry.requested_pence,
            values or {},
            errors or {},
            default_review_date(form.meeting_day),
            form.position,
            meeting_id=form.meeting_id,
        )

    async def record(self, request: Request) -> Reply:
        """Record the decision; the shared cards follow and the referrer is told 1:1.

        The use case owes the referrer's notice with the decision, so a doubled click tells them once.
        """
        self._in_channel(request)
        data = request.data
        item_id = item_id_of(data)
        amount, review, errors = self._parse_decision(data)
        if errors:
            typed = {k: text_input(data, k) for k in mc.DECISION_INPUTS}  # the form's own list of its inputs
            form = decisions_uc.decision_form(self.engine, request.actor, item_id)
            return Reply(card=self._form(form, typed, errors))
        decided = decisions_uc.record_decision(
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
            notice=outcome_notice,
            letter_offer=decision_letter_offer,
        )
        self.deliver_soon()
        if decided.agenda is not None:  # a discussion, decided from the agenda without a vote card
            return Reply(card=mc.agenda_card(decided.agenda))
        return Reply(card=mc.vote_card(decided.vote))

    @staticmethod
    def _parse_decision(data: Mapping[str, Any]) -> tuple[int | None, date | None, dict[str, str]]:
        errors: dict[str, str] = {}
        amount: int | None = None
        review: date | None = None
        if text_input(data, "amount"):
            try:
                amount = parse_money(text_input(data, "amount"))
            except NotAnAmount as wrong:
                errors["amount"] = wrong.message
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
        """End the meeting: the minutes are posted to the channel; the chair sees the agenda.

        What the meeting did not reach goes to the next one, and each referrer is told 1:1.
        """
        self._in_channel(request)
        view = minutes_uc.end_meeting(
            self.engine,
            request.actor,
            meeting_id_of(request.data),
            self.clock.now(),
            moved_notice=mc.moved_notice_card,
        )
        self.deliver_soon()
        return Reply(card=mc.agenda_card(view))

    async def minutes(self, request: Request) -> Reply:
        """``@bot minutes``: the minutes of the latest meeting."""
        channel = self._in_channel(request)
        return Reply(card=mc.minutes_card(minutes_uc.minutes(self.engine, request.actor, channel, self.clock.now())))

    async def export_minutes(self, request: Request) -> Reply:
        """``minutes`` in personal chat: the latest minutes as Markdown and as a spreadsheet (Teams asks first)."""
        # Only offered here: each file accepted writes its one audit line (bot.teams.file_desk).
        view = minutes_uc.member_minutes(self.engine, request.actor, self.clock.now(), offer_only=True)
        now = self.clock.now()
        # Building a document takes a while for a long meeting: off the event loop, so other turns go on.
        markdown = await asyncio.to_thread(minutes_markdown, view, now)
        workbook = await asyncio.to_thread(minutes_xlsx, view, now)
        offers = tuple(
            file_consent_card(
                minutes_filename(view, extension),
                size,
                {"kind": "minutes", "meeting_id": view.meeting.id, "format": extension},
            )
            for extension, size in (("md", len(markdown.encode("utf-8"))), ("xlsx", len(workbook)))
        )
        return Reply(
            text=f"Here are the minutes of {plain(view.cluster)}'s meeting on {view.meeting.day:%-d %B %Y}.",
            attachments=offers,
        )

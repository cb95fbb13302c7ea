"""Handlers for the Capital Fund in personal chat: rounds, the panel, the Board, the project, the report.

Each calls one use case (``usecases.capital``) and answers with the card it returns; notices the use case
owed (the Board's decision, the release, scoring cards for a newly named member) are delivered soon after.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.actions.legacy import Routes
from bot.actions.turn import DeliverSoon, Reply, Request
from bot.teams.files import file_consent_card
from cards import capital as cc
from cards import verbs
from cluster.capital_fund import Criterion
from cluster.card_ids import named_id
from cluster.clock import LONDON, Clock
from reports.capital import capital_filename, capital_xlsx
from usecases import capital as uc

PERSON_GONE = "That person is no longer on the cluster's roster."


class CapitalRoutes:
    """``capital``, ``panel members``, ``capital report`` and the Capital Fund cards' verbs."""

    def __init__(self, engine: Engine, clock: Clock, deliver_soon: DeliverSoon) -> None:
        self.engine = engine
        self.clock = clock
        self.deliver_soon = deliver_soon

    def install(self, routes: Routes) -> None:
        """Register the commands and verbs."""
        routes.personal.update({"capital": self.overview, "panel members": self.panel, "capital report": self.report})
        routes.verbs.update(
            {
                verbs.CAPITAL: self.overview,
                verbs.CAPITAL_ROUND_SET: self.set_round,
                verbs.CAPITAL_OPEN: self.open,
                verbs.CAPITAL_SCORE: self.score,
                verbs.CAPITAL_PANEL_CLOSE: self.close_panel,
                verbs.CAPITAL_RECOMMEND: self.recommend,
                verbs.CAPITAL_PANEL: self.panel,
                verbs.CAPITAL_PANEL_ADD: self.add_member,
                verbs.CAPITAL_PANEL_REMOVE: self.remove_member,
                verbs.CAPITAL_BOARD: self.board,
                verbs.CAPITAL_STARTED: self.started,
                verbs.CAPITAL_COMPLETED: self.completed,
                verbs.CAPITAL_INVOICE: self.invoice,
                verbs.CAPITAL_VISIT: self.visit,
                verbs.CAPITAL_RELEASE: self.release,
                verbs.CAPITAL_EVALUATE: self.evaluate,
                verbs.CAPITAL_REPORT: self.report,
            }
        )

    @staticmethod
    def _id(request: Request) -> int:
        return named_id(request.data.get("referral_id"), uc.NOT_FOUND)

    def _card(self, opened: uc.Opened, mistakes: uc.Mistakes | None = None) -> Reply:
        today = self.clock.now().astimezone(LONDON).date()
        return Reply(
            card=cc.application_card(
                opened.view,
                opened.viewer,
                today,
                values=mistakes.values if mistakes else None,
                errors=mistakes.errors if mistakes else None,
                notice=opened.notice,
            )
        )

    @staticmethod
    def _overview(shown: uc.Overview, mistakes: uc.RoundMistakes | None = None, notice: str | None = None) -> Reply:
        return Reply(
            card=cc.capital_card(
                shown.rounds,
                shown.applications,
                officer=shown.officer,
                admin=shown.admin,
                to_score=shown.to_score,
                more=shown.more,
                values=mistakes.values if mistakes else None,
                errors=mistakes.errors if mistakes else None,
                notice=notice,
            )
        )

    # --- rounds and applications ---

    async def overview(self, request: Request) -> Reply:
        """The rounds, and the applications the person takes part in."""
        return self._overview(uc.overview(self.engine, request.actor, self.clock.now()))

    async def set_round(self, request: Request) -> Reply:
        """A council officer sets (or corrects) a round; mistakes come back next to their fields."""
        try:
            shown = uc.set_round_from_card(self.engine, request.actor, request.data, self.clock.now())
        except uc.RoundMistakes as bad:
            return self._overview(bad.overview, bad)
        return self._overview(shown, notice="The round is saved.")

    async def open(self, request: Request) -> Reply:
        """One application, as this person may see and act on it."""
        return self._card(uc.open_application(self.engine, request.actor, self._id(request), self.clock.now()))

    # --- the panel ---

    async def score(self, request: Request) -> Reply:
        """A panel member saves their scores."""
        data = request.data
        scores = {c.value: data.get(f"score_{c.value}") for c in Criterion}
        comments = {c.value: data.get(f"comment_{c.value}") for c in Criterion}
        try:
            opened = uc.score(self.engine, request.actor, self._id(request), scores, comments, self.clock.now())
        except uc.Mistakes as bad:
            return self._card(bad.opened, bad)
        return self._card(opened)

    async def close_panel(self, request: Request) -> Reply:
        """The chair closes the scoring; the averages show from then on."""
        return self._card(uc.close_panel(self.engine, request.actor, self._id(request), self.clock.now()))

    async def recommend(self, request: Request) -> Reply:
        """The chair records the panel's recommendation."""
        try:
            opened = uc.recommend(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        except uc.Mistakes as bad:
            return self._card(bad.opened, bad)
        return self._card(opened)

    def _panel_reply(self, panel: uc.PanelCard, notice: str | None = None) -> Reply:
        members = [(m.person_id, m.name, m.how, m.named) for m in panel.members]
        return Reply(card=cc.panel_card(panel.cluster, members, panel.candidates, notice))

    async def panel(self, request: Request) -> Reply:
        """The admin's panel members card."""
        return self._panel_reply(uc.panel_members(self.engine, request.actor))

    async def add_member(self, request: Request) -> Reply:
        """Name a SENCO or delegate to the panel (they are sent the cards of applications being scored)."""
        person = named_id(request.data.get("person_id"), "Choose who to name to the panel.")
        panel = uc.add_panel_member(
            self.engine, request.actor, person, self.clock.now(), score_card=cc.score_request_card
        )
        self.deliver_soon()
        return self._panel_reply(panel, "Named to the panel.")

    async def remove_member(self, request: Request) -> Reply:
        """Take a named SENCO off the panel."""
        person = named_id(request.data.get("person_id"), PERSON_GONE)
        return self._panel_reply(uc.remove_panel_member(self.engine, request.actor, person, self.clock.now()))

    # --- the Board, the project, the release, the impact ---

    async def board(self, request: Request) -> Reply:
        """A council officer records the Board's decision; the setting is told."""
        try:
            opened = uc.board_decision(
                self.engine,
                request.actor,
                self._id(request),
                request.data,
                self.clock.now(),
                notice=cc.board_notice_card,
            )
        except uc.Mistakes as bad:
            return self._card(bad.opened, bad)
        self.deliver_soon()
        return self._card(opened)

    async def started(self, request: Request) -> Reply:
        """The SENCO marks the project started."""
        return self._card(
            uc.mark_started(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        )

    async def completed(self, request: Request) -> Reply:
        """The SENCO marks the project completed."""
        return self._card(
            uc.mark_completed(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        )

    async def invoice(self, request: Request) -> Reply:
        """The SENCO gives a paid invoice's amount; its file follows in chat. A mistake comes back beside it."""
        try:
            opened = uc.add_invoice(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        except uc.Mistakes as bad:
            return self._card(bad.opened, bad)
        return self._card(opened)

    async def visit(self, request: Request) -> Reply:
        """The team records the quality-assurance visit."""
        try:
            opened = uc.record_visit(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        except uc.Mistakes as bad:
            return self._card(bad.opened, bad)
        return self._card(opened)

    async def release(self, request: Request) -> Reply:
        """A council officer releases the money (refused, naming what is missing, until everything is in)."""
        opened = uc.release(
            self.engine, request.actor, self._id(request), self.clock.now(), notice=cc.released_notice_card
        )
        self.deliver_soon()
        return self._card(opened)

    async def evaluate(self, request: Request) -> Reply:
        """The project's impact is recorded."""
        try:
            opened = uc.evaluate(self.engine, request.actor, self._id(request), request.data, self.clock.now())
        except uc.Mistakes as bad:
            return self._card(bad.opened, bad)
        return self._card(opened)

    async def report(self, request: Request) -> Reply:
        """The capital report as a spreadsheet, offered as a file (Teams asks first)."""
        now = self.clock.now()
        made = uc.report(
            self.engine, request.actor, now, offer_only=True
        )  # audited once, on accept (bot.teams.file_desk)
        data = capital_xlsx(made.rounds, made.applications, now)  # the handler already runs off the event loop
        offer = file_consent_card(capital_filename(made.made_on), len(data), {"kind": "capital"})
        count = len(made.applications)
        return Reply(
            text=f"Here is the Capital Fund report: {count} application{'s' if count != 1 else ''}.",
            attachments=(offer,),
        )

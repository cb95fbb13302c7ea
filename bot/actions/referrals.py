"""Handlers for referral intake in personal chat: each calls one use case and picks the next card.

Card ids are read once, here, into ints for the use case. Forms come back with their mistakes next to the
fields and the person's input kept (:class:`usecases.referrals.Mistakes`, which carries the referral to draw
again); nothing from a bad submission is stored.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Engine

from bot.actions.legacy import Handler, Routes
from bot.actions.turn import DeliverSoon, Reply, Request
from bot.teams.files import file_consent_card
from cards import referrals as rc
from cards import verbs
from cards.common import plain
from cards.meeting_day.notices import moved_notice_card
from cluster.card_ids import is_missing, named_id, parse_card_id
from cluster.clock import Clock
from cluster.errors import InvalidInput, Refusal
from cluster.forms import as_typed
from cluster.referrals import CONTRIBUTION_FIELD, COSTED, NO_COST_ROWS, NO_ROWS, ReferralView, State, form_fields
from reports.referral_pack import pack_filename
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.lists import Page


class ReferralRoutes:
    """The referral commands and verbs, added to the shared :class:`~bot.actions.router.Routes`."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        export: Callable[[ReferralView, datetime, str], bytes],
        deliver_soon: DeliverSoon,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.export_document = export
        # The use cases owe their notices with the change they follow; this has them delivered.
        self.deliver_soon = deliver_soon

    def install(self, routes: Routes) -> None:
        """Register commands and verbs."""
        routes.personal.update(
            {"new referral": self.new, "my referrals": self.mine, "referrals to check": self.to_check}
        )
        routes.prefixed["export"] = self.export
        handlers: dict[str, Handler] = {
            verbs.REFERRAL_NEW: self.new,
            verbs.REFERRAL_START: self.start,
            verbs.REFERRAL_OPEN: self.open,
            verbs.REFERRAL_SAVE: self.save,
            verbs.REFERRAL_ROWS: self.rows,
            verbs.ROW_ADD: self.row_add,
            verbs.ROW_EDIT: self.row_edit,
            verbs.ROW_SAVE: self.row_save,
            verbs.ROW_REMOVE: self.row_remove,
            verbs.CONTRIBUTION_SAVE: self.contribution,
            verbs.DOCUMENTS: self.documents,
            verbs.LINK_ADD: self.link_add,
            verbs.DOCUMENT_REMOVE: self.document_remove,
            verbs.REVIEW: self.review,
            verbs.SUBMIT: self.submit,
            verbs.WITHDRAW: self.withdraw,
            verbs.MY_REFERRALS: self.mine,
            verbs.TO_CHECK: self.to_check,
            verbs.ACCEPT: self.accept,
            verbs.RETURN: self.return_,
            verbs.EXPORT: self.export,
        }
        routes.verbs.update(handlers)

    # --- helpers ---

    @staticmethod
    def _id(request: Request) -> int:
        return named_id(request.data.get("referral_id"), uc.NOT_FOUND)

    @staticmethod
    def _row_id(request: Request) -> int | None:
        """The row a card names (None: it names none, so it is treated as a row since removed)."""
        return parse_card_id(request.data.get("row_id"))

    @staticmethod
    def _page(request: Request) -> int:
        """The page of documents a card asks for (the first, if it names none; the cards cut it to the last)."""
        return parse_card_id(request.data.get("page")) or 1

    def _now(self) -> datetime:
        return self.clock.now()

    @staticmethod
    def _rows_card(
        view: ReferralView,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        editing: int | None = None,
        contribution: str | None = None,
    ) -> Reply:
        shown = contribution
        if shown is None:
            shown = as_typed((CONTRIBUTION_FIELD,), {"contribution": view.contribution_pence})["contribution"]
        return Reply(card=rc.rows_card(view, values or {}, errors or {}, editing, view.row_ids, shown))

    @staticmethod
    def _details_card(view: ReferralView) -> Reply:
        values = rc.input_values(form_fields(view.kind, view.partner_choices), view.details)
        return Reply(card=rc.details_form_card(view, values, {}))

    def _after_details(self, view: ReferralView) -> Reply:
        if view.kind in COSTED:
            return self._rows_card(view)
        return Reply(card=rc.documents_card(view, {}, {}))

    @staticmethod
    def _to_check_card(waiting: Page[ReferralView], notice: str | None = None) -> Reply:
        return Reply(card=rc.to_check_card(waiting.items, waiting.more, notice))

    # --- starting ---

    async def new(self, request: Request) -> Reply:
        """Pick the setting and the kind; the card carries a one-off key so a repeated click makes one draft."""
        settings = uc.picker(request.actor)
        return Reply(card=rc.kind_picker_card(settings, secrets.token_hex(12)))

    async def start(self, request: Request) -> Reply:
        """Create the draft and show its form."""
        data = request.data
        view = uc.start(
            self.engine,
            request.actor,
            named_id(data.get("setting_id"), "Choose the setting this referral is for."),
            str(data.get("kind", "")),
            str(data.get("once", "")),
            self._now(),
        )
        return self._details_card(view)

    async def open(self, request: Request) -> Reply:
        """The referral where its editor left off, if the person may still change it, else its read-only card.

        A draft with nothing missing opens at its review (with Submit); a draft whose details are done but
        that has no cost rows opens at its costs; otherwise, or when a button asks for the details
        (``step: details``), at the details form. ``step: documents`` (with a ``page``) shows its documents:
        the documents step to its editor, a list to open to anyone else who may read it.
        """
        opened = uc.open_referral(self.engine, request.actor, self._id(request), self._now())
        view = opened.view
        if request.data.get("step") == "documents":
            page = self._page(request)
            return Reply(
                card=rc.documents_card(view, {}, {}, page) if opened.edit else rc.document_list_card(view, page)
            )
        if not opened.edit:
            return Reply(card=rc.referral_card(view, opened.editable))
        if request.data.get("step") != "details" and view.state is State.DRAFT:
            missing = view.missing
            if not missing:
                return Reply(card=rc.review_card(view, missing))
            if missing == [NO_ROWS]:
                return self._rows_card(view)
        return self._details_card(view)

    async def save(self, request: Request) -> Reply:
        """Save the details step and move on."""
        try:
            view = uc.save_details(self.engine, request.actor, self._id(request), request.data, self._now())
        except uc.Mistakes as bad:
            return Reply(card=rc.details_form_card(bad.view, bad.values, bad.errors))
        return self._after_details(view)

    # --- provision map ---

    async def rows(self, request: Request) -> Reply:
        """The costed provision map step (a forged click on a kind without one is refused, not drawn)."""
        view = uc.open_for_edit(self.engine, request.actor, self._id(request), self._now())
        if view.kind not in COSTED:
            raise Refusal(NO_COST_ROWS)
        return self._rows_card(view)

    async def row_add(self, request: Request) -> Reply:
        """Add a row; mistakes come back in the row form."""
        try:
            view = uc.add_row(self.engine, request.actor, self._id(request), request.data, self._now())
        except uc.Mistakes as bad:
            return self._rows_card(bad.view, bad.values, bad.errors)
        return self._rows_card(view)

    async def row_edit(self, request: Request) -> Reply:
        """Put one row into the form for editing."""
        view = uc.open_for_edit(self.engine, request.actor, self._id(request), self._now())
        row_id = self._row_id(request)
        if row_id not in view.row_ids:
            return self._rows_card(view)
        row = view.rows[view.row_ids.index(row_id)]
        return self._rows_card(view, rc.row_input_values(row), editing=row_id)

    async def row_save(self, request: Request) -> Reply:
        """Save an edited row."""
        row_id = self._row_id(request)
        try:
            view = uc.edit_row(self.engine, request.actor, self._id(request), row_id, request.data, self._now())
        except uc.Mistakes as bad:
            return self._rows_card(bad.view, bad.values, bad.errors, row_id)
        return self._rows_card(view)

    async def row_remove(self, request: Request) -> Reply:
        """Remove a row."""
        view = uc.remove_row(self.engine, request.actor, self._id(request), self._row_id(request), self._now())
        return self._rows_card(view)

    async def contribution(self, request: Request) -> Reply:
        """Save the school's own contribution."""
        try:
            view = uc.set_contribution(self.engine, request.actor, self._id(request), request.data, self._now())
        except uc.Mistakes as bad:
            return self._rows_card(bad.view, errors=bad.errors, contribution=bad.values.get("contribution", ""))
        return self._rows_card(view)

    # --- documents ---

    async def documents(self, request: Request) -> Reply:
        """The supporting documents step, at the page the button asks for."""
        view = uc.open_for_edit(self.engine, request.actor, self._id(request), self._now())
        return Reply(card=rc.documents_card(view, {}, {}, self._page(request)))

    async def link_add(self, request: Request) -> Reply:
        """Add a SharePoint or OneDrive link, and show the last page, where it is now."""
        try:
            view = uc.add_link(self.engine, request.actor, self._id(request), request.data, self._now())
        except uc.Mistakes as bad:
            return Reply(card=rc.documents_card(bad.view, bad.values, bad.errors, self._page(request)))
        return Reply(card=rc.documents_card(view, {}, {}, rc.document_pages(view)))

    async def document_remove(self, request: Request) -> Reply:
        """Remove a document, staying on the page it was on."""
        document_id = parse_card_id(request.data.get("document_id"))
        view = uc.remove_document(self.engine, request.actor, self._id(request), document_id, self._now())
        return Reply(card=rc.documents_card(view, {}, {}, self._page(request)))

    # --- review, submit, withdraw ---

    async def review(self, request: Request) -> Reply:
        """Everything on one card, with Submit once nothing is missing."""
        view = uc.open_for_edit(self.engine, request.actor, self._id(request), self._now())
        return Reply(card=rc.review_card(view, view.missing))

    async def submit(self, request: Request) -> Reply:
        """Submit to the next meeting; the admins hear about it in their personal chats."""
        outcome = uc.submit(
            self.engine,
            request.actor,
            self._id(request),
            parse_card_id(request.data.get("version")),
            self._now(),
            notice=rc.admin_notice_card,
        )
        self.deliver_soon()
        return Reply(card=rc.submitted_card(outcome.view))

    async def withdraw(self, request: Request) -> Reply:
        """Withdraw the referral; the admins hear of it if it was submitted."""
        outcome = uc.withdraw(self.engine, request.actor, self._id(request), self._now(), notice=rc.withdrawn_card)
        self.deliver_soon()
        return Reply(card=rc.withdrawn_card(outcome.view))

    async def mine(self, request: Request) -> Reply:
        """Drafts and submitted referrals of the person's settings, with their state."""
        page = uc.mine(self.engine, request.actor, self._now())
        return Reply(card=rc.my_referrals_card(page.items, page.more))

    # --- the admin's completeness check ---

    async def to_check(self, request: Request) -> Reply:
        """Submitted referrals waiting for the admin."""
        return self._to_check_card(checks.to_check(self.engine, request.actor, self._now()))

    async def accept(self, request: Request) -> Reply:
        """Accept onto the agenda; the referrer is told, and the admin sees what is still to check."""
        checked = checks.accept(
            self.engine,
            request.actor,
            self._id(request),
            self._now(),
            notice=rc.accepted_notice_card,
            moved_notice=moved_notice_card,
        )
        self.deliver_soon()
        return self._to_check_card(checked.waiting, rc.checked_line(checked.view, checked.done))

    async def return_(self, request: Request) -> Reply:
        """Return as incomplete with a reason; the referrer is told and can fix and resubmit."""
        referral_id = self._id(request)
        data = request.data
        reason = data.get(f"reason_{referral_id}", data.get("reason", ""))
        try:
            checked = checks.return_to_referrer(
                self.engine,
                request.actor,
                referral_id,
                {"reason": reason},
                self._now(),
                notice=rc.returned_notice_card,
            )
        except InvalidInput:
            raise Refusal(
                "Write the reason for returning it in the box next to that referral, then press Return."
            ) from None
        self.deliver_soon()
        return self._to_check_card(checked.waiting, rc.checked_line(checked.view, checked.done))

    # --- the referral pack ---

    async def export(self, request: Request) -> Reply:
        """Offer the referral pack as a Word document (Teams asks the person to accept the file)."""
        target: int | str
        if not is_missing(request.data.get("referral_id")):
            target = self._id(request)
        else:
            typed = request.text.removeprefix("export").strip()
            if not typed:
                raise Refusal("Say which referral: for example “export CEN-2526-014”.")
            target = parse_card_id(typed) or typed
        # Only offered here: the export's one audit line is written when the person accepts (bot.teams.file_desk).
        view = uc.for_export(self.engine, request.actor, target, self._now(), offer_only=True)
        # python-docx takes a while for a long referral: off the event loop, so other turns go on meanwhile.
        data = await asyncio.to_thread(self.export_document, view, self._now(), request.actor.name)
        consent = file_consent_card(pack_filename(view), len(data), {"referral_id": view.id})
        text = (
            f"Here is the referral pack for {plain(view.reference or 'your draft')}. "
            "Accept the file to save it to your OneDrive."
        )
        return Reply(text=text, attachments=(consent,))

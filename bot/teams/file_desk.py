"""Files in personal chat: supporting documents and paid invoices a SENCO sends, and the documents the bot offers.

The bot offers referral packs, minutes, decision letters, the finance exports and the capital report. A council
officer's Costed Provision Document (a CSV or XLSX file with the document's headings) is loaded as a new version
of it (``usecases.provision_documents``).

Teams hands the bot a download URL for each file a user sends (the manifest declares ``supportsFiles``);
the bot fetches it, checks its size and type, and keeps it with the Capital Fund invoice whose amount the
person has just given (``usecases.capital.add_invoice``), or else with their open referral. To give a
file to a user, Teams asks them first (a file consent card); when they accept, the bot uploads the file
to the OneDrive location Teams provides and posts a card that opens it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botbuilder.schema import Activity

from bot.actions.turn import Reply
from bot.teams import files
from bot.teams.connector import Connector
from cards import referrals as rc
from cards.capital import application_card
from cards.provision_documents import provision_documents_card
from cluster.card_ids import MEETING_GONE, MeetingId, card_id, is_missing, named_id
from cluster.clock import LONDON, Clock
from cluster.commands.ledger import FinanceExports, OfferLetter
from cluster.errors import Refusal
from cluster.referrals import ReferralView
from reports.capital import capital_xlsx
from reports.citywide import citywide_xlsx
from reports.finance import finance_csv, finance_xlsx
from reports.minutes import minutes_markdown, minutes_xlsx
from usecases import capital, citywide, provision_documents
from usecases import referrals as uc
from usecases.finance import finance_for
from usecases.letters import NO_DECISION, letter_for
from usecases.meeting_day.minutes import member_minutes
from usecases.people import Actor

log = logging.getLogger("clusterbot.files")

Export = Callable[[ReferralView, datetime, str], bytes]


class FileDesk:
    """Receives files into referrals and hands out referral packs."""

    def __init__(self, engine: Any, clock: Clock, connector: Connector, export: Export) -> None:
        self._engine = engine
        self._clock = clock
        self._connector = connector
        self._export = export

    @staticmethod
    def has_files(activity: Activity) -> bool:
        """True when the message carries files the user sent."""
        return bool(files.incoming_files([a.serialize() for a in activity.attachments or []]))

    async def receive(self, activity: Activity, actor: Actor) -> Reply:
        """Download each file, check it, and attach it to the person's open referral."""
        incoming = files.incoming_files([a.serialize() for a in activity.attachments or []])
        view: ReferralView | None = None
        invoice: capital.OpenedApplication | None = None
        for item in incoming:
            try:
                downloaded = await files.download(self._connector.http(), item)
            except files.FileRefused as refused:
                raise Refusal(f"I could not keep {item.name}: {refused.message}") from None
            # A council officer's Costed Provision Document is loaded as a new version; nothing else is that file.
            document = await asyncio.to_thread(
                provision_documents.load_sent_file,
                self._engine,
                actor,
                downloaded.name,
                downloaded.data,
                self._clock.now(),
            )
            if document is not None:
                return Reply(card=provision_documents_card(document))
            file = (self._engine, actor, downloaded.name, downloaded.content_type, downloaded.data, self._clock.now())
            # A paid invoice whose amount the SENCO just gave is waiting for its file: it goes there first.
            kept = await asyncio.to_thread(capital.attach_invoice_file, *file)
            if kept is not None:
                invoice = kept
                continue
            view = await asyncio.to_thread(uc.add_file, *file)
        if view is None and invoice is not None:
            today = self._clock.now().astimezone(LONDON).date()
            return Reply(card=application_card(invoice.view, invoice.viewer, today, notice=invoice.notice))
        if view is None:
            raise Refusal("I could not find a file in that message.")
        return Reply(card=rc.documents_card(view, {}, {}, rc.document_pages(view)))  # the last page: the file is there

    def _document(self, context: dict[str, Any], actor: Actor) -> bytes:
        """Make the offered document again now (a letter: read as kept), checking the person may still have it.

        This is where an export is audited, once per file accepted: the offer wrote no line (``offer_only``),
        and a declined offer never gets here.
        """
        now = self._clock.now()
        if context.get("kind") == "decision_letter":
            letter = OfferLetter(decision_id=named_id(context.get("decision_id"), NO_DECISION))
            return letter_for(self._engine, actor, letter, now).content
        if context.get("kind") == "finance":
            named = context.get("cluster")
            asked = FinanceExports(cluster_name=named if isinstance(named, str) else "")
            finance = finance_for(self._engine, actor, asked, now)
            return finance_xlsx(finance) if context.get("format") == "xlsx" else finance_csv(finance)
        if context.get("kind") == "citywide":
            return citywide_xlsx(citywide.citywide(self._engine, actor, now), now)
        if context.get("kind") == "capital":
            made = capital.report(self._engine, actor, now)
            return capital_xlsx(made.rounds, made.applications, now)
        if context.get("kind") == "minutes":
            named = context.get("meeting_id")
            meeting = None if is_missing(named) else MeetingId(named_id(named, MEETING_GONE))
            view = member_minutes(self._engine, actor, now, meeting)
            if context.get("format") == "xlsx":
                return minutes_xlsx(view, now)
            return minutes_markdown(view, now).encode("utf-8")
        referral = uc.for_export(self._engine, actor, card_id(context.get("referral_id")), now)
        return self._export(referral, now, actor.name)

    async def consent(self, activity: Activity, actor: Actor) -> Reply:
        """The person accepted or declined a file: on accept, upload it and post the file card.

        An answer Teams would never send (no action, an accept without uploadInfo) does nothing and says nothing.
        """
        try:
            answer = files.parse_file_consent(activity.value if isinstance(activity.value, dict) else {})
        except ValueError as malformed:
            log.info("ignored a malformed file consent answer: %s", malformed)
            return Reply()
        if answer.action != "accept" or answer.upload_info is None:
            return Reply(text="OK, I have not saved the file.")
        # Made off the event loop (a Word document or a workbook takes a while), so other turns go on.
        data = await asyncio.to_thread(self._document, answer.context, actor)
        await files.upload(self._connector.http(), answer.upload_info.upload_url, data)
        return Reply(attachments=(files.file_info_card(answer.upload_info),))

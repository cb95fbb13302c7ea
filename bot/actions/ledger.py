"""Handlers for the revenue ledger in personal chat: payments, the finance exports and decision letters.

The officer's payments card marks instalments paid; the finance exports and each decision's letter are
offered as files (Teams asks the person to accept each one).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Engine

from bot.actions.legacy import Routes, text_input
from bot.actions.turn import Reply, Request
from bot.teams.files import file_consent_card
from cards import verbs
from cards.common import plain
from cards.payments import payments_card
from cluster.card_ids import named_id
from cluster.clock import Clock
from reports.finance import finance_csv, finance_filename, finance_xlsx
from usecases import finance as finance_uc
from usecases import ledger as uc
from usecases import letters as letters_uc


def letter_offer(decision_id: int, filename: str, size: int) -> dict[str, Any]:
    """The file offer of a decision's letter (beside the outcome notice, or when asked for again)."""
    return file_consent_card(filename, size, {"kind": "decision_letter", "decision_id": decision_id})


class LedgerRoutes:
    """``payments``, ``finance`` (and ``finance CLUSTER``), and the payments and letter verbs."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register commands and verbs."""
        routes.personal.update({"payments": self.payments, "finance": self.finance})
        routes.prefixed["finance"] = self.finance
        routes.verbs.update(
            {
                verbs.PAYMENTS: self.payments,
                verbs.PAYMENT_MARK: self.mark_paid,
                verbs.DECISION_LETTER: self.letter,
            }
        )

    async def payments(self, request: Request) -> Reply:
        """The instalments due in every cluster the officer reaches, each with its "Mark paid" form."""
        return Reply(card=payments_card(uc.payments(self.engine, request.actor, self.clock.now())))

    async def mark_paid(self, request: Request) -> Reply:
        """Mark one instalment paid on the day and with the reference typed next to it."""
        instalment = named_id(request.data.get("instalment_id"), uc.INSTALMENT_GONE)
        day_input, reference_input = f"paid_on_{instalment}", f"reference_{instalment}"
        typed_day = text_input(request.data, day_input)
        reference = text_input(request.data, reference_input)
        try:
            paid_on = date.fromisoformat(typed_day) if typed_day else None
        except ValueError:  # not a date at all: said next to it, with what was typed kept, and nothing stored
            shown = uc.payments(self.engine, request.actor, self.clock.now())
            typed = {day_input: typed_day, reference_input: reference}
            errors = {day_input: "The day it was paid must be a date."}
            return Reply(card=payments_card(replace(shown, errors=errors, values=typed)))
        view = uc.mark_paid(self.engine, request.actor, instalment, paid_on, reference, self.clock.now())
        return Reply(card=payments_card(view))

    async def finance(self, request: Request) -> Reply:
        """``finance`` (citywide) or ``finance Central`` (one cluster): the exports as CSV and XLSX files."""
        named = request.text.removeprefix("finance").strip() or None
        now = self.clock.now()
        view = finance_uc.finance_for(self.engine, request.actor, named, now)
        # Workbooks take a while for a big city: off the event loop, so other turns go on meanwhile.
        table = await asyncio.to_thread(finance_csv, view)
        workbook = await asyncio.to_thread(finance_xlsx, view)
        context = {"kind": "finance", "cluster": named or ""}
        offers = tuple(
            file_consent_card(finance_filename(view, extension), len(data), {**context, "format": extension})
            for extension, data in (("csv", table), ("xlsx", workbook))
        )
        return Reply(text=f"Here are the finance exports ({plain(view.scope)}): CSV and XLSX.", attachments=offers)

    async def letter(self, request: Request) -> Reply:
        """Offer a decision's letter again (Word), to the setting's people, its cluster's admin or an officer."""
        decision = named_id(request.data.get("decision_id"), letters_uc.NO_DECISION)
        # Only offered here: the reading is audited once, when the person accepts (bot.teams.file_desk).
        letter = letters_uc.letter_for(self.engine, request.actor, decision, self.clock.now(), offer_only=True)
        offer = letter_offer(letter.decision_id, letter.filename, len(letter.content))
        text = (
            f"Here is the decision letter for {plain(letter.reference)}. Accept the file to save it to your OneDrive."
        )
        return Reply(text=text, attachments=(offer,))

"""The revenue ledger in personal chat: payments, the finance exports and decision letters.

The officer's payments card marks instalments paid; the finance exports and each decision's letter are
offered as files (Teams asks the person to accept each one).
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.common import plain
from cards.files import file_offer, letter_offer
from cards.payments import payments_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.commands.ledger import FinanceExports, MarkPaid, OfferLetter
from reports.finance import finance_csv, finance_filename, finance_xlsx
from usecases import finance as finance_uc
from usecases import ledger as uc
from usecases import letters as letters_uc


@ACTIONS.personal("payments", p.RECORD_PAYMENTS)
@ACTIONS.verb(verbs.PAYMENTS, p.RECORD_PAYMENTS)
def show_payments(turn: Turn, _: Nothing) -> Reply:
    """The instalments due in every cluster the officer reaches, each with its "Mark paid" form.

    Also the form a payment with a mistake comes back through: what was typed kept, the mistake beside it.
    """
    view = uc.payments(turn.engine, turn.actor, turn.now())
    return Reply(card=payments_card(view, turn.values, turn.errors))


@ACTIONS.verb(verbs.PAYMENT_MARK, p.RECORD_PAYMENTS, MarkPaid, form=show_payments)
def mark_paid(turn: Turn, command: MarkPaid) -> Reply:
    """Mark one instalment paid on the day and with the reference typed next to it."""
    return Reply(card=payments_card(uc.mark_paid(turn.engine, turn.actor, command, turn.now())))


@ACTIONS.personal("finance", p.FINANCE_EXPORTS, FinanceExports, argument="cluster_name")
def finance(turn: Turn, command: FinanceExports) -> Reply:
    """``finance`` (citywide) or ``finance Central`` (one cluster): the exports as CSV and XLSX files."""
    view = finance_uc.finance_for(turn.engine, turn.actor, command, turn.now())
    table, workbook = finance_csv(view), finance_xlsx(view)  # a worker thread: other turns go on meanwhile
    context = {"kind": "finance", "cluster": command.cluster_name}
    offers = tuple(
        file_offer(finance_filename(view, extension), len(data), {**context, "format": extension})
        for extension, data in (("csv", table), ("xlsx", workbook))
    )
    return Reply(text=f"Here are the finance exports ({plain(view.scope)}): CSV and XLSX.", attachments=offers)


@ACTIONS.verb(verbs.DECISION_LETTER, p.DECISION_LETTER, OfferLetter)
def offer_letter(turn: Turn, command: OfferLetter) -> Reply:
    """Offer a decision's letter again (Word), to the setting's people, its cluster's admin or an officer."""
    # Only offered here: the reading is audited once, when the person accepts (bot.teams.file_desk).
    letter = letters_uc.letter_for(turn.engine, turn.actor, command, turn.now(), offer_only=True)
    offer = letter_offer(letter.decision_id, letter.filename, len(letter.content))
    text = f"Here is the decision letter for {plain(letter.reference)}. Accept the file to save it to your OneDrive."
    return Reply(text=text, attachments=(offer,))

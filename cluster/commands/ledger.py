"""The revenue ledger's commands: marking an instalment paid, the finance exports, a decision's letter again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.commands.inputs import day, row_id, text
from cluster.ledger import REFERENCE_MAX

INSTALMENT_GONE = "That instalment no longer exists."
NO_DECISION = "That decision no longer exists."


@dataclass(frozen=True, kw_only=True)
class MarkPaid:
    """Mark one instalment paid, on the day and with the finance system's reference typed beside it.

    Both inputs are named after the instalment (``paid_on_12``, ``reference_12``): the payments card lists many.
    An empty day or reference is the use case's to say, beside its input, with the other's mistake too.
    """

    instalment_id: int = row_id(INSTALMENT_GONE)
    paid_on: date | None = day(
        "Paid on", required=False, key="paid_on_{instalment_id}", wrong="The day it was paid must be a date."
    )
    # Longer than any reference the rules take, so the rules' own sentence says what is wrong with it.
    reference: str = text(
        "Payment reference", required=False, key="reference_{instalment_id}", max_length=4 * REFERENCE_MAX
    )


@dataclass(frozen=True, kw_only=True)
class FinanceExports:
    """``finance`` (every cluster the officer reaches) or ``finance Central`` (one cluster), as CSV and XLSX."""

    cluster_name: str = text("Cluster", required=False, max_length=120)


@dataclass(frozen=True, kw_only=True)
class OfferLetter:
    """Offer a decision's letter (Word) again, from the button on the decision's notice."""

    decision_id: int = row_id(NO_DECISION)

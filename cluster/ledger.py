"""The revenue ledger: each funded decision's instalments, due, paid or cancelled, and the sums that follow.

A funded decision is paid on the council's term dates (:func:`cluster.terms.instalment_plan`): its
instalments are written with the decision and add up to its amount to the penny. A council officer marks
each one paid (on the payments card, or by importing the finance system's CSV), with the day it was paid
and the finance system's payment reference. A review that stops the funding cancels every instalment not
yet paid; what was cancelled goes back to the cluster's budget. So, for any decision:

    amount = paid + due + cancelled        committed = amount - cancelled = paid + due

and a budget's committed figure is the sum of its decisions' instalments that were not cancelled.

This module is pure: the rows come from the store, the rules and sentences are here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cluster.errors import Refusal
from cluster.provision import NotAnAmount, format_pence, parse_money
from cluster.terms import Term, instalment_plan, term_of


class InstalmentState(StrEnum):
    """Where one instalment stands."""

    DUE = "due"
    PAID = "paid"
    CANCELLED = "cancelled"


INSTALMENT_STATE_TITLES: dict[InstalmentState, str] = {
    InstalmentState.DUE: "Due",
    InstalmentState.PAID: "Paid",
    InstalmentState.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class Payment:
    """One planned payment: the day it is due, how much, and the term it opens ("Spring term 2026")."""

    due_on: date
    amount_pence: int
    term: str = ""


def plan_payments(
    terms: Sequence[Term], amount_pence: int, termly: bool, decided_on: date, review_date: date
) -> tuple[Payment, ...]:
    """A funded decision's payments on the term dates, each named by its term (see :mod:`cluster.terms`)."""
    planned = instalment_plan(terms, amount_pence, termly, decided_on, review_date)
    return tuple(Payment(day, pence, _term_label(terms, day)) for day, pence in planned)


def _term_label(terms: Sequence[Term], day: date) -> str:
    term = term_of(terms, day)
    return term.label if term is not None else ""


@dataclass(frozen=True)
class InstalmentView:
    """An instalment as the payments card, the exports and the letters show it."""

    id: int
    decision_id: int
    cluster: str
    reference: str
    setting: str
    due_on: date
    amount_pence: int
    state: InstalmentState
    term: str = ""
    paid_on: date | None = None
    paid_reference: str | None = None


@dataclass(frozen=True)
class Totals:
    """What a set of instalments adds up to, by state, in pence."""

    due: int = 0
    paid: int = 0
    cancelled: int = 0

    @property
    def committed(self) -> int:
        """What is still committed: paid and still due (the cancelled part went back to the budget)."""
        return self.due + self.paid

    @property
    def amount(self) -> int:
        """Everything the instalments were for."""
        return self.due + self.paid + self.cancelled


def totals(instalments: Iterable[tuple[InstalmentState | str, int]]) -> Totals:
    """Add up (state, pence) pairs by state."""
    sums = {state: 0 for state in InstalmentState}
    for state, pence in instalments:
        sums[InstalmentState(state)] += pence
    return Totals(sums[InstalmentState.DUE], sums[InstalmentState.PAID], sums[InstalmentState.CANCELLED])


@dataclass(frozen=True)
class PaymentsView:
    """What the officer's payments card shows.

    ``due`` is what falls due by ``horizon`` (oldest first, as many as the card shows); ``more`` says how many
    more of those there are, ``later`` how many are due after it. ``warning`` says the loaded term dates run
    out soon; ``notice`` says what was just recorded.
    """

    today: date
    horizon: date
    due: tuple[InstalmentView, ...]
    more: int
    later: int
    warning: str | None = None
    notice: str | None = None


# --- marking an instalment paid ---------------------------------------------------------------------------

REFERENCE_MAX = 64
# A finance system's payment reference: letters, digits and a little punctuation (never a formula or markup).
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_:#-]{0,63}")


def check_reference(raw: str) -> str:
    """The payment reference, trimmed; refuses an empty one or one a finance system would not have made."""
    reference = raw.strip()
    if not reference:
        raise Refusal("Give the finance system's payment reference.")
    if len(reference) > REFERENCE_MAX or not _REFERENCE.fullmatch(reference):
        raise Refusal(
            f"A payment reference is up to {REFERENCE_MAX} letters, digits, spaces and . / _ : # -, "
            "starting with a letter or digit."
        )
    return reference


def check_paid(
    state: InstalmentState,
    amount_pence: int,
    decided_on: date,
    paid_on: date,
    today: date,
    paid_before: tuple[date | None, str | None] = (None, None),
    reference: str = "",
) -> bool:
    """Whether marking the instalment paid changes anything; refuses what cannot be so.

    Returns False when it is already paid on that day with that reference (the same click or import line
    twice), True when it is due and may now be marked paid. Refuses a cancelled instalment, one already
    paid otherwise, a payment dated in the future or before the decision.
    """
    if state is InstalmentState.CANCELLED:
        raise Refusal(f"This instalment of {format_pence(amount_pence)} was cancelled when the funding stopped.")
    if state is InstalmentState.PAID:
        on, ref = paid_before
        if on == paid_on and ref == reference:
            return False
        when = f" on {on.day} {on:%B %Y}" if on else ""
        raise Refusal(f"This instalment was already marked paid{when} (payment reference {ref or 'none'}).")
    if paid_on > today:
        raise Refusal("The day it was paid cannot be in the future.")
    if paid_on < decided_on:
        raise Refusal(f"The day it was paid cannot be before the decision ({decided_on.day} {decided_on:%B %Y}).")
    return True


# --- the finance system's CSV -----------------------------------------------------------------------------

# Column names as finance systems spell them, lower case with spaces and dashes as underscores.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "instalment_id": ("instalment_id", "instalment", "installment_id", "installment", "ledger_id"),
    "reference": ("reference", "referral", "referral_reference", "our_reference"),
    "due_on": ("due_date", "due_on", "due"),
    "amount": ("amount", "amount_gbp", "amount_pounds", "value"),
    "paid_on": ("paid_date", "paid_on", "payment_date", "date_paid"),
    "payment_reference": ("payment_reference", "paid_reference", "payment_ref", "remittance"),
}


@dataclass(frozen=True)
class PaymentLine:
    """One line of a finance system's payments file: which instalment (by id, or by reference and due day)."""

    row: int
    instalment_id: int | None
    reference: str
    due_on: date | None
    amount_pence: int
    paid_on: date
    payment_reference: str

    @property
    def names(self) -> str:
        """How a problem names the instalment the line means."""
        if self.instalment_id is not None:
            return f"instalment {self.instalment_id}"
        when = f" due {self.due_on}" if self.due_on else ""
        return f"{self.reference}{when}"


def _column_of(header: Sequence[str]) -> dict[str, str]:
    """Which of the file's columns holds each field (by the aliases), keyed by our field name."""
    normal = {h: re.sub(r"[\s-]+", "_", h.strip().lower()) for h in header}
    found: dict[str, str] = {}
    for wanted, aliases in COLUMN_ALIASES.items():
        for original, name in normal.items():
            if name in aliases:
                found[wanted] = original
                break
    return found


def _date(value: str) -> date:
    text = value.strip()
    if "/" in text:  # 05/01/2026: finance systems and spreadsheets in the UK write day/month/year
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text[:10])


def parse_payment_rows(header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> tuple[list[PaymentLine], list[str]]:
    """The payment lines of a CSV (header and rows as ``csv.DictReader`` gives them) and what is wrong.

    Each line names its instalment by ``instalment_id``, or by the referral ``reference`` and the ``due``
    date; gives the ``amount`` in pounds (checked against the instalment), the ``paid`` date and the
    ``payment reference``. Problems name the line as a spreadsheet numbers it (the header is line 1).
    """
    columns = _column_of(header)
    problems: list[str] = []
    if "instalment_id" not in columns and not {"reference", "due_on"} <= columns.keys():
        problems.append("the file needs an instalment id column, or a reference and a due date column")
    for needed in ("amount", "paid_on", "payment_reference"):
        if needed not in columns:
            problems.append(f"the file needs a column for {needed.replace('_', ' ')}")
    if problems:
        return [], problems
    lines: list[PaymentLine] = []
    for number, row in enumerate(rows, start=2):

        def cell(name: str, row: Mapping[str, str] = row) -> str:
            column = columns.get(name)
            return str(row.get(column) or "").strip() if column else ""

        if not any(str(v or "").strip() for v in row.values()):
            continue  # a blank line, as spreadsheets leave at the end
        instalment_id: int | None = None
        due_on: date | None = None
        wrong: list[str] = []
        if cell("instalment_id"):
            # Twelve digits is more instalments than the city will ever pay (and int() of a long one is slow).
            if cell("instalment_id").isascii() and cell("instalment_id").isdigit() and len(cell("instalment_id")) <= 12:
                instalment_id = int(cell("instalment_id"))
            else:
                wrong.append("the instalment id must be a whole number")
        elif not cell("reference") or not cell("due_on"):
            wrong.append("give the instalment id, or the reference and the due date")
        if cell("due_on"):
            try:
                due_on = _date(cell("due_on"))
            except ValueError:
                wrong.append("the due date must be YYYY-MM-DD or DD/MM/YYYY")
        try:
            amount = parse_money(cell("amount"))
        except NotAnAmount as not_money:
            said = not_money.message.rstrip(".")
            wrong.append(said[0].lower() + said[1:])  # one clause of the line's list of what is wrong
            amount = 0
        try:
            paid_on = _date(cell("paid_on"))
        except ValueError:
            wrong.append("the paid date must be YYYY-MM-DD or DD/MM/YYYY")
            paid_on = date.min
        try:
            payment_reference = check_reference(cell("payment_reference"))
        except Refusal as refusal:
            wrong.append(refusal.message.rstrip(".").lower())
            payment_reference = ""
        if wrong:
            problems.append(f"line {number}: {'; '.join(wrong)}")
            continue
        lines.append(PaymentLine(number, instalment_id, cell("reference"), due_on, amount, paid_on, payment_reference))
    return lines, problems

"""The costed provision map: each row's cost and the totals, in whole pence.

A row costs ``minutes per session / 60 x sessions per week x weeks x hourly rate / group size``. The
exact value is a fraction of a penny in general; it is rounded once per row to the nearest penny, halves
rounding up (so £12.345 becomes £12.35), and the total is the sum of the rounded rows - the figure a
SENCO can check with a calculator row by row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


def round_half_up(value: Fraction) -> int:
    """The nearest whole number, halves away from zero (values here are never negative)."""
    if value < 0:
        raise ValueError("costs are never negative")
    whole, remainder = divmod(value.numerator, value.denominator)
    return whole + (1 if 2 * remainder >= value.denominator else 0)


# The units the Costed Provision Document prices by. ``weeks`` counts the unit's periods where the unit is not
# a time of day: the weeks of a weekly price, the terms of a termly one, the items of a price per item.
HOUR, SESSION, WEEK, TERM, ITEM = "hour", "session", "week", "term", "item"
UNITS: tuple[str, ...] = (HOUR, SESSION, WEEK, TERM, ITEM)


@dataclass(frozen=True)
class ProvisionRow:
    """One line of a provision map; money in pence.

    ``hourly_rate_pence`` is the rate per ``unit`` (an hour unless the council's document prices the provision
    by the session, week, term or item); ``entry_id`` is the document's row it was priced from (None: typed by
    hand, with ``custom_reason`` saying why a provision the document lacks was asked for).
    """

    provision: str
    area_of_need: str
    delivered_by: str
    minutes_per_session: int
    sessions_per_week: int
    group_size: int
    weeks: int
    hourly_rate_pence: int
    unit: str = HOUR
    entry_id: int | None = None
    custom_reason: str = ""

    @property
    def units_bought(self) -> Fraction:
        """How many of the unit the row buys for the whole group: hours, sessions, weeks, terms or items."""
        if self.unit == HOUR:
            return Fraction(self.minutes_per_session * self.sessions_per_week * self.weeks, 60)
        if self.unit == SESSION:
            return Fraction(self.sessions_per_week * self.weeks)
        return Fraction(self.weeks)  # a week, term or item: ``weeks`` counts them

    @property
    def exact_cost(self) -> Fraction:
        """The unrounded cost in pence: the units bought at the unit's rate, shared by the group."""
        return self.units_bought * self.hourly_rate_pence / self.group_size

    @property
    def from_document(self) -> bool:
        """Priced from the council's Costed Provision Document (else typed by hand)."""
        return self.entry_id is not None

    @property
    def cost_pence(self) -> int:
        """The row's cost rounded to the nearest penny, halves up."""
        return round_half_up(self.exact_cost)

    @property
    def hours(self) -> Fraction:
        """Staff hours over the whole period."""
        return Fraction(self.minutes_per_session * self.sessions_per_week * self.weeks, 60)


@dataclass(frozen=True)
class ProvisionTotals:
    """What the map adds up to."""

    total_pence: int
    contribution_pence: int

    @property
    def requested_pence(self) -> int:
        """What the setting asks the cluster for: the total less its own contribution."""
        return self.total_pence - self.contribution_pence


def totals(rows: Sequence[ProvisionRow], contribution_pence: int = 0) -> ProvisionTotals:
    """The map's total and the amount requested; the contribution cannot exceed the total."""
    total = sum(row.cost_pence for row in rows)
    if contribution_pence < 0:
        raise ValueError("the school's contribution cannot be negative")
    if contribution_pence > total:
        raise ValueError("the school's contribution cannot be more than the provision costs")
    return ProvisionTotals(total, contribution_pence)


def format_pence(pence: int) -> str:
    """Pence as pounds for people to read: 123456 is £1,234.56."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


# The largest amount this service reads: a pence figure must fit the tables' 32-bit integers (2**31 - 1), and
# no cluster, round or invoice comes near £20 million, so anything past it is a slip of the keyboard.
MAX_AMOUNT_PENCE = 20_000_000_00

# Pounds with commas only between groups of three digits (1,234,567), or with no comma at all (1234567);
# then, optionally, a point and one or two figures of pence. ".5" and "12." are unambiguous and read too.
# ASCII figures only: another script's digits are refused rather than read as ours.
_AMOUNT = re.compile(r"(?P<pounds>[1-9]\d{0,2}(?:,\d{3})+|\d*)(?:\.(?P<pence>\d{0,2}))?", re.ASCII)
_FIGURES = re.compile(r"(?P<pounds>[\d,]*)(?:\.(?P<pence>\d*))?", re.ASCII)
_SHOWN = 40  # characters of what was typed that a refusal repeats: enough to recognise it, never a page


class NotAnAmount(ValueError):
    """What a person typed is not an amount: ``message`` is the sentence they read, naming what was read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _quoted(text: str) -> str:
    shown = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return f"“{shown}”"


def _regrouped(digits: str, pence: str) -> str:
    """The same figures with commas where they belong: what the person most likely meant to type."""
    pounds = f"{int(digits or '0'):,}"
    return f"{pounds}.{pence}" if pence else pounds


def parse_money(text: str, *, allow_negative: bool = False) -> int:
    """Pence from what a person types or imports: the one reader of every amount.

    Reads "1,234,567.89", "15,000", "1234.5", "£12", ".50": an optional leading £, commas only between groups
    of three digits, at most two figures of pence. Anything else raises :class:`NotAnAmount` saying what was read
    and what to type, never a guess: "4,2500.25" is refused, not read as £42,500.25. A minus sign is read only
    when the caller allows it (no amount a person types here is negative).
    """
    typed = text.strip()
    if not typed:
        raise NotAnAmount("Enter an amount in pounds and pence, as in 1,250.00.")
    body = typed
    negative = body.startswith("-")
    body = body.removeprefix("-").lstrip()
    if body.startswith("£"):
        body = body[1:].lstrip()
    if not negative and body.startswith("-"):  # "£-5" as well as "-£5"
        negative, body = True, body[1:].lstrip()
    if negative and not allow_negative:
        raise NotAnAmount(f"{_quoted(typed)} is not an amount: an amount cannot be negative.")
    found = _AMOUNT.fullmatch(body)
    if found is None or not re.search(r"[0-9]", body):
        raise NotAnAmount(_why_not(typed, body))
    digits, pence = found["pounds"].replace(",", ""), found["pence"] or ""
    amount = int(digits or "0") * 100 + int(pence.ljust(2, "0"))
    if amount > MAX_AMOUNT_PENCE:
        raise NotAnAmount(
            f"{_quoted(typed)} is more than this service can record: amounts are at most "
            f"{format_pence(MAX_AMOUNT_PENCE)}."
        )
    return -amount if negative else amount


def _why_not(typed: str, body: str) -> str:
    """The refusal's sentence: the slip that was made, and the amount written the way it is read."""
    shown = _quoted(typed)
    figures = _FIGURES.fullmatch(body)
    if figures is not None and re.search(r"[0-9]", body):
        digits, pence = figures["pounds"].replace(",", ""), figures["pence"] or ""
        if len(pence) > 2:
            return f"{shown} is not an amount: give at most two figures of pence after the point, as in 12.50."
        if len(digits) <= 12:  # a grouping slip; past this the figures are no amount anyone meant
            example = _regrouped(digits, pence)
            hint = ""
            last = figures["pounds"].rsplit(",", 1)[-1]
            if not pence and "," in figures["pounds"] and len(last) == 2:  # "1,50": a decimal comma, perhaps
                hint = f"; pence go after a point, as in {int(digits[:-2] or '0'):,}.{last}"
            return f"{shown} is not an amount: put commas only between groups of three digits, as in {example}{hint}."
    return f"{shown} is not an amount: type pounds and pence in figures, as in 1,250.00."

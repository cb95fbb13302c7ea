"""The costed provision map: each row's cost and the totals, in whole pence.

A row costs ``minutes per session / 60 x sessions per week x weeks x hourly rate / group size``. The
exact value is a fraction of a penny in general; it is rounded once per row to the nearest penny, halves
rounding up (so £12.345 becomes £12.35), and the total is the sum of the rounded rows - the figure a
SENCO can check with a calculator row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


def round_half_up(value: Fraction) -> int:
    """The nearest whole number, halves away from zero (values here are never negative)."""
    if value < 0:
        raise ValueError("costs are never negative")
    whole, remainder = divmod(value.numerator, value.denominator)
    return whole + (1 if 2 * remainder >= value.denominator else 0)


@dataclass(frozen=True)
class ProvisionRow:
    """One line of a provision map; money in pence."""

    provision: str
    area_of_need: str
    delivered_by: str
    minutes_per_session: int
    sessions_per_week: int
    group_size: int
    weeks: int
    hourly_rate_pence: int

    @property
    def exact_cost(self) -> Fraction:
        """The unrounded cost in pence."""
        return Fraction(
            self.minutes_per_session * self.sessions_per_week * self.weeks * self.hourly_rate_pence,
            60 * self.group_size,
        )

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


def parse_money(text: str) -> int:
    """Pence from what a person types: '1234.5', '£1,234.50', '12' -> 1234 pounds; ValueError if not money."""
    cleaned = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    if not cleaned:
        raise ValueError("enter an amount")
    if cleaned.startswith("-"):
        raise ValueError("an amount cannot be negative")
    pounds, _, pennies = cleaned.partition(".")
    if not pounds:
        pounds = "0"
    if not pounds.isdigit() or (pennies and (not pennies.isdigit() or len(pennies) > 2)):
        raise ValueError("enter an amount in pounds and pence, such as 1250.00")
    return int(pounds) * 100 + int(pennies.ljust(2, "0") if pennies else 0)

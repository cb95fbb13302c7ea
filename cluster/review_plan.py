"""What a review starts from: the referral's provision map as planned, and what the ledger paid for it.

The review form shows each row of the provision map with its cost, and asks how many of its planned weeks
were delivered, prefilled with the plan: the SENCO confirms it, or changes the weeks, instead of typing the
provision again. The form also shows what was approved, paid, still due and given back, and prefills the
actual spend with what was paid. A row's delivered cost is its planned cost in proportion to the weeks
delivered, rounded once to the nearest penny (halves up), as the provision map rounds.

A review form sent before rows were confirmed one by one carries no weeks: it is checked as it always was
(the provision delivered described in words).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from cluster.forms import Field, FieldType
from cluster.provision import format_pence, round_half_up

DELIVERED_FIELD = "delivered_weeks_{}"  # the review form's input for row n of the map (counted from 1)
MAX_WEEKS = 52
FROM_DOCUMENT = "from the Costed Provision Document"
NOT_IN_DOCUMENT = "not in the Costed Provision Document"


@dataclass(frozen=True)
class PlannedRow:
    """One row of the referral's provision map as it was approved: what, by whom, how much, for how long."""

    position: int
    provision: str
    delivered_by: str
    minutes_per_session: int
    sessions_per_week: int
    group_size: int
    weeks: int
    cost_pence: int
    unit: str = "hour"
    from_document: bool = False


@dataclass(frozen=True)
class Paid:
    """What the ledger holds for the reviewed decision (pence): approved, paid, still due, cancelled, given back."""

    approved_pence: int
    paid_pence: int = 0
    due_pence: int = 0
    cancelled_pence: int = 0
    released_pence: int = 0
    instalments: int = 0
    instalments_paid: int = 0


@dataclass(frozen=True)
class Delivered:
    """A planned row and the weeks the review says were delivered (None: not confirmed on this review)."""

    row: PlannedRow
    weeks: int | None

    @property
    def cost_pence(self) -> int | None:
        """The row's cost for the weeks delivered: its planned cost in proportion, rounded once (halves up)."""
        if self.weeks is None:
            return None
        if self.weeks == self.row.weeks or not self.row.weeks:
            return self.row.cost_pence
        return round_half_up(Fraction(self.row.cost_pence * self.weeks, self.row.weeks))


def delivered_field(position: int) -> str:
    """The review form's input name for the weeks delivered of map row ``position`` (1 for the first)."""
    return DELIVERED_FIELD.format(position)


def delivery_fields(rows: Sequence[PlannedRow], *, required: bool = True) -> tuple[Field, ...]:
    """One whole number of weeks delivered per planned row, from 0 (not delivered) to a year's weeks."""
    return tuple(
        Field(
            delivered_field(row.position),
            "Weeks delivered",
            FieldType.INTEGER,
            required=required,
            minimum=0,
            maximum=MAX_WEEKS,
            bound_message=f"Weeks delivered must be a whole number from 0 to {MAX_WEEKS} (0: not delivered).",
        )
        for row in rows
    )


def confirms_rows(raw: Mapping[str, object], rows: Sequence[PlannedRow]) -> bool:
    """Whether a submitted form confirms the map row by row (a form sent before it did carries no weeks)."""
    return any(delivered_field(row.position) in raw for row in rows)


def delivered(rows: Sequence[PlannedRow], answers: Mapping[str, object]) -> tuple[Delivered, ...]:
    """Each planned row with the weeks a review's answers say were delivered."""
    out = []
    for row in rows:
        weeks = answers.get(delivered_field(row.position))
        out.append(Delivered(row, weeks if isinstance(weeks, int) and not isinstance(weeks, bool) else None))
    return tuple(out)


def amount_words(row: PlannedRow) -> str:
    """The amount planned, as a SENCO would say it: '30 minutes, 3 times a week for 38 weeks, group of 2'."""
    times = "once" if row.sessions_per_week == 1 else f"{row.sessions_per_week} times"
    group = "one to one" if row.group_size == 1 else f"group of {row.group_size}"
    per = "" if row.unit == "hour" else f", priced per {row.unit}"
    return f"{row.minutes_per_session} minutes, {times} a week for {row.weeks} weeks, {group}{per}"


def delivery_words(done: Delivered) -> str:
    """How far a row was delivered: 'As planned (38 weeks)', '20 of 38 weeks', 'Not delivered'."""
    if done.weeks is None:
        return "Not confirmed"
    if done.weeks == 0:
        return "Not delivered"
    if done.weeks == done.row.weeks:
        return f"As planned ({done.weeks} weeks)"
    return f"{done.weeks} of {done.row.weeks} weeks"


def delivered_total(rows: Sequence[Delivered]) -> int | None:
    """What the confirmed rows cost as delivered, in pence; None when no row was confirmed."""
    costs = [d.cost_pence for d in rows if d.cost_pence is not None]
    return sum(costs) if costs else None


def paid_words(paid: Paid) -> list[tuple[str, str]]:
    """The ledger's figures as the review form lists them (a line for what was given back only when there was)."""
    lines = [
        ("Approved", format_pence(paid.approved_pence)),
        ("Paid so far", f"{format_pence(paid.paid_pence)} ({paid.instalments_paid} of {paid.instalments} instalments)"),
        ("Still to be paid", format_pence(paid.due_pence)),
    ]
    if paid.released_pence or paid.cancelled_pence:
        lines.append(("Given back to the budget", format_pence(paid.released_pence or paid.cancelled_pence)))
    return lines

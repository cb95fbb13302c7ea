"""A referral's life: its states and what may happen in each, its reference, its meeting, and its money asked.

A referral is placed on the next meeting whose deadline has not passed (:func:`place_on_meeting`), gets a
reference per cluster and school year (``CEN-2526-014``), and may be changed or withdrawn only in some
states; a Capital Fund application is taken only inside its window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.forms import as_typed
from cluster.meetings import MeetingSlot
from cluster.provision import ProvisionRow, totals
from cluster.referrals.forms import COSTED, Kind, check_details, form_fields


class State(StrEnum):
    """Where a referral is in its life."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"


STATE_TITLES: dict[State, str] = {
    State.DRAFT: "Draft",
    State.SUBMITTED: "Submitted, waiting for the admin's check",
    State.RETURNED: "Returned to you to complete",
    State.ACCEPTED: "On the agenda",
    State.WITHDRAWN: "Withdrawn",
    State.DECIDED: "Decided",
}

EDITABLE = frozenset({State.DRAFT, State.SUBMITTED, State.RETURNED})
WITHDRAWABLE = frozenset({State.DRAFT, State.SUBMITTED, State.RETURNED, State.ACCEPTED})


def academic_year(day: date) -> tuple[int, int]:
    """The school year a day falls in: September to August, e.g. (2025, 2026)."""
    start = day.year if day.month >= 9 else day.year - 1
    return start, start + 1


def year_code(day: date) -> str:
    """'2526' for the 2025/26 school year."""
    start, end = academic_year(day)
    return f"{start % 100:02d}{end % 100:02d}"


def reference(cluster_code: str, day: date, number: int) -> str:
    """A referral's reference, such as CEN-2526-014."""
    return f"{cluster_code.upper()}-{year_code(day)}-{number:03d}"


def place_on_meeting(meetings: Iterable[MeetingSlot], now: datetime) -> MeetingSlot:
    """The next meeting whose referral deadline has not passed; refuses when there is none.

    A meeting the chair has ended takes no more referrals, even before its deadline.
    """
    open_ = [m for m in meetings if not m.cancelled and not m.ended and m.deadline > now]
    if not open_:
        raise Refusal(
            "There is no meeting with an open referral deadline yet, so this referral cannot be submitted. "
            "It is kept as a draft; your cluster admin adds meetings."
        )
    return min(open_, key=lambda m: m.starts_at)


@dataclass(frozen=True)
class Window:
    """The dates between which Capital Fund applications are taken (inclusive, London dates)."""

    opens: date
    closes: date


def capital_window(day: date, windows: Mapping[int, Window] | None = None) -> Window:
    """The application window for the school year of ``day``: configured, else 1 September to 31 December."""
    start, _ = academic_year(day)
    if windows and start in windows:
        return windows[start]
    return Window(date(start, 9, 1), date(start, 12, 31))


def check_capital_window(now: datetime, windows: Mapping[int, Window] | None = None) -> None:
    """Refuse a Capital Fund submission outside its application window."""
    today = now.astimezone(LONDON).date()
    window = capital_window(today, windows)
    if not window.opens <= today <= window.closes:
        raise Refusal(
            f"Capital Fund applications for this year are taken from {window.opens:%-d %B %Y} to "
            f"{window.closes:%-d %B %Y}. Your application is kept as a draft."
        )


def check_editable(state: State) -> None:
    """Refuse changes to a referral that is no longer the referrer's to change."""
    if state not in EDITABLE:
        if state is State.ACCEPTED:
            raise Refusal("This referral is on the agenda and can no longer be changed. Ask your admin to return it.")
        raise Refusal(f"This referral is {STATE_TITLES[state].lower()} and can no longer be changed.")


def check_withdrawable(state: State) -> None:
    """Refuse withdrawing a referral that is already withdrawn (or, later, decided)."""
    if state not in WITHDRAWABLE:
        raise Refusal(f"This referral is {STATE_TITLES[state].lower()} and cannot be withdrawn.")


NO_ROWS = "Add at least one row of costs."


def missing_for_submission(
    kind: Kind,
    details: Mapping[str, Any],
    rows: Sequence[ProvisionRow],
    partner_choices: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """What must be completed before a referral can be submitted (empty when ready)."""
    typed = as_typed(form_fields(kind, partner_choices), details)
    problems = list(check_details(kind, typed, partner_choices).errors.values())
    if kind in COSTED and not rows:
        problems.append(NO_ROWS)
    return problems


def requested_pence(kind: Kind, details: Mapping[str, Any], rows: Sequence[ProvisionRow], contribution: int) -> int:
    """What the referral asks the cluster for: costs less the school's contribution, or the amount given."""
    if kind in COSTED:
        return max(totals(rows, 0).total_pence - contribution, 0)
    if kind in (Kind.EHCP, Kind.CAPITAL):
        amount = details.get("amount")
        return amount if isinstance(amount, int) else 0
    return 0

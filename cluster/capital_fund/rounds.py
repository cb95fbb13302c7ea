"""The Capital Fund's rounds: each school year's total, application window and timeline, and the round's form.

Each round (2025/26 the first) has a total, an application window and timeline dates, in order, inside its
school year; the money a round approves never exceeds its total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from cluster.errors import Refusal
from cluster.provision import format_pence


@dataclass(frozen=True)
class Round:
    """One round of the fund: its total, its window and the dates the council works to."""

    label: str
    total_pence: int
    opens: date
    closes: date
    panel_by: date
    decisions_by: date
    complete_by: date
    evaluate_by: date


def check_round(round_: Round) -> Round:
    """The round, or a refusal saying which date or amount to fix."""
    if not round_.label.strip():
        raise Refusal("Give the round a name, such as 2025/26.")
    if round_.total_pence < 1:
        raise Refusal("The round's total must be more than £0.00.")
    order = [
        ("the window opens", round_.opens),
        ("the window closes", round_.closes),
        ("the panel meets", round_.panel_by),
        ("decisions are communicated", round_.decisions_by),
        ("projects are complete and visited", round_.complete_by),
        ("impact is evaluated", round_.evaluate_by),
    ]
    for (first, day), (then, later) in pairwise(order):
        if later < day:
            raise Refusal(f"The date {then} ({later:%-d %B %Y}) must not be before the date {first} ({day:%-d %B %Y}).")
    return round_


def check_within_round(total_pence: int, approved_elsewhere_pence: int, amount_pence: int) -> None:
    """Refuse an approval that would take the round past its total (what other approvals left)."""
    left = max(total_pence - approved_elsewhere_pence, 0)
    if amount_pence > left:
        raise Refusal(
            f"The round has {format_pence(left)} left of its {format_pence(total_pence)}, "
            f"so the Board cannot approve {format_pence(amount_pence)} from it."
        )


# --- the round as a form ---------------------------------------------------------------------------------

ROUND_DATES: tuple[tuple[str, str], ...] = (
    ("opens", "Applications open"),
    ("closes", "Applications close"),
    ("panel_by", "Panel scores and recommends by"),
    ("decisions_by", "Board decisions communicated by"),
    ("complete_by", "Projects complete and visited by"),
    ("evaluate_by", "Impact evaluated by"),
)


def school_year_of(day: date) -> int:
    """The year a school year starts in (September to August): 2025 for any day of 2025/26."""
    return day.year if day.month >= 9 else day.year - 1


def check_round_in_year(round_: Round, year_start: int) -> None:
    """Refuse a window outside its school year: submissions find their window by the school year they fall in."""
    first, last = date(year_start, 9, 1), date(year_start + 1, 8, 31)
    if not (first <= round_.opens <= last and first <= round_.closes <= last):
        raise Refusal(
            f"The {year_start}/{(year_start + 1) % 100:02d} round's window must fall within that school year "
            f"({first:%-d %B %Y} to {last:%-d %B %Y})."
        )


def check_round_form(round_: Round) -> dict[str, str]:
    """What the officer's round form needs fixed, by field (none: the round can be saved).

    A name and a total first, each beside its field; then the dates in order and the window within its
    school year, said once for the whole form (they are about more than one date).
    """
    errors: dict[str, str] = {}
    if not round_.label.strip():
        errors["label"] = "Give the round a name, such as 2025/26."
    elif len(round_.label) > 40:
        errors["label"] = "Keep the round's name under 40 characters."
    if round_.total_pence < 1:
        errors["total"] = "The round's total must be more than £0.00."
    if errors:
        return errors
    try:
        check_round(round_)
        check_round_in_year(round_, school_year_of(round_.opens))
    except Refusal as refused:
        return {"form": refused.message}
    return {}

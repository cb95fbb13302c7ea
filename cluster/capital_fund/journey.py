"""An approved project's journey: its stages, the quality-assurance visit, the release of the money, its evaluation.

Money is released only when the project is completed, a quality-assurance visit has passed and paid invoices
are in, and never more than the grant or the invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from cluster.capital_fund.panel import MAX_REASONS, BoardDecision, Recommendation
from cluster.errors import Refusal
from cluster.provision import NotAnAmount, format_pence, parse_money

if TYPE_CHECKING:  # the commands are built from these rules' limits, so they are imported for their types only
    from cluster.commands.capital import Evaluate, RecordVisit


@dataclass(frozen=True)
class Visit:
    """The quality-assurance visit, recorded by a team-around-the-cluster member."""

    visitor: str
    visited_on: date
    passed: bool
    notes: str


@dataclass(frozen=True)
class Journey:
    """Where an approved project stands on its way to payment."""

    grant_pence: int
    started_on: date | None = None
    completed_on: date | None = None
    visit: Visit | None = None
    invoices_pence: tuple[int, ...] = ()
    released_pence: int | None = None


def missing_for_release(journey: Journey) -> list[str]:
    """Each step still missing before the money can be released, in the order they happen."""
    missing = []
    if journey.completed_on is None:
        missing.append("the SENCO has not marked the project completed")
    if journey.visit is None:
        missing.append("no quality-assurance visit has been recorded")
    elif not journey.visit.passed:
        missing.append("the quality-assurance visit did not pass")
    if not journey.invoices_pence:
        missing.append("no paid invoices have been uploaded")
    return missing


def release_amount(journey: Journey) -> int:
    """What is released: the grant or the invoices' total, whichever is less; refuses naming what is missing."""
    if journey.released_pence is not None:
        raise Refusal(f"The money was already released ({format_pence(journey.released_pence)}).")
    missing = missing_for_release(journey)
    if missing:
        raise Refusal("The money cannot be released yet: " + "; ".join(missing) + ".")
    return min(journey.grant_pence, sum(journey.invoices_pence))


def check_invoice_amount(raw: object) -> int:
    """An invoice's amount in pence from what was typed ("1,234.56", "£1234"); refuses anything else."""
    try:
        pence = parse_money(str(raw or ""))
    except NotAnAmount as wrong:
        raise Refusal(wrong.message) from None
    if pence < 1:
        raise Refusal("An invoice's amount must be more than £0.00.")
    return pence


# --- stages ---------------------------------------------------------------------------------------------


class Stage(StrEnum):
    """Where an application stands, from the admin's check to its evaluation."""

    CHECKING = "checking"
    WAITING = "waiting"
    SCORING = "scoring"
    SCORED = "scored"
    WITH_BOARD = "with_board"
    DECLINED = "declined"
    APPROVED = "approved"
    STARTED = "started"
    COMPLETED = "completed"
    RELEASED = "released"
    EVALUATED = "evaluated"
    WITHDRAWN = "withdrawn"


STAGE_TITLES: dict[Stage, str] = {
    Stage.CHECKING: "Waiting for the admin's check",
    Stage.WAITING: "Accepted: scored once the window closes",
    Stage.SCORING: "With the Cluster Panel for scoring",
    Stage.SCORED: "Scored: waiting for the panel's recommendation",
    Stage.WITH_BOARD: "With the Board for its decision",
    Stage.DECLINED: "Declined by the Board",
    Stage.APPROVED: "Approved: waiting for the project to start",
    Stage.STARTED: "Project under way",
    Stage.COMPLETED: "Completed: waiting for the visit, invoices and release",
    Stage.RELEASED: "Money released: waiting for the evaluation",
    Stage.EVALUATED: "Evaluated",
    Stage.WITHDRAWN: "Withdrawn",
}

# The stages of an approved project, before and after the money goes.
PROJECT_STAGES = frozenset({Stage.APPROVED, Stage.STARTED, Stage.COMPLETED, Stage.RELEASED, Stage.EVALUATED})


@dataclass(frozen=True)
class Evaluation:
    """The project's impact: figures, and what changed in words."""

    ehcp_pupils: int
    pupils_weekly: int
    attendance_change: str
    what_changed: str


@dataclass(frozen=True)
class Progress:
    """What has happened to an application, as flags and the journey (its stage, lateness and nudges follow)."""

    checked: bool = False  # accepted by the cluster's admin (False: submitted or returned)
    withdrawn: bool = False
    scoring: bool = False  # the panel's scoring cards have gone out
    panel_closed: bool = False
    recommendation: Recommendation | None = None
    board: BoardDecision | None = None
    journey: Journey = Journey(0)
    evaluation: Evaluation | None = None


def stage_of(progress: Progress) -> Stage:
    """The application's stage."""
    if progress.withdrawn:
        return Stage.WITHDRAWN
    if progress.board is not None:
        journey = progress.journey
        if not progress.board.approved:
            return Stage.DECLINED
        if progress.evaluation is not None:
            return Stage.EVALUATED
        if journey.released_pence is not None:
            return Stage.RELEASED
        if journey.completed_on is not None:
            return Stage.COMPLETED
        return Stage.STARTED if journey.started_on is not None else Stage.APPROVED
    if not progress.checked:
        return Stage.CHECKING
    if progress.recommendation is not None:
        return Stage.WITH_BOARD
    if progress.panel_closed:
        return Stage.SCORED
    return Stage.SCORING if progress.scoring else Stage.WAITING


def check_journey_day(day: date, today: date, title: str, not_before: date | None = None) -> date:
    """A day a step happened on: not in the future, not before the step before it."""
    if day > today:
        raise Refusal(f"The project cannot have {title} on {day:%-d %B %Y}: that is still to come.")
    if not_before is not None and day < not_before:
        raise Refusal(f"The project cannot have {title} before it started ({not_before:%-d %B %Y}).")
    return day


def check_visit(form: RecordVisit, today: date) -> tuple[Visit | None, dict[str, str]]:
    """The quality-assurance visit as typed: who, when, passed or not, notes."""
    errors: dict[str, str] = {}
    visitor = form.visitor.strip()
    if not visitor:
        errors["visitor"] = "Say who made the visit."
    elif len(visitor) > 200:
        errors["visitor"] = "Keep the visitor's name under 200 characters."
    visited_on: date | None = None
    try:
        visited_on = date.fromisoformat(form.visited_on.strip())
        if visited_on > today:
            errors["visited_on"] = "Record a visit once it has been made, not before."
    except ValueError:
        errors["visited_on"] = "Choose the date of the visit."
    passed = form.passed.strip().lower()
    if passed not in ("true", "false"):
        errors["passed"] = "Say whether the project passed the visit."
    notes = form.notes.strip()
    if len(notes) > MAX_REASONS:
        errors["notes"] = f"Keep the notes under {MAX_REASONS} characters."
    elif passed == "false" and not notes:
        errors["notes"] = "Say what must be put right before the project can pass."
    if errors or visited_on is None:
        return None, errors
    return Visit(visitor, visited_on, passed == "true", notes), {}


def _count(typed: str, title: str, errors: dict[str, str], name: str) -> int:
    text = typed.strip()
    if not text.isdigit() or len(text) > 6:
        errors[name] = f"{title}: give a whole number (0 if none)."
        return 0
    return int(text)


def check_evaluation(form: Evaluate) -> tuple[Evaluation | None, dict[str, str]]:
    """The project's impact as typed: the figures, and what changed in words."""
    errors: dict[str, str] = {}
    ehcp = _count(form.ehcp_pupils, "Pupils with EHCPs now able to use the space", errors, "ehcp_pupils")
    weekly = _count(form.pupils_weekly, "Pupils using the space each week", errors, "pupils_weekly")
    attendance = form.attendance_change.strip()
    try:
        float(attendance.removesuffix("%")) if attendance else None
    except ValueError:
        errors["attendance_change"] = "Give the change in attendance as a number of percentage points, such as +2.5."
    if len(attendance) > 12:
        errors["attendance_change"] = "Give the change in attendance as a number of percentage points, such as +2.5."
    words = form.what_changed.strip()
    if not words:
        errors["what_changed"] = "Say what changed for the pupils, in words."
    elif len(words) > MAX_REASONS:
        errors["what_changed"] = f"Keep what changed under {MAX_REASONS} characters."
    if errors:
        return None, errors
    return Evaluation(ehcp, weekly, attendance, words), {}

"""Quality-assurance visits to settings: the report's rules, its actions, and when each is nudged.

The team around the cluster plans a visit to a setting about its funded allocations, then records what it
saw, a judgement (secure, developing, concern), actions with owners and dates, and a follow-up date. The
setting's SENCO acknowledges the report. An action is nudged a week before its date and on it (to the
setting and the team), weekly while it is open and late; a follow-up on its day (to the team). A concern is
told to the cluster's chair when it is recorded, so they see it before the next meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MAX_ACTIONS = 10
ACTION_NUDGES = (7, 0)
"""Days before an action's date that the setting and the team are nudged about it (then weekly while late)."""
LATE_EVERY = 7


class Judgement(StrEnum):
    """What the team judged of the setting's use of its funded allocations."""

    SECURE = "secure"
    DEVELOPING = "developing"
    CONCERN = "concern"


JUDGEMENT_TITLES: dict[Judgement, str] = {
    Judgement.SECURE: "Secure",
    Judgement.DEVELOPING: "Developing",
    Judgement.CONCERN: "Concern",
}


class VisitState(StrEnum):
    """Where a visit stands: planned, its report recorded, the report acknowledged by the setting."""

    PLANNED = "planned"
    RECORDED = "recorded"
    ACKNOWLEDGED = "acknowledged"


STATE_TITLES: dict[VisitState, str] = {
    VisitState.PLANNED: "Planned",
    VisitState.RECORDED: "Report waiting for the setting",
    VisitState.ACKNOWLEDGED: "Report acknowledged",
}


@dataclass(frozen=True)
class Action:
    """One thing to be done after a visit: what, who owns it, and by when."""

    what: str
    owner: str
    due_on: date


def read_actions(typed: str, visited_on: date) -> tuple[list[Action], str]:
    """The actions as typed, one per line: "what; owner; YYYY-MM-DD". Returns them, or the sentence to fix.

    A blank line is skipped. Every action needs all three parts, and a date after the visit.
    """
    actions: list[Action] = []
    for number, line in enumerate((raw.strip() for raw in typed.splitlines()), start=1):
        if not line:
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 3 or not all(parts):
            return [], f"Line {number}: write each action as “what; owner; YYYY-MM-DD”."
        try:
            due_on = date.fromisoformat(parts[2])
        except ValueError:
            return [], f"Line {number}: “{parts[2]}” is not a date: write it as YYYY-MM-DD."
        if due_on <= visited_on:
            return [], f"Line {number}: an action's date must be after the visit."
        actions.append(Action(parts[0][:300], parts[1][:200], due_on))
    if len(actions) > MAX_ACTIONS:
        return [], f"Keep to {MAX_ACTIONS} actions at most."
    return actions, ""


def check_record(visited_on: date, today: date, follow_up_on: date | None) -> dict[str, str]:
    """The dates' mistakes, by field: a visit is recorded once made, and is followed up after it."""
    errors: dict[str, str] = {}
    if visited_on > today:
        errors["visited_on"] = "Record a visit once it has been made, not before."
    if follow_up_on is not None and follow_up_on <= visited_on:
        errors["follow_up_on"] = "The follow-up must be after the visit."
    return errors


def action_nudge_due(due_on: date, today: date, done: bool) -> str | None:
    """The nudge an open action owes today, named for its key, or None.

    "before-7" from a week before its date, "before-0" on it, then "late-N" in each week it is late (N
    weeks), so a missed run catches up with the latest point once rather than sending each one it missed.
    """
    if done:
        return None
    days = (due_on - today).days
    if days < 0:
        return f"late-{(-days) // LATE_EVERY}" if -days >= LATE_EVERY else "before-0"
    passed = [point for point in ACTION_NUDGES if days <= point]
    return f"before-{min(passed)}" if passed else None


def follow_up_due(follow_up_on: date | None, today: date, done: bool) -> bool:
    """Whether the team is owed its follow-up nudge: the day has come and the visit was not followed up."""
    return follow_up_on is not None and not done and follow_up_on <= today


def first_nudge_on(due_on: date) -> date:
    """The first day an action can owe a nudge (the scheduler looks at actions from then)."""
    return due_on - timedelta(days=max(ACTION_NUDGES))


@dataclass(frozen=True)
class ActionView:
    """An action as the report shows it."""

    id: int
    what: str
    owner: str
    due_on: date
    done: bool


@dataclass(frozen=True)
class VisitView:
    """A visit as its card shows it, and what the person looking may do with it."""

    id: int
    cluster: str
    setting: str
    state: VisitState
    planned_on: date
    visitors: str
    visited_on: date | None = None
    allocations: str = ""
    seen: str = ""
    judgement: Judgement | None = None
    follow_up_on: date | None = None
    acknowledged_on: date | None = None
    actions: tuple[ActionView, ...] = ()
    can_record: bool = False
    can_acknowledge: bool = False
    can_close_actions: bool = False


@dataclass(frozen=True)
class SettingChoice:
    """A setting the team may plan a visit to."""

    id: int
    name: str


@dataclass(frozen=True)
class VisitsPage:
    """The visits a person may see, newest first, and the settings they may plan a visit to (the team's)."""

    visits: tuple[VisitView, ...]
    settings: tuple[SettingChoice, ...] = ()
    more: int = 0

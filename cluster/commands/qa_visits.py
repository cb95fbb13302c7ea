"""The quality-assurance visit cards' commands: plan a visit, record its report, acknowledge it, close an action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.commands.inputs import Source, choice, day, row_id, text
from cluster.qa_visits import Judgement

VISIT_GONE = "I can't find that visit, or it isn't one you can see."
ACTION_GONE = "I can't find that action, or it isn't one you can see."


@dataclass(frozen=True, kw_only=True)
class PlanVisit:
    """The team plans a visit: to which of its cluster's settings, when, and who will go."""

    setting_id: int = row_id("Choose the setting to visit.", source=Source.INPUT)
    planned_on: date = day("Date of the visit", "Choose the date of the visit.")
    visitors: str = text("Who will visit", "Say who will make the visit.", max_length=200)


@dataclass(frozen=True, kw_only=True)
class OneVisit:
    """A button that names one visit: open its report, or acknowledge it."""

    visit_id: int = row_id(VISIT_GONE)


@dataclass(frozen=True, kw_only=True)
class RecordVisitReport:
    """The team records what the visit found: when, who, which allocations, what was seen, a judgement, actions."""

    visit_id: int = row_id(VISIT_GONE)
    visited_on: date = day("Date of the visit", "Choose the date the visit was made.")
    visitors: str = text("Who visited", "Say who made the visit.", max_length=200)
    allocations: str = text("Allocations looked at", "Name the funded allocations the visit looked at.", max_length=500)
    seen: str = text("What was seen", "Say what the visit saw.", max_length=2000)
    judgement: str = choice("Judgement", tuple(j.value for j in Judgement), "Choose a judgement.")
    actions: str = text("Actions", required=False, max_length=3000)
    follow_up_on: date | None = day("Follow-up date", required=False)


@dataclass(frozen=True, kw_only=True)
class OneAction:
    """A button that names one action of a visit: mark it done."""

    action_id: int = row_id(ACTION_GONE)

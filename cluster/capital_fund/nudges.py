"""What is late on a Capital Fund application, and the nudges owed as the round's dates approach."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cluster.capital_fund.journey import PROJECT_STAGES, Progress, Stage, missing_for_release
from cluster.capital_fund.rounds import Round
from cluster.meetings import working_days_before


def late(stage: Stage, progress: Progress, round_: Round | None, today: date) -> list[str]:
    """What is overdue for this application on ``today``, against its round's dates (none without a round)."""
    if round_ is None or stage in (Stage.WITHDRAWN, Stage.DECLINED, Stage.EVALUATED):
        return []
    found: list[str] = []
    if stage in (Stage.CHECKING, Stage.WAITING, Stage.SCORING, Stage.SCORED) and today > round_.panel_by:
        found.append(f"the panel's recommendation was due by {round_.panel_by:%-d %B %Y}")
    if stage is Stage.WITH_BOARD and today > round_.decisions_by:
        found.append(f"the Board's decision was due by {round_.decisions_by:%-d %B %Y}")
    if stage in (Stage.APPROVED, Stage.STARTED, Stage.COMPLETED) and today > round_.complete_by:
        missing = missing_for_release(progress.journey)
        if missing:
            found.append(f"due by {round_.complete_by:%-d %B %Y}: " + "; ".join(missing))
    if stage in PROJECT_STAGES and progress.evaluation is None and today > round_.evaluate_by:
        found.append(f"the evaluation was due by {round_.evaluate_by:%-d %B %Y}")
    return found


class Audience(StrEnum):
    """Who a nudge goes to."""

    UNSCORED = "unscored"  # panel members who have not scored the application
    SETTING = "setting"  # the applying setting's SENCO and delegates
    TEAM = "team"  # the cluster's team around the cluster (the quality-assurance visit)
    CHAIR = "chair"  # the cluster's chair (the evaluation, with the setting)


@dataclass(frozen=True)
class NudgeDue:
    """One nudge owed today: its point (part of the outbox key), whom it goes to, and the date it is about."""

    point: str
    audience: Audience
    by: date


SCORE_NUDGES = (5, 1)  # working days before the panel date
COMPLETE_NUDGES = (30, 7)  # days before projects must be complete and visited
EVALUATE_NUDGES = (14, 3)  # days before the evaluation date


def _points(round_: Round, holidays: Collection[date]) -> list[tuple[str, date, date]]:
    """Every nudge point of a round: (point, the day it is owed from, the date it is about)."""
    points = [(f"panel-{n}", working_days_before(round_.panel_by, n, holidays), round_.panel_by) for n in SCORE_NUDGES]
    points += [(f"complete-{n}", round_.complete_by - timedelta(days=n), round_.complete_by) for n in COMPLETE_NUDGES]
    points += [(f"evaluate-{n}", round_.evaluate_by - timedelta(days=n), round_.evaluate_by) for n in EVALUATE_NUDGES]
    return points


def nudges_due(
    stage: Stage, progress: Progress, round_: Round, today: date, holidays: Collection[date] = frozenset()
) -> list[NudgeDue]:
    """The nudges owed today: of each kind only the latest point that has come, and only until its date passes.

    Members who have not scored hear as the panel date nears; the setting (and the team, for the visit) as
    the completion date nears while a step is missing; the setting and the chair as the evaluation date
    nears while no evaluation is recorded.
    """
    latest: dict[str, tuple[str, date, date]] = {}
    for point, from_day, by in _points(round_, holidays):
        kind = point.split("-")[0]
        if from_day <= today <= by and (kind not in latest or from_day >= latest[kind][1]):
            latest[kind] = (point, from_day, by)
    owed: list[NudgeDue] = []
    if "panel" in latest and stage is Stage.SCORING:
        point, _, by = latest["panel"]
        owed.append(NudgeDue(point, Audience.UNSCORED, by))
    if "complete" in latest and stage in (Stage.APPROVED, Stage.STARTED, Stage.COMPLETED):
        point, _, by = latest["complete"]
        journey = progress.journey
        if journey.completed_on is None or not journey.invoices_pence:
            owed.append(NudgeDue(point, Audience.SETTING, by))
        if journey.visit is None or not journey.visit.passed:
            owed.append(NudgeDue(point, Audience.TEAM, by))
    if "evaluate" in latest and stage in PROJECT_STAGES and progress.evaluation is None:
        point, _, by = latest["evaluate"]
        owed.append(NudgeDue(point, Audience.SETTING, by))
        owed.append(NudgeDue(point, Audience.CHAIR, by))
    return owed


def next_look(
    round_: Round | None, window_closes: date, today: date, holidays: Collection[date] = frozenset()
) -> date | None:
    """The next day the scheduler should look at an application: the window's end, or its round's next point.

    Days already past are not looked at again; None when nothing is left to look for.
    """
    days = [window_closes + timedelta(days=1)]
    if round_ is not None:
        days += [from_day for _, from_day, _ in _points(round_, holidays)]
    later = [day for day in days if day > today]
    return min(later) if later else None

"""The Capital Fund's governance: a round, the panel's scores, the Board's decision, and the release.

The fund is the council's own pot, not a cluster's budget. Each round (2025/26 the first) has a total, an
application window and timeline dates. When the window closes the Cluster Panel scores each application on
six criteria, 1 to 5 each; a member from the applying setting does not score it, and members' scores stay
hidden from one another until the panel closes. The chair records the panel's recommendation; the council's
Place, Planning and Sufficiency Board decides (an amount up to what was asked and up to £15,000, with
conditions, or declined with reasons). Money is released only when the project is completed, a
quality-assurance visit has passed and paid invoices are in, and never more than the grant or the invoices.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

from cluster.errors import Refusal
from cluster.meetings import working_days_before
from cluster.provision import NotAnAmount, format_pence, parse_money, round_half_up

MAX_GRANT_PENCE = 15_000_00
MAX_COMMENT = 1000
MAX_REASONS = 2000


class Criterion(StrEnum):
    """What the panel scores each application on (the council's published criteria)."""

    STRATEGIC_FIT = "strategic_fit"
    QUALITY_OF_DESIGN = "quality_of_design"
    DELIVERABILITY = "deliverability"
    VALUE_FOR_MONEY = "value_for_money"
    ENVIRONMENTAL_IMPACT = "environmental_impact"
    STAKEHOLDER_ENGAGEMENT = "stakeholder_engagement"


CRITERION_TITLES: dict[Criterion, str] = {
    Criterion.STRATEGIC_FIT: "Strategic fit",
    Criterion.QUALITY_OF_DESIGN: "Quality of design",
    Criterion.DELIVERABILITY: "Deliverability",
    Criterion.VALUE_FOR_MONEY: "Value for money",
    Criterion.ENVIRONMENTAL_IMPACT: "Environmental impact",
    Criterion.STAKEHOLDER_ENGAGEMENT: "Stakeholder engagement",
}


# --- the round ------------------------------------------------------------------------------------------


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


# --- scores ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """One panel member's scores for one application: 1-5 per criterion, each with an optional comment."""

    scores: Mapping[Criterion, int]
    comments: Mapping[Criterion, str]


def check_score(raw_scores: Mapping[str, object], raw_comments: Mapping[str, object]) -> tuple[Score, dict[str, str]]:
    """A member's scoring card as typed: the score, and a message per criterion that needs fixing."""
    errors: dict[str, str] = {}
    scores: dict[Criterion, int] = {}
    comments: dict[Criterion, str] = {}
    for criterion in Criterion:
        title = CRITERION_TITLES[criterion]
        value = raw_scores.get(criterion.value)
        text = str(value).strip() if value is not None else ""
        if not text:
            errors[criterion.value] = f"Score {title} from 1 to 5."
        elif not text.isdigit() or not 1 <= int(text) <= 5:
            errors[criterion.value] = f"{title} is scored from 1 to 5."
        else:
            scores[criterion] = int(text)
        comment = str(raw_comments.get(criterion.value) or "").strip()
        if len(comment) > MAX_COMMENT:
            errors[f"{criterion.value}_comment"] = f"Keep the comment on {title} under {MAX_COMMENT} characters."
        comments[criterion] = comment
    return Score(scores, comments), errors


def check_can_score(member_setting_ids: Iterable[int], applying_setting_id: int) -> None:
    """Refuse a member from the applying setting: they do not score their own setting's application."""
    if applying_setting_id in set(member_setting_ids):
        raise Refusal("You are from the applying setting, so you do not score this application.")


@dataclass(frozen=True)
class Averages:
    """The panel's averages per criterion and overall (exact fractions; shown to one decimal place)."""

    per_criterion: Mapping[Criterion, Fraction]
    overall: Fraction | None
    scored_by: int


def averages(scores: Sequence[Score]) -> Averages:
    """The mean score per criterion over the members who scored it, and the mean of those means overall."""
    per: dict[Criterion, Fraction] = {}
    for criterion in Criterion:
        given = [s.scores[criterion] for s in scores if criterion in s.scores]
        if given:
            per[criterion] = Fraction(sum(given), len(given))
    overall = sum(per.values(), Fraction(0)) / len(per) if per else None
    return Averages(per, overall, len(scores))


def one_decimal(value: Fraction) -> str:
    """A score as people read it: one decimal place, halves rounded up (3.25 -> "3.3")."""
    tenths = round_half_up(value * 10)
    return f"{tenths // 10}.{tenths % 10}"


# --- the panel's recommendation and the board's decision -----------------------------------------------


class Recommendation(StrEnum):
    """What the panel recommends to the Board."""

    RECOMMEND = "recommend"
    WITH_CONDITIONS = "recommend_with_conditions"
    DO_NOT_RECOMMEND = "do_not_recommend"


RECOMMENDATION_TITLES: dict[Recommendation, str] = {
    Recommendation.RECOMMEND: "Recommend",
    Recommendation.WITH_CONDITIONS: "Recommend with conditions",
    Recommendation.DO_NOT_RECOMMEND: "Do not recommend",
}


def check_recommendation(choice: str, reasons: str, conditions: str) -> tuple[Recommendation, dict[str, str]]:
    """The panel's recommendation, with the reasons always and the conditions when it sets some."""
    errors: dict[str, str] = {}
    try:
        chosen = Recommendation(choice)
    except ValueError:
        chosen = Recommendation.RECOMMEND
        errors["recommendation"] = "Choose the panel's recommendation."
    if not reasons.strip():
        errors["reasons"] = "Give the panel's reasons; the Board and the setting read them."
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = f"Keep the reasons under {MAX_REASONS} characters."
    if chosen is Recommendation.WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = "Say what the conditions are."
    elif len(conditions) > MAX_REASONS:
        errors["conditions"] = f"Keep the conditions under {MAX_REASONS} characters."
    return chosen, errors


@dataclass(frozen=True)
class BoardDecision:
    """The Place, Planning and Sufficiency Board's decision on one application."""

    approved: bool
    amount_pence: int
    conditions: str
    reasons: str


def check_board_decision(
    approved: bool, amount_pence: int | None, asked_pence: int, conditions: str, reasons: str
) -> BoardDecision:
    """An approval for up to what was asked and up to £15,000, or a decline with its reasons."""
    if not approved:
        if not reasons.strip():
            raise Refusal("Give the Board's reasons for declining; the setting is told them.")
        return BoardDecision(False, 0, "", reasons.strip())
    if amount_pence is None or amount_pence < 1:
        raise Refusal("Give the amount the Board approved.")
    if amount_pence > asked_pence:
        raise Refusal(f"The Board cannot approve more than the setting asked for ({format_pence(asked_pence)}).")
    if amount_pence > MAX_GRANT_PENCE:
        raise Refusal(f"A Capital Fund grant is at most {format_pence(MAX_GRANT_PENCE)}.")
    return BoardDecision(True, amount_pence, conditions.strip(), reasons.strip())


# --- the project's journey and the release of the money ------------------------------------------------


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


def check_round_form(raw: Mapping[str, object]) -> tuple[Round | None, dict[str, str]]:
    """The officer's round form as typed: the round, or a message per field to fix (nothing half-read)."""
    errors: dict[str, str] = {}
    label = str(raw.get("label") or "").strip()
    if not label:
        errors["label"] = "Give the round a name, such as 2025/26."
    elif len(label) > 40:
        errors["label"] = "Keep the round's name under 40 characters."
    total = 0
    try:
        total = parse_money(str(raw.get("total") or ""))
        if total < 1:
            errors["total"] = "The round's total must be more than £0.00."
    except NotAnAmount as wrong:
        errors["total"] = wrong.message
    days: dict[str, date] = {}
    for name, title in ROUND_DATES:
        try:
            days[name] = date.fromisoformat(str(raw.get(name) or "").strip())
        except ValueError:
            errors[name] = f"Choose the date: {title.lower()}."
    if errors:
        return None, errors
    round_ = Round(label, total, **days)
    try:
        check_round(round_)
        check_round_in_year(round_, school_year_of(round_.opens))
    except Refusal as refused:
        return None, {"form": refused.message}
    return round_, {}


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


def check_journey_day(raw: object, today: date, title: str, not_before: date | None = None) -> date:
    """A day a step happened on: typed as a date, not in the future, not before the step before it."""
    try:
        day = date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise Refusal(f"Choose the date the project {title}.") from None
    if day > today:
        raise Refusal(f"The project cannot have {title} on {day:%-d %B %Y}: that is still to come.")
    if not_before is not None and day < not_before:
        raise Refusal(f"The project cannot have {title} before it started ({not_before:%-d %B %Y}).")
    return day


def check_visit(raw: Mapping[str, object], today: date) -> tuple[Visit | None, dict[str, str]]:
    """The quality-assurance visit as typed: who, when, passed or not, notes."""
    errors: dict[str, str] = {}
    visitor = str(raw.get("visitor") or "").strip()
    if not visitor:
        errors["visitor"] = "Say who made the visit."
    elif len(visitor) > 200:
        errors["visitor"] = "Keep the visitor's name under 200 characters."
    visited_on: date | None = None
    try:
        visited_on = date.fromisoformat(str(raw.get("visited_on") or "").strip())
        if visited_on > today:
            errors["visited_on"] = "Record a visit once it has been made, not before."
    except ValueError:
        errors["visited_on"] = "Choose the date of the visit."
    passed = str(raw.get("passed") or "").strip().lower()
    if passed not in ("true", "false"):
        errors["passed"] = "Say whether the project passed the visit."
    notes = str(raw.get("notes") or "").strip()
    if len(notes) > MAX_REASONS:
        errors["notes"] = f"Keep the notes under {MAX_REASONS} characters."
    elif passed == "false" and not notes:
        errors["notes"] = "Say what must be put right before the project can pass."
    if errors or visited_on is None:
        return None, errors
    return Visit(visitor, visited_on, passed == "true", notes), {}


def _count(raw: object, title: str, errors: dict[str, str], name: str) -> int:
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 6:
        errors[name] = f"{title}: give a whole number (0 if none)."
        return 0
    return int(text)


def check_evaluation(raw: Mapping[str, object]) -> tuple[Evaluation | None, dict[str, str]]:
    """The project's impact as typed: the figures, and what changed in words."""
    errors: dict[str, str] = {}
    ehcp = _count(raw.get("ehcp_pupils"), "Pupils with EHCPs now able to use the space", errors, "ehcp_pupils")
    weekly = _count(raw.get("pupils_weekly"), "Pupils using the space each week", errors, "pupils_weekly")
    attendance = str(raw.get("attendance_change") or "").strip()
    try:
        float(attendance.removesuffix("%")) if attendance else None
    except ValueError:
        errors["attendance_change"] = "Give the change in attendance as a number of percentage points, such as +2.5."
    if len(attendance) > 12:
        errors["attendance_change"] = "Give the change in attendance as a number of percentage points, such as +2.5."
    words = str(raw.get("what_changed") or "").strip()
    if not words:
        errors["what_changed"] = "Say what changed for the pupils, in words."
    elif len(words) > MAX_REASONS:
        errors["what_changed"] = f"Keep what changed under {MAX_REASONS} characters."
    if errors:
        return None, errors
    return Evaluation(ehcp, weekly, attendance, words), {}


# --- what is late, and the nudges as dates approach ------------------------------------------------------


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


# --- what cards and reports show -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    """One paid invoice: its amount, and its file's name once the SENCO has sent it (None: still to come)."""

    id: int
    amount_pence: int
    name: str | None


@dataclass(frozen=True)
class ApplicationView:
    """One application as cards and the report show it: what was asked, where it stands, and its journey.

    ``averages`` are None while the panel is open: members' scores stay hidden from one another until then.
    """

    referral_id: int
    reference: str
    cluster_id: int
    cluster: str
    setting_id: int
    setting: str
    year_start: int
    round: Round | None
    window_closes: date
    category: str
    works: str
    asked_pence: int
    statements: tuple[tuple[str, str], ...]  # the applicant's answer on each criterion, by its title
    progress: Progress
    stage: Stage
    late: tuple[str, ...] = ()
    scored_by: int = 0
    panel_size: int = 0
    averages: Averages | None = None
    recommendation_reasons: str = ""
    recommendation_conditions: str = ""
    invoices: tuple[InvoiceLine, ...] = ()
    accepted_on: date | None = None
    scoring_from: date | None = None
    panel_closed_on: date | None = None
    recommended_on: date | None = None
    board_on: date | None = None
    released_on: date | None = None
    evaluated_on: date | None = None

    @property
    def title(self) -> str:
        """'CEN-2526-003 · Waterside Primary School'."""
        return f"{self.reference} · {self.setting}"

    @property
    def invoiced_pence(self) -> int:
        """The total of the invoices whose files are in."""
        return sum(i.amount_pence for i in self.invoices if i.name is not None)


@dataclass(frozen=True)
class Viewer:
    """What the person looking at an application may do on it, and their own scores (theirs alone)."""

    name: str
    own_score: Score | None = None
    may_score: bool = False  # a panel member, not from the applying setting, while the panel is open
    not_scoring: str | None = None  # why a member does not score it (they are from the applying setting)
    chairs: bool = False
    officer: bool = False
    applicant: bool = False
    team: bool = False

    @property
    def evaluates(self) -> bool:
        """The applying setting, and the cluster's chair and team, record the project's impact."""
        return self.applicant or self.chairs or self.team


@dataclass(frozen=True)
class RoundView:
    """A round (or a window only) and the money it has approved and released."""

    year_start: int
    opens: date
    closes: date
    round: Round | None
    approved_pence: int = 0
    released_pence: int = 0

    @property
    def label(self) -> str:
        """The round's name, or its school year when only a window is set."""
        return self.round.label if self.round else f"{self.year_start}/{(self.year_start + 1) % 100:02d}"

    @property
    def left_pence(self) -> int | None:
        """What the round has left to approve (None without a total)."""
        return None if self.round is None else max(self.round.total_pence - self.approved_pence, 0)


@dataclass(frozen=True)
class Member:
    """One member of a cluster's panel: by role (chair, team) or named by the admin; ``setting_ids`` theirs."""

    person_id: int
    name: str
    how: str
    setting_ids: frozenset[int] = frozenset()
    named: bool = False

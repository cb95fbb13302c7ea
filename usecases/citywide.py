"""The citywide view's figures, counted in the database in a fixed number of queries whatever the city's size.

For council officers, and for chairs and the team around each cluster, who take part in the Citywide
Meeting. Only figures, never a pupil: nothing here reads a referral's details.

Each cluster's money is its budget covering the day, worked out as the budget card works it out (funded
decisions in the budget's period, less what reviews gave back, and the instalments of them paid), but for
every cluster at once: the periods go to the database as a small table of (cluster, from, to) and each sum
is one grouped query. Referrals are counted by the school year they were submitted in, with the ending of
their latest decision (or the Board's, for the Capital Fund); impact by the outcomes the school year's
reviews rated (``usecases.impact``); quality-assurance visits made this school year and their concerns; spend
by area of need and provision by ``usecases.citywide_spend``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Engine, Integer, and_, case, column, func, values
from sqlalchemy import select as sa_select
from sqlalchemy.sql.expression import CTE
from sqlmodel import Session, SQLModel

from cluster.budget import BudgetRule, position
from cluster.citywide import City, Figures, Money, ending_of, school_year_label, school_year_start
from cluster.clock import LONDON
from cluster.decisions import FUNDED, Outcome
from cluster.impact import Rating
from cluster.permissions import CITYWIDE, Forbidden, allows
from cluster.qa_visits import Judgement
from cluster.referrals import Kind, State
from cluster.reviews import plan_from
from store.db import transaction
from store.types import UTCDateTime
from usecases import capital
from usecases.citywide_spend import spend_figures
from usecases.funding import year_covering, year_view
from usecases.impact import impact_counts
from usecases.people import Actor

_T = SQLModel.metadata.tables
_CLUSTER, _BUDGET, _DECISION, _RELEASE = _T["cluster"], _T["budget"], _T["decision"], _T["release"]
_INSTALMENT, _REFERRAL, _REVIEW, _CAPITAL = _T["instalment"], _T["referral"], _T["review"], _T["capital_application"]
_QA_VISIT = _T["qa_visit"]
_FUNDED = [o.value for o in FUNDED]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LONDON)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, datetime.max.time(), tzinfo=LONDON)


def _periods(rows: Sequence[tuple[int, date, date]]) -> CTE:
    """The budgets' periods as a table the database can join: cluster, first moment, last moment.

    A ``WITH period(...) AS (VALUES ...)``, which SQLite and PostgreSQL both read (SQLite has no column
    list on a ``(VALUES ...) AS`` in FROM).
    """
    return (
        values(
            column("cluster_id", Integer),
            column("starts", UTCDateTime()),
            column("ends", UTCDateTime()),
            name="period",
        )
        .data([(cluster_id, _start_of(starts), _end_of(ends)) for cluster_id, starts, ends in rows])
        .cte("period")
    )


def _money(session: Session, today: date) -> dict[int, tuple[str, Money]]:
    """Each cluster's budget covering today and where it stands (four queries for the whole city)."""
    connection = session.connection()
    budgets = {
        int(row.cluster_id): row
        for row in connection.execute(
            sa_select(_BUDGET).where(_BUDGET.c.starts <= today, _BUDGET.c.ends >= today).order_by(_BUDGET.c.starts)
        )
    }
    if not budgets:
        return {}
    period = _periods([(cid, b.starts, b.ends) for cid, b in budgets.items()])
    in_period = and_(
        _DECISION.c.cluster_id == period.c.cluster_id,
        _DECISION.c.decided_at >= period.c.starts,
        _DECISION.c.decided_at <= period.c.ends,
    )
    funded = dict(
        connection.execute(
            sa_select(period.c.cluster_id, func.sum(_DECISION.c.amount_pence))
            .select_from(period.join(_DECISION, in_period))
            .where(_DECISION.c.outcome.in_(_FUNDED))
            .group_by(period.c.cluster_id)
        ).all()
    )
    released = dict(
        connection.execute(
            sa_select(period.c.cluster_id, func.sum(_RELEASE.c.amount_pence))
            .select_from(period.join(_DECISION, in_period).join(_RELEASE, _RELEASE.c.decision_id == _DECISION.c.id))
            .group_by(period.c.cluster_id)
        ).all()
    )
    paid = dict(
        connection.execute(
            sa_select(period.c.cluster_id, func.sum(_INSTALMENT.c.amount_pence))
            .select_from(
                period.join(_DECISION, in_period).join(_INSTALMENT, _INSTALMENT.c.decision_id == _DECISION.c.id)
            )
            .where(_INSTALMENT.c.state == "paid")
            .group_by(period.c.cluster_id)
        ).all()
    )
    out: dict[int, tuple[str, Money]] = {}
    for cluster_id, b in budgets.items():
        rule = BudgetRule(b.baseline_pence, b.growth_uplift_pence, b.specialist_allocation_pence, b.reserve_pence)
        committed = int(funded.get(cluster_id) or 0) - int(released.get(cluster_id) or 0)
        at = position(rule, committed, 0, int(paid.get(cluster_id) or 0))
        out[cluster_id] = (str(b.label), Money(at.allocated, at.committed, at.paid, at.available, at.reserve_left))
    return out


_LATEST_DECISION = (
    sa_select(_DECISION.c.referral_id, func.max(_DECISION.c.id).label("id"))
    .group_by(_DECISION.c.referral_id)
    .subquery("latest")
)
_LATEST = _DECISION.alias("latest_decision")


def _referrals(session: Session, year_from: date, year_to: date) -> dict[int, dict[tuple[Kind, Any], int]]:
    """Referrals submitted this school year, by cluster, kind and ending (one grouped query)."""
    query = (
        sa_select(
            _REFERRAL.c.cluster_id,
            _REFERRAL.c.kind,
            _REFERRAL.c.state,
            _LATEST.c.outcome,
            _CAPITAL.c.board_approved,
            func.count(),
        )
        .select_from(
            _REFERRAL.outerjoin(_LATEST_DECISION, _LATEST_DECISION.c.referral_id == _REFERRAL.c.id)
            .outerjoin(_LATEST, _LATEST.c.id == _LATEST_DECISION.c.id)
            .outerjoin(_CAPITAL, _CAPITAL.c.referral_id == _REFERRAL.c.id)
        )
        .where(
            _REFERRAL.c.submitted_at >= _start_of(year_from),
            _REFERRAL.c.submitted_at <= _end_of(year_to),
        )
        .group_by(
            _REFERRAL.c.cluster_id, _REFERRAL.c.kind, _REFERRAL.c.state, _LATEST.c.outcome, _CAPITAL.c.board_approved
        )
    )
    out: dict[int, dict[tuple[Kind, Any], int]] = defaultdict(lambda: defaultdict(int))
    for cluster_id, kind, state, outcome, board, count in session.connection().execute(query):
        ending = ending_of(Kind(kind), State(state), Outcome(outcome) if outcome else None, board)
        out[int(cluster_id)][(Kind(kind), ending)] += int(count)
    return out


def _approved(session: Session, year_from: date, year_to: date) -> dict[int, dict[Kind, int]]:
    """Money approved this school year, by cluster and kind: funded decisions, and the Board's capital grants."""
    connection = session.connection()
    decided = (
        sa_select(_DECISION.c.cluster_id, _REFERRAL.c.kind, func.sum(_DECISION.c.amount_pence))
        .select_from(_DECISION.join(_REFERRAL, _REFERRAL.c.id == _DECISION.c.referral_id))
        .where(
            _DECISION.c.outcome.in_(_FUNDED),
            _DECISION.c.decided_at >= _start_of(year_from),
            _DECISION.c.decided_at <= _end_of(year_to),
        )
        .group_by(_DECISION.c.cluster_id, _REFERRAL.c.kind)
    )
    granted = (
        sa_select(_CAPITAL.c.cluster_id, func.sum(_CAPITAL.c.board_amount_pence))
        .where(
            _CAPITAL.c.board_approved.is_(True),
            _CAPITAL.c.board_recorded_at >= _start_of(year_from),
            _CAPITAL.c.board_recorded_at <= _end_of(year_to),
        )
        .group_by(_CAPITAL.c.cluster_id)
    )
    out: dict[int, dict[Kind, int]] = defaultdict(lambda: defaultdict(int))
    for cluster_id, kind, pence in connection.execute(decided):
        out[int(cluster_id)][Kind(kind)] += int(pence or 0)
    for cluster_id, pence in connection.execute(granted):
        out[int(cluster_id)][Kind.CAPITAL] += int(pence or 0)
    return out


def _reviews(session: Session, today: date, windows: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Open reviews due (within each cluster's due window) and overdue, by cluster (one grouped query)."""
    if not windows:
        return {}
    until = (
        values(column("cluster_id", Integer), column("due_by", Date()), name="due_window")
        .data([(cluster_id, today + timedelta(days=days)) for cluster_id, days in windows.items()])
        .cte("due_window")
    )
    query = (
        sa_select(
            _REVIEW.c.cluster_id,
            func.sum(case((_REVIEW.c.due >= today, 1), else_=0)),
            func.sum(case((_REVIEW.c.due < today, 1), else_=0)),
        )
        .select_from(_REVIEW.join(until, until.c.cluster_id == _REVIEW.c.cluster_id))
        .where(_REVIEW.c.state == "open", _REVIEW.c.due <= until.c.due_by)
        .group_by(_REVIEW.c.cluster_id)
    )
    return {int(c): (int(due or 0), int(late or 0)) for c, due, late in session.connection().execute(query)}


def _qa_visits(session: Session, year_from: date, today: date) -> dict[int, tuple[int, int]]:
    """Quality-assurance visits made this school year, and those judged a concern, by cluster (one grouped query)."""
    query = (
        sa_select(
            _QA_VISIT.c.cluster_id,
            func.count(),
            func.sum(case((_QA_VISIT.c.judgement == Judgement.CONCERN.value, 1), else_=0)),
        )
        .where(
            _QA_VISIT.c.recorded_at.is_not(None),
            _QA_VISIT.c.visited_on >= year_from,
            _QA_VISIT.c.visited_on <= today,
        )
        .group_by(_QA_VISIT.c.cluster_id)
    )
    return {int(c): (int(made), int(concerns or 0)) for c, made, concerns in session.connection().execute(query)}


def city_figures(session: Session, today: date) -> City:
    """Every cluster's figures on the day and the city's, in the caller's read-only unit (a fixed number of queries)."""
    year_from = school_year_start(today)
    year_to = date(year_from.year + 1, 8, 31)
    clusters = [
        (int(i), str(n), plan)
        for i, n, plan in session.connection().execute(
            sa_select(_CLUSTER.c.id, _CLUSTER.c.name, _CLUSTER.c.nudge_plan).order_by(_CLUSTER.c.name)
        )
    ]
    windows: dict[int, int] = {}
    for cluster_id, _, plan in clusters:
        try:
            windows[cluster_id] = plan_from(dict(plan or {})).due_window
        except ValueError:  # a plan the command line refused could not be stored; the defaults if one was
            windows[cluster_id] = plan_from({}).due_window
    money = _money(session, today)
    referrals = _referrals(session, year_from, year_to)
    approved = _approved(session, year_from, year_to)
    reviews = _reviews(session, today, windows)
    visits = _qa_visits(session, year_from, today)
    impact: dict[int, dict[tuple[Kind, Rating], int]] = defaultdict(dict)
    for rated in impact_counts(session, None, _start_of(year_from), _start_of(year_to + timedelta(days=1))):
        impact[rated.cluster_id][(Kind(rated.kind), rated.rating)] = rated.count
    spend, by_source = spend_figures(session, _start_of(year_from), _end_of(year_to))
    stages: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in capital.capital_stages(session, None):
        stages[row.cluster][row.stage] += 1
    figures = []
    for cluster_id, name, _ in clusters:
        label, cash = money.get(cluster_id, (None, Money()))
        due, late = reviews.get(cluster_id, (0, 0))
        made, concerns = visits.get(cluster_id, (0, 0))
        figures.append(
            Figures(
                name=name,
                budget=label,
                money=cash,
                referrals=dict(referrals.get(cluster_id, {})),
                approved_pence=dict(approved.get(cluster_id, {})),
                reviews_due=due,
                reviews_overdue=late,
                capital=dict(stages.get(name, {})),
                impact=dict(impact.get(cluster_id, {})),
                spend_by_source=by_source.get(cluster_id, {}),
                qa_visits=made,
                qa_concerns=concerns,
            )
        )
    formula = year_covering(session, today)
    funding = year_view(session, formula) if formula is not None else None
    return City(as_of=today, year=school_year_label(today), clusters=tuple(figures), spend=spend, funding=funding)


def citywide(engine: Engine, actor: Actor, now: datetime) -> City:
    """The citywide view for a council officer, or a chair or team member of a cluster (figures only)."""
    if not allows(actor.grants, CITYWIDE, registered=actor.person_id is not None):
        raise Forbidden(CITYWIDE.refusal)
    with transaction(engine, read_only=True) as session:
        return city_figures(session, now.astimezone(LONDON).date())

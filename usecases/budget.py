"""A cluster's budget: setting it (from the command line or the budget card) and where it stands.

What is committed is derived from the funded decisions of the budget's period, less what reviews gave
back (the instalments they cancelled); what is paid, from those decisions' instalments marked paid. Neither
is stored. Setting a budget takes the cluster's turn, as recording a decision does, so a
decision never checks its affordability against a budget being changed under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from cluster.budget import BudgetRule, Position, check_budget, position
from cluster.clock import LONDON
from cluster.commands.budget import SetBudget, ShowBudget
from cluster.decisions import FUNDED
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import SEE_BUDGET, SET_BUDGET, Forbidden, clusters_reached, covers
from store import audit
from store.db import take_turn, transaction
from store.models import Budget
from store.repo import cluster_by_name
from usecases.funding_basis import funding_basis
from usecases.people import Actor


@dataclass(frozen=True)
class BudgetView:
    """A budget and where it stands."""

    cluster: str
    label: str
    starts: date
    ends: date
    rule: BudgetRule
    position: Position
    # How the three parts were worked out: the year's formula, one sentence a part (empty: typed by hand).
    basis: tuple[str, ...] = ()


@dataclass(frozen=True)
class BudgetCard:
    """What the budget card shows: the cluster, its budget covering the day (None: none set), and the form.

    ``can_set`` says whether the person may set it (admins and council officers).
    """

    cluster: str
    view: BudgetView | None
    can_set: bool
    cluster_id: int = 0
    # Every cluster whose budget the person may see, (id, name) by name: the card offers the others.
    choices: tuple[tuple[int, str], ...] = ()


_T = SQLModel.metadata.tables
_DECISION, _RELEASE, _INSTALMENT = _T["decision"], _T["release"], _T["instalment"]
_IN_PERIOD = (
    _DECISION.c.cluster_id == bindparam("cluster"),
    _DECISION.c.decided_at >= bindparam("starts"),
    _DECISION.c.decided_at <= bindparam("ends"),
)
# Committed: the funded decisions of the period, less what reviews gave back of them; and what of them is
# paid (one query).
_COMMITTED = sa_select(
    sa_select(func.coalesce(func.sum(_DECISION.c.amount_pence), 0))
    .where(*_IN_PERIOD, _DECISION.c.outcome.in_([o.value for o in FUNDED]))
    .scalar_subquery(),
    sa_select(func.coalesce(func.sum(_RELEASE.c.amount_pence), 0))
    .select_from(_RELEASE.join(_DECISION, _DECISION.c.id == _RELEASE.c.decision_id))
    .where(*_IN_PERIOD)
    .scalar_subquery(),
    sa_select(func.coalesce(func.sum(_INSTALMENT.c.amount_pence), 0))
    .select_from(_INSTALMENT.join(_DECISION, _DECISION.c.id == _INSTALMENT.c.decision_id))
    .where(*_IN_PERIOD, _INSTALMENT.c.state == "paid")
    .scalar_subquery(),
)


def budget_row(session: Session, cluster_id: int, day: date) -> Budget | None:
    """The cluster's budget whose period covers the day."""
    return session.exec(
        select(Budget).where(Budget.cluster_id == cluster_id, Budget.starts <= day, Budget.ends >= day)
    ).first()


def committed_and_paid(session: Session, cluster_id: int, budget: Budget) -> tuple[int, int]:
    """What the budget's period has committed (funded decisions less what was given back), and paid of it."""
    params = {
        "cluster": cluster_id,
        "starts": datetime.combine(budget.starts, datetime.min.time(), tzinfo=LONDON),
        "ends": datetime.combine(budget.ends, datetime.max.time(), tzinfo=LONDON),
    }
    funded, released, paid = session.connection().execute(_COMMITTED, params).one()
    return int(funded) - int(released), int(paid)


def committed(session: Session, cluster_id: int, budget: Budget) -> int:
    """What the budget's period has committed: funded decisions less what was given back."""
    return committed_and_paid(session, cluster_id, budget)[0]


def rule_of(budget: Budget) -> BudgetRule:
    """A budget row as the rules see it."""
    return BudgetRule(
        budget.baseline_pence, budget.growth_uplift_pence, budget.specialist_allocation_pence, budget.reserve_pence
    )


def budget_on(session: Session, cluster_id: int, cluster: str, day: date, requested: int = 0) -> BudgetView | None:
    """The cluster's budget covering a day and where it stands, with ``requested`` asked of it (two queries)."""
    budget = budget_row(session, cluster_id, day)
    if budget is None:
        return None
    rule = rule_of(budget)
    spent, paid = committed_and_paid(session, cluster_id, budget)
    at = position(rule, spent, requested, paid)
    return BudgetView(
        cluster, budget.label, budget.starts, budget.ends, rule, at, funding_basis(session, budget, cluster)
    )


def _store(
    session: Session,
    actor_tag: str,
    cluster_id: int,
    cluster: str,
    label: str,
    starts: date,
    ends: date,
    rule: BudgetRule,
    now: datetime,
) -> BudgetView:
    """Write the budget and its audit line (in the caller's unit, which holds the cluster's turn)."""
    budget = session.exec(select(Budget).where(Budget.cluster_id == cluster_id, Budget.starts == starts)).first()
    if budget is None:
        budget = Budget(cluster_id=cluster_id, label=label, starts=starts, ends=ends, baseline_pence=0, updated_at=now)
    budget.label, budget.ends = label, ends
    if (budget.baseline_pence, budget.growth_uplift_pence, budget.specialist_allocation_pence) != rule.parts:
        budget.funding_year_id = None  # typed by hand: no longer the formula's (a reserve alone keeps it)
    budget.baseline_pence = rule.baseline_pence
    budget.growth_uplift_pence = rule.growth_uplift_pence
    budget.specialist_allocation_pence = rule.specialist_allocation_pence
    budget.reserve_pence = rule.reserve_pence
    budget.updated_at = now
    session.add(budget)
    session.flush()
    audit.record(
        session,
        now,
        actor_tag,
        "budget.set",
        f"cluster:{cluster}",
        label=label,
        total=rule.total_pence,
        reserve=rule.reserve_pence,
    )
    found = budget_on(session, cluster_id, cluster, starts)
    assert found is not None
    return found


def _checked(starts: date, ends: date, parts: Sequence[int]) -> BudgetRule:
    rule = check_budget(*parts)
    if ends <= starts:
        raise Refusal("A funding period must end after it starts.")
    return rule


def set_budget(
    engine: Engine,
    actor_tag: str,
    cluster_name: str,
    label: str,
    starts: date,
    ends: date,
    parts: Sequence[int],
    now: datetime,
) -> BudgetView:
    """Set (or correct) a cluster's budget for a period: baseline, growth uplift, specialist allocation, reserve."""
    rule = _checked(starts, ends, parts)
    with transaction(engine, serial=False) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        take_turn(session, "cluster", cluster.id)
        return _store(session, actor_tag, cluster.id, cluster.name, label, starts, ends, rule, now)


def budget_for(engine: Engine, cluster_name: str, day: date) -> BudgetView | None:
    """The cluster's budget covering a day, with what is committed and available."""
    with transaction(engine, read_only=True) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        return budget_on(session, cluster.id, cluster.name, day)


# --- the budget card ------------------------------------------------------------------------------------

_CLUSTER = _T["cluster"]
_CLUSTERS = sa_select(_CLUSTER.c.id, _CLUSTER.c.name).order_by(_CLUSTER.c.name)
_CLUSTERS_OF = _CLUSTERS.where(_CLUSTER.c.id.in_(bindparam("ids", expanding=True)))


def _reachable(session: Session, actor: Actor) -> tuple[tuple[int, str], ...]:
    """The clusters whose budget the actor may see, by name (one query; none when they reach none)."""
    reached = clusters_reached(actor.grants, SEE_BUDGET)
    if reached is not None and not reached:
        return ()
    query = _CLUSTERS if reached is None else _CLUSTERS_OF
    params = {} if reached is None else {"ids": sorted(reached)}
    return tuple((int(i), str(n)) for i, n in session.connection().execute(query, params))


def _budget_cluster(
    session: Session, actor: Actor, cluster_id: int | None = None, named: str | None = None
) -> tuple[int, str, bool, tuple[tuple[int, str], ...]]:
    """The cluster whose budget the actor sees, whether they may set it, and every cluster they may see.

    The one a card names (``cluster_id``) or a person typed (``named``), else the first by name they reach.
    A cluster they do not reach is refused like a missing role, whether it exists or not.
    """
    choices = _reachable(session, actor)
    if not choices:
        raise Forbidden(SEE_BUDGET.refusal)
    if named is not None:
        found = cluster_by_name(session, named)
        if found is None:
            raise Refusal(f"There is no cluster called '{named.strip()}'.")
        cluster_id = found.id
    chosen = choices[0] if cluster_id is None else next((c for c in choices if c[0] == cluster_id), None)
    if chosen is None or not covers(actor.grants, SEE_BUDGET, chosen[0]):
        raise Forbidden(SEE_BUDGET.refusal)
    return chosen[0], chosen[1], covers(actor.grants, SET_BUDGET, chosen[0]), choices


def budget_card(engine: Engine, actor: Actor, day: date, command: ShowBudget) -> BudgetCard:
    """The budget card's content for the actor: a cluster's budget covering the day (chairs, admins, officers).

    Which cluster: the card's ``cluster_id``, a typed name (``budget North``), or the first they reach.
    """
    with transaction(engine, read_only=True) as session:
        chosen, cluster, can_set, choices = _budget_cluster(
            session, actor, command.cluster_id, command.cluster_name or None
        )
        return BudgetCard(cluster, budget_on(session, chosen, cluster, day), can_set, chosen, choices)


def set_budget_as(engine: Engine, actor: Actor, command: SetBudget, now: datetime) -> BudgetCard:
    """An admin or council officer sets a cluster's budget from Teams; returns the card as it then stands.

    The cluster is the one the card names (``cluster_id``, checked against the person's roles), else the
    first they reach. A budget the rules refuse (a reserve past the total, a period that ends before it
    starts) is not saved: the form comes back saying why (:class:`InvalidInput` on ``form``).
    """
    with transaction(engine, serial=False) as session:
        chosen, cluster, can_set, choices = _budget_cluster(session, actor, command.cluster_id)
        if not can_set:
            raise Forbidden(SET_BUDGET.refusal)
        today = now.astimezone(LONDON).date()
        try:
            rule = _checked(command.starts, command.ends, command.parts)
        except Refusal as refusal:
            raise InvalidInput({"form": refusal.message}, {}) from None
        take_turn(session, "cluster", chosen)
        view = _store(session, actor.tag, chosen, cluster, command.label, command.starts, command.ends, rule, now)
        current = view if view.starts <= today <= view.ends else budget_on(session, chosen, cluster, today)
        return BudgetCard(cluster, current, can_set, chosen, choices)

"""The finance exports' content, per cluster or citywide, for council officers (and the command line).

One read-only unit in a fixed number of queries whatever the number of clusters or decisions: the
clusters, their budgets, the funded decisions, every instalment, the term dates and the capital
applications. A budget's committed and paid figures are added up from the ledger here (the instalments not
cancelled, and those paid, of the decisions its period covers), so the export agrees with the budget card,
which works them out from the decisions and releases, only if the ledger does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Engine, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cluster.budget import BudgetRule, position
from cluster.clock import LONDON
from cluster.commands.ledger import FinanceExports
from cluster.decisions import FUNDED, Outcome, Schedule
from cluster.errors import Refusal
from cluster.finance import AllocationLine, BudgetLine, CapitalStage, FinanceView, by_term, ledger_of
from cluster.ledger import Totals
from cluster.permissions import FINANCE_EXPORTS, Forbidden, authorize, clusters_reached
from cluster.referrals import Kind
from store.db import transaction
from store.terms import loaded_terms
from usecases import capital
from usecases.ledger import INSTALMENT_CLUSTER, INSTALMENTS, instalment_view
from usecases.people import Actor

_T = SQLModel.metadata.tables
_CLUSTER, _BUDGET, _DECISION, _REFERRAL = _T["cluster"], _T["budget"], _T["decision"], _T["referral"]
_SETTING, _ITEM, _MEETING = _T["setting"], _T["agenda_item"], _T["meeting"]

_ALLOCATIONS = (
    sa_select(
        _DECISION.c.id,
        _CLUSTER.c.name,
        _REFERRAL.c.reference,
        _SETTING.c.name,
        _REFERRAL.c.kind,
        _MEETING.c.day,
        _DECISION.c.decided_at,
        _DECISION.c.outcome,
        _DECISION.c.amount_pence,
        _DECISION.c.reserve_drawn,
        _DECISION.c.schedule,
        _DECISION.c.review_date,
        _DECISION.c.cluster_id,
    )
    .select_from(
        _DECISION.join(_REFERRAL, _REFERRAL.c.id == _DECISION.c.referral_id)
        .join(_SETTING, _SETTING.c.id == _REFERRAL.c.setting_id)
        .join(_CLUSTER, _CLUSTER.c.id == _DECISION.c.cluster_id)
        .join(_ITEM, _ITEM.c.id == _DECISION.c.item_id)
        .join(_MEETING, _MEETING.c.id == _ITEM.c.meeting_id)
    )
    .where(_DECISION.c.outcome.in_([o.value for o in FUNDED]))
)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def capital_stages(session: Session, cluster_ids: frozenset[int] | None) -> tuple[CapitalStage, ...]:
    """The Capital Fund applications of these clusters (None: every cluster) and where each stands on its journey."""
    return tuple(
        CapitalStage(
            row.cluster, row.reference, row.setting, row.asked_pence, row.stage, row.decided_pence, row.released_pence
        )
        for row in sorted(capital.capital_stages(session, cluster_ids), key=lambda r: (r.cluster, r.reference))
    )


def _budgets(
    session: Session, cluster_ids: frozenset[int] | None
) -> dict[int, list[tuple[str, date, date, BudgetRule]]]:
    query = sa_select(
        _BUDGET.c.cluster_id,
        _BUDGET.c.label,
        _BUDGET.c.starts,
        _BUDGET.c.ends,
        _BUDGET.c.baseline_pence,
        _BUDGET.c.growth_uplift_pence,
        _BUDGET.c.specialist_allocation_pence,
        _BUDGET.c.reserve_pence,
    ).order_by(_BUDGET.c.starts)
    if cluster_ids is not None:
        query = query.where(_BUDGET.c.cluster_id.in_(sorted(cluster_ids)))
    found: dict[int, list[tuple[str, date, date, BudgetRule]]] = {}
    for cluster_id, label, starts, ends, *parts in session.connection().execute(query):
        found.setdefault(int(cluster_id), []).append((str(label), starts, ends, BudgetRule(*(int(p) for p in parts))))
    return found


def _covering(
    budgets: Sequence[tuple[str, date, date, BudgetRule]], day: date
) -> tuple[str, date, date, BudgetRule] | None:
    return next((b for b in budgets if b[1] <= day <= b[2]), None)


def finance_view(session: Session, cluster_ids: frozenset[int] | None, scope: str, now: datetime) -> FinanceView:
    """The export's content for these clusters (None: citywide), in the caller's read-only unit."""
    today = _local_day(now)
    terms = loaded_terms(session)
    clusters_query = sa_select(_CLUSTER.c.id, _CLUSTER.c.name).order_by(_CLUSTER.c.name)
    instalments_query = INSTALMENTS.order_by(
        _CLUSTER.c.name, _MEETING.c.day, INSTALMENT_CLUSTER, INSTALMENTS.selected_columns[0]
    )
    allocations_query = _ALLOCATIONS.order_by(_CLUSTER.c.name, _MEETING.c.day, _DECISION.c.id)
    if cluster_ids is not None:
        wanted = sorted(cluster_ids)
        clusters_query = clusters_query.where(_CLUSTER.c.id.in_(wanted))
        instalments_query = instalments_query.where(INSTALMENT_CLUSTER.in_(wanted))
        allocations_query = allocations_query.where(_DECISION.c.cluster_id.in_(wanted))
    connection = session.connection()
    clusters = [(int(i), str(n)) for i, n in connection.execute(clusters_query)]
    budgets = _budgets(session, cluster_ids)
    instalments = tuple(instalment_view(r, terms) for r in connection.execute(instalments_query))
    ledgers = ledger_of(instalments)
    allocations = []
    for row in connection.execute(allocations_query):
        (
            decision_id,
            cluster,
            reference,
            setting,
            kind,
            day,
            decided_at,
            outcome,
            amount,
            drawn,
            schedule,
            review,
            cid,
        ) = row
        decided_on = _local_day(decided_at)
        covering = _covering(budgets.get(int(cid), []), decided_on)
        allocations.append(
            AllocationLine(
                decision_id=int(decision_id),
                cluster=str(cluster),
                reference=str(reference or ""),
                setting=str(setting),
                kind=Kind(kind),
                meeting_day=day,
                decided_on=decided_on,
                outcome=Outcome(outcome),
                amount_pence=int(amount),
                reserve_drawn=bool(drawn),
                schedule=Schedule(schedule) if schedule else None,
                review_date=review,
                budget=covering[0] if covering else "",
                ledger=ledgers.get(int(decision_id), Totals()),
            )
        )
    lines = []
    for cluster_id, name in clusters:
        covering = _covering(budgets.get(cluster_id, []), today)
        if covering is None:
            continue
        label, starts, ends, rule = covering
        covered = [a for a in allocations if a.cluster == name and starts <= a.decided_on <= ends]
        committed = sum(a.ledger.committed for a in covered)
        paid = sum(a.ledger.paid for a in covered)
        lines.append(BudgetLine(name, label, starts, ends, position(rule, committed, 0, paid)))
    return FinanceView(
        scope=scope,
        generated_at=now,
        budgets=tuple(lines),
        allocations=tuple(allocations),
        instalments=instalments,
        terms=by_term(instalments, terms),
        capital=capital_stages(session, cluster_ids),
    )


def _scope(session: Session, cluster_name: str | None) -> tuple[frozenset[int] | None, str]:
    if not cluster_name:
        return None, "Citywide"
    found = (
        session.connection()
        .execute(sa_select(_CLUSTER.c.id, _CLUSTER.c.name).where(_CLUSTER.c.name == cluster_name))
        .first()
    )
    if found is None:
        found = (
            session.connection()
            .execute(
                sa_select(_CLUSTER.c.id, _CLUSTER.c.name).where(func.lower(_CLUSTER.c.name) == cluster_name.lower())
            )
            .first()
        )
    if found is None:
        raise Refusal(f"There is no cluster called '{cluster_name}'.")
    return frozenset({int(found[0])}), f"{found[1]} cluster"


def finance_export(engine: Engine, cluster_name: str | None, now: datetime) -> FinanceView:
    """The export for one cluster (by name) or citywide (None), for the command line."""
    with transaction(engine, read_only=True) as session:
        ids, scope = _scope(session, cluster_name)
        return finance_view(session, ids, scope, now)


def finance_for(engine: Engine, actor: Actor, command: FinanceExports, now: datetime) -> FinanceView:
    """The export a council officer asked for in Teams: one cluster they reach (by name), or citywide (none named)."""
    cluster_name = command.cluster_name or None
    reached = clusters_reached(actor.grants, FINANCE_EXPORTS)
    if reached is not None and not reached:
        raise Forbidden(FINANCE_EXPORTS.refusal)
    with transaction(engine, read_only=True) as session:
        ids, scope = _scope(session, cluster_name)
        if ids is None:
            if reached is not None:  # someone who reaches only some clusters has those, not the city
                ids, scope = reached, "Your clusters"
        else:
            for cluster_id in ids:
                authorize(actor.grants, FINANCE_EXPORTS, cluster_id)
        return finance_view(session, ids, scope, now)

"""The council's funding formula: recording a financial year's formula, and every cluster's budget from it.

Recording (or changing) a year's formula is one serial unit: it writes the year, a change line with who and
why, each cluster's budget for the year (its three parts from :func:`cluster.funding.apportion`, keeping the
reserve an officer set) and the audit line, or none of them. The counts "by settings" rests on are counted
from the clusters' settings when the formula is recorded; pupils with EHCPs and fixed shares are given by the
council (a CSV on the command line), and a change that gives none keeps the year's last ones. The change
line keeps the whole formula as it then stood, so each year's figures can be read back as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from cluster.commands.funding import SetFunding, ShowFunding
from cluster.errors import InvalidInput, Refusal
from cluster.funding import (
    Change,
    ClusterFunding,
    Counts,
    Formula,
    Part,
    PartRule,
    YearView,
    apportion,
    check_formula,
    formula_from_json,
    formula_to_json,
)
from cluster.permissions import SET_FUNDING, Forbidden, allows
from cluster.provision import format_pence
from cluster.text import clean_text
from store import audit
from store.db import transaction
from store.models import Budget, FundingChange, FundingYear
from usecases.people import Actor

_T = SQLModel.metadata.tables
_CLUSTER, _SETTING = _T["cluster"], _T["setting"]


def _clusters(session: Session) -> list[tuple[int, str, int]]:
    """Every cluster by name: id, name and how many settings it has (one query)."""
    settings = func.count(_SETTING.c.id)
    query = (
        sa_select(_CLUSTER.c.id, _CLUSTER.c.name, settings)
        .select_from(_CLUSTER.outerjoin(_SETTING, _SETTING.c.cluster_id == _CLUSTER.c.id))
        .group_by(_CLUSTER.c.id, _CLUSTER.c.name)
        .order_by(_CLUSTER.c.name)
    )
    return [(int(i), str(n), int(s)) for i, n, s in session.connection().execute(query)]


def year_view(session: Session, year: FundingYear) -> YearView:
    """A stored year as the card, the CLI and the citywide view read it (two queries)."""
    assert year.id is not None
    formula = formula_from_json(year.formula)
    changes = session.exec(
        select(FundingChange).where(FundingChange.funding_year_id == year.id).order_by(col(FundingChange.id))
    ).all()
    return YearView(
        year.label,
        year.starts,
        year.ends,
        formula,
        apportion(formula),
        tuple(Change(c.changed_at, c.changed_by, c.reason, formula_from_json(c.formula).total_pence) for c in changes),
    )


def year_covering(session: Session, day: date) -> FundingYear | None:
    """The financial year whose formula covers the day (None: no formula recorded for it)."""
    return session.exec(select(FundingYear).where(FundingYear.starts <= day, FundingYear.ends >= day)).first()


def year_called(session: Session, label: str) -> FundingYear | None:
    """The financial year of that label, as typed (``2026/27``)."""
    return session.exec(select(FundingYear).where(FundingYear.label == label.strip())).first()


def _counts(
    clusters: Sequence[tuple[int, str, int]],
    given: Mapping[str, tuple[int, int]] | None,
    before: Formula | None,
) -> list[Counts]:
    """Each cluster's counts: settings counted now; EHCP pupils and fixed shares given, else as they were."""
    names = {name.casefold(): name for _, name, _ in clusters}
    by_name: dict[str, tuple[int, int]] = {}
    for typed, pair in (given or {}).items():
        name = names.get(clean_text(typed).casefold())
        if name is None:
            raise Refusal(f"There is no cluster called '{clean_text(typed)}'.")
        by_name[name] = pair
    kept = {c.cluster: (c.ehcp_pupils, c.fixed_share) for c in (before.counts if before else ())}
    out = []
    for _, name, settings in clusters:
        ehcp, fixed = by_name.get(name, (0, 0)) if given is not None else kept.get(name, (0, 0))
        out.append(Counts(name, ehcp, settings, fixed))
    return out


def set_formula(
    engine: Engine,
    changed_by: str,
    actor_tag: str,
    label: str,
    starts: date,
    ends: date,
    parts: Sequence[PartRule],
    given: Mapping[str, tuple[int, int]] | None,
    reason: str,
    now: datetime,
) -> YearView:
    """Record or change a year's formula and every cluster's budget from it; refuses without a reason.

    ``given`` maps cluster names to (pupils with EHCPs, fixed share); None keeps the year's last counts.
    """
    reason, label = clean_text(reason).strip(), clean_text(label).strip()
    if not reason:
        raise Refusal("Say why the formula is being set or changed: the yearly review reads it.")
    if not label:
        raise Refusal("Name the financial year, such as 2026/27.")
    if ends <= starts:
        raise Refusal("A financial year must end after it starts.")
    with transaction(engine) as session:
        year = session.exec(select(FundingYear).where(FundingYear.starts == starts)).first()
        clashing = year_called(session, label)
        if clashing is not None and (year is None or clashing.id != year.id):
            raise Refusal(f"The {label} formula starts on {clashing.starts:%-d %B %Y}, not {starts:%-d %B %Y}.")
        clusters = _clusters(session)
        before = formula_from_json(year.formula) if year is not None else None
        formula = check_formula(parts, _counts(clusters, given, before))
        if year is None:
            year = FundingYear(label=label, starts=starts, ends=ends, updated_at=now)
        year.label, year.ends, year.formula, year.updated_at = label, ends, formula_to_json(formula), now
        session.add(year)
        session.flush()
        assert year.id is not None
        funding = {f.cluster: f for f in apportion(formula)}
        for cluster_id, name, _ in clusters:
            _budget_from(session, cluster_id, year, funding[name], now)
        session.add(
            FundingChange(
                funding_year_id=year.id,
                changed_at=now,
                changed_by=changed_by,
                reason=reason,
                formula=formula_to_json(formula),
            )
        )
        audit.record(
            session, now, actor_tag, "funding.set", f"funding:{label}", total=formula.total_pence, reason=reason
        )
        session.flush()
        return year_view(session, year)


def _budget_from(session: Session, cluster_id: int, year: FundingYear, funding: ClusterFunding, now: datetime) -> None:
    """Write one cluster's budget for the year from the formula, keeping its reserve (refused past the total)."""
    budget = session.exec(select(Budget).where(Budget.cluster_id == cluster_id, Budget.starts == year.starts)).first()
    if budget is None:
        budget = Budget(
            cluster_id=cluster_id,
            label=year.label,
            starts=year.starts,
            ends=year.ends,
            baseline_pence=0,
            updated_at=now,
        )
    if budget.reserve_pence > funding.total_pence:
        raise Refusal(
            f"The {funding.cluster} cluster's emergency reserve of {format_pence(budget.reserve_pence)} would be "
            f"more than its budget of {format_pence(funding.total_pence)} from this formula: lower the reserve first."
        )
    budget.label, budget.ends, budget.updated_at, budget.funding_year_id = year.label, year.ends, now, year.id
    budget.baseline_pence = funding.pence(Part.BASELINE)
    budget.growth_uplift_pence = funding.pence(Part.UPLIFT)
    budget.specialist_allocation_pence = funding.pence(Part.SPECIALIST)
    session.add(budget)


def formula_for(engine: Engine, label: str | None, day: date) -> YearView | None:
    """The year of that label, else the one covering the day (None: no formula recorded)."""
    with transaction(engine, read_only=True) as session:
        year = year_called(session, label) if label else year_covering(session, day)
        return year_view(session, year) if year is not None else None


def years(engine: Engine) -> list[YearView]:
    """Every recorded year, newest first, with its changes."""
    with transaction(engine, read_only=True) as session:
        rows = session.exec(select(FundingYear).order_by(col(FundingYear.starts).desc())).all()
        return [year_view(session, y) for y in rows]


# --- the council officer's card ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingCard:
    """What the formula card shows: a year's formula (None: none recorded) and every year's label, newest first."""

    view: YearView | None
    labels: tuple[str, ...]
    asked: str = ""  # the year asked for by name, when none is recorded under it


def _check(actor: Actor) -> None:
    if not allows(actor.grants, SET_FUNDING, registered=actor.person_id is not None):
        raise Forbidden(SET_FUNDING.refusal)


def _card(session: Session, label: str, day: date) -> FundingCard:
    year = year_called(session, label) if label else year_covering(session, day)
    labels = session.exec(select(FundingYear.label).order_by(col(FundingYear.starts).desc())).all()
    view = year_view(session, year) if year is not None else None
    return FundingCard(view, tuple(labels), label if view is None else "")


def funding_card(engine: Engine, actor: Actor, day: date, command: ShowFunding) -> FundingCard:
    """The formula card: the year typed or named by the card, else the one covering the day (council officers)."""
    _check(actor)
    with transaction(engine, read_only=True) as session:
        return _card(session, clean_text(command.year or command.label), day)


def set_funding_as(engine: Engine, actor: Actor, command: SetFunding, now: datetime) -> FundingCard:
    """A council officer records or changes a year's formula from Teams; the counts are kept as they were.

    What the rules refuse (nothing to share by, a reserve past a cluster's new total) comes back on the
    form, nothing saved.
    """
    _check(actor)
    try:
        view = set_formula(
            engine,
            actor.name,
            actor.tag,
            command.label,
            command.starts,
            command.ends,
            command.parts,
            None,
            command.reason,
            now,
        )
    except Refusal as refusal:
        raise InvalidInput({"form": refusal.message}, {}) from None
    with transaction(engine, read_only=True) as session:
        return _card(session, view.label, view.starts)

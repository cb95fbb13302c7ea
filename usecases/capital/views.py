"""Reading the Capital Fund: rounds, panels and applications as views, in a fixed number of queries.

Every use case of the fund reads through these, in its own unit of work; none of them writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from cluster import capital_fund as fund
from cluster.capital_fund import (
    ApplicationView,
    BoardDecision,
    Criterion,
    Evaluation,
    InvoiceLine,
    Member,
    Progress,
    Recommendation,
    Round,
    RoundView,
    Score,
    Visit,
)
from cluster.clock import LONDON
from cluster.referrals import CAPITAL_CATEGORIES, CAPITAL_CRITERIA, Kind, State, capital_window
from cluster.roles import SETTING_ROLES, Role
from store.models import (
    CapitalApplication,
    CapitalInvoice,
    CapitalScore,
    CapitalWindow,
    Cluster,
    PanelMember,
    Person,
    Referral,
    RoleAssignment,
    Setting,
)
from usecases.people import Actor

CATEGORY_TITLES = dict(CAPITAL_CATEGORIES)


def today_of(now: datetime) -> date:
    """Today in London at ``now``."""
    return now.astimezone(LONDON).date()


def day_of(moment: datetime | None) -> date | None:
    """The London day of a moment (None stays None)."""
    return moment.astimezone(LONDON).date() if moment is not None else None


def round_of(row: CapitalWindow | None) -> Round | None:
    """The round a row holds, or None when it holds a window only."""
    if row is None or row.label is None or row.total_pence is None:
        return None
    if None in (row.panel_by, row.decisions_by, row.complete_by, row.evaluate_by):
        return None
    assert row.panel_by and row.decisions_by and row.complete_by and row.evaluate_by
    return Round(
        row.label,
        row.total_pence,
        row.opens,
        row.closes,
        row.panel_by,
        row.decisions_by,
        row.complete_by,
        row.evaluate_by,
    )


def window_of(rows: Mapping[int, CapitalWindow], year_start: int) -> tuple[date, date]:
    """A year's application window: its row's, else the council's usual 1 September to 31 December."""
    row = rows.get(year_start)
    if row is not None:
        return row.opens, row.closes
    usual = capital_window(date(year_start, 9, 1))
    return usual.opens, usual.closes


def rounds_in(session: Session, years: Iterable[int] | None = None) -> dict[int, CapitalWindow]:
    """The stored rows of these school years (None: every one), by the year they start in."""
    query = select(CapitalWindow)
    if years is not None:
        query = query.where(col(CapitalWindow.year_start).in_(set(years)))
    return {row.year_start: row for row in session.exec(query)}


def round_views_in(session: Session, years: Sequence[int] | None = None) -> list[RoundView]:
    """The rounds (all of them, or these years), newest first, with what each approved and released."""
    rows = rounds_in(session, years)
    money = {
        year: (int(approved or 0), int(released or 0))
        for year, approved, released in session.exec(
            select(
                CapitalApplication.year_start,
                func.sum(CapitalApplication.board_amount_pence),
                func.sum(CapitalApplication.released_pence),
            )
            .where(col(CapitalApplication.board_approved).is_(True))
            .group_by(col(CapitalApplication.year_start))
        ).all()
    }
    shown = sorted(set(rows) if years is None else set(years), reverse=True)
    views = []
    for year in shown:
        opens, closes = window_of(rows, year)
        approved, released = money.get(year, (0, 0))
        views.append(RoundView(year, opens, closes, round_of(rows.get(year)), approved, released))
    return views


ROLE_HOW = {Role.CHAIR.value: "Chair", Role.TEAM_AROUND_CLUSTER.value: "Team around the cluster"}


def panels(session: Session, cluster_ids: Iterable[int]) -> dict[int, list[Member]]:
    """Each cluster's panel: its chairs, its team around the cluster and the SENCOs its admin named (3 queries)."""
    ids = set(cluster_ids)
    if not ids:
        return {}
    found: dict[int, dict[int, Member]] = defaultdict(dict)
    for cluster_id, person_id, name, role in session.exec(
        select(RoleAssignment.cluster_id, Person.id, Person.name, RoleAssignment.role)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(col(RoleAssignment.cluster_id).in_(ids), col(RoleAssignment.role).in_(list(ROLE_HOW)))
        .order_by(col(RoleAssignment.role), col(Person.name))
    ).all():
        if cluster_id is not None and person_id is not None and person_id not in found[cluster_id]:
            found[cluster_id][person_id] = Member(person_id, name, ROLE_HOW[role])
    for cluster_id, person_id, name in session.exec(
        select(PanelMember.cluster_id, Person.id, Person.name)
        .join(Person, col(Person.id) == PanelMember.person_id)
        .where(col(PanelMember.cluster_id).in_(ids))
        .order_by(col(Person.name))
    ).all():
        if person_id is not None and person_id not in found[cluster_id]:
            found[cluster_id][person_id] = Member(person_id, name, "Named by the admin", named=True)
    people = {m.person_id for members in found.values() for m in members.values()}
    settings: dict[int, set[int]] = defaultdict(set)
    if people:
        for person_id, setting_id in session.exec(
            select(RoleAssignment.person_id, RoleAssignment.setting_id).where(
                col(RoleAssignment.person_id).in_(people),
                col(RoleAssignment.role).in_([r.value for r in SETTING_ROLES]),
            )
        ).all():
            if setting_id is not None:
                settings[person_id].add(setting_id)
    return {
        cluster_id: [replace(m, setting_ids=frozenset(settings.get(m.person_id, ()))) for m in members.values()]
        for cluster_id, members in found.items()
    }


def scorers(members: Iterable[Member], setting_id: int) -> list[Member]:
    """The members who score an application of this setting: all but those from the applying setting."""
    return [m for m in members if setting_id not in m.setting_ids]


def member_of(session: Session, actor: Actor, cluster_id: int) -> Member | None:
    """The actor as a member of the cluster's panel (from their grants, or the admin's naming), or None."""
    settings = frozenset(g.setting_id for g in actor.grants if g.role in SETTING_ROLES and g.setting_id)
    for grant in sorted(actor.grants, key=lambda g: g.role.value):
        if grant.cluster_id == cluster_id and grant.role.value in ROLE_HOW:
            return Member(actor.person_id or 0, actor.name, ROLE_HOW[grant.role.value], settings)
    named = session.exec(
        select(PanelMember.id).where(PanelMember.cluster_id == cluster_id, PanelMember.person_id == actor.person_id)
    ).first()
    return Member(actor.person_id or 0, actor.name, "Named by the admin", settings, True) if named else None


def statements_of(details: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The setting's statement on each criterion, as (title, statement), leaving out those not given."""
    return tuple((title, str(details.get(name) or "")) for name, title in CAPITAL_CRITERIA if details.get(name))


_CRITERIA = frozenset(c.value for c in Criterion)


def score_of(row: CapitalScore) -> Score:
    """A stored score as the rules read it (criteria the rules no longer know are left out)."""
    scores = {Criterion(k): int(v) for k, v in row.scores.items() if k in _CRITERIA}
    comments = {Criterion(k): str(v) for k, v in row.comments.items() if k in _CRITERIA}
    return Score(scores, comments)


def journey_of(app: CapitalApplication | None, invoices: Sequence[InvoiceLine]) -> fund.Journey:
    """An approved project's way to its money (an empty journey until the Board approves)."""
    if app is None or not app.board_approved:
        return fund.Journey(0)
    visit = None
    if app.visited_on is not None and app.visitor is not None:
        visit = Visit(app.visitor, app.visited_on, bool(app.visit_passed), app.visit_notes)
    return fund.Journey(
        app.board_amount_pence,
        app.started_on,
        app.completed_on,
        visit,
        tuple(i.amount_pence for i in invoices if i.name is not None),
        app.released_pence,
    )


def progress_of(referral: Referral, app: CapitalApplication | None, invoices: Sequence[InvoiceLine]) -> Progress:
    """How far the application has come, from the stored rows."""
    state = State(referral.state)
    board = None
    if app is not None and app.board_approved is not None:
        board = BoardDecision(app.board_approved, app.board_amount_pence, app.board_conditions, app.board_reasons)
    evaluation = Evaluation(**app.evaluation) if app is not None and app.evaluation else None
    return Progress(
        checked=app is not None and state in (State.ACCEPTED, State.DECIDED),
        withdrawn=state is State.WITHDRAWN,
        scoring=app is not None and app.scoring_from is not None,
        panel_closed=app is not None and app.panel_closed_at is not None,
        recommendation=Recommendation(app.recommendation) if app is not None and app.recommendation else None,
        board=board,
        journey=journey_of(app, invoices),
        evaluation=evaluation,
    )


def scope_of(cluster_ids: Iterable[int] | None, setting_ids: Iterable[int] = ()) -> ColumnElement[bool] | None:
    """Capital referrals of these clusters or settings; None: every one (a council officer's)."""
    if cluster_ids is None:
        return None
    return or_(col(Referral.cluster_id).in_(set(cluster_ids)), col(Referral.setting_id).in_(set(setting_ids)))


def capital_rows(
    session: Session, where: ColumnElement[bool] | None, limit: int | None = None
) -> list[tuple[Referral, CapitalApplication | None]]:
    """Capital referrals past their draft, newest first, with their applications (one query)."""
    query = (
        select(Referral, CapitalApplication)
        .join(CapitalApplication, col(CapitalApplication.referral_id) == Referral.id, isouter=True)
        .where(Referral.kind == Kind.CAPITAL.value, Referral.state != State.DRAFT.value)
        .order_by(col(Referral.id).desc())
    )
    if where is not None:
        query = query.where(where)
    if limit is not None:
        query = query.limit(limit)
    return [(referral, app) for referral, app in session.exec(query).all()]


def views_in(
    session: Session, rows: Sequence[tuple[Referral, CapitalApplication | None]], today: date
) -> list[ApplicationView]:
    """Each row's view, in at most nine queries whatever their number."""
    if not rows:
        return []
    ids = [referral.id or 0 for referral, _ in rows]
    settings = dict(
        session.exec(select(Setting.id, Setting.name).where(col(Setting.id).in_({r.setting_id for r, _ in rows}))).all()
    )
    clusters = dict(
        session.exec(select(Cluster.id, Cluster.name).where(col(Cluster.id).in_({r.cluster_id for r, _ in rows}))).all()
    )
    years = {app.year_start if app else fund.school_year_of(day_of(r.submitted_at) or today) for r, app in rows}
    windows = rounds_in(session, years)
    invoices: dict[int, list[InvoiceLine]] = defaultdict(list)
    for invoice_id, referral_id, amount, name in session.exec(
        select(CapitalInvoice.id, CapitalInvoice.referral_id, CapitalInvoice.amount_pence, CapitalInvoice.name)
        .where(col(CapitalInvoice.referral_id).in_(ids))
        .order_by(col(CapitalInvoice.id))
    ).all():
        invoices[referral_id].append(InvoiceLine(invoice_id or 0, amount, name))
    counts = dict(
        session.exec(
            select(CapitalScore.referral_id, func.count())
            .where(col(CapitalScore.referral_id).in_(ids))
            .group_by(col(CapitalScore.referral_id))
        ).all()
    )
    closed = [r.id for r, app in rows if app is not None and app.panel_closed_at is not None]
    scores: dict[int, list[Score]] = defaultdict(list)
    if closed:
        for row in session.exec(select(CapitalScore).where(col(CapitalScore.referral_id).in_(closed))):
            scores[row.referral_id].append(score_of(row))
    members = panels(session, {r.cluster_id for r, _ in rows})
    views = []
    for referral, app in rows:
        rid = referral.id or 0
        year = app.year_start if app else fund.school_year_of(day_of(referral.submitted_at) or today)
        round_ = round_of(windows.get(year))
        own_invoices = invoices.get(rid, [])
        progress = progress_of(referral, app, own_invoices)
        stage = fund.stage_of(progress)
        details = referral.details
        asked = details.get("amount")
        views.append(
            ApplicationView(
                referral_id=rid,
                reference=referral.reference or "",
                cluster_id=referral.cluster_id,
                cluster=clusters.get(referral.cluster_id, ""),
                setting_id=referral.setting_id,
                setting=settings.get(referral.setting_id, ""),
                year_start=year,
                round=round_,
                window_closes=window_of(windows, year)[1],
                category=CATEGORY_TITLES.get(str(details.get("category", "")), ""),
                works=str(details.get("works", "")),
                asked_pence=app.asked_pence if app else (asked if isinstance(asked, int) else 0),
                statements=statements_of(details),
                progress=progress,
                stage=stage,
                late=tuple(fund.late(stage, progress, round_, today)),
                scored_by=int(counts.get(rid, 0)),
                panel_size=len(scorers(members.get(referral.cluster_id, []), referral.setting_id)),
                averages=fund.averages(scores.get(rid, [])) if rid in closed else None,
                recommendation_reasons=app.recommendation_reasons if app else "",
                recommendation_conditions=app.recommendation_conditions if app else "",
                invoices=tuple(own_invoices),
                accepted_on=day_of(app.accepted_at) if app else None,
                scoring_from=day_of(app.scoring_from) if app else None,
                panel_closed_on=day_of(app.panel_closed_at) if app else None,
                recommended_on=day_of(app.recommended_at) if app else None,
                board_on=day_of(app.board_recorded_at) if app else None,
                released_on=day_of(app.released_at) if app else None,
                evaluated_on=day_of(app.evaluated_at) if app else None,
            )
        )
    return views


def views_of(session: Session, referral_ids: Sequence[int], today: date) -> list[ApplicationView]:
    """These applications' views, in the order given (ids that are no capital referral are left out)."""
    if not referral_ids:
        return []
    rows = {r.id: (r, a) for r, a in capital_rows(session, col(Referral.id).in_(set(referral_ids)))}
    return views_in(session, [rows[i] for i in referral_ids if i in rows], today)

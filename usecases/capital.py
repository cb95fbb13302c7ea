"""Use cases for the Capital Fund's governance: rounds, the Cluster Panel, the Board, the project, its impact.

The fund is the council's own pot: an application (a capital referral) never touches a cluster's revenue
budget and never goes onto a meeting's agenda. Once the cluster's admin accepts it, it waits for its round's
window to close; then each panel member is sent a scoring card (``usecases.capital_jobs``). The chair closes
the scoring and records the panel's recommendation; a council officer records the Board's decision; the
SENCO marks the project started and completed and sends its paid invoices; the team around the cluster
records the quality-assurance visit; an officer releases the money once all of that is in; the project's
impact is recorded by its evaluation date.

Each function is one unit of work: the permission (``cluster.permissions``) checked against the rows the card
names, the change, its audit line and the notices it owes, in one transaction that takes the cluster's and
then the application's turn (``store.db.take_turn``) before reading what it checks; reads are read-only.
Views are read in a fixed number of queries whatever the number of applications.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Engine, func, or_
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
    Stage,
    Viewer,
    Visit,
)
from cluster.clock import LONDON
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import (
    BOARD_DECISION,
    CAPITAL_REPORT,
    CHAIR_PANEL,
    EVALUATE_CAPITAL,
    NAME_PANEL,
    OPEN_CAPITAL,
    QA_VISIT,
    RELEASE_CAPITAL,
    REPORT_PROJECT,
    SCORE_CAPITAL,
    SEE_CAPITAL,
    SET_CAPITAL_ROUND,
    Forbidden,
    authorize,
)
from cluster.provision import NotAnAmount, format_pence, parse_money
from cluster.referrals import CAPITAL_CATEGORIES, CAPITAL_CRITERIA, Kind, State, capital_window
from cluster.roles import CITYWIDE_ROLES, SETTING_ROLES, Role
from store import audit
from store.db import take_turn, transaction
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
from store.outbox import NoticeCard, owe_notice
from store.repo import role_holders
from store.seed import bank_holidays
from usecases.people import Actor, require_registered

NOT_FOUND = "I can't find that Capital Fund application."
NOT_ON_PANEL = (
    "You are not on this cluster's Cluster Panel: the chair and the team around the cluster sit on it, "
    "with the SENCOs its admin names."
)
WITHDRAWN = "This application was withdrawn."
MAX_INVOICES = 20
LISTED = 30  # applications a Capital Fund card lists (about 1 KB each); the report has them all

ROUND_FIELDS = ("label", "total", *(name for name, _ in fund.ROUND_DATES))
CATEGORY_TITLES = dict(CAPITAL_CATEGORIES)


class Mistakes(InvalidInput):
    """A Capital Fund form came back with mistakes: per-field messages, what was typed, the card to redraw."""

    def __init__(self, errors: dict[str, str], values: dict[str, str], opened: Opened) -> None:
        super().__init__(errors, values)
        self.opened = opened


class RoundMistakes(InvalidInput):
    """The officer's round form came back with mistakes; ``overview`` is the card to redraw with them."""

    def __init__(self, errors: dict[str, str], values: dict[str, str], overview: Overview) -> None:
        super().__init__(errors, values)
        self.overview = overview


@dataclass(frozen=True)
class Opened:
    """An application as one person sees it, what they may do on it, and a line saying what just happened."""

    view: ApplicationView
    viewer: Viewer
    notice: str | None = None


@dataclass(frozen=True)
class Overview:
    """The ``capital`` card: the rounds, the applications the person takes part in, and what they may do.

    ``to_score`` are the applications still waiting for this person's scores; ``more`` says some were left off.
    """

    rounds: tuple[RoundView, ...]
    applications: tuple[ApplicationView, ...]
    today: date
    officer: bool = False
    admin: bool = False
    to_score: frozenset[int] = frozenset()
    more: bool = False


@dataclass(frozen=True)
class PanelCard:
    """The admin's panel card: the cluster's panel, and the SENCOs and delegates who could be named to it."""

    cluster_id: int
    cluster: str
    members: tuple[Member, ...]
    candidates: tuple[tuple[int, str], ...] = field(default=())


class StageRow(NamedTuple):
    """One application as the finance export lists it (money in pence; None where nothing is decided yet)."""

    reference: str
    setting: str
    cluster: str
    stage: str
    asked_pence: int
    decided_pence: int | None
    released_pence: int | None


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def _on(moment: datetime | None) -> date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


# --- rounds -------------------------------------------------------------------------------------------


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


def _window(rows: Mapping[int, CapitalWindow], year_start: int) -> tuple[date, date]:
    """A year's application window: its row's, else the council's usual 1 September to 31 December."""
    row = rows.get(year_start)
    if row is not None:
        return row.opens, row.closes
    usual = capital_window(date(year_start, 9, 1))
    return usual.opens, usual.closes


def _rounds(session: Session, years: Iterable[int] | None = None) -> dict[int, CapitalWindow]:
    query = select(CapitalWindow)
    if years is not None:
        query = query.where(col(CapitalWindow.year_start).in_(set(years)))
    return {row.year_start: row for row in session.exec(query)}


def set_round(engine: Engine, year_start: int, round_: Round, now: datetime, actor: str) -> RoundView:
    """Set (or correct) the round of the school year starting in September of ``year_start``.

    The window is what submissions are checked against, as ``capital-window`` sets it. Applications of the
    round are looked at again by the next scheduler run, since their nudges follow the round's dates.
    """
    fund.check_round(round_)
    fund.check_round_in_year(round_, year_start)
    with transaction(engine, serial=False) as session:
        take_turn(session, "capital-round", year_start)
        _save_round(session, year_start, round_, now, actor)
        return _round_views(session, [year_start])[0]


def _save_round(session: Session, year_start: int, round_: Round, now: datetime, actor: str) -> None:
    row = session.get(CapitalWindow, year_start) or CapitalWindow(
        year_start=year_start, opens=round_.opens, closes=round_.closes
    )
    row.opens, row.closes, row.label, row.total_pence = round_.opens, round_.closes, round_.label, round_.total_pence
    row.panel_by, row.decisions_by = round_.panel_by, round_.decisions_by
    row.complete_by, row.evaluate_by = round_.complete_by, round_.evaluate_by
    session.add(row)
    today = _today(now)
    for app in session.exec(select(CapitalApplication).where(CapitalApplication.year_start == year_start)):
        if app.next_look_on is None or app.next_look_on > today:
            app.next_look_on = today
            session.add(app)
    audit.record(
        session,
        now,
        actor,
        "capital.round",
        f"year:{year_start}",
        label=round_.label,
        total_pence=round_.total_pence,
        **{name: getattr(round_, name).isoformat() for name, _ in fund.ROUND_DATES},
    )


def set_round_from_card(engine: Engine, actor: Actor, raw: Mapping[str, Any], now: datetime) -> Overview:
    """The officer's round form: saved, or back with a message next to each field to fix."""
    _require_officer(actor)
    values = {name: str(raw.get(name) or "").strip() for name in ROUND_FIELDS}
    round_, errors = fund.check_round_form(values)
    if round_ is None:
        raise RoundMistakes(errors, values, overview(engine, actor, now))
    year_start = fund.school_year_of(round_.opens)
    with transaction(engine, serial=False) as session:
        take_turn(session, "capital-round", year_start)
        _save_round(session, year_start, round_, now, actor.tag)
    return overview(engine, actor, now)


def _round_views(session: Session, years: Sequence[int] | None = None) -> list[RoundView]:
    """The rounds (all of them, or these years), newest first, with what each approved and released."""
    rows = _rounds(session, years)
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
        opens, closes = _window(rows, year)
        approved, released = money.get(year, (0, 0))
        views.append(RoundView(year, opens, closes, round_of(rows.get(year)), approved, released))
    return views


def round_views(engine: Engine) -> list[RoundView]:
    """Every round and window set, newest first, with what each approved and released (the command line's list)."""
    with transaction(engine, read_only=True) as session:
        return _round_views(session)


def _require_officer(actor: Actor) -> None:
    require_registered(actor)
    if not any(g.role in CITYWIDE_ROLES and SET_CAPITAL_ROUND.holds(g.role) for g in actor.grants):
        raise Forbidden(SET_CAPITAL_ROUND.refusal)


# --- the panel ---------------------------------------------------------------------------------------

_ROLE_HOW = {Role.CHAIR.value: "Chair", Role.TEAM_AROUND_CLUSTER.value: "Team around the cluster"}


def panels(session: Session, cluster_ids: Iterable[int]) -> dict[int, list[Member]]:
    """Each cluster's panel: its chairs, its team around the cluster and the SENCOs its admin named (3 queries)."""
    ids = set(cluster_ids)
    if not ids:
        return {}
    found: dict[int, dict[int, Member]] = defaultdict(dict)
    for cluster_id, person_id, name, role in session.exec(
        select(RoleAssignment.cluster_id, Person.id, Person.name, RoleAssignment.role)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(col(RoleAssignment.cluster_id).in_(ids), col(RoleAssignment.role).in_(list(_ROLE_HOW)))
        .order_by(col(RoleAssignment.role), col(Person.name))
    ).all():
        if cluster_id is not None and person_id is not None and person_id not in found[cluster_id]:
            found[cluster_id][person_id] = Member(person_id, name, _ROLE_HOW[role])
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


def _member(session: Session, actor: Actor, cluster_id: int) -> Member | None:
    """The actor as a member of the cluster's panel (from their grants, or the admin's naming), or None."""
    settings = frozenset(g.setting_id for g in actor.grants if g.role in SETTING_ROLES and g.setting_id)
    for grant in sorted(actor.grants, key=lambda g: g.role.value):
        if grant.cluster_id == cluster_id and grant.role.value in _ROLE_HOW:
            return Member(actor.person_id or 0, actor.name, _ROLE_HOW[grant.role.value], settings)
    named = session.exec(
        select(PanelMember.id).where(PanelMember.cluster_id == cluster_id, PanelMember.person_id == actor.person_id)
    ).first()
    return Member(actor.person_id or 0, actor.name, "Named by the admin", settings, True) if named else None


def _admin_cluster(session: Session, actor: Actor) -> Cluster:
    """The cluster the actor administers (their first by name, as the settings card chooses)."""
    names = sorted({g.cluster for g in actor.grants if g.role is Role.ADMIN and g.cluster})
    cluster = session.exec(select(Cluster).where(Cluster.name == names[0])).first() if names else None
    if cluster is None:
        raise Forbidden(NAME_PANEL.refusal)
    return cluster


def _panel_card(session: Session, cluster: Cluster) -> PanelCard:
    assert cluster.id is not None
    members = tuple(panels(session, [cluster.id]).get(cluster.id, []))
    taken = {m.person_id for m in members}
    candidates: dict[int, str] = {}
    for person_id, name, setting in session.exec(
        select(Person.id, Person.name, Setting.name)
        .join(RoleAssignment, col(RoleAssignment.person_id) == Person.id)
        .join(Setting, col(Setting.id) == RoleAssignment.setting_id)
        .where(Setting.cluster_id == cluster.id, col(RoleAssignment.role).in_([r.value for r in SETTING_ROLES]))
        .order_by(col(Person.name), col(Setting.name))
    ).all():
        if person_id is not None and person_id not in taken and person_id not in candidates:
            candidates[person_id] = f"{name} ({setting})"
    return PanelCard(cluster.id, cluster.name, members, tuple(candidates.items()))


def panel_members(engine: Engine, actor: Actor) -> PanelCard:
    """The admin's cluster's panel, and who could be named to it."""
    with transaction(engine, read_only=True) as session:
        return _panel_card(session, _admin_cluster(session, actor))


def _administered(actor: Actor) -> set[int]:
    return {g.cluster_id for g in actor.grants if g.role is Role.ADMIN and g.cluster_id is not None}


def _cluster_for(session: Session, actor: Actor, clusters: Iterable[int]) -> Cluster:
    """Of the clusters a card's person belongs to, the one the actor administers (a forged id: the refusal)."""
    found = sorted(set(clusters))
    if not found:
        raise Refusal("Choose one of the cluster's SENCOs or delegates to name to its panel.")
    mine = [c for c in found if c in _administered(actor)]
    if not mine:
        authorize(actor.grants, NAME_PANEL, found[0])  # refuses: the person is another cluster's
    cluster = session.get(Cluster, mine[0])
    assert cluster is not None and cluster.id is not None
    return cluster


def add_panel_member(
    engine: Engine,
    actor: Actor,
    person_id: int,
    now: datetime,
    *,
    score_card: NoticeCard[ApplicationView] | None = None,
) -> PanelCard:
    """Name a SENCO or delegate to their cluster's panel; naming them twice is harmless.

    Someone named while applications are being scored is sent their scoring cards at once (the keys are the
    ones the window's closing uses, so nobody gets a card twice).
    """
    if not _administered(actor):
        raise Forbidden(NAME_PANEL.refusal)
    with transaction(engine, serial=False) as session:
        clusters = session.exec(
            select(Setting.cluster_id)
            .join(RoleAssignment, col(RoleAssignment.setting_id) == Setting.id)
            .where(
                RoleAssignment.person_id == person_id, col(RoleAssignment.role).in_([r.value for r in SETTING_ROLES])
            )
        ).all()
        cluster = _cluster_for(session, actor, clusters)
        assert cluster.id is not None
        take_turn(session, "cluster", cluster.id)
        named = session.exec(
            select(PanelMember).where(PanelMember.cluster_id == cluster.id, PanelMember.person_id == person_id)
        ).first()
        if named is None:
            session.add(PanelMember(cluster_id=cluster.id, person_id=person_id, added_by=actor.person_id, added_at=now))
            session.flush()
            audit.record(session, now, actor.tag, "capital.panel.add", f"cluster:{cluster.id}", person_id=person_id)
            if score_card is not None:
                _owe_cards_to_new_member(session, cluster.id, person_id, now, score_card)
        return _panel_card(session, cluster)


def _owe_cards_to_new_member(
    session: Session, cluster_id: int, person_id: int, now: datetime, score_card: NoticeCard[ApplicationView]
) -> None:
    scoring = session.exec(
        select(CapitalApplication.referral_id).where(
            CapitalApplication.cluster_id == cluster_id,
            col(CapitalApplication.scoring_from).is_not(None),
            col(CapitalApplication.panel_closed_at).is_(None),
        )
    ).all()
    if not scoring:
        return
    [member] = [m for m in panels(session, [cluster_id])[cluster_id] if m.person_id == person_id]
    for view in views_of(session, list(scoring), _today(now)):
        if view.stage is Stage.SCORING and view.setting_id not in member.setting_ids:
            owe_notice(session, score_key(view.referral_id), now, score_card(view), [person_id])


def remove_panel_member(engine: Engine, actor: Actor, person_id: int, now: datetime) -> PanelCard:
    """Take a named SENCO off their cluster's panel (scores they gave stay); removing them twice is harmless."""
    if not _administered(actor):
        raise Forbidden(NAME_PANEL.refusal)
    with transaction(engine, serial=False) as session:
        rows = session.exec(select(PanelMember).where(PanelMember.person_id == person_id)).all()
        if not rows:
            return _panel_card(session, _admin_cluster(session, actor))
        cluster = _cluster_for(session, actor, [row.cluster_id for row in rows])
        assert cluster.id is not None
        take_turn(session, "cluster", cluster.id)
        named = session.exec(  # read again in the cluster's turn: another click may have removed them
            select(PanelMember).where(PanelMember.cluster_id == cluster.id, PanelMember.person_id == person_id)
        ).first()
        if named is not None:
            session.delete(named)
            session.flush()
            audit.record(session, now, actor.tag, "capital.panel.remove", f"cluster:{cluster.id}", person_id=person_id)
        return _panel_card(session, cluster)


def score_key(referral_id: int) -> str:
    """The outbox key of an application's scoring cards (each member's is this and ``:person:{id}``)."""
    return f"notice:capital:{referral_id}:score"


# --- loading views -------------------------------------------------------------------------------------


def _statements(details: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((title, str(details.get(name) or "")) for name, title in CAPITAL_CRITERIA if details.get(name))


_CRITERIA = frozenset(c.value for c in Criterion)


def _score_of(row: CapitalScore) -> Score:
    scores = {Criterion(k): int(v) for k, v in row.scores.items() if k in _CRITERIA}
    comments = {Criterion(k): str(v) for k, v in row.comments.items() if k in _CRITERIA}
    return Score(scores, comments)


def _journey(app: CapitalApplication | None, invoices: Sequence[InvoiceLine]) -> fund.Journey:
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


def _progress(referral: Referral, app: CapitalApplication | None, invoices: Sequence[InvoiceLine]) -> Progress:
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
        journey=_journey(app, invoices),
        evaluation=evaluation,
    )


def _scope(cluster_ids: Iterable[int] | None, setting_ids: Iterable[int] = ()) -> ColumnElement[bool] | None:
    """Capital referrals of these clusters or settings; None: every one (a council officer's)."""
    if cluster_ids is None:
        return None
    return or_(col(Referral.cluster_id).in_(set(cluster_ids)), col(Referral.setting_id).in_(set(setting_ids)))


def _capital_rows(
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


def _views(
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
    years = {app.year_start if app else fund.school_year_of(_on(r.submitted_at) or today) for r, app in rows}
    windows = _rounds(session, years)
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
            scores[row.referral_id].append(_score_of(row))
    members = panels(session, {r.cluster_id for r, _ in rows})
    views = []
    for referral, app in rows:
        rid = referral.id or 0
        year = app.year_start if app else fund.school_year_of(_on(referral.submitted_at) or today)
        round_ = round_of(windows.get(year))
        own_invoices = invoices.get(rid, [])
        progress = _progress(referral, app, own_invoices)
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
                window_closes=_window(windows, year)[1],
                category=CATEGORY_TITLES.get(str(details.get("category", "")), ""),
                works=str(details.get("works", "")),
                asked_pence=app.asked_pence if app else (asked if isinstance(asked, int) else 0),
                statements=_statements(details),
                progress=progress,
                stage=stage,
                late=tuple(fund.late(stage, progress, round_, today)),
                scored_by=int(counts.get(rid, 0)),
                panel_size=len(scorers(members.get(referral.cluster_id, []), referral.setting_id)),
                averages=fund.averages(scores.get(rid, [])) if rid in closed else None,
                recommendation_reasons=app.recommendation_reasons if app else "",
                recommendation_conditions=app.recommendation_conditions if app else "",
                invoices=tuple(own_invoices),
                accepted_on=_on(app.accepted_at) if app else None,
                scoring_from=_on(app.scoring_from) if app else None,
                panel_closed_on=_on(app.panel_closed_at) if app else None,
                recommended_on=_on(app.recommended_at) if app else None,
                board_on=_on(app.board_recorded_at) if app else None,
                released_on=_on(app.released_at) if app else None,
                evaluated_on=_on(app.evaluated_at) if app else None,
            )
        )
    return views


def views_of(session: Session, referral_ids: Sequence[int], today: date) -> list[ApplicationView]:
    """These applications' views, in the order given (ids that are no capital referral are left out)."""
    if not referral_ids:
        return []
    rows = {r.id: (r, a) for r, a in _capital_rows(session, col(Referral.id).in_(set(referral_ids)))}
    return _views(session, [rows[i] for i in referral_ids if i in rows], today)


def _stage_order(view: ApplicationView) -> tuple[int, int]:
    return list(Stage).index(view.stage), -view.referral_id


# --- who sees what ------------------------------------------------------------------------------------


def _grants_for(actor: Actor, cluster_id: int, roles: Iterable[Role]) -> bool:
    wanted = set(roles)
    return any(g.role in wanted and g.cluster_id == cluster_id for g in actor.grants)


def _viewer(session: Session, actor: Actor, view: ApplicationView) -> Viewer:
    member = _member(session, actor, view.cluster_id)
    own = session.exec(
        select(CapitalScore).where(
            CapitalScore.referral_id == view.referral_id, CapitalScore.person_id == actor.person_id
        )
    ).first()
    not_scoring = None
    may_score = False
    if member is not None:
        try:
            fund.check_can_score(member.setting_ids, view.setting_id)
            may_score = view.stage is Stage.SCORING
        except Refusal as refused:
            not_scoring = refused.message
    return Viewer(
        name=actor.name,
        own_score=_score_of(own) if own is not None else None,
        may_score=may_score,
        not_scoring=not_scoring,
        chairs=_grants_for(actor, view.cluster_id, (Role.CHAIR,)),
        officer=any(g.role is Role.COUNCIL_OFFICER for g in actor.grants),
        applicant=any(g.role in SETTING_ROLES and g.setting_id == view.setting_id for g in actor.grants),
        team=_grants_for(actor, view.cluster_id, (Role.TEAM_AROUND_CLUSTER,)),
    )


def _opened(session: Session, actor: Actor, referral_id: int, now: datetime, notice: str | None = None) -> Opened:
    session.flush()
    [view] = views_of(session, [referral_id], _today(now))
    return Opened(view, _viewer(session, actor, view), notice)


def _clusters_seen(session: Session, actor: Actor) -> tuple[set[int], set[int]]:
    """The clusters whose applications the actor sees by a cluster role or the panel, and their own settings."""
    clusters = {
        g.cluster_id
        for g in actor.grants
        if g.cluster_id is not None and g.role in (Role.CHAIR, Role.TEAM_AROUND_CLUSTER, Role.ADMIN)
    }
    clusters |= set(session.exec(select(PanelMember.cluster_id).where(PanelMember.person_id == actor.person_id)))
    settings = {g.setting_id for g in actor.grants if g.role in SETTING_ROLES and g.setting_id is not None}
    return clusters, settings


def overview(engine: Engine, actor: Actor, now: datetime) -> Overview:
    """The ``capital`` card: the rounds, and the applications the person takes part in, by stage.

    A council officer sees every cluster's; a chair, the team and the admin their cluster's; a named panel
    member the cluster they sit for; a SENCO or delegate their own setting's.
    """
    require_registered(actor)
    if not any(SEE_CAPITAL.holds(g.role) for g in actor.grants):
        raise Forbidden(SEE_CAPITAL.refusal)
    today = _today(now)
    officer = any(g.role is Role.COUNCIL_OFFICER for g in actor.grants)
    with transaction(engine, read_only=True) as session:
        clusters, settings = _clusters_seen(session, actor)
        where = None if officer else _scope(clusters, settings)
        rows = _capital_rows(session, where, LISTED + 1)
        views = sorted(_views(session, rows[:LISTED], today), key=_stage_order)
        scored = set(
            session.exec(
                select(CapitalScore.referral_id).where(
                    CapitalScore.person_id == actor.person_id,
                    col(CapitalScore.referral_id).in_([v.referral_id for v in views]),
                )
            )
        )
        # Membership is the person's per cluster: one look per cluster being scored, not per application.
        members = {c: _member(session, actor, c) for c in {v.cluster_id for v in views if v.stage is Stage.SCORING}}
        to_score = frozenset(
            v.referral_id
            for v in views
            if v.stage is Stage.SCORING
            and v.referral_id not in scored
            and (member := members.get(v.cluster_id)) is not None
            and v.setting_id not in member.setting_ids
        )
        this_year = fund.school_year_of(today)
        rounds = _round_views(session)
        if this_year not in {r.year_start for r in rounds}:
            rounds = [*_round_views(session, [this_year]), *rounds]
        return Overview(
            tuple(sorted(rounds, key=lambda r: -r.year_start)),
            tuple(views),
            today,
            officer=officer,
            admin=any(g.role is Role.ADMIN for g in actor.grants),
            to_score=to_score,
            more=len(rows) > LISTED,
        )


def _load(session: Session, referral_id: int, *, turn: bool = False) -> tuple[Referral, CapitalApplication | None]:
    """The capital referral and its application; with ``turn``, after waiting for its cluster's and its own turn."""
    if turn:
        cluster_id = session.exec(select(Referral.cluster_id).where(Referral.id == referral_id)).first()
        if cluster_id is None:
            raise Refusal(NOT_FOUND)
        take_turn(session, "cluster", cluster_id)
        take_turn(session, "referral", referral_id)
    referral = session.get(Referral, referral_id)
    if referral is None or referral.kind != Kind.CAPITAL.value or referral.state == State.DRAFT.value:
        raise Refusal(NOT_FOUND)
    return referral, session.get(CapitalApplication, referral_id)


def open_application(engine: Engine, actor: Actor, referral_id: int, now: datetime) -> Opened:
    """An application as the person may see it: the applying cluster's people, and council officers.

    Every opening is audited (the application's statements are the school's); the unit writes only the
    audit line, so it takes no turn.
    """
    with transaction(engine, serial=False) as session:
        referral, _ = _load(session, referral_id)
        authorize(actor.grants, OPEN_CAPITAL, referral.cluster_id)
        audit.record(session, now, actor.tag, "capital.read", f"referral:{referral_id}")
        return _opened(session, actor, referral_id, now)


# --- the admin's check hands an application to its round -------------------------------------------


def on_accepted(session: Session, referral: Referral, now: datetime) -> None:
    """Make (or keep) the application of a capital referral the admin has just accepted, in that unit.

    Its round is its submission's school year; the scheduler looks at it once the window has closed (at
    once, when it closed before the admin's check).
    """
    assert referral.id is not None
    submitted = _on(referral.submitted_at) or _today(now)
    year = fund.school_year_of(submitted)
    closes = _window(_rounds(session, [year]), year)[1]
    today = _today(now)
    look = today if today > closes else fund.next_look(None, closes, today)
    app = session.get(CapitalApplication, referral.id)
    amount = referral.details.get("amount")
    if app is None:
        app = CapitalApplication(
            referral_id=referral.id,
            cluster_id=referral.cluster_id,
            setting_id=referral.setting_id,
            year_start=year,
            asked_pence=amount if isinstance(amount, int) else 0,
            accepted_at=now,
        )
    else:  # accepted again after being returned: what was asked may have changed
        app.asked_pence = amount if isinstance(amount, int) else app.asked_pence
    app.next_look_on = look
    session.add(app)


# --- the panel scores ---------------------------------------------------------------------------------


def _application(app: CapitalApplication | None) -> CapitalApplication:
    if app is None:
        raise Refusal("This application has not been through the admin's check yet.")
    return app


def _refuse_unless_live(referral: Referral) -> None:
    if referral.state == State.WITHDRAWN.value:
        raise Refusal(WITHDRAWN)


def score(
    engine: Engine,
    actor: Actor,
    referral_id: int,
    raw_scores: Mapping[str, object],
    raw_comments: Mapping[str, object],
    now: datetime,
) -> Opened:
    """A panel member saves their scores (they may change them until the panel closes); theirs alone are shown.

    A member from the applying setting is refused, as is anyone not on the cluster's panel.
    """
    with transaction(engine, serial=False) as session:
        referral, _ = _load(session, referral_id, turn=True)
        authorize(actor.grants, SCORE_CAPITAL, referral.cluster_id)
        member = _member(session, actor, referral.cluster_id)
        if member is None:
            raise Refusal(NOT_ON_PANEL)
        fund.check_can_score(member.setting_ids, referral.setting_id)
        _refuse_unless_live(referral)
        opened = _opened(session, actor, referral_id, now)
        stage = opened.view.stage
        if stage in (Stage.CHECKING, Stage.WAITING):
            raise Refusal(
                f"The panel scores this application once the window closes on {opened.view.window_closes:%-d %B %Y}."
            )
        if stage is not Stage.SCORING:
            raise Refusal("The panel has closed its scoring of this application, so scores can no longer change.")
        checked, errors = fund.check_score(raw_scores, raw_comments)
        if errors:
            values = {f"score_{k}": str(v or "") for k, v in raw_scores.items()}
            values |= {f"comment_{k}": str(v or "") for k, v in raw_comments.items()}
            raise Mistakes(errors, values, opened)
        assert actor.person_id is not None
        scores = {c.value: n for c, n in checked.scores.items()}
        comments = {c.value: t for c, t in checked.comments.items() if t}
        row = session.exec(
            select(CapitalScore).where(
                CapitalScore.referral_id == referral_id, CapitalScore.person_id == actor.person_id
            )
        ).first()
        if row is not None and row.scores == scores and row.comments == comments:
            return replace(opened, notice="Your scores are saved.")  # the same click delivered again
        row = row or CapitalScore(referral_id=referral_id, person_id=actor.person_id, scored_at=now)
        row.scores, row.comments, row.scored_at = scores, comments, now
        session.add(row)
        audit.record(session, now, actor.tag, "capital.score", f"referral:{referral_id}")
        return _opened(
            session,
            actor,
            referral_id,
            now,
            "Your scores are saved. Other members' scores stay hidden until the chair closes the panel.",
        )


def close_panel(engine: Engine, actor: Actor, referral_id: int, now: datetime) -> Opened:
    """The chair closes the panel's scoring: the averages are shown from then on; closing twice is harmless."""
    with transaction(engine, serial=False) as session:
        referral, app = _load(session, referral_id, turn=True)
        authorize(actor.grants, CHAIR_PANEL, referral.cluster_id)
        _refuse_unless_live(referral)
        app = _application(app)
        if app.panel_closed_at is not None:
            return _opened(session, actor, referral_id, now)
        if app.scoring_from is None:
            raise Refusal("The panel's scoring has not started: it starts when the application window closes.")
        scored = session.exec(
            select(func.count()).select_from(CapitalScore).where(CapitalScore.referral_id == referral_id)
        ).one()
        if not scored:
            raise Refusal("No panel member has scored this application yet, so the panel cannot close.")
        app.panel_closed_at, app.panel_closed_by = now, actor.person_id
        session.add(app)
        audit.record(session, now, actor.tag, "capital.panel.close", f"referral:{referral_id}", scored=int(scored))
        return _opened(session, actor, referral_id, now, "The panel is closed: its averages are shown below.")


def recommend(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> Opened:
    """The chair records the panel's recommendation (changeable until the Board decides)."""
    with transaction(engine, serial=False) as session:
        referral, app = _load(session, referral_id, turn=True)
        authorize(actor.grants, CHAIR_PANEL, referral.cluster_id)
        _refuse_unless_live(referral)
        app = _application(app)
        if app.panel_closed_at is None:
            raise Refusal("Close the panel's scoring first: the recommendation follows the scores.")
        if app.board_approved is not None:
            raise Refusal("The Board has decided this application, so the recommendation can no longer change.")
        values = {name: str(raw.get(name) or "").strip() for name in ("recommendation", "reasons", "conditions")}
        chosen, errors = fund.check_recommendation(values["recommendation"], values["reasons"], values["conditions"])
        if errors:
            raise Mistakes(errors, values, _opened(session, actor, referral_id, now))
        conditions = values["conditions"] if chosen is Recommendation.WITH_CONDITIONS else ""
        if (app.recommendation, app.recommendation_reasons, app.recommendation_conditions) == (
            chosen.value,
            values["reasons"],
            conditions,
        ):
            return _opened(session, actor, referral_id, now, "The panel's recommendation is recorded.")
        app.recommendation, app.recommendation_reasons = chosen.value, values["reasons"]
        app.recommendation_conditions = conditions
        app.recommended_by, app.recommended_at = actor.person_id, now
        session.add(app)
        audit.record(session, now, actor.tag, "capital.recommend", f"referral:{referral_id}", choice=chosen.value)
        return _opened(
            session, actor, referral_id, now, "The panel's recommendation is recorded; it goes to the Board."
        )


# --- the Board decides --------------------------------------------------------------------------------


def _setting_people(session: Session, referral: Referral) -> list[int]:
    """Who hears about the application for its setting: the SENCOs and delegates, and who applied."""
    people = role_holders(session, SETTING_ROLES, at_settings=[referral.setting_id]).get(referral.setting_id, [])
    return list(dict.fromkeys([referral.created_by, *people]))


def board_decision(
    engine: Engine,
    actor: Actor,
    referral_id: int,
    raw: Mapping[str, Any],
    now: datetime,
    *,
    notice: NoticeCard[ApplicationView] | None = None,
) -> Opened:
    """A council officer records the Board's decision; the setting is told (owed ``notice``).

    An approval is for up to what was asked, up to £15,000, and within what the round has left; a decline
    gives its reasons. Recorded once: a second, different decision is refused.
    """
    values = {name: str(raw.get(name) or "").strip() for name in ("board", "amount", "conditions", "reasons")}
    with transaction(engine, serial=False) as session:
        year = session.exec(
            select(CapitalApplication.year_start).where(CapitalApplication.referral_id == referral_id)
        ).first()
        if year is not None:
            take_turn(session, "capital-round", year)  # the round's total is shared by every cluster
        referral, app = _load(session, referral_id, turn=True)
        authorize(actor.grants, BOARD_DECISION, referral.cluster_id)
        _refuse_unless_live(referral)
        app = _application(app)
        if app.board_approved is not None:
            outcome = "approved" if app.board_approved else "declined"
            return _opened(session, actor, referral_id, now, f"The Board's decision is recorded: {outcome}.")
        if app.recommendation is None:
            raise Refusal("The Board decides on the panel's recommendation: the chair has not recorded it yet.")

        def mistake(errors: dict[str, str]) -> Mistakes:
            return Mistakes(errors, values, _opened(session, actor, referral_id, now))

        if values["board"] not in ("approve", "decline"):
            raise mistake({"board": "Choose the Board's decision: approved or declined."})
        amount: int | None = None
        if values["board"] == "approve":
            try:
                amount = parse_money(values["amount"]) if values["amount"] else app.asked_pence
            except NotAnAmount as wrong:
                raise mistake({"amount": wrong.message}) from None
        try:
            decided = fund.check_board_decision(
                values["board"] == "approve", amount, app.asked_pence, values["conditions"], values["reasons"]
            )
            round_ = round_of(session.get(CapitalWindow, app.year_start))
            if decided.approved and round_ is not None:
                elsewhere = session.exec(
                    select(func.coalesce(func.sum(CapitalApplication.board_amount_pence), 0)).where(
                        CapitalApplication.year_start == app.year_start,
                        col(CapitalApplication.board_approved).is_(True),
                        CapitalApplication.referral_id != referral_id,
                    )
                ).one()
                fund.check_within_round(round_.total_pence, int(elsewhere), decided.amount_pence)
        except Refusal as refused:
            raise mistake({"board_form": refused.message}) from None
        app.board_approved, app.board_amount_pence = decided.approved, decided.amount_pence
        app.board_conditions, app.board_reasons = decided.conditions, decided.reasons
        app.board_recorded_by, app.board_recorded_at = actor.person_id, now
        session.add(app)
        referral.state = State.DECIDED.value
        referral.version += 1
        referral.updated_at = now
        session.add(referral)
        audit.record(
            session,
            now,
            actor.tag,
            "capital.board",
            f"referral:{referral_id}",
            approved=decided.approved,
            amount_pence=decided.amount_pence,
        )
        opened = _opened(session, actor, referral_id, now, "The Board's decision is recorded; the setting is told.")
        if notice is not None:
            owe_notice(
                session,
                f"notice:capital:{referral_id}:board",
                now,
                notice(opened.view),
                _setting_people(session, referral),
            )
        return opened


# --- the project's journey ------------------------------------------------------------------------------


def _project(
    session: Session, actor: Actor, referral_id: int, permission: Any, now: datetime
) -> tuple[Referral, CapitalApplication, Opened]:
    referral, app = _load(session, referral_id, turn=True)
    authorize(actor.grants, permission, referral.cluster_id, referral.setting_id)
    _refuse_unless_live(referral)
    app = _application(app)
    if not app.board_approved:
        raise Refusal("The Board has not approved this application, so it has no project to report on.")
    return referral, app, _opened(session, actor, referral_id, now)


def _not_released(app: CapitalApplication) -> None:
    if app.released_pence is not None:
        raise Refusal("The money has been released, so the project's record is complete.")


def mark_started(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> Opened:
    """The SENCO marks the project started (the date can be corrected until it is completed)."""
    with transaction(engine, serial=False) as session:
        _, app, _ = _project(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        if app.completed_on is not None:
            raise Refusal("The project is marked completed, so its start can no longer change.")
        day = fund.check_journey_day(raw.get("started_on"), _today(now), "started")
        if app.started_on != day:
            app.started_on = day
            session.add(app)
            audit.record(session, now, actor.tag, "capital.started", f"referral:{referral_id}", on=day.isoformat())
        return _opened(session, actor, referral_id, now, f"Marked started on {day:%-d %B %Y}.")


def mark_completed(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> Opened:
    """The SENCO marks the project completed (after it started)."""
    with transaction(engine, serial=False) as session:
        _, app, _ = _project(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        if app.started_on is None:
            raise Refusal("Mark the project started first.")
        day = fund.check_journey_day(raw.get("completed_on"), _today(now), "completed", app.started_on)
        if app.completed_on != day:
            app.completed_on = day
            session.add(app)
            audit.record(session, now, actor.tag, "capital.completed", f"referral:{referral_id}", on=day.isoformat())
        return _opened(session, actor, referral_id, now, f"Marked completed on {day:%-d %B %Y}.")


def add_invoice(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> Opened:
    """The SENCO gives a paid invoice's amount; the file they send next in this chat is kept with it.

    One invoice waits for its file at a time: giving another amount first corrects the waiting one's.
    """
    with transaction(engine, serial=False) as session:
        _, app, opened = _project(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        if app.started_on is None:
            raise Refusal("Mark the project started first: its invoices follow the work.")
        typed = str(raw.get("invoice_amount") or "").strip()
        try:
            amount = fund.check_invoice_amount(typed)
        except Refusal as refused:  # beside the amount, with what was typed kept
            raise Mistakes({"invoice_amount": refused.message}, {"invoice_amount": typed}, opened) from None
        assert actor.person_id is not None
        invoices = session.exec(select(CapitalInvoice).where(CapitalInvoice.referral_id == referral_id)).all()
        waiting = next((i for i in invoices if i.content is None and i.added_by == actor.person_id), None)
        if waiting is None and len(invoices) >= MAX_INVOICES:
            raise Refusal(f"A project can have at most {MAX_INVOICES} invoices.")
        invoice = waiting or CapitalInvoice(
            referral_id=referral_id, amount_pence=amount, added_by=actor.person_id, added_at=now
        )
        invoice.amount_pence = amount
        session.add(invoice)
        session.flush()
        audit.record(
            session,
            now,
            actor.tag,
            "capital.invoice",
            f"referral:{referral_id}",
            invoice=invoice.id,
            amount_pence=amount,
        )
        return _opened(
            session,
            actor,
            referral_id,
            now,
            f"Now send the paid invoice for {format_pence(amount)} as a file in this chat (a PDF or a picture): "
            "I'll keep it with this amount.",
        )


def attach_invoice_file(
    engine: Engine, actor: Actor, name: str, content_type: str, data: bytes, now: datetime
) -> Opened | None:
    """Keep a file the SENCO sent with their invoice waiting for its file; None when none waits for one."""
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        waiting = session.exec(
            select(CapitalInvoice.id, CapitalInvoice.referral_id)
            .where(CapitalInvoice.added_by == actor.person_id, col(CapitalInvoice.content).is_(None))
            .order_by(col(CapitalInvoice.id).desc())
        ).first()
        if waiting is None:
            return None
        invoice_id, referral_id = waiting
        _, app, _ = _project(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        invoice = session.get(CapitalInvoice, invoice_id)
        assert invoice is not None
        if invoice.content is not None:  # a file that arrived meanwhile: this one is for nothing waiting
            return None
        invoice.name, invoice.content_type, invoice.size_bytes = name[:200], content_type, len(data)
        invoice.content, invoice.file_at = data, now
        session.add(invoice)
        audit.record(
            session,
            now,
            actor.tag,
            "capital.invoice.file",
            f"referral:{referral_id}",
            invoice=invoice_id,
            size=len(data),
        )
        return _opened(
            session,
            actor,
            referral_id,
            now,
            f"Kept {invoice.name} with the invoice for {format_pence(invoice.amount_pence)}.",
        )


def record_visit(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> Opened:
    """A team-around-the-cluster member records the quality-assurance visit (a later visit replaces it)."""
    values = {name: str(raw.get(name) or "").strip() for name in ("visitor", "visited_on", "passed", "notes")}
    with transaction(engine, serial=False) as session:
        referral, app, opened = _project(session, actor, referral_id, QA_VISIT, now)
        _not_released(app)
        if app.started_on is None:
            raise Refusal("The project has not started yet, so there is nothing to visit.")
        visit, errors = fund.check_visit(values, _today(now))
        if visit is None:
            raise Mistakes(errors, values, opened)
        same = (app.visitor, app.visited_on, app.visit_passed, app.visit_notes) == (
            visit.visitor,
            visit.visited_on,
            visit.passed,
            visit.notes,
        )
        if not same:
            app.visitor, app.visited_on, app.visit_passed, app.visit_notes = (
                visit.visitor,
                visit.visited_on,
                visit.passed,
                visit.notes,
            )
            app.visit_recorded_by = actor.person_id
            session.add(app)
            audit.record(session, now, actor.tag, "capital.visit", f"referral:{referral.id}", passed=visit.passed)
        outcome = "passed" if visit.passed else "did not pass"
        return _opened(
            session, actor, referral_id, now, f"Recorded the visit of {visit.visited_on:%-d %B %Y}: {outcome}."
        )


def release(
    engine: Engine,
    actor: Actor,
    referral_id: int,
    now: datetime,
    *,
    notice: NoticeCard[ApplicationView] | None = None,
) -> Opened:
    """A council officer releases the money: the grant or the invoices' total, whichever is less.

    Refused, naming each missing step, until the project is completed, has passed its visit and has paid
    invoices in. The setting is owed ``notice``.
    """
    with transaction(engine, serial=False) as session:
        referral, app = _load(session, referral_id, turn=True)
        authorize(actor.grants, RELEASE_CAPITAL, referral.cluster_id)
        _refuse_unless_live(referral)
        app = _application(app)
        if app.board_approved is None:
            raise Refusal("The money cannot be released yet: the Board has not decided this application.")
        if not app.board_approved:
            raise Refusal("The Board declined this application, so there is no money to release.")
        opened = _opened(session, actor, referral_id, now)
        if app.released_pence is not None and app.released_at is not None:  # released before (or a doubled click)
            when = f"{app.released_at.astimezone(LONDON):%-d %B %Y}"
            return replace(opened, notice=f"Released {format_pence(app.released_pence)} on {when}.")
        amount = fund.release_amount(opened.view.progress.journey)
        app.released_pence, app.released_at, app.released_by = amount, now, actor.person_id
        session.add(app)
        audit.record(session, now, actor.tag, "capital.release", f"referral:{referral_id}", amount_pence=amount)
        opened = _opened(session, actor, referral_id, now, f"Released {format_pence(amount)}; the setting is told.")
        if notice is not None:
            owe_notice(
                session,
                f"notice:capital:{referral_id}:released",
                now,
                notice(opened.view),
                _setting_people(session, referral),
            )
        return opened


EVALUATION_FIELDS = ("ehcp_pupils", "pupils_weekly", "attendance_change", "what_changed")


def evaluate(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> Opened:
    """The project's impact, recorded once it is completed by the setting or the cluster's chair or team."""
    values = {name: str(raw.get(name) or "").strip() for name in EVALUATION_FIELDS}
    with transaction(engine, serial=False) as session:
        referral, app, opened = _project(session, actor, referral_id, EVALUATE_CAPITAL, now)
        if app.completed_on is None:
            raise Refusal("The project's impact is recorded once it is completed.")
        evaluation, errors = fund.check_evaluation(values)
        if evaluation is None:
            raise Mistakes(errors, values, opened)
        kept = {
            "ehcp_pupils": evaluation.ehcp_pupils,
            "pupils_weekly": evaluation.pupils_weekly,
            "attendance_change": evaluation.attendance_change,
            "what_changed": evaluation.what_changed,
        }
        if app.evaluation != kept:
            app.evaluation, app.evaluated_at, app.evaluated_by = kept, now, actor.person_id
            session.add(app)
            audit.record(session, now, actor.tag, "capital.evaluate", f"referral:{referral.id}")
        return _opened(session, actor, referral_id, now, "The project's impact is recorded.")


# --- the report and the finance export ------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """Everything the capital report lists: the rounds, and every application with its averages and journey."""

    rounds: tuple[RoundView, ...]
    applications: tuple[ApplicationView, ...]
    made_on: date


def report(engine: Engine, actor: Actor, now: datetime, *, offer_only: bool = False) -> Report:
    """Every application in the city, for a council officer's capital report (audited: who had it, when).

    ``offer_only``: the report is only being offered (Teams asks first), so the ``capital.report`` line
    waits for the officer to accept it.
    """
    require_registered(actor)
    if not any(CAPITAL_REPORT.holds(g.role) for g in actor.grants):
        raise Forbidden(CAPITAL_REPORT.refusal)
    today = _today(now)
    with transaction(engine, serial=False) as session:
        rows = _capital_rows(session, None)
        views = sorted(_views(session, rows, today), key=lambda v: (v.year_start, v.reference))
        # The report is made again each time it is asked for, so every scored application shows its averages.
        closed = [v for v in views if v.averages is not None]
        if not offer_only:
            audit.record(
                session, now, actor.tag, "capital.report", "capital:report", count=len(views), closed=len(closed)
            )
        return Report(tuple(_round_views(session)), tuple(views), today)


def capital_stages(session: Session, cluster_ids: Iterable[int] | None) -> list[StageRow]:
    """Every capital application of these clusters (None: every cluster) and its stage, for finance exports.

    In the caller's unit of work; a fixed number of queries. Rows are (reference, setting, cluster, stage,
    asked, the Board's decided amount (0 when declined, None while undecided), released (None until then)).
    A stage does not depend on the day (only lateness does, which the export leaves out).
    """
    today = date(2000, 1, 1)
    rows = _capital_rows(session, None if cluster_ids is None else col(Referral.cluster_id).in_(set(cluster_ids)))
    out = []
    for view in sorted(_views(session, rows, today), key=lambda v: (v.cluster, v.reference)):
        board = view.progress.board
        out.append(
            StageRow(
                view.reference,
                view.setting,
                view.cluster,
                fund.STAGE_TITLES[view.stage],
                view.asked_pence,
                None if board is None else board.amount_pence,
                view.progress.journey.released_pence,
            )
        )
    return out


# --- for the scheduler ----------------------------------------------------------------------------------


def looks_due(session: Session, today: date, limit: int) -> list[int]:
    """Applications whose scheduled look has come (indexed on ``next_look_on``), oldest look first."""
    return list(
        session.exec(
            select(CapitalApplication.referral_id)
            .where(col(CapitalApplication.next_look_on).is_not(None), col(CapitalApplication.next_look_on) <= today)
            .order_by(col(CapitalApplication.next_look_on), col(CapitalApplication.referral_id))
            .limit(limit)
        )
    )


def people_for(
    session: Session, view: ApplicationView, audience: fund.Audience, members: Sequence[Member]
) -> list[int]:
    """Who a nudge of this audience goes to for this application."""
    if audience is fund.Audience.UNSCORED:
        scored = set(session.exec(select(CapitalScore.person_id).where(CapitalScore.referral_id == view.referral_id)))
        return [m.person_id for m in scorers(members, view.setting_id) if m.person_id not in scored]
    if audience is fund.Audience.SETTING:
        referral = session.get(Referral, view.referral_id)
        return _setting_people(session, referral) if referral is not None else []
    role = Role.TEAM_AROUND_CLUSTER if audience is fund.Audience.TEAM else Role.CHAIR
    return role_holders(session, [role], in_clusters=[view.cluster_id]).get(view.cluster_id, [])


def visit_application(
    session: Session,
    referral_id: int,
    now: datetime,
    score_card: Callable[[ApplicationView], dict[str, Any]],
    nudge_card: Callable[[ApplicationView, fund.NudgeDue], dict[str, Any]],
) -> list[str]:
    """The scheduler's look at one application, in the caller's unit (which holds its turns).

    Once its window has closed it owes each member who scores it their scoring card; then the nudges owed
    today (:func:`cluster.capital_fund.nudges_due`); and it sets when to look next. Returns the keys owed.
    """
    app = session.get(CapitalApplication, referral_id)
    if app is None:
        return []
    today = _today(now)
    holidays = bank_holidays()
    found = views_of(session, [referral_id], today)
    if not found:
        return []
    view = found[0]
    members = panels(session, [view.cluster_id]).get(view.cluster_id, [])
    owed: list[str] = []
    if view.stage is Stage.WAITING and today > view.window_closes:
        app.scoring_from = now
        session.add(app)
        session.flush()
        [view] = views_of(session, [referral_id], today)
        people = [m.person_id for m in scorers(members, view.setting_id)]
        owed += owe_notice(session, score_key(referral_id), now, score_card(view), people)
        audit.record(session, now, "scheduler", "capital.scoring", f"referral:{referral_id}", members=len(people))
    if view.round is not None:
        for due in fund.nudges_due(view.stage, view.progress, view.round, today, holidays):
            people = people_for(session, view, due.audience, members)
            key = f"capital:{referral_id}:{due.point}:{due.audience.value}"
            owed += owe_notice(session, key, now, nudge_card(view, due), people)
    finished = view.stage in (Stage.WITHDRAWN, Stage.DECLINED, Stage.EVALUATED)
    app.next_look_on = None if finished else fund.next_look(view.round, view.window_closes, today, holidays)
    session.add(app)
    return owed


def take_application_turn(session: Session, referral_id: int) -> bool:
    """Wait for the application's cluster's and its own turn; False when there is no such application."""
    cluster_id = session.exec(
        select(CapitalApplication.cluster_id).where(CapitalApplication.referral_id == referral_id)
    ).first()
    if cluster_id is None:
        return False
    take_turn(session, "cluster", cluster_id)
    take_turn(session, "referral", referral_id)
    return True

"""The ``capital`` card, opening one application, and the admin's check handing an application to its round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster import capital_fund as fund
from cluster.capital_fund import ApplicationView, RoundView, Stage
from cluster.commands.capital import OnApplication
from cluster.permissions import OPEN_CAPITAL, SEE_CAPITAL, Forbidden, authorize
from cluster.roles import SETTING_ROLES, Role
from store import audit
from store.db import transaction
from store.models import CapitalApplication, CapitalScore, PanelMember, Referral
from usecases.capital.access import OpenedApplication, as_opened, load
from usecases.capital.views import (
    capital_rows,
    day_of,
    member_of,
    round_views_in,
    rounds_in,
    scope_of,
    today_of,
    views_in,
    window_of,
)
from usecases.people import Actor, require_registered

LISTED = 30  # applications a Capital Fund card lists (about 1 KB each); the report has them all


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


def _stage_order(view: ApplicationView) -> tuple[int, int]:
    return list(Stage).index(view.stage), -view.referral_id


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
    today = today_of(now)
    officer = any(g.role is Role.COUNCIL_OFFICER for g in actor.grants)
    with transaction(engine, read_only=True) as session:
        clusters, settings = _clusters_seen(session, actor)
        where = None if officer else scope_of(clusters, settings)
        rows = capital_rows(session, where, LISTED + 1)
        views = sorted(views_in(session, rows[:LISTED], today), key=_stage_order)
        scored = set(
            session.exec(
                select(CapitalScore.referral_id).where(
                    CapitalScore.person_id == actor.person_id,
                    col(CapitalScore.referral_id).in_([v.referral_id for v in views]),
                )
            )
        )
        # Membership is the person's per cluster: one look per cluster being scored, not per application.
        members = {c: member_of(session, actor, c) for c in {v.cluster_id for v in views if v.stage is Stage.SCORING}}
        to_score = frozenset(
            v.referral_id
            for v in views
            if v.stage is Stage.SCORING
            and v.referral_id not in scored
            and (member := members.get(v.cluster_id)) is not None
            and v.setting_id not in member.setting_ids
        )
        this_year = fund.school_year_of(today)
        rounds = round_views_in(session)
        if this_year not in {r.year_start for r in rounds}:
            rounds = [*round_views_in(session, [this_year]), *rounds]
        return Overview(
            tuple(sorted(rounds, key=lambda r: -r.year_start)),
            tuple(views),
            today,
            officer=officer,
            admin=any(g.role is Role.ADMIN for g in actor.grants),
            to_score=to_score,
            more=len(rows) > LISTED,
        )


def open_application(engine: Engine, actor: Actor, command: OnApplication, now: datetime) -> OpenedApplication:
    """An application as the person may see it: the applying cluster's people, and council officers.

    Every opening is audited (the application's statements are the school's); the unit writes only the
    audit line, so it takes no turn.
    """
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, _ = load(session, referral_id)
        authorize(actor.grants, OPEN_CAPITAL, referral.cluster_id)
        audit.record(session, now, actor.tag, "capital.read", f"referral:{referral_id}")
        return as_opened(session, actor, referral_id, now)


# --- the admin's check hands an application to its round -------------------------------------------


def on_accepted(session: Session, referral: Referral, now: datetime) -> None:
    """Make (or keep) the application of a capital referral the admin has just accepted, in that unit.

    Its round is its submission's school year; the scheduler looks at it once the window has closed (at
    once, when it closed before the admin's check).
    """
    assert referral.id is not None
    submitted = day_of(referral.submitted_at) or today_of(now)
    year = fund.school_year_of(submitted)
    closes = window_of(rounds_in(session, [year]), year)[1]
    today = today_of(now)
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

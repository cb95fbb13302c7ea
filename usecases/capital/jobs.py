"""The Capital Fund's scheduled work: scoring cards once a window closes, and nudges as a round's dates near.

Each application keeps the day the scheduler should next look at it (``capital_application.next_look_on``,
indexed): the window's end, then each nudge point of its round (see :func:`cluster.capital_fund.nudges_due`).
A run reads only the applications whose look has come, so its cost grows with what falls due, and a run
with nothing due is one indexed query. Each application is looked at in its own short unit, in its
cluster's and its own turn, and everything it owes goes to the outbox under keys derived from the change
(``notice:capital:7:score:person:3``, ``capital:7:panel-5:unscored:person:3``): a rerun, a second replica or
a restart owes nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards.capital.notices import capital_nudge_card, score_request_card
from cluster import capital_fund as fund
from cluster import keys
from cluster.capital_fund import ApplicationView, Member, Stage
from cluster.clock import LONDON
from cluster.roles import Role
from store import audit
from store.db import take_turn, transaction
from store.models import CapitalApplication, CapitalScore, Referral
from store.outbox import owe_notice
from store.repo import role_holders
from store.seed import bank_holidays
from usecases.capital.access import setting_people
from usecases.capital.views import panels, scorers, today_of, views_of


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
        return setting_people(session, referral) if referral is not None else []
    role = Role.TEAM_AROUND_CLUSTER if audience is fund.Audience.TEAM else Role.CHAIR
    return role_holders(session, [role], in_clusters=[view.cluster_id]).get(view.cluster_id, [])


def owe_score_request(session: Session, view: ApplicationView, now: datetime, people: Sequence[int]) -> list[str]:
    """Owe ``people`` the application's scoring card, in the caller's unit; returns the keys newly owed.

    One key per application (``notice:capital:7:score``, then ``:person:{id}``) whether it is owed when the
    window closes or to a member named while the panel scores, so nobody is sent it twice.
    """
    return owe_notice(session, keys.capital_notice(view.referral_id, "score"), now, score_request_card(view), people)


def visit_application(session: Session, referral_id: int, now: datetime) -> list[str]:
    """The scheduler's look at one application, in the caller's unit (which holds its turns).

    Once its window has closed it owes each member who scores it their scoring card; then the nudges owed
    today (:func:`cluster.capital_fund.nudges_due`); and it sets when to look next. Returns the keys owed.
    """
    app = session.get(CapitalApplication, referral_id)
    if app is None:
        return []
    today = today_of(now)
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
        owed += owe_score_request(session, view, now, people)
        audit.record(session, now, "scheduler", "capital.scoring", f"referral:{referral_id}", members=len(people))
    if view.round is not None:
        for due in fund.nudges_due(view.stage, view.progress, view.round, today, holidays):
            people = people_for(session, view, due.audience, members)
            key = keys.capital_nudge(referral_id, due.point, due.audience.value)
            owed += owe_notice(session, key, now, capital_nudge_card(view, due), people)
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


BATCH = 200


def owe_capital_notices(engine: Engine, now: datetime) -> list[str]:
    """Owe every scoring card and nudge that has fallen due; returns the outbox keys newly owed."""
    today = now.astimezone(LONDON).date()
    owed: list[str] = []
    while True:
        with transaction(engine, read_only=True) as session:
            due = looks_due(session, today, BATCH)
        if not due:
            return owed
        for referral_id in due:
            with transaction(engine, serial=False) as session:
                if take_application_turn(session, referral_id):
                    owed += visit_application(session, referral_id, now)
        if len(due) < BATCH:
            return owed

"""Nudges for quality-assurance visits, a step of the reminders job: open actions, and follow-ups that have come.

An open action is nudged a week before its date and on it, then weekly while late
(:func:`cluster.qa_visits.action_nudge_due`), to the setting's SENCOs and delegates and the cluster's team; a
visit's follow-up date nudges the team once, unless a later visit to the setting was planned meanwhile. Each
is owed under a key naming the action (or visit) and the point (``qa-action:4:before-7:person:3``), so a
second run, a second replica or a restart owes nothing twice. The reads are indexed on the dates
(``qa_action.due_on``, ``qa_visit.follow_up_on``): a run looks at open actions within a week of their date or
late, and follow-ups that have come, not at every visit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from cards.qa_visits import action_nudge_card, follow_up_card
from cluster import keys
from cluster.clock import LONDON
from cluster.qa_visits import ACTION_NUDGES, VisitState, VisitView, action_nudge_due, follow_up_due
from cluster.roles import Role
from store.db import transaction
from store.models import Cluster, QaAction, QaVisit, Setting
from store.outbox import Owing, owe_all, owed_already
from store.repo import role_holders

REFERRERS = (Role.SENCO, Role.DELEGATE)


def _brief(visit: QaVisit, setting: str, cluster: str) -> VisitView:
    """The visit as a nudge shows it: only what its summary needs."""
    return VisitView(
        id=visit.id or 0,
        cluster=cluster,
        setting=setting,
        state=VisitState.ACKNOWLEDGED if visit.acknowledged_at else VisitState.RECORDED,
        planned_on=visit.planned_on,
        visitors=visit.visitors,
        visited_on=visit.visited_on,
    )


def owe_qa_nudges(engine: Engine, now: datetime) -> list[str]:
    """Owe every action nudge and follow-up nudge that has come, once per person; returns the keys owed."""
    today = now.astimezone(LONDON).date()
    horizon = today + timedelta(days=max(ACTION_NUDGES))
    with transaction(engine, read_only=True) as session:
        actions = session.exec(
            select(QaAction, QaVisit, Setting.name, Cluster.name)
            .join(QaVisit, col(QaVisit.id) == QaAction.visit_id)
            .join(Setting, col(Setting.id) == QaVisit.setting_id)
            .join(Cluster, col(Cluster.id) == QaVisit.cluster_id)
            .where(col(QaAction.done_at).is_(None), col(QaAction.due_on) <= horizon)
            .order_by(col(QaAction.id))
        ).all()
        follow_ups = session.exec(
            select(QaVisit, Setting.name, Cluster.name)
            .join(Setting, col(Setting.id) == QaVisit.setting_id)
            .join(Cluster, col(Cluster.id) == QaVisit.cluster_id)
            .where(col(QaVisit.follow_up_on) <= today, col(QaVisit.followed_up) == False)  # noqa: E712
            .order_by(col(QaVisit.id))
        ).all()
        settings = {visit.setting_id for _, visit, _, _ in actions}
        clusters = {visit.cluster_id for _, visit, _, _ in actions} | {visit.cluster_id for visit, _, _ in follow_ups}
        referrers = role_holders(session, REFERRERS, at_settings=settings) if settings else {}
        team = role_holders(session, [Role.TEAM_AROUND_CLUSTER], in_clusters=clusters) if clusters else {}
        owing: list[Owing] = []
        for action, visit, setting, cluster in actions:
            point = action_nudge_due(action.due_on, today, done=False)
            if point is None:
                continue
            card = action_nudge_card(_brief(visit, setting, cluster), action.what, action.owner, action.due_on, today)
            people = dict.fromkeys([*referrers.get(visit.setting_id, []), *team.get(visit.cluster_id, [])])
            key = keys.qa_action_nudge(action.id or 0, point)
            owing += [Owing(keys.for_person(key, person), card, person_id=person) for person in people]
        for visit, setting, cluster in follow_ups:
            if not follow_up_due(visit.follow_up_on, today, visit.followed_up):
                continue
            card = follow_up_card(_brief(visit, setting, cluster))
            key = keys.qa_follow_up(visit.id or 0)
            owing += [
                Owing(keys.for_person(key, person), card, person_id=person) for person in team.get(visit.cluster_id, [])
            ]
        taken = owed_already(session, (o.key for o in owing))
        owing = [o for o in owing if o.key not in taken]
    if not owing:
        return []
    with transaction(engine) as session:
        return owe_all(session, now, owing)

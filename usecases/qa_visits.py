"""Quality-assurance visits to settings: plan, record the report, acknowledge it, close its actions.

Each click is one unit of work with its audit line and the notices it owes (keys from ``cluster.keys``, so a
doubled click owes nothing more): a recorded report to the setting's SENCOs and delegates, a concern to the
cluster's chair, an acknowledgement to the team. A report is seen only by the team, the chair, council
officers and the visited setting (``cluster.permissions.qa_visits``). The nudges are ``usecases.qa_nudges``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from cards.qa_visits import acknowledged_notice_card, concern_notice_card, report_notice_card
from cluster import keys
from cluster.clock import LONDON
from cluster.commands.qa_visits import ACTION_GONE, VISIT_GONE, OneAction, OneVisit, PlanVisit, RecordVisitReport
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import (
    ACKNOWLEDGE_QA_REPORT,
    CLOSE_QA_ACTION,
    PLAN_QA_VISIT,
    QA_VISITS,
    SEE_QA_REPORT,
    Forbidden,
    allows,
    authorize,
    clusters_reached,
    covers,
    settings_reached,
)
from cluster.qa_visits import (
    ActionView,
    Judgement,
    SettingChoice,
    VisitsPage,
    VisitState,
    VisitView,
    check_record,
    read_actions,
)
from cluster.roles import SETTING_ROLES, Role
from store import audit
from store.db import transaction
from store.models import Cluster, QaAction, QaVisit, Setting
from store.outbox import owe_notice
from store.repo import role_holders
from usecases.people import Actor, require_registered

PAGE = 30
REFERRERS = (Role.SENCO, Role.DELEGATE)


def _state(visit: QaVisit) -> VisitState:
    if visit.acknowledged_at is not None:
        return VisitState.ACKNOWLEDGED
    return VisitState.RECORDED if visit.recorded_at is not None else VisitState.PLANNED


def _view(session: Session, actor: Actor, visit: QaVisit, actions: Iterable[QaAction] | None = None) -> VisitView:
    setting = session.get(Setting, visit.setting_id)
    cluster = session.get(Cluster, visit.cluster_id)
    if actions is None:
        actions = session.exec(select(QaAction).where(QaAction.visit_id == visit.id).order_by(col(QaAction.id))).all()
    state = _state(visit)
    grants = actor.grants
    return VisitView(
        id=visit.id or 0,
        cluster=cluster.name if cluster else "",
        setting=setting.name if setting else "",
        state=state,
        planned_on=visit.planned_on,
        visitors=visit.visitors,
        visited_on=visit.visited_on,
        allocations=visit.allocations,
        seen=visit.seen,
        judgement=Judgement(visit.judgement) if visit.judgement else None,
        follow_up_on=visit.follow_up_on,
        acknowledged_on=visit.acknowledged_at.astimezone(LONDON).date() if visit.acknowledged_at else None,
        actions=tuple(ActionView(a.id or 0, a.what, a.owner, a.due_on, a.done_at is not None) for a in actions),
        can_record=covers(grants, PLAN_QA_VISIT, visit.cluster_id),
        can_acknowledge=state is VisitState.RECORDED
        and covers(grants, ACKNOWLEDGE_QA_REPORT, visit.cluster_id, visit.setting_id),
        can_close_actions=state is not VisitState.PLANNED
        and covers(grants, CLOSE_QA_ACTION, visit.cluster_id, visit.setting_id),
    )


def _visit_seen(session: Session, actor: Actor, visit_id: int) -> QaVisit:
    """The visit, if the person may see its report; the same sentence for a forged id and a missing role."""
    visit = session.get(QaVisit, visit_id)
    if visit is None:
        raise Refusal(VISIT_GONE)
    authorize(actor.grants, SEE_QA_REPORT, visit.cluster_id, visit.setting_id)
    return visit


def visits_page(engine: Engine, actor: Actor) -> VisitsPage:
    """The visits the person may see, newest first (their cluster's, their setting's, or every cluster's)."""
    require_registered(actor)
    if not allows(actor.grants, QA_VISITS, registered=True):
        raise Forbidden(QA_VISITS.refusal)
    # A SENCO's grant names their setting's cluster too, but reaches only their own setting's reports.
    cluster_grants = [g for g in actor.grants if g.role not in SETTING_ROLES]
    clusters = clusters_reached(cluster_grants, SEE_QA_REPORT)
    settings = settings_reached(actor.grants, SEE_QA_REPORT)
    with transaction(engine, read_only=True) as session:
        query = select(QaVisit)
        if clusters is not None:
            query = query.where(col(QaVisit.cluster_id).in_(clusters) | col(QaVisit.setting_id).in_(settings))
        found = session.exec(query.order_by(col(QaVisit.planned_on).desc(), col(QaVisit.id).desc())).all()
        shown = tuple(_view(session, actor, visit) for visit in found[:PAGE])
        plannable = clusters_reached(actor.grants, PLAN_QA_VISIT)
        choices: tuple[SettingChoice, ...] = ()
        if plannable:
            choices = tuple(
                SettingChoice(s.id or 0, s.name)
                for s in session.exec(
                    select(Setting).where(col(Setting.cluster_id).in_(plannable)).order_by(col(Setting.name))
                )
            )
        return VisitsPage(shown, choices, max(0, len(found) - PAGE))


def plan_visit(engine: Engine, actor: Actor, command: PlanVisit, now: datetime) -> VisitView:
    """The team plans a visit to one of its cluster's settings; earlier visits there are now followed up."""
    require_registered(actor)
    with transaction(engine) as session:
        setting = session.get(Setting, command.setting_id)
        if setting is None:
            raise InvalidInput({"setting_id": "Choose the setting to visit."}, {})
        authorize(actor.grants, PLAN_QA_VISIT, setting.cluster_id)
        if command.planned_on < now.astimezone(LONDON).date():
            raise InvalidInput({"planned_on": "Plan a visit for today or later."}, {})
        visit = QaVisit(
            cluster_id=setting.cluster_id,
            setting_id=setting.id or 0,
            planned_on=command.planned_on,
            visitors=command.visitors,
            planned_by=actor.person_id or 0,
        )
        session.add(visit)
        # A new visit is the follow-up of the setting's earlier ones: their follow-up nudges stop.
        for earlier in session.exec(
            select(QaVisit).where(QaVisit.setting_id == setting.id, col(QaVisit.followed_up) == False)  # noqa: E712
        ):
            earlier.followed_up = True
            session.add(earlier)
        session.flush()
        audit.record(session, now, actor.tag, "qa.plan", f"qa_visit:{visit.id}", setting=setting.id)
        return _view(session, actor, visit, [])


def open_visit(engine: Engine, actor: Actor, command: OneVisit) -> VisitView:
    """A visit and its report, for those who may see it."""
    require_registered(actor)
    with transaction(engine, read_only=True) as session:
        return _view(session, actor, _visit_seen(session, actor, command.visit_id))


def record_report(engine: Engine, actor: Actor, command: RecordVisitReport, now: datetime) -> VisitView:
    """The team records the visit's report; the setting is sent it to acknowledge, the chair told of a concern.

    Recording it again (a correction) replaces its open actions and asks the setting to acknowledge afresh.
    """
    require_registered(actor)
    today = now.astimezone(LONDON).date()
    with transaction(engine) as session:
        visit = session.get(QaVisit, command.visit_id)
        if visit is None:
            raise Refusal(VISIT_GONE)
        authorize(actor.grants, PLAN_QA_VISIT, visit.cluster_id)
        errors = check_record(command.visited_on, today, command.follow_up_on)
        actions, problem = read_actions(command.actions, command.visited_on)
        if problem:
            errors["actions"] = problem
        if errors:
            raise InvalidInput(errors, {})
        judgement = Judgement(command.judgement)
        visit.visited_on, visit.visitors = command.visited_on, command.visitors
        visit.allocations, visit.seen, visit.judgement = command.allocations, command.seen, judgement.value
        visit.follow_up_on, visit.followed_up = command.follow_up_on, False
        visit.recorded_by, visit.recorded_at = actor.person_id, now
        visit.acknowledged_by = visit.acknowledged_at = None
        session.add(visit)
        session.exec(delete(QaAction).where(col(QaAction.visit_id) == visit.id, col(QaAction.done_at).is_(None)))
        for action in actions:
            session.add(QaAction(visit_id=visit.id or 0, what=action.what, owner=action.owner, due_on=action.due_on))
        session.flush()
        audit.record(
            session,
            now,
            actor.tag,
            "qa.record",
            f"qa_visit:{visit.id}",
            judgement=judgement.value,
            actions=len(actions),
        )
        view = _view(session, actor, visit)
        setting_people = role_holders(session, REFERRERS, at_settings=[visit.setting_id]).get(visit.setting_id, [])
        owe_notice(session, keys.qa_visit_notice(view.id, "report", now), now, report_notice_card(view), setting_people)
        if judgement is Judgement.CONCERN:
            chairs = role_holders(session, [Role.CHAIR], in_clusters=[visit.cluster_id]).get(visit.cluster_id, [])
            owe_notice(session, keys.qa_visit_notice(view.id, "concern", now), now, concern_notice_card(view), chairs)
        return view


def acknowledge(engine: Engine, actor: Actor, command: OneVisit, now: datetime) -> VisitView:
    """The setting's SENCO acknowledges the report; the team is told (a second click changes nothing)."""
    require_registered(actor)
    with transaction(engine) as session:
        visit = session.get(QaVisit, command.visit_id)
        if visit is None:
            raise Refusal(VISIT_GONE)
        authorize(actor.grants, ACKNOWLEDGE_QA_REPORT, visit.cluster_id, visit.setting_id)
        if visit.recorded_at is None:
            raise Refusal("The visit's report has not been recorded yet, so there is nothing to acknowledge.")
        if visit.acknowledged_at is None:
            visit.acknowledged_by, visit.acknowledged_at = actor.person_id, now
            session.add(visit)
            audit.record(session, now, actor.tag, "qa.acknowledge", f"qa_visit:{visit.id}")
            view = _view(session, actor, visit)
            team = role_holders(session, [Role.TEAM_AROUND_CLUSTER], in_clusters=[visit.cluster_id])
            owe_notice(
                session,
                keys.qa_visit_notice(view.id, "acknowledged", visit.recorded_at),
                now,
                acknowledged_notice_card(view),
                team.get(visit.cluster_id, []),
            )
            return view
        return _view(session, actor, visit)


def close_action(engine: Engine, actor: Actor, command: OneAction, now: datetime) -> VisitView:
    """The setting or the team marks an action done: its nudges stop."""
    require_registered(actor)
    with transaction(engine) as session:
        action = session.get(QaAction, command.action_id)
        visit = session.get(QaVisit, action.visit_id) if action else None
        if action is None or visit is None:
            raise Refusal(ACTION_GONE)
        authorize(actor.grants, CLOSE_QA_ACTION, visit.cluster_id, visit.setting_id)
        if action.done_at is None:
            action.done_at, action.done_by = now, actor.person_id
            session.add(action)
            audit.record(session, now, actor.tag, "qa.action_done", f"qa_action:{action.id}", visit=visit.id)
        return _view(session, actor, visit)

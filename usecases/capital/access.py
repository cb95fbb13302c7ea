"""Who sees an application and what they may do on it, and loading one for a change (in its turns)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from cluster import capital_fund as fund
from cluster.capital_fund import ApplicationView, Stage, Viewer
from cluster.commands.capital import NOT_FOUND
from cluster.errors import Refusal
from cluster.referrals import Kind, State
from cluster.roles import SETTING_ROLES, Role
from store.db import take_turn
from store.models import CapitalApplication, CapitalScore, Referral
from store.repo import role_holders
from usecases.capital.views import member_of, score_of, today_of, views_of
from usecases.people import Actor

NOT_ON_PANEL = (
    "You are not on this cluster's Cluster Panel: the chair and the team around the cluster sit on it, "
    "with the SENCOs its admin names."
)
WITHDRAWN = "This application was withdrawn."


@dataclass(frozen=True)
class OpenedApplication:
    """An application as one person sees it, what they may do on it, and a line saying what just happened."""

    view: ApplicationView
    viewer: Viewer
    notice: str | None = None


# --- who sees what ------------------------------------------------------------------------------------


def _grants_for(actor: Actor, cluster_id: int, roles: Iterable[Role]) -> bool:
    wanted = set(roles)
    return any(g.role in wanted and g.cluster_id == cluster_id for g in actor.grants)


def viewer_of(session: Session, actor: Actor, view: ApplicationView) -> Viewer:
    """What this person may see and do on the application."""
    member = member_of(session, actor, view.cluster_id)
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
        own_score=score_of(own) if own is not None else None,
        may_score=may_score,
        not_scoring=not_scoring,
        chairs=_grants_for(actor, view.cluster_id, (Role.CHAIR,)),
        officer=any(g.role is Role.COUNCIL_OFFICER for g in actor.grants),
        applicant=any(g.role in SETTING_ROLES and g.setting_id == view.setting_id for g in actor.grants),
        team=_grants_for(actor, view.cluster_id, (Role.TEAM_AROUND_CLUSTER,)),
    )


def as_opened(
    session: Session, actor: Actor, referral_id: int, now: datetime, notice: str | None = None
) -> OpenedApplication:
    """The application as the actor sees it now (after what this unit changed), with ``notice``."""
    session.flush()
    [view] = views_of(session, [referral_id], today_of(now))
    return OpenedApplication(view, viewer_of(session, actor, view), notice)


def load(session: Session, referral_id: int, *, turn: bool = False) -> tuple[Referral, CapitalApplication | None]:
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


def application_of(app: CapitalApplication | None) -> CapitalApplication:
    """The application, refused while the admin has not yet accepted it."""
    if app is None:
        raise Refusal("This application has not been through the admin's check yet.")
    return app


def refuse_unless_live(referral: Referral) -> None:
    """Refuse any change to a withdrawn application."""
    if referral.state == State.WITHDRAWN.value:
        raise Refusal(WITHDRAWN)


def setting_people(session: Session, referral: Referral) -> list[int]:
    """Who hears about the application for its setting: the SENCOs and delegates, and who applied."""
    people = role_holders(session, SETTING_ROLES, at_settings=[referral.setting_id]).get(referral.setting_id, [])
    return list(dict.fromkeys([referral.created_by, *people]))

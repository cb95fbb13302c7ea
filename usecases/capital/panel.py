"""The Cluster Panel: the admin names its SENCOs; members score each application; the chair closes the scoring."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from cluster import capital_fund as fund
from cluster.capital_fund import Criterion, Member, Stage
from cluster.commands.capital import (
    NamePanelMember,
    OnApplication,
    RemovePanelMember,
    ScoreApplication,
    comment_input,
    score_input,
)
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import CHAIR_PANEL, NAME_PANEL, SCORE_CAPITAL, Forbidden, authorize
from cluster.roles import SETTING_ROLES, Role
from store import audit
from store.db import take_turn, transaction
from store.models import CapitalApplication, CapitalScore, Cluster, PanelMember, Person, RoleAssignment, Setting
from usecases.capital.access import NOT_ON_PANEL, OpenedApplication, application_of, as_opened, load, refuse_unless_live
from usecases.capital.jobs import owe_score_request
from usecases.capital.views import member_of, panels, today_of, views_of
from usecases.people import Actor


@dataclass(frozen=True)
class PanelCard:
    """The admin's panel card: the cluster's panel, and the SENCOs and delegates who could be named to it."""

    cluster_id: int
    cluster: str
    members: tuple[Member, ...]
    candidates: tuple[tuple[int, str], ...] = field(default=())


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


def add_panel_member(engine: Engine, actor: Actor, command: NamePanelMember, now: datetime) -> PanelCard:
    """Name a SENCO or delegate to their cluster's panel; naming them twice is harmless.

    Someone named while applications are being scored is sent their scoring cards at once (the keys are the
    ones the window's closing uses, so nobody gets a card twice).
    """
    if not _administered(actor):
        raise Forbidden(NAME_PANEL.refusal)
    person_id = command.person_id
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
            _owe_cards_to_new_member(session, cluster.id, person_id, now)
        return _panel_card(session, cluster)


def _owe_cards_to_new_member(session: Session, cluster_id: int, person_id: int, now: datetime) -> None:
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
    for view in views_of(session, list(scoring), today_of(now)):
        if view.stage is Stage.SCORING and view.setting_id not in member.setting_ids:
            owe_score_request(session, view, now, [person_id])


def remove_panel_member(engine: Engine, actor: Actor, command: RemovePanelMember, now: datetime) -> PanelCard:
    """Take a named SENCO off their cluster's panel (scores they gave stay); removing them twice is harmless."""
    if not _administered(actor):
        raise Forbidden(NAME_PANEL.refusal)
    person_id = command.person_id
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


# The scoring rules name a criterion's score by the criterion, and its comment "<criterion>_comment";
# the form's inputs are "score_<criterion>" and "comment_<criterion>", where the mistakes are shown.
_SCORE_INPUTS = {c.value: score_input(c) for c in Criterion}
_SCORE_INPUTS |= {f"{c.value}_comment": comment_input(c) for c in Criterion}


# --- the panel scores ---------------------------------------------------------------------------------


def score(engine: Engine, actor: Actor, command: ScoreApplication, now: datetime) -> OpenedApplication:
    """A panel member saves their scores (they may change them until the panel closes); theirs alone are shown.

    A member from the applying setting is refused, as is anyone not on the cluster's panel.
    """
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, _ = load(session, referral_id, turn=True)
        authorize(actor.grants, SCORE_CAPITAL, referral.cluster_id)
        member = member_of(session, actor, referral.cluster_id)
        if member is None:
            raise Refusal(NOT_ON_PANEL)
        fund.check_can_score(member.setting_ids, referral.setting_id)
        refuse_unless_live(referral)
        opened = as_opened(session, actor, referral_id, now)
        stage = opened.view.stage
        if stage in (Stage.CHECKING, Stage.WAITING):
            raise Refusal(
                f"The panel scores this application once the window closes on {opened.view.window_closes:%-d %B %Y}."
            )
        if stage is not Stage.SCORING:
            raise Refusal("The panel has closed its scoring of this application, so scores can no longer change.")
        checked, errors = fund.check_score(command)
        if errors:
            raise InvalidInput({_SCORE_INPUTS.get(k, k): m for k, m in errors.items()}, {})
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
        return as_opened(
            session,
            actor,
            referral_id,
            now,
            "Your scores are saved. Other members' scores stay hidden until the chair closes the panel.",
        )


def close_panel(engine: Engine, actor: Actor, command: OnApplication, now: datetime) -> OpenedApplication:
    """The chair closes the panel's scoring: the averages are shown from then on; closing twice is harmless."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, app = load(session, referral_id, turn=True)
        authorize(actor.grants, CHAIR_PANEL, referral.cluster_id)
        refuse_unless_live(referral)
        app = application_of(app)
        if app.panel_closed_at is not None:
            return as_opened(session, actor, referral_id, now)
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
        return as_opened(session, actor, referral_id, now, "The panel is closed: its averages are shown below.")

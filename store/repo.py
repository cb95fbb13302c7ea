"""Queries and small writes on the foundation tables. Functions take a Session; callers own the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Select, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row as ResultRow
from sqlmodel import Session, SQLModel, col, select

from cluster.card_ids import card_id, is_missing
from cluster.errors import Refusal
from cluster.meetings import MeetingSlot
from cluster.roles import Grant, Role
from store.models import Cluster, Meeting, RoleAssignment, Setting


def cluster_by_name(session: Session, name: str) -> Cluster | None:
    """The cluster with this name or code, case-insensitively."""
    wanted = name.strip().lower()
    for cluster in session.exec(select(Cluster)):
        if wanted in (cluster.name.lower(), cluster.code.lower()):
            return cluster
    return None


def setting_by_name(session: Session, cluster_id: int, name: str) -> Setting | None:
    """The setting of this cluster with this name (case-insensitive) or URN."""
    wanted = name.strip().lower()
    for setting in session.exec(select(Setting).where(Setting.cluster_id == cluster_id)):
        if wanted == setting.name.lower() or (setting.urn and wanted == setting.urn.lower()):
            return setting
    return None


def _person_with_grants_query() -> Select[Any]:
    """The person and every role they hold: assigned roles, and the roles they hold at meetings not yet over.

    A substitute's role (confirmed, for one setting at one meeting) and an acting chair's (for one meeting)
    come from the meeting's own rows, as a UNION with the assignments, so a turn still reads who is acting
    in one query.
    """
    tables = SQLModel.metadata.tables
    person, role, cluster, setting = (tables[n] for n in ("person", "role_assignment", "cluster", "setting"))
    meeting, substitute = tables["meeting"], tables["substitute"]
    setting_cluster = cluster.alias("setting_cluster")
    assigned = (
        sa_select(
            person.c.id,
            person.c.name,
            role.c.role,
            cluster.c.name,
            setting.c.name,
            setting_cluster.c.name,
            role.c.cluster_id,
            role.c.setting_id,
            setting.c.cluster_id,
            sa.null().label("meeting_id"),
        )
        .select_from(
            person.outerjoin(role, role.c.person_id == person.c.id)
            .outerjoin(cluster, cluster.c.id == role.c.cluster_id)
            .outerjoin(setting, setting.c.id == role.c.setting_id)
            .outerjoin(setting_cluster, setting_cluster.c.id == setting.c.cluster_id)
        )
        .where(person.c.aad_object_id == bindparam("aad"))
    )
    live = sa.and_(meeting.c.ended_at.is_(None), sa.not_(meeting.c.cancelled))
    substituting = (
        sa_select(
            person.c.id,
            person.c.name,
            sa.literal(Role.SUBSTITUTE.value),
            setting_cluster.c.name,
            setting.c.name,
            setting_cluster.c.name,
            setting.c.cluster_id,
            setting.c.id,
            setting.c.cluster_id,
            meeting.c.id,
        )
        .select_from(
            person.join(substitute, substitute.c.person_id == person.c.id)
            .join(meeting, meeting.c.id == substitute.c.meeting_id)
            .join(setting, setting.c.id == substitute.c.setting_id)
            .join(setting_cluster, setting_cluster.c.id == setting.c.cluster_id)
        )
        .where(person.c.aad_object_id == bindparam("aad"), substitute.c.confirmed_at.is_not(None), live)
    )
    acting = (
        sa_select(
            person.c.id,
            person.c.name,
            sa.literal(Role.ACTING_CHAIR.value),
            cluster.c.name,
            sa.null(),
            sa.null(),
            meeting.c.cluster_id,
            sa.null(),
            sa.null(),
            meeting.c.id,
        )
        .select_from(
            person.join(meeting, meeting.c.acting_chair_id == person.c.id).join(
                cluster, cluster.c.id == meeting.c.cluster_id
            )
        )
        .where(person.c.aad_object_id == bindparam("aad"), live)
    )
    return sa_select(sa.union_all(assigned, substituting, acting).subquery())


# Built once: constructing a SELECT costs more than running it against SQLite, and this runs every turn.
_PERSON_WITH_GRANTS = _person_with_grants_query()


def person_with_grants(session: Session, aad_object_id: str) -> tuple[int, str, frozenset[Grant]] | None:
    """The person with this Teams id and all their roles, in one query (it runs on every turn)."""
    rows = session.connection().execute(_PERSON_WITH_GRANTS, {"aad": aad_object_id}).all()
    if not rows:
        return None
    grants = frozenset(
        Grant(Role(role), cluster or via_setting, setting, cluster_id or setting_cluster_id, setting_id, meeting_id)
        for _, _, role, cluster, setting, via_setting, cluster_id, setting_id, setting_cluster_id, meeting_id in rows
        if role is not None
    )
    return rows[0][0], rows[0][1], grants


def grants_of(session: Session, person_id: int) -> frozenset[Grant]:
    """Every role the person holds, with cluster and setting names filled in."""
    rows = session.exec(
        select(RoleAssignment, Cluster, Setting)
        .join(Setting, col(Setting.id) == RoleAssignment.setting_id, isouter=True)
        .join(
            Cluster,
            (col(Cluster.id) == RoleAssignment.cluster_id) | (col(Cluster.id) == Setting.cluster_id),
            isouter=True,
        )
        .where(RoleAssignment.person_id == person_id)
    ).all()
    return frozenset(
        Grant(
            role=Role(assignment.role),
            cluster=cluster.name if cluster else None,
            setting=setting.name if setting else None,
            cluster_id=cluster.id if cluster else None,
            setting_id=setting.id if setting else None,
            service=assignment.service,
        )
        for assignment, cluster, setting in rows
    )


def role_holders(
    session: Session,
    roles: Iterable[Role | str],
    *,
    in_clusters: Iterable[int] = (),
    at_settings: Iterable[int] = (),
) -> dict[int, list[int]]:
    """Who holds any of ``roles``, in one query: people by cluster, or by setting.

    ``in_clusters``: keyed by cluster, the holders of a cluster role there and of a setting role at one of its
    settings (a cluster's SENCOs, its chair and admins). ``at_settings``: keyed by setting, the holders of a
    setting role there. Each list is in person-id order, each person once.
    """
    wanted = [Role(r).value for r in roles]
    clusters, settings = list(in_clusters), list(at_settings)
    if bool(clusters) == bool(settings):
        raise ValueError("ask by clusters or by settings, one of them")
    if settings:
        query = select(RoleAssignment.setting_id, RoleAssignment.person_id).where(
            col(RoleAssignment.setting_id).in_(settings)
        )
    else:
        scope = func.coalesce(RoleAssignment.cluster_id, Setting.cluster_id)
        query = (
            select(scope, RoleAssignment.person_id)
            .join(Setting, col(Setting.id) == RoleAssignment.setting_id, isouter=True)
            .where(scope.in_(clusters))
        )
    found: dict[int, list[int]] = {}
    for key, person in session.exec(
        query.where(col(RoleAssignment.role).in_(wanted)).order_by(col(RoleAssignment.person_id))
    ):
        if key is None:
            continue
        people = found.setdefault(int(key), [])
        if person not in people:
            people.append(person)
    return found


def slot_of(meeting: Meeting | ResultRow[Any]) -> MeetingSlot:
    """A meeting as the rules see it: its row, or a row of a query that selects the meeting table's columns."""
    return MeetingSlot(
        id=meeting.id or 0,
        day=meeting.day,
        start=meeting.start,
        end=meeting.end,
        deadline=meeting.deadline,
        cancelled=meeting.cancelled,
        title=meeting.title,
        online_link=meeting.online_link,
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
    )


def meeting_slots(session: Session, cluster_id: int) -> list[MeetingSlot]:
    """The cluster's meetings as the rules see them."""
    meetings = session.exec(select(Meeting).where(Meeting.cluster_id == cluster_id).order_by(col(Meeting.day))).all()
    return [slot_of(m) for m in meetings]


Row = TypeVar("Row", bound=SQLModel)


def get_or_refuse(session: Session, model: type[Row], key: Any, refusal: str) -> Row:
    """The row with this id (as a card sends it, possibly text), or a refusal the person reads.

    No id at all, or one naming no row, is ``refusal``; anything that is not an id (a float, a list, a
    number too big for the column) is :data:`cluster.errors.OUT_OF_DATE`, before it reaches the database.
    """
    if is_missing(key):
        raise Refusal(refusal)
    row = session.get(model, card_id(key))
    if row is None:
        raise Refusal(refusal)
    return row

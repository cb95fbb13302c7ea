"""What a permission is, how far a role reaches, and the two checks on it.

The permissions themselves are in the topic modules beside this one.

Two checks use the same object, so they cannot drift apart:

- :func:`allows`, before any use case runs (the router): does the person hold one of the roles at all?
- :func:`authorize`, inside the use case, against the rows the card's data names: does one of those
  roles reach *this* row? A forged id that names another setting's draft or another cluster's vote gets
  the same sentence as a missing role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cluster.errors import Refusal
from cluster.roles import CITYWIDE_ROLES, MEETING_ROLES, SETTING_ROLES, Grant, Role


class Rows(StrEnum):
    """What a permission acts on, which decides how far each role reaches."""

    NONE = "none"  # nothing the card names: help, lists of one's own things
    SETTING = "setting"  # a setting's own rows: drafts, referrals, reviews
    CLUSTER = "cluster"  # a cluster's rows: meetings, agenda items, votes, the budget
    CITY = "city"  # figures of every cluster, no pupil's rows: the citywide view for the Citywide Meeting


class Forbidden(Refusal):
    """A refusal because of who is asking: the same for a missing role and for a row out of reach."""


@dataclass(frozen=True)
class Permission:
    """One thing people may do, who may do it, and on what.

    ``roles`` is None for something any registered person may do; ``public`` lets people the bot does
    not know use it too (help, who am I). ``pupil_data`` says whether what it shows or changes holds a
    pupil's details (special category data).
    """

    name: str
    summary: str
    roles: frozenset[Role] | None
    rows: Rows
    pupil_data: bool
    refusal: str
    public: bool = False

    def holds(self, role: Role) -> bool:
        """Whether this role is one the permission names (any registered role when it names none)."""
        return self.roles is None or role in self.roles


def reach(role: Role, rows: Rows) -> str:
    """How far a role reaches for these rows, as the README says it."""
    if role in MEETING_ROLES:
        return "the one meeting they are named for"
    if role in CITYWIDE_ROLES or rows is Rows.CITY:
        return "citywide"
    if role in SETTING_ROLES and rows is not Rows.CLUSTER:
        return "own setting"
    return "their cluster"


def allows(grants: Iterable[Grant], permission: Permission, registered: bool) -> bool:
    """Whether someone with these grants may use the permission at all (before any row is looked at)."""
    if permission.public:
        return True
    if not registered:
        return False
    return permission.roles is None or any(g.role in permission.roles for g in grants)


def covers(
    grants: Iterable[Grant],
    permission: Permission,
    cluster_id: int,
    setting_id: int | None = None,
    meeting_id: int | None = None,
) -> bool:
    """Whether one of the person's grants for this permission reaches the row (its cluster and setting).

    A grant for one meeting (a substitute's, an acting chair's) reaches only rows of that meeting: the
    caller names the meeting its row belongs to, and a caller that names none is not reached by it.
    """
    for grant in grants:
        if not permission.holds(grant.role):
            continue
        if grant.meeting_id is not None and grant.meeting_id != meeting_id:
            continue
        if grant.role in CITYWIDE_ROLES or permission.rows is Rows.CITY:
            return True
        if grant.role in SETTING_ROLES and permission.rows is Rows.SETTING:
            if setting_id is not None and grant.setting_id == setting_id:
                return True
        elif grant.cluster_id == cluster_id:
            return True
    return False


def clusters_reached(grants: Iterable[Grant], permission: Permission) -> frozenset[int] | None:
    """The clusters whose cluster rows the person's grants for this permission reach; None means every cluster.

    So a list ("referrals to check", "reviews due") asks the database for those clusters' rows only,
    instead of walking every cluster in the city and asking :func:`covers` of each.
    """
    reached: set[int] = set()
    for grant in grants:
        if not permission.holds(grant.role) or grant.meeting_id is not None:  # one meeting's role lists nothing
            continue
        if grant.role in CITYWIDE_ROLES or permission.rows is Rows.CITY:
            return None
        if grant.cluster_id is not None:
            reached.add(grant.cluster_id)
    return frozenset(reached)


def settings_reached(grants: Iterable[Grant], permission: Permission) -> frozenset[int]:
    """The settings whose own rows the person reaches through a setting role (SENCO, delegate) for this permission."""
    return frozenset(
        g.setting_id
        for g in grants
        if g.setting_id is not None and g.role in SETTING_ROLES and permission.holds(g.role)
    )


def authorize(
    grants: Iterable[Grant],
    permission: Permission,
    cluster_id: int,
    setting_id: int | None = None,
    meeting_id: int | None = None,
) -> None:
    """Refuse, with the permission's own sentence, unless one of the person's roles reaches this row."""
    if not covers(grants, permission, cluster_id, setting_id, meeting_id):
        raise Forbidden(permission.refusal)


def permission(
    name: str,
    summary: str,
    roles: Iterable[Role] | None,
    rows: Rows,
    refusal: str,
    *,
    pupil_data: bool = False,
    public: bool = False,
) -> Permission:
    """A permission, its roles given as any iterable (None: any registered person)."""
    return Permission(
        name, summary, None if roles is None else frozenset(roles), rows, pupil_data, refusal, public=public
    )


# Short names for the roles, so each permission below reads as one line of a table.
S, D, C, T, A, OB, CO = (
    Role.SENCO,
    Role.DELEGATE,
    Role.CHAIR,
    Role.TEAM_AROUND_CLUSTER,
    Role.ADMIN,
    Role.OBSERVER,
    Role.COUNCIL_OFFICER,
)
SUB, ACT = Role.SUBSTITUTE, Role.ACTING_CHAIR  # for one meeting: reach only that meeting's rows
REFERRERS = (S, D)
MEMBERS = (S, D, C, T, A, OB)
# The chair runs the cluster's meetings; someone else runs one only when it is handed to them (an acting chair).
RUNNERS = (C, ACT)

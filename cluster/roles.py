"""Roles people hold, and what each role lets them do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A role a person holds. Setting roles name a setting; cluster roles a cluster; the rest are citywide."""

    SENCO = "senco"
    DELEGATE = "delegate"
    CHAIR = "chair"
    TEAM_AROUND_CLUSTER = "tac"
    ADMIN = "admin"
    COUNCIL_OFFICER = "officer"
    OBSERVER = "observer"
    # Roles for one meeting, never assigned by hand: they come from the meeting's own rows.
    SUBSTITUTE = "substitute"  # named by a SENCO to attend and vote for their setting at one meeting
    ACTING_CHAIR = "acting_chair"  # the chair handed this meeting to them


SETTING_ROLES = frozenset({Role.SENCO, Role.DELEGATE})
CLUSTER_ROLES = frozenset({Role.CHAIR, Role.TEAM_AROUND_CLUSTER, Role.ADMIN, Role.OBSERVER})
CITYWIDE_ROLES = frozenset({Role.COUNCIL_OFFICER})
MEETING_ROLES = frozenset({Role.SUBSTITUTE, Role.ACTING_CHAIR})

ROLE_LABELS: dict[Role, str] = {
    Role.SENCO: "SENCO",
    Role.DELEGATE: "Delegate",
    Role.CHAIR: "Chair",
    Role.TEAM_AROUND_CLUSTER: "Team around the cluster",
    Role.ADMIN: "Admin",
    Role.COUNCIL_OFFICER: "Council officer",
    Role.OBSERVER: "Observer",
    Role.SUBSTITUTE: "Substitute",
    Role.ACTING_CHAIR: "Acting chair",
}


def parse_role(text: str) -> Role:
    """Read a role from its code or label, case-insensitively; raise ValueError naming the choices."""
    wanted = text.strip().lower().replace("_", " ").replace("-", " ")
    for role in Role:
        if wanted in (role.value, ROLE_LABELS[role].lower()):
            return role
    choices = ", ".join(r.value for r in Role)
    raise ValueError(f"unknown role {text!r}; use one of: {choices}")


@dataclass(frozen=True)
class Grant:
    """One role held by one person, scoped to a setting, a cluster, or the whole city."""

    role: Role
    cluster: str | None = None
    setting: str | None = None
    # The rows' ids, so a use case can check a card's ids against the person's reach without a query.
    cluster_id: int | None = None
    setting_id: int | None = None
    # Set for a role held at one meeting only (a substitute, an acting chair): it reaches that meeting's rows.
    meeting_id: int | None = None
    # The service an observer represents (cluster.wider_team), where the reader filled it in.
    service: str | None = None

    def describe(self) -> str:
        """The grant as a person would say it: 'SENCO of Etruscan Primary School (Central)'."""
        label = ROLE_LABELS[self.role] + (f" for {self.service}" if self.service else "")
        if self.setting:
            return f"{label} of {self.setting}" + (f" ({self.cluster})" if self.cluster else "")
        if self.cluster:
            return f"{label}, {self.cluster} cluster"
        return f"{label} (citywide)"


def scope_problem(role: Role, has_cluster: bool, has_setting: bool) -> str | None:
    """Say what is wrong with a role's scope, or None when it is right."""
    if role in MEETING_ROLES:
        return f"a {ROLE_LABELS[role]} is named for one meeting from the meeting's cards, not assigned"
    if role in SETTING_ROLES and not has_setting:
        return f"a {ROLE_LABELS[role]} must name a setting"
    if role in CLUSTER_ROLES and (not has_cluster or has_setting):
        return f"a {ROLE_LABELS[role]} must name a cluster and no setting"
    if role in CITYWIDE_ROLES and (has_cluster or has_setting):
        return f"a {ROLE_LABELS[role]} is citywide and names no cluster or setting"
    return None

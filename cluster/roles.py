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


SETTING_ROLES = frozenset({Role.SENCO, Role.DELEGATE})
CLUSTER_ROLES = frozenset({Role.CHAIR, Role.TEAM_AROUND_CLUSTER, Role.ADMIN, Role.OBSERVER})
CITYWIDE_ROLES = frozenset({Role.COUNCIL_OFFICER})

ROLE_LABELS: dict[Role, str] = {
    Role.SENCO: "SENCO",
    Role.DELEGATE: "Delegate",
    Role.CHAIR: "Chair",
    Role.TEAM_AROUND_CLUSTER: "Team around the cluster",
    Role.ADMIN: "Admin",
    Role.COUNCIL_OFFICER: "Council officer",
    Role.OBSERVER: "Observer",
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

    def describe(self) -> str:
        """The grant as a person would say it: 'SENCO of Etruscan Primary School (Central)'."""
        label = ROLE_LABELS[self.role]
        if self.setting:
            return f"{label} of {self.setting}" + (f" ({self.cluster})" if self.cluster else "")
        if self.cluster:
            return f"{label}, {self.cluster} cluster"
        return f"{label} (citywide)"


def scope_problem(role: Role, has_cluster: bool, has_setting: bool) -> str | None:
    """Say what is wrong with a role's scope, or None when it is right."""
    if role in SETTING_ROLES and not has_setting:
        return f"a {ROLE_LABELS[role]} must name a setting"
    if role in CLUSTER_ROLES and (not has_cluster or has_setting):
        return f"a {ROLE_LABELS[role]} must name a cluster and no setting"
    if role in CITYWIDE_ROLES and (has_cluster or has_setting):
        return f"a {ROLE_LABELS[role]} is citywide and names no cluster or setting"
    return None


@dataclass(frozen=True)
class Command:
    """A command a person can type in personal chat, and who may use it."""

    text: str
    title: str
    summary: str
    roles: frozenset[Role] | None  # None: anyone registered


PERSONAL_COMMANDS: tuple[Command, ...] = (
    Command("help", "Help", "What I can do for you.", None),
    Command("whoami", "Who am I", "Your roles and settings.", None),
    Command("next meeting", "Next meeting", "Date, time and referral deadline of your next meeting.", None),
    Command("new referral", "New referral", "Ask your cluster for funding or advice.", SETTING_ROLES),
    Command(
        "my referrals", "My referrals", "Your setting's drafts and referrals, and where they stand.", SETTING_ROLES
    ),
    Command("reviews", "Reviews", "Your setting's reviews and when they are due.", SETTING_ROLES),
    Command(
        "reviews due",
        "Reviews due",
        "Your cluster's reviews that are due or overdue.",
        frozenset({Role.CHAIR, Role.ADMIN}),
    ),
    Command("minutes", "Minutes", "The latest meeting's minutes as Markdown and a spreadsheet.", None),
    Command(
        "budget",
        "Budget",
        "Where your cluster's budget stands (and setting it, for admins).",
        frozenset({Role.ADMIN, Role.COUNCIL_OFFICER, Role.CHAIR, Role.TEAM_AROUND_CLUSTER}),
    ),
    Command("meetings", "Meetings", "Add, move or cancel your cluster's meetings.", frozenset({Role.ADMIN})),
    Command(
        "settings",
        "Settings",
        "Which of your cluster's settings may apply to the Capital Fund.",
        frozenset({Role.ADMIN}),
    ),
    Command(
        "referrals to check",
        "Referrals to check",
        "Submitted referrals waiting for your check.",
        frozenset({Role.ADMIN}),
    ),
)


def commands_for(grants: frozenset[Grant] | set[Grant]) -> list[Command]:
    """The personal commands this person's roles allow, in menu order."""
    held = {g.role for g in grants}
    return [c for c in PERSONAL_COMMANDS if c.roles is None or c.roles & held]

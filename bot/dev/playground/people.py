"""The demo's people: the Playground's six mock users and three more, each with the role the demo roster gives them.

A person is a Playground user (:func:`mock_user`, the config's closed schema) and a roster row
(:meth:`DemoUser.entry`); the page itself acts as the first of :data:`DEMO_USERS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cluster.roles import Grant, Role
from usecases.roster import Entry

DEMO_CLUSTER = "Central"

_USER_KEYS = ("id", "name", "userPrincipleName", "aadObjectId", "givenName", "surname", "email")


def mock_user(id: str, name: str, aad_object_id: str | None = None, email: str | None = None) -> dict[str, str]:
    """A complete playground user entry (note the schema's spelling ``userPrincipleName``)."""
    given, _, surname = name.partition(" ")
    email = email or f"{re.sub(r'[^a-z0-9]+', '.', name.lower()).strip('.')}@example.com"
    return {
        "id": id,
        "name": name,
        "userPrincipleName": email,
        "aadObjectId": aad_object_id or f"aad-{id}",
        "givenName": given,
        "surname": surname or given,
        "email": email,
    }


def complete_user(user: Mapping[str, str]) -> dict[str, str]:
    """Fill in a user given at least ``id`` and ``name``; unknown keys are refused (the schema is closed)."""
    if "id" not in user or "name" not in user:
        raise ValueError(f"a playground user needs at least 'id' and 'name': {dict(user)!r}")
    extra = set(user) - set(_USER_KEYS)
    if extra:
        raise ValueError(f"unknown playground user fields {sorted(extra)} (schema is closed)")
    full = mock_user(user["id"], user["name"], user.get("aadObjectId"), user.get("email"))
    full.update({k: v for k, v in user.items() if k in _USER_KEYS})
    return full


@dataclass(frozen=True)
class DemoUser:
    """One of the playground's six mock people, and the role the demo roster gives them (if any)."""

    id: str
    name: str
    aad_object_id: str
    role: Role | None = None
    cluster: str | None = None
    setting: str | None = None

    def mock(self) -> dict[str, str]:
        """The person as a playground config user."""
        return mock_user(self.id, self.name, self.aad_object_id)

    @property
    def email(self) -> str:
        """The e-mail address the playground and the roster both use."""
        return self.mock()["email"]

    def entry(self) -> Entry | None:
        """The person's roster row, or None for the unregistered one."""
        if self.role is None:
            return None
        return Entry(self.name, self.email, self.aad_object_id, self.role, self.cluster, self.setting)

    def describe(self) -> str:
        """The role as the bot's "Who am I" card says it, or that they are not registered."""
        if self.role is None:
            return "not registered (sees the bot's 'not registered' card)"
        return Grant(self.role, self.cluster, self.setting).describe()


# The page acts as the first; the playground wants exactly five more. Names are the playground's own
# defaults (its built-in config uses Alex Wilber, Megan Bowen, Adele Vance, Isaiah Langer, Patti Fernandez
# and Lynne Robbins).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "user-id-0",
        "Alex Wilber",
        "00000000-0000-0000-0000-000000000020",
        Role.SENCO,
        DEMO_CLUSTER,
        "Etruscan Primary School",
    ),
    DemoUser(
        "user-id-1",
        "Megan Bowen",
        "00000000-0000-0000-0000-000000000021",
        Role.SENCO,
        DEMO_CLUSTER,
        "Waterside Primary School",
    ),
    DemoUser("user-id-2", "Adele Vance", "00000000-0000-0000-0000-000000000022", Role.CHAIR, DEMO_CLUSTER),
    DemoUser("user-id-3", "Isaiah Langer", "00000000-0000-0000-0000-000000000023", Role.ADMIN, DEMO_CLUSTER),
    DemoUser(
        "user-id-4",
        "Patti Fernandez",
        "00000000-0000-0000-0000-000000000024",
        Role.TEAM_AROUND_CLUSTER,
        DEMO_CLUSTER,
    ),
    DemoUser("user-id-5", "Lynne Robbins", "00000000-0000-0000-0000-000000000025"),
)
DEMO_SENCO, DEMO_SENCO_2, DEMO_CHAIR, DEMO_ADMIN, DEMO_TAC, DEMO_UNREGISTERED = DEMO_USERS

# People on the demo roster beyond the Playground's six (it allows no more): a council officer, who owns the
# money, and two more voting SENCOs so that a vote can carry. Reached with ``act as`` or a mocked activity.
DEMO_EXTRAS: tuple[DemoUser, ...] = (
    DemoUser("user-id-6", "Miriam Graham", "00000000-0000-0000-0000-000000000026", Role.COUNCIL_OFFICER),
    DemoUser(
        "user-id-7",
        "Lee Gu",
        "00000000-0000-0000-0000-000000000027",
        Role.SENCO,
        DEMO_CLUSTER,
        "Abbey Hulton Primary School",
    ),
    DemoUser(
        "user-id-8",
        "Nestor Wilke",
        "00000000-0000-0000-0000-000000000028",
        Role.SENCO,
        DEMO_CLUSTER,
        "Birches Head Academy",
    ),
)
DEMO_OFFICER, DEMO_SENCO_3, DEMO_SENCO_4 = DEMO_EXTRAS
DEMO_PEOPLE: tuple[DemoUser, ...] = DEMO_USERS + DEMO_EXTRAS

CURRENT_USER = DEMO_USERS[0].mock()
DEFAULT_USERS = [u.mock() for u in DEMO_USERS[1:]]


def demo_entries() -> list[Entry]:
    """The demo roster: a role for each demo person except the unregistered one."""
    return [e for e in (u.entry() for u in DEMO_PEOPLE) if e is not None]


def people_table() -> list[str]:
    """Each demo person: name, role, e-mail and the ids the bot keys on (its ``aadObjectId``), one per line."""
    width = max(len(u.name) for u in DEMO_PEOPLE) + 2
    lines = []
    for person in DEMO_PEOPLE:
        where = (
            "the page's own user"
            if person == DEMO_USERS[0]
            else ("a Playground user" if person in DEMO_USERS else "only with 'act as' or a mocked activity")
        )
        lines.append(f"  {person.name.ljust(width)}{person.describe()}")
        lines.append(f"  {'':{width}}{person.email}; aadObjectId {person.aad_object_id}; id {person.id} ({where})")
    return lines

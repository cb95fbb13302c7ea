"""Who is acting: identifying a person at the start of a turn, what they may do, and their roles.

The actor found at the start of a turn (with every grant they hold) is passed to every use case the turn
calls, so nothing reads the person again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from cluster.errors import Refusal
from cluster.meetings import NextMeeting, next_meeting
from cluster.roles import Grant, Role
from cluster.wider_team import service_problem
from store.db import transaction
from store.models import Cluster, Person
from store.repo import grants_of, meeting_slots, person_with_grants
from usecases.roster import Entry, RosterError, import_entries


@dataclass(frozen=True)
class Actor:
    """Who is acting: the Teams user, and the person we know them as (None when not registered)."""

    aad_object_id: str
    name: str
    person_id: int | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)

    @property
    def tag(self) -> str:
        """How the audit log names this actor."""
        return f"person:{self.person_id}" if self.person_id else f"aad:{self.aad_object_id}"


NOT_REGISTERED = (
    "You are not registered with the cluster funding bot yet. Please send your Teams id "
    "{aad} to your cluster admin, who can add you."
)


def identify(session: Session, aad_object_id: str, name: str) -> Actor:
    """The actor for a Teams user id, with their roles when we know them."""
    found = person_with_grants(session, aad_object_id) if aad_object_id else None
    if found is None:
        return Actor(aad_object_id=aad_object_id, name=name)
    person_id, person_name, grants = found
    return Actor(aad_object_id, person_name, person_id, grants)


def start_turn(engine: Engine, aad_object_id: str, name: str, conversation_id: str) -> tuple[Actor, bool]:
    """Who is acting, and whether we already hold an installed reference for their conversation.

    One short read-only transaction, because it runs on every message.
    """
    with transaction(engine, read_only=True) as session:
        actor = identify(session, aad_object_id, name)
        installed = session.connection().execute(_INSTALLED, {"conversation": conversation_id}).scalar()
    return actor, bool(installed)


_REFS = SQLModel.metadata.tables["conversation_ref"]
_INSTALLED = sa_select(_REFS.c.installed).where(_REFS.c.conversation_id == bindparam("conversation"))


def require_registered(actor: Actor) -> None:
    """Refuse an unregistered user, telling them their id to pass on."""
    if actor.person_id is None:
        raise Refusal(NOT_REGISTERED.format(aad=actor.aad_object_id or "(unknown)"))


@dataclass(frozen=True)
class WhoAmI:
    """A person's own record: name, Teams id and roles."""

    name: str
    aad_object_id: str
    grants: tuple[Grant, ...]


def whoami(actor: Actor) -> WhoAmI:
    """The actor's roles, sorted for reading."""
    require_registered(actor)
    grants = sorted(actor.grants, key=lambda g: (g.cluster or "", g.setting or "", g.role.value))
    return WhoAmI(actor.name, actor.aad_object_id, tuple(grants))


def next_meetings(engine: Engine, actor: Actor, now: datetime) -> list[NextMeeting]:
    """The next meeting of each cluster the actor belongs to (empty list: none scheduled)."""
    require_registered(actor)
    assert actor.person_id is not None
    result: list[NextMeeting] = []
    with transaction(engine) as session:
        for cluster_id in sorted({g.cluster_id for g in actor.grants if g.cluster_id is not None}):
            cluster = session.get(Cluster, cluster_id)
            slot = next_meeting(meeting_slots(session, cluster_id), now)
            if cluster is None or slot is None:
                continue
            result.append(NextMeeting(cluster.name, slot))
    return result


def add_role(
    engine: Engine,
    name: str,
    email: str | None,
    aad: str | None,
    role: Role,
    cluster: str | None,
    setting: str | None,
    now: datetime,
    actor: str = "cli",
    service: str | None = None,
) -> bool:
    """Give a person a role, creating the person if new; returns False when they already held it.

    ``service`` is an observer's: the service they represent (a known one; giving it again changes it).
    """
    problem = service_problem(role, service)
    if problem:
        raise RosterError([problem])
    result = import_entries(engine, [Entry(name, email, aad, role, cluster, setting, service)], now, actor)
    return result.roles_added > 0


def people(engine: Engine, cluster: str | None = None) -> list[tuple[Person, frozenset[Grant]]]:
    """Everyone (or everyone in a cluster) with their roles."""
    with transaction(engine) as session:
        rows: list[tuple[Person, frozenset[Grant]]] = []
        for person in session.exec(select(Person).order_by(col(Person.name))):
            grants = grants_of(session, person.id) if person.id is not None else frozenset()
            if cluster is None or any(g.cluster and g.cluster.lower() == cluster.lower() for g in grants):
                rows.append((person, grants))
        return rows

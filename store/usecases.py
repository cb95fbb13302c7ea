"""Use cases: one function per thing a person or a job does.

Each loads what it needs, asks the rules what may happen, writes the change and its audit line in one
transaction, and returns a plain result - or raises :class:`cluster.errors.Refusal` with the sentence the
person will read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from cluster.errors import Refusal
from cluster.meetings import NextMeeting, next_meeting
from cluster.permissions import LINK_CHANNEL, Command, authorize, commands_for
from cluster.roles import Grant, Role
from store import audit
from store.db import transaction
from store.models import Cluster, ConversationRef, Person
from store.repo import cluster_by_name, cluster_ids_of, grants_of, meeting_slots, person_with_grants
from store.roster import Entry, import_entries


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
class ConversationInfo:
    """What the bot learns about a conversation from an activity: enough to write to it later."""

    conversation_id: str
    kind: str
    service_url: str
    tenant_id: str | None
    bot_id: str | None
    aad_object_id: str | None
    team_id: str | None
    channel_id: str | None
    reference: dict[str, Any]


def remember_conversation(engine: Engine, info: ConversationInfo, now: datetime, actor: str) -> bool:
    """Store or refresh a conversation reference (on install, or on a message from an unknown one).

    Returns True when the bot was not installed there before, so a welcome is sent once.
    """
    with transaction(engine) as session:
        ref = session.exec(
            select(ConversationRef).where(ConversationRef.conversation_id == info.conversation_id)
        ).first()
        is_new = ref is None or not ref.installed
        if ref is None:
            ref = ConversationRef(
                conversation_id=info.conversation_id,
                kind=info.kind,
                updated_at=now,
                service_url=info.service_url,
            )
        ref.kind = info.kind
        ref.service_url = info.service_url
        ref.tenant_id = info.tenant_id
        ref.bot_id = info.bot_id
        ref.aad_object_id = info.aad_object_id if info.kind == "personal" else ref.aad_object_id
        ref.team_id = info.team_id or ref.team_id
        ref.channel_id = info.channel_id or ref.channel_id
        ref.reference = info.reference
        ref.installed = True
        ref.updated_at = now
        session.add(ref)
        if is_new:
            audit.record(session, now, actor, "conversation.install", f"conversation:{info.kind}", team_id=info.team_id)
    return is_new


def forget_conversation(engine: Engine, conversation_id: str, now: datetime, actor: str) -> None:
    """Mark a conversation as uninstalled: the bot may no longer write to it."""
    with transaction(engine) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
        if ref is not None and ref.installed:
            ref.installed = False
            ref.updated_at = now
            session.add(ref)
            audit.record(session, now, actor, "conversation.uninstall", f"conversation:{ref.kind}")


def link_channel(engine: Engine, conversation_id: str, actor: Actor, cluster_name: str, now: datetime) -> str:
    """Link the channel this conversation is in to a cluster; only that cluster's admin may. Returns its name."""
    require_registered(actor)
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None:
            names = ", ".join(c.name for c in session.exec(select(Cluster)))
            raise Refusal(f"There is no cluster called '{cluster_name}'. Clusters: {names or 'none yet'}.")
        authorize(actor.grants, LINK_CHANNEL, cluster.id or 0)
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
        if ref is None or ref.kind != "channel":
            raise Refusal("Link a cluster from inside the team channel its meetings use.")
        for other in session.exec(select(ConversationRef).where(ConversationRef.cluster_id == cluster.id)):
            if other.id != ref.id:
                other.cluster_id = None
                session.add(other)
        ref.cluster_id = cluster.id
        session.add(ref)
        audit.record(
            session,
            now,
            actor.tag,
            "channel.link",
            f"cluster:{cluster.name}",
            conversation_id=conversation_id,
        )
        return cluster.name


def channel_cluster(engine: Engine, conversation_id: str) -> str | None:
    """The cluster a channel conversation is linked to, if any."""
    with transaction(engine) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
        cluster = session.get(Cluster, ref.cluster_id) if ref is not None and ref.cluster_id else None
        return cluster.name if cluster else None


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


def available_commands(actor: Actor) -> list[Command]:
    """The commands the actor's roles allow (unregistered users get none)."""
    return commands_for(actor.grants) if actor.person_id else []


def next_meetings(engine: Engine, actor: Actor, now: datetime) -> list[NextMeeting]:
    """The next meeting of each cluster the actor belongs to (empty list: none scheduled)."""
    require_registered(actor)
    assert actor.person_id is not None
    result: list[NextMeeting] = []
    with transaction(engine) as session:
        for cluster_id in sorted(cluster_ids_of(session, actor.person_id)):
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
) -> bool:
    """Give a person a role, creating the person if new; returns False when they already held it."""
    result = import_entries(engine, [Entry(name, email, aad, role, cluster, setting)], now, actor)
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

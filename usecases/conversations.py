"""The conversations the bot is in: references kept for proactive messages, and channels linked to clusters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from cluster.errors import Refusal
from cluster.permissions import LINK_CHANNEL, Forbidden, authorize, covers
from store import audit
from store.db import transaction
from store.models import Cluster, ConversationRef
from store.repo import cluster_by_name
from usecases.meeting_day.agenda import owe_agenda_on_link
from usecases.people import Actor, require_registered


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
    """Link the channel this conversation is in to a cluster (its admin, or a council officer). Returns its name.

    A channel already linked to another cluster belongs to that cluster's team: relinking it also needs
    that cluster's admin (or a council officer), so one cluster's admin cannot take another's channel.

    The next meeting's agenda is owed to the channel in the same unit if its posting day has passed.
    """
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
        current = session.get(Cluster, ref.cluster_id) if ref.cluster_id not in (None, cluster.id) else None
        if current is not None and not covers(actor.grants, LINK_CHANNEL, current.id or 0):
            raise Forbidden(
                f"This channel is the {current.name} cluster's channel: only an admin of {current.name} "
                f"or a council officer can link it to another cluster."
            )
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
            previous=current.name if current is not None else None,
        )
        # An agenda that fell due while the cluster had no channel goes to it now, with the link.
        owe_agenda_on_link(session, cluster.id or 0, conversation_id, now, actor.tag)
        return cluster.name


def channel_cluster(engine: Engine, conversation_id: str) -> str | None:
    """The cluster a channel conversation is linked to, if any."""
    with transaction(engine) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
        cluster = session.get(Cluster, ref.cluster_id) if ref is not None and ref.cluster_id else None
        return cluster.name if cluster else None

"""Linking a cluster's Teams channel directly in the database, as ``link cluster`` in the channel would."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import select

from store.db import transaction
from store.models import Cluster, ConversationRef

CHANNEL = "19:central@thread.tacv2"


def link_channel(engine: Engine, service_url: str, at: datetime, conversation_id: str = CHANNEL) -> str:
    """Store the channel's reference, linked to the (only) cluster; returns the channel's conversation id."""
    with transaction(engine) as session:
        cluster = session.exec(select(Cluster)).one()
        session.add(
            ConversationRef(
                conversation_id=conversation_id,
                kind="channel",
                service_url=service_url,
                cluster_id=cluster.id,
                reference={"serviceUrl": service_url, "conversation": {"id": conversation_id}},
                updated_at=at,
            )
        )
    return conversation_id

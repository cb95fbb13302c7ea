"""Reminders owed for meetings: referral deadlines (to every SENCO and delegate) and the meeting-day post.

Like review nudges, each is written to the outbox once, keyed by meeting, reminder and recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from cluster.clock import LONDON
from cluster.meetings import MeetingSlot, deadline_reminders_due, meeting_morning
from cluster.roles import Role
from store.db import transaction
from store.models import Cluster, ConversationRef, RoleAssignment, Setting
from store.outbox import owe
from store.repo import meeting_slots

CARD = "application/vnd.microsoft.card.adaptive"


def _activity(card: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{"contentType": CARD, "content": card}]}


def owe_deadline_reminders(
    engine: Engine, now: datetime, card: Callable[[str, MeetingSlot, int], dict[str, Any]]
) -> list[str]:
    """Owe every SENCO and delegate of a cluster a reminder 7 and 2 days before its next referral deadline."""
    keys: list[str] = []
    with transaction(engine) as session:
        for cluster in session.exec(select(Cluster)):
            people = list(
                session.exec(
                    select(RoleAssignment.person_id)
                    .join(Setting, col(Setting.id) == RoleAssignment.setting_id)
                    .where(
                        Setting.cluster_id == cluster.id,
                        col(RoleAssignment.role).in_([Role.SENCO.value, Role.DELEGATE.value]),
                    )
                ).unique()
            )
            for slot in meeting_slots(session, cluster.id or 0):
                for days in deadline_reminders_due(slot, now):
                    # The card says how long is really left, which is less than the point when a run was missed.
                    left = (slot.deadline.astimezone(LONDON).date() - now.astimezone(LONDON).date()).days
                    activity = _activity(card(cluster.name, slot, left))
                    for person in people:
                        key = f"deadline:{slot.id}:{days}:person:{person}"
                        if owe(session, key, now, activity, person_id=person):
                            keys.append(key)
    return keys


def owe_meeting_morning_posts(
    engine: Engine, now: datetime, card: Callable[[str, MeetingSlot], dict[str, Any]]
) -> list[str]:
    """Owe each linked channel a post on the morning of its cluster's meeting."""
    keys: list[str] = []
    with transaction(engine) as session:
        for cluster in session.exec(select(Cluster)):
            channel = session.exec(
                select(ConversationRef).where(ConversationRef.cluster_id == cluster.id, ConversationRef.installed)
            ).first()
            if channel is None:
                continue
            for slot in meeting_slots(session, cluster.id or 0):
                if meeting_morning(slot, now):
                    key = f"morning:{slot.id}"
                    if owe(
                        session, key, now, _activity(card(cluster.name, slot)), conversation_id=channel.conversation_id
                    ):
                        keys.append(key)
    return keys

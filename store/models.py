"""SQLModel tables: clusters, settings, people, roles, meetings, conversation references, audit log."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Cluster(SQLModel, table=True):
    """A group of settings in one locality with a devolved budget."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    code: str = Field(unique=True, max_length=8)
    deadline_days: int = Field(default=7)


class Setting(SQLModel, table=True):
    """A school, academy, college or PRU; belongs to one cluster."""

    __table_args__ = (UniqueConstraint("cluster_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    name: str = Field(max_length=200)
    urn: str | None = Field(default=None, unique=True, max_length=12)
    trust: str | None = Field(default=None, max_length=200)


class Person(SQLModel, table=True):
    """Someone who uses the bot, known by their Teams (Entra ID) object id."""

    id: int | None = Field(default=None, primary_key=True)
    aad_object_id: str | None = Field(default=None, unique=True, max_length=64)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, unique=True, max_length=254)


class RoleAssignment(SQLModel, table=True):
    """One role held by one person, scoped to a setting, a cluster, or the city (both empty)."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("person_id", "role", "cluster_id", "setting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=16)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", index=True)
    setting_id: int | None = Field(default=None, foreign_key="setting.id", index=True)


class Meeting(SQLModel, table=True):
    """A half-termly cluster meeting and its referral deadline."""

    __table_args__ = (UniqueConstraint("cluster_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    title: str = Field(default="", max_length=80)
    day: date
    start: time
    end: time
    deadline: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    online_link: str | None = Field(default=None, max_length=1000)
    cancelled: bool = Field(default=False)


class ConversationRef(SQLModel, table=True):
    """Where the bot can write later: a person's personal chat, or a team's channel."""

    __tablename__ = "conversation_ref"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(unique=True, max_length=512)
    kind: str = Field(max_length=16)  # personal | channel | groupChat
    service_url: str = Field(max_length=512)
    tenant_id: str | None = Field(default=None, max_length=64)
    bot_id: str | None = Field(default=None, max_length=128)
    aad_object_id: str | None = Field(default=None, index=True, max_length=64)
    team_id: str | None = Field(default=None, index=True, max_length=512)
    channel_id: str | None = Field(default=None, max_length=512)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", index=True)
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    installed: bool = Field(default=True)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AuditEvent(SQLModel, table=True):
    """One line of the append-only record of who read or changed what (triggers forbid edits)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=128)  # person:<id>, aad:<object id>, cli, scheduler
    action: str = Field(max_length=64)
    subject: str = Field(default="", max_length=256)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

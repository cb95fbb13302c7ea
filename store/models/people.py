"""Who is who: clusters, their settings (schools), people, their roles, and where the bot may write to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Cluster(SQLModel, table=True):
    """A group of settings in one locality with a devolved budget."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    code: str = Field(unique=True, max_length=8)
    deadline_days: int = Field(default=7)
    quorum: int | None = Field(default=None)  # settings needed; None: half the settings, rounded up
    same_trust_recusal: bool = Field(default=False)
    agenda_days: int = Field(default=5)  # working days before a meeting that its agenda is posted
    # Review nudge intervals in days, e.g. {"before": [30, 14, 7, 0], "overdue_every": 7, "escalate_after": 14};
    # empty means the defaults in cluster.reviews.
    nudge_plan: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    # Months after a referral's last activity that its pupil details are kept; None: the default in
    # cluster.privacy (the council chooses per cluster).
    retention_months: int | None = Field(default=None)
    # The council's consent for this cluster's record of what worked (funded provisions' outcomes, discussions'
    # advice, in groups of five or more) to be searched by every sharing cluster, and its people to search theirs.
    shares_what_worked: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Setting(SQLModel, table=True):
    """A school, academy, college or PRU; belongs to one cluster."""

    __table_args__ = (UniqueConstraint("cluster_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    name: str = Field(max_length=200)
    urn: str | None = Field(default=None, unique=True, max_length=12)
    trust: str | None = Field(default=None, max_length=200)
    # Facts the Capital Fund's eligibility rests on (cluster.capital): kept by the council, not declared.
    mainstream: bool = Field(default=True)  # False for special schools, PRUs and other non-mainstream settings
    received_hncg: bool = Field(default=False)  # already had High Needs Capital Grant funding (ERP included)


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
    # The service an observer represents (cluster.wider_team); None for every other role.
    service: str | None = Field(default=None, max_length=60)


class CouncilService(SQLModel, table=True):
    """A service the council added to the page's four, so observers can name it (cluster.wider_team)."""

    __tablename__ = "council_service"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)


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
    # The one channel linked as the citywide channel (``@link citywide``): the Citywide Meeting's packs go there.
    citywide: bool = Field(default=False, index=True)
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    installed: bool = Field(default=True)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

"""The tables of referrals: the request and its cost rows and documents, its reference numbers, its reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Referral(SQLModel, table=True):
    """A request to the cluster, from one setting; its form answers are kept as JSON in ``details``."""

    __table_args__ = (UniqueConstraint("creation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    created_by: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=16)
    state: str = Field(max_length=16, index=True)
    reference: str | None = Field(default=None, unique=True, max_length=24)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    contribution_pence: int = Field(default=0)
    returned_reason: str | None = Field(default=None, max_length=1000)
    # The picker card's one-off key: Teams may deliver the same "start" twice; both find this draft.
    creation_key: str = Field(max_length=64)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Set when the pupil's details were removed (retention period passed, or a lawful erasure request);
    # the decision, the money and the reference stay.
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    erased_reason: str | None = Field(default=None, max_length=200)
    # The Costed Provision Document version its map was priced with: a later version never reprices it.
    provision_document_id: int | None = Field(default=None, foreign_key="provision_document.id")


class ProvisionLine(SQLModel, table=True):
    """One row of a referral's costed provision map (money in pence)."""

    __tablename__ = "provision_line"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    position: int
    provision: str = Field(max_length=200)
    area_of_need: str = Field(max_length=8)
    delivered_by: str = Field(max_length=100)
    minutes_per_session: int
    sessions_per_week: int
    group_size: int
    weeks: int
    hourly_rate_pence: int  # the rate per ``unit`` (an hour unless the document prices the provision otherwise)
    # The Costed Provision Document's row it was priced from; None for a row typed by hand (or before documents).
    entry_id: int | None = Field(default=None, foreign_key="provision_entry.id")
    unit: str = Field(default="hour", max_length=16, sa_column_kwargs={"server_default": "hour"})
    # Why a provision not in the document was asked for; shown at the admin's check, on the agenda and minutes.
    custom_reason: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})


class ReferralDocument(SQLModel, table=True):
    """A supporting document: a file the bot keeps, or a link to the school's SharePoint or OneDrive."""

    __tablename__ = "referral_document"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    name: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    content_type: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    added_by: int = Field(foreign_key="person.id")
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReferenceCounter(SQLModel, table=True):
    """The last reference number given per cluster and school year (CEN-2526-014 is number 14)."""

    __tablename__ = "reference_counter"

    cluster_id: int = Field(foreign_key="cluster.id", primary_key=True)
    year_start: int = Field(primary_key=True)
    last_number: int = Field(default=0)


class Review(SQLModel, table=True):
    """The review every funded decision owes by its review date."""

    # The reminders job reads the open reviews whose next look has come, or never looked at and near their due
    # date: its cost grows with what falls due, not with the number of open reviews.
    __table_args__ = (Index("ix_review_state_next_nudge_on_due", "state", "next_nudge_on", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    due: date
    state: str = Field(default="open", max_length=16)  # open | submitted | decided
    snoozed_until: date | None = None
    # When the reminders job next looks at it (a nudge point, the snooze's end, the escalation); None: never
    # looked at yet. Only the job sets it (``usecases.nudges``).
    next_nudge_on: date | None = None
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    submitted_by: int | None = Field(default=None, foreign_key="person.id")


class ReviewOutcome(SQLModel, table=True):
    """How a submitted review rated one outcome its referral set: one row per outcome, for the impact counts.

    The cluster, setting and kind are copied from the referral so that adding ratings up by cluster and kind
    reads this table alone (``usecases.impact``). A review's rows are replaced whenever it is submitted.
    """

    __tablename__ = "review_outcome"
    __table_args__ = (UniqueConstraint("review_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    referral_id: int = Field(foreign_key="referral.id")
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id")
    kind: str = Field(max_length=16)
    position: int  # 1 for the first outcome set
    outcome: str = Field(max_length=2000)
    rating: str = Field(max_length=16)  # cluster.impact.Rating
    rated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

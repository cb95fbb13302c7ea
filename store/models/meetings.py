"""The tables of meeting day: cluster and Citywide Meetings, agenda items, votes, declared interests, decisions."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Meeting(SQLModel, table=True):
    """A half-termly cluster meeting and its referral deadline."""

    __table_args__ = (UniqueConstraint("cluster_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    title: str = Field(default="", max_length=80)
    day: date = Field(index=True)  # the meeting-morning post and agendas look for the days that have come
    start: time
    end: time
    # The reminders job looks for the deadlines that are near, whatever the number of meetings.
    deadline: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    online_link: str | None = Field(default=None, max_length=1000)
    cancelled: bool = Field(default=False)
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The Teams meeting held in the cluster's channel, once its start event names it (its events find this row).
    teams_meeting_id: str | None = Field(default=None, max_length=512, index=True)
    # Whoever the chair handed this meeting to (a vice-chair named for it): they hold the chair's controls.
    acting_chair_id: int | None = Field(default=None, foreign_key="person.id", index=True)


class CitywideMeeting(SQLModel, table=True):
    """A Citywide Meeting, run by council officers and attended by each cluster's chair (one a day)."""

    __tablename__ = "citywide_meeting"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", max_length=80)
    day: date = Field(unique=True, index=True)  # the pack job looks for the days that have come
    start: time
    end: time
    online_link: str | None = Field(default=None, max_length=1000)
    cancelled: bool = Field(default=False)


class AgendaItem(SQLModel, table=True):
    """A referral on a meeting's agenda, and its vote: pending, open, closed, then decided."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "referral_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    deferred_from: int | None = Field(default=None, foreign_key="meeting.id")
    # A review that needs a decision (no foreign key: agenda item, decision and review would form a cycle).
    review_id: int | None = Field(default=None, index=True)
    state: str = Field(default="pending", max_length=16)
    casting: str | None = Field(default=None, max_length=16)
    card_activity_id: str | None = Field(default=None, max_length=256)
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The quorum as it stood when the vote closed: a later change of the cluster's rules or settings must
    # not turn a quorate approval in the minutes into "not quorate".
    quorum_needed: int | None = None
    # Who was present and who was recused (and why) when the vote opened and when it closed, with the quorum
    # line: the minutes read this, not today's register.
    quorum_record: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Vote(SQLModel, table=True):
    """One setting's vote on an item; a later vote from the same setting replaces it while the vote is open."""

    __table_args__ = (UniqueConstraint("item_id", "setting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    setting_id: int = Field(foreign_key="setting.id")
    person_id: int = Field(foreign_key="person.id")
    choice: str = Field(max_length=16)
    cast_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Interest(SQLModel, table=True):
    """A member's declared interest in an item: they do not vote on it."""

    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    declared_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Decision(SQLModel, table=True):
    """What the meeting decided on an item; funded decisions commit money against the cluster's budget."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", unique=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    outcome: str = Field(max_length=20)
    amount_pence: int = Field(default=0)
    conditions: str = Field(default="", max_length=2000)
    feedback: str = Field(default="", max_length=2000)
    information_needed: str = Field(default="", max_length=2000)
    review_date: date | None = None
    schedule: str | None = Field(default=None, max_length=16)
    reserve_drawn: bool = Field(default=False)
    decided_by: int = Field(foreign_key="person.id")
    # The citywide pack reads the decisions since the last citywide meeting, however many came before.
    decided_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))

"""Quality-assurance visits to settings (issue 22): the visit and its report, and the report's actions.

The rules that read these rows are :mod:`cluster.qa_visits`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class QaVisit(SQLModel, table=True):
    """A visit to a setting by the team around the cluster: planned, then its report recorded and acknowledged.

    ``cluster_id`` is copied from the setting so the citywide counts group without a join; ``judgement``
    is None until the report is recorded (``cluster.qa_visits.Judgement``).
    """

    __tablename__ = "qa_visit"

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    planned_on: date
    visitors: str = Field(max_length=200)
    planned_by: int = Field(foreign_key="person.id")
    visited_on: date | None = Field(default=None, index=True)
    allocations: str = Field(default="", max_length=500)
    seen: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    judgement: str | None = Field(default=None, max_length=16)
    follow_up_on: date | None = Field(default=None, index=True)
    followed_up: bool = Field(default=False)
    recorded_by: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    acknowledged_by: int | None = Field(default=None, foreign_key="person.id")
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class QaAction(SQLModel, table=True):
    """One action from a visit's report: what, its owner (as typed), by when, and when it was done."""

    __tablename__ = "qa_action"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="qa_visit.id", index=True)
    what: str = Field(max_length=300)
    owner: str = Field(max_length=200)
    due_on: date = Field(index=True)
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    done_by: int | None = Field(default=None, foreign_key="person.id")

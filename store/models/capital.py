"""The Capital Fund's tables: its rounds, the panel, the applications, the panel's scores, the paid invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class CapitalWindow(SQLModel, table=True):
    """The Capital Fund's round for a school year: its application window, and (once set) its total and dates.

    A row with only the window (``clusterbot capital-window``) moves the window from 1 Sep - 31 Dec; a round
    (``clusterbot capital-round set`` or the officer's card) also names its total and timeline.
    """

    __tablename__ = "capital_window"

    year_start: int = Field(primary_key=True)
    opens: date
    closes: date
    label: str | None = Field(default=None, max_length=40)  # None: a window only, not yet a round
    total_pence: int | None = None
    panel_by: date | None = None
    decisions_by: date | None = None
    complete_by: date | None = None
    evaluate_by: date | None = None


class PanelMember(SQLModel, table=True):
    """A SENCO the cluster's admin names to its Cluster Panel (the chair and the team sit on it by their roles)."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("cluster_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    added_by: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CapitalApplication(SQLModel, table=True):
    """A Capital Fund application (a capital referral) from the admin's check on: panel, Board, journey, impact.

    Made when the admin accepts the referral. The round is its submission's school year. ``next_look_on`` is
    when the scheduler next looks at it (scoring cards once the window closes, nudges as its round's dates
    near): the job reads only the applications whose look has come.
    """

    __tablename__ = "capital_application"

    referral_id: int = Field(foreign_key="referral.id", primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    year_start: int = Field(index=True)
    asked_pence: int
    accepted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    next_look_on: date | None = Field(default=None, index=True)
    scoring_from: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    panel_closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    panel_closed_by: int | None = Field(default=None, foreign_key="person.id")
    recommendation: str | None = Field(default=None, max_length=32)
    recommendation_reasons: str = Field(default="", max_length=2000)
    recommendation_conditions: str = Field(default="", max_length=2000)
    recommended_by: int | None = Field(default=None, foreign_key="person.id")
    recommended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    board_approved: bool | None = None
    board_amount_pence: int = Field(default=0)
    board_conditions: str = Field(default="", max_length=2000)
    board_reasons: str = Field(default="", max_length=2000)
    board_recorded_by: int | None = Field(default=None, foreign_key="person.id")
    board_recorded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    started_on: date | None = None
    completed_on: date | None = None
    visitor: str | None = Field(default=None, max_length=200)
    visited_on: date | None = None
    visit_passed: bool | None = None
    visit_notes: str = Field(default="", max_length=2000)
    visit_recorded_by: int | None = Field(default=None, foreign_key="person.id")
    released_pence: int | None = None
    released_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    released_by: int | None = Field(default=None, foreign_key="person.id")
    # The impact: {"ehcp_pupils": 4, "pupils_weekly": 30, "attendance_change": "+2.5", "what_changed": "..."}.
    evaluation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    evaluated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    evaluated_by: int | None = Field(default=None, foreign_key="person.id")


class CapitalScore(SQLModel, table=True):
    """One panel member's scores for one application (1-5 per criterion, with comments); changed until it closes."""

    __tablename__ = "capital_score"
    __table_args__ = (UniqueConstraint("referral_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="capital_application.referral_id", index=True)
    person_id: int = Field(foreign_key="person.id")
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scored_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CapitalInvoice(SQLModel, table=True):
    """A paid invoice for a project: its amount, then the file the SENCO sends in chat (None until it comes)."""

    __tablename__ = "capital_invoice"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="capital_application.referral_id", index=True)
    amount_pence: int
    name: str | None = Field(default=None, max_length=200)
    content_type: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    added_by: int = Field(foreign_key="person.id", index=True)
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    file_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))

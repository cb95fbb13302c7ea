"""The tables of the money: a cluster's budget, money released back to it, term dates, instalments, letters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Budget(SQLModel, table=True):
    """A cluster's budget for a funding period; what is available is derived from decisions, never stored."""

    __table_args__ = (UniqueConstraint("cluster_id", "starts"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    label: str = Field(max_length=40)
    starts: date
    ends: date
    baseline_pence: int = Field(default=0)
    growth_uplift_pence: int = Field(default=0)
    specialist_allocation_pence: int = Field(default=0)
    reserve_pence: int = Field(default=0)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The year's formula the three parts were worked out from (cluster.funding); None: typed by hand.
    funding_year_id: int | None = Field(default=None, foreign_key="funding_year.id")


class Release(SQLModel, table=True):
    """Money given back to the cluster's budget: the unpaid remainder of a decision whose funding stopped."""

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    review_id: int | None = Field(default=None, foreign_key="review.id")
    amount_pence: int
    released_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TermDate(SQLModel, table=True):
    """One school term of the council's published dates: instalments fall on term starts (cluster.terms)."""

    __tablename__ = "term_date"
    __table_args__ = (UniqueConstraint("year", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int  # the school year's first calendar year: 2025 for 2025/26
    name: str = Field(max_length=8)  # autumn | spring | summer
    starts: date = Field(unique=True)
    ends: date
    source: str = Field(default="", max_length=200)  # the file it was loaded from, or the shipped data
    loaded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Instalment(SQLModel, table=True):
    """One payment of a funded decision, written with the decision: due, then paid or cancelled.

    ``cluster_id`` repeats the decision's so the payments card and the exports find a cluster's instalments
    by index; ``paid_by`` is the actor who marked it paid (``person:12``, or ``cli`` for an import).
    """

    __table_args__ = (
        UniqueConstraint("decision_id", "position"),
        Index("ix_instalment_state_due_on", "state", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    position: int  # 1 for the first instalment
    due_on: date
    amount_pence: int
    state: str = Field(default="due", max_length=16)  # due | paid | cancelled
    paid_on: date | None = None
    paid_by: str | None = Field(default=None, max_length=128)
    paid_reference: str | None = Field(default=None, max_length=64)
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class DecisionLetter(SQLModel, table=True):
    """The letter a decision made for its setting (Word), kept as it was sent: made in the decision's unit."""

    __tablename__ = "decision_letter"

    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    made_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

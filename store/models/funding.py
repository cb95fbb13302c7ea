"""The tables of the council's funding formula: each financial year's formula, and every change to it with why."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class FundingYear(SQLModel, table=True):
    """A financial year's formula as it stands: the city's allocation, its parts, bases and each cluster's counts.

    ``formula`` is :func:`cluster.funding.formula_to_json`; the clusters' budgets for the year are worked out
    from it and written to ``budget`` (each pointing back here), so the budget card can show its basis.
    """

    __tablename__ = "funding_year"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40, unique=True)
    starts: date = Field(unique=True)
    ends: date
    formula: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class FundingChange(SQLModel, table=True):
    """One change to a year's formula (its first recording too): who, when, why, and the formula after it.

    Never updated or deleted: the yearly review reads them in order.
    """

    __tablename__ = "funding_change"

    id: int | None = Field(default=None, primary_key=True)
    funding_year_id: int = Field(foreign_key="funding_year.id", index=True)
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    changed_by: str = Field(max_length=200)
    reason: str = Field(max_length=500)
    formula: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

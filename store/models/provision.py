"""The council's Costed Provision Document: each loaded version and its rows (money in pence).

Every load is a new version of a financial year's document; old versions are kept, because each referral
keeps the version its provision map was priced with (``Referral.provision_document_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class ProvisionDocument(SQLModel, table=True):
    """One loaded version of a financial year's Costed Provision Document."""

    __tablename__ = "provision_document"
    __table_args__ = (UniqueConstraint("financial_year", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    financial_year: str = Field(max_length=9, index=True)  # "2026-27"
    version: int
    source_name: str = Field(max_length=200)  # the file it was loaded from, as named
    rows: int
    example: bool = Field(default=False)  # the made-up demo document, marked as such wherever it is shown
    loaded_by: int | None = Field(default=None, foreign_key="person.id")  # None when loaded from the CLI
    loaded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProvisionEntry(SQLModel, table=True):
    """One provision the document prices: its area of need, who delivers it, its unit and cost."""

    __tablename__ = "provision_entry"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="provision_document.id", index=True)
    line: int  # the line of the loaded file, so a question about a row can name it
    area_of_need: str = Field(max_length=8)
    provision: str = Field(max_length=200)
    delivered_by: str = Field(max_length=100)
    unit: str = Field(max_length=16)  # hour, session, week, term, item
    unit_cost_pence: int
    group_size: int | None = None  # fixed by the document, or None when the SENCO gives it
    notes: str = Field(default="", max_length=500)

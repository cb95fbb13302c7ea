"""A Costed Provision Document of one row, written straight into the tables, for tests that price from it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from store.models import ProvisionDocument, ProvisionEntry


def one_row_document(session: Session, provision: str, unit_cost_pence: int, loaded_at: datetime) -> ProvisionEntry:
    """A 2025-26 document whose only row is ``provision`` (communication and interaction, an hourly rate)."""
    document = ProvisionDocument(
        financial_year="2025-26", version=1, source_name="cpd.csv", rows=1, loaded_at=loaded_at
    )
    session.add(document)
    session.flush()
    entry = ProvisionEntry(
        document_id=document.id or 0,
        line=2,
        area_of_need="CI",
        provision=provision,
        delivered_by="Teaching assistant",
        unit="hour",
        unit_cost_pence=unit_cost_pence,
    )
    session.add(entry)
    session.flush()
    return entry

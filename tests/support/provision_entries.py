"""A Costed Provision Document of one row, loaded by its loader, for tests that price from it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cluster.provision_document import DocumentEntry, DocumentRow
from store.provision_lookup import entries
from usecases.provision_documents import store_document


def one_row_document(session: Session, provision: str, unit_cost_pence: int, loaded_at: datetime) -> DocumentEntry:
    """A 2025-26 document whose only row is ``provision`` (communication and interaction, an hourly rate)."""
    row = DocumentRow(
        line=2,
        area_of_need="CI",
        provision=provision,
        delivered_by="Teaching assistant",
        unit="hour",
        unit_cost_pence=unit_cost_pence,
        group_size=None,
        notes="",
    )
    document = store_document(session, [row], "2025-26", "cpd.csv", loaded_at, "test").version.id
    [entry] = entries(session, document, "", 1)
    return entry

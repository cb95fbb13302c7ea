"""Rows of a Costed Provision Document for tests, and a document of one row loaded by its loader."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cluster.provision_document import DocumentEntry, DocumentRow
from store.provision_lookup import entries
from usecases.provision_documents import store_document


def document_row(
    line: int, provision: str, delivered_by: str, unit: str, cost: int, group: int | None, area: str = "CI"
) -> DocumentRow:
    """One row as the document's rules read it (``cost`` in pence per ``unit``; ``group`` None when not fixed)."""
    return DocumentRow(
        line=line,
        area_of_need=area,
        provision=provision,
        delivered_by=delivered_by,
        unit=unit,
        unit_cost_pence=cost,
        group_size=group,
        notes="",
    )


def one_row_document(session: Session, provision: str, unit_cost_pence: int, loaded_at: datetime) -> DocumentEntry:
    """A 2025-26 document whose only row is ``provision`` (communication and interaction, an hourly rate)."""
    row = document_row(2, provision, "Teaching assistant", "hour", unit_cost_pence, None)
    document = store_document(session, [row], "2025-26", "cpd.csv", loaded_at, "test").version.id
    [entry] = entries(session, document, "", 1)
    return entry

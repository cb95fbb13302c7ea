"""Reading the council's Costed Provision Document: the version in use, a search of its rows, one row by id.

The one set of reads of the document: its loader (``usecases.provision_documents``) lists versions with
:func:`current_document` and compares a file with a stored version through :func:`document_entries`; the
provision map (``usecases.provision_search``, ``usecases.referrals.provision``) finds rows with :func:`entries`
and prices from :func:`entry`. Functions take a Session; callers own the transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from cluster.provision_document import DocumentEntry, financial_year_of, search_words
from store.models import ProvisionDocument, ProvisionEntry

SEARCH_LIMIT = 50  # the most rows one search returns, however many a caller asks for


def current_document(session: Session, today: date) -> int | None:
    """The version new rows are priced from: the newest of today's financial year, else of the latest year before.

    A council that has not yet loaded a new year's document goes on pricing from the last one; a document for a
    year still to come is not used before that year starts. None when no document is loaded.
    """
    return session.exec(
        select(ProvisionDocument.id)
        .where(col(ProvisionDocument.financial_year) <= financial_year_of(today))
        .order_by(col(ProvisionDocument.financial_year).desc(), col(ProvisionDocument.version).desc())
        .limit(1)
    ).first()


def _entry(row: ProvisionEntry) -> DocumentEntry:
    assert row.id is not None
    return DocumentEntry(
        id=row.id,
        document_id=row.document_id,
        line=row.line,
        area_of_need=row.area_of_need,
        provision=row.provision,
        delivered_by=row.delivered_by,
        unit=row.unit,
        unit_cost_pence=row.unit_cost_pence,
        group_size=row.group_size,
        notes=row.notes,
    )


def entries(
    session: Session, document_id: int, query: str, limit: int, *, area_of_need: str | None = None
) -> list[DocumentEntry]:
    """The version's rows whose provision or deliverer holds every word typed, best first; at most ``limit``.

    Rows whose provision starts with the first word typed come first, then by provision; an empty query lists the
    rows by provision. One query, however large the document; ``limit`` is capped at :data:`SEARCH_LIMIT`.
    """
    provision, delivered_by = col(ProvisionEntry.provision), col(ProvisionEntry.delivered_by)
    words = search_words(query)
    statement = select(ProvisionEntry).where(ProvisionEntry.document_id == document_id)
    for word in words:
        statement = statement.where(
            provision.icontains(word, autoescape=True) | delivered_by.icontains(word, autoescape=True)
        )
    if area_of_need:
        statement = statement.where(ProvisionEntry.area_of_need == area_of_need)
    # A name that starts with the first word is what the person most likely means.
    starts = case((func.lower(provision).startswith(words[0] if words else "", autoescape=True), 0), else_=1)
    statement = statement.order_by(starts, func.lower(provision), col(ProvisionEntry.line))
    return [_entry(r) for r in session.exec(statement.limit(max(0, min(limit, SEARCH_LIMIT))))]


def document_entries(session: Session, document_id: int) -> list[DocumentEntry]:
    """Every row of one version, in the file's order (to tell whether a file sent again is the same)."""
    found = session.exec(
        select(ProvisionEntry).where(ProvisionEntry.document_id == document_id).order_by(col(ProvisionEntry.line))
    )
    return [_entry(r) for r in found]


def entry(session: Session, entry_id: int) -> DocumentEntry | None:
    """One stored row of any version by its id (the one a provision map row names), or None when there is none."""
    found = session.get(ProvisionEntry, entry_id)
    return None if found is None else _entry(found)


def document_label(session: Session, document_id: int) -> str:
    """How a card names a version: "2026-27, version 2" (and "made-up example" for the demo's document)."""
    document = session.get(ProvisionDocument, document_id)
    if document is None:
        return ""
    label = f"{document.financial_year}, version {document.version}"
    return f"{label} (a made-up example)" if document.example else label

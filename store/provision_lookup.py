"""Reading the council's Costed Provision Document for a provision map: the version in force, and a search of it.

``current_document`` and ``entries`` are the read API the document's loader offers (issue 21, P1); until
that lands they live here, with the same signatures, so the provision map's search does not wait for it.
Functions take a Session; callers own the transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from cluster.provision_map import DocumentEntry, financial_year, search_words
from store.models import ProvisionDocument, ProvisionEntry


def current_document(session: Session, today: date) -> int | None:
    """The latest version of the document for today's financial year, if one is loaded."""
    return session.exec(
        select(ProvisionDocument.id)
        .where(ProvisionDocument.financial_year == financial_year(today))
        .order_by(col(ProvisionDocument.version).desc())
        .limit(1)
    ).first()


def _like(word: str) -> str:
    """A LIKE pattern finding ``word`` anywhere, its own % and _ taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _entry(row: ProvisionEntry) -> DocumentEntry:
    assert row.id is not None
    return DocumentEntry(
        row.id,
        row.document_id,
        row.provision,
        row.area_of_need,
        row.delivered_by,
        row.unit,
        row.unit_cost_pence,
        row.group_size,
    )


def entries(session: Session, document_id: int, query: str, limit: int) -> list[DocumentEntry]:
    """Up to ``limit`` of a document's rows with every word of ``query`` in their provision or who delivers it.

    One query with a LIMIT, whatever the document's size: names that start with the first word come first,
    then the rest in alphabetical order.
    """
    statement = select(ProvisionEntry).where(ProvisionEntry.document_id == document_id)
    words = search_words(query)
    for word in words:
        pattern = _like(word)
        statement = statement.where(
            or_(
                func.lower(ProvisionEntry.provision).like(pattern, escape="\\"),
                func.lower(ProvisionEntry.delivered_by).like(pattern, escape="\\"),
            )
        )
    order: list[Any] = [col(ProvisionEntry.provision), col(ProvisionEntry.line)]
    if words:  # a name that starts with the first word is what the person most likely means
        order.insert(0, func.lower(ProvisionEntry.provision).like(_like(words[0])[1:], escape="\\").desc())
    statement = statement.order_by(*order)
    return [_entry(row) for row in session.exec(statement.limit(limit))]


def entry_of(session: Session, entry_id: int) -> DocumentEntry | None:
    """One row of any version of the document, by its id."""
    row = session.get(ProvisionEntry, entry_id)
    return None if row is None else _entry(row)


def document_label(session: Session, document_id: int) -> str:
    """How a card names a version: "2026-27, version 2" (and "made-up example" for the demo's document)."""
    document = session.get(ProvisionDocument, document_id)
    if document is None:
        return ""
    label = f"{document.financial_year}, version {document.version}"
    return f"{label} (a made-up example)" if document.example else label

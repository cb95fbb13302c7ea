"""Loading the council's Costed Provision Document, listing its versions, and reading its rows.

A council officer loads the document from the command line (``clusterbot provision load FILE --year 2026-27``)
or by sending the CSV or XLSX file in personal chat. Each load is a new version of its financial year's
document, in one transaction with its audit line; the old versions stay, because each referral keeps the
version it was priced with. A file with any bad row loads nothing, and the refusal names each bad line.

Loading a file identical to the year's newest version adds no version: Teams may deliver the same message
twice, and an officer may send the same file again; either way the answer is the version already there.

The document is read (the version in use, a search, one row) through ``store.provision_lookup``, by this
module and by the provision map's (``usecases.provision_search``, ``usecases.referrals.provision``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON
from cluster.permissions import LOAD_PROVISION_DOCUMENT, Forbidden, allows
from cluster.provision_document import (
    DocumentEntry,
    DocumentRow,
    DocumentsView,
    DocumentVersion,
    Loaded,
    financial_year_of,
    looks_like_document,
    read_document,
    year_in_name,
)
from cluster.text import clean_all
from store import audit
from store.db import transaction
from store.models import Person, ProvisionDocument, ProvisionEntry
from store.provision_lookup import current_document, document_entries
from store.seed import CENTRAL
from usecases.csv_files import FileProblems, decode_text
from usecases.csv_files import rows as csv_rows
from usecases.people import Actor
from usecases.sheet_files import read_sheet

EXAMPLE = CENTRAL.parent / "costed_provision_example_made_up.csv"
"""The made-up example document the demo loads: every price in it is invented."""
EXAMPLE_NAME = "Made-up example Costed Provision Document"
SHOWN_VERSIONS = 12  # the card lists the newest; the CLI lists them all


class DocumentRefused(FileProblems):
    """A document with bad rows (or no document at all): nothing was loaded; ``problems`` names each line."""


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def _authorize(actor: Actor) -> None:
    if not allows(actor.grants, LOAD_PROVISION_DOCUMENT, registered=actor.person_id is not None):
        raise Forbidden(LOAD_PROVISION_DOCUMENT.refusal)


# --- reading a file --------------------------------------------------------------------------------------------


def _csv(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[str]]:
    text = decode_text(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = [h or "" for h in reader.fieldnames or []]
    except csv.Error:
        return [], [], ["line 1: the headings cannot be read as CSV"]
    unreadable: list[str] = []
    lines = [
        (n, {str(k): v if isinstance(v, str) else "" for k, v in row.items()})
        for n, row in csv_rows(reader, unreadable)
    ]
    return header, lines, unreadable


def _sheet(name: str, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[str]]:
    """A file's headings, lines and the lines that could not be read, by its kind; cells cleaned as typed text."""
    kind = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind == "csv":
        header, lines, unreadable = _csv(data)
    elif kind == "xlsx":
        header, lines = read_sheet(data)
        unreadable = []
    else:
        raise DocumentRefused([f"{name} is not a CSV or XLSX file: save the document as one of those"])
    return clean_all(header), clean_all(lines), unreadable


def read_file(name: str, data: bytes) -> list[DocumentRow]:
    """The document's rows from a CSV or XLSX file's bytes; :class:`DocumentRefused` names every bad line."""
    try:
        header, lines, unreadable = _sheet(name, data)
    except FileProblems as unreadable_file:
        raise DocumentRefused(unreadable_file.problems) from None
    rows, problems = read_document(header, lines)
    if problems or unreadable:
        raise DocumentRefused(problems + unreadable)
    return rows


# --- loading ---------------------------------------------------------------------------------------------------


def _same(session: Session, document_id: int, rows: Sequence[DocumentRow]) -> bool:
    """Whether a stored version holds exactly these rows (the same file sent again)."""
    stored = document_entries(session, document_id)
    return [_row_of(e) for e in stored] == sorted(rows, key=lambda r: r.line)


def _row_of(entry: DocumentEntry) -> DocumentRow:
    return DocumentRow(**{k: getattr(entry, k) for k in DocumentRow.__dataclass_fields__})


def store_document(
    session: Session,
    rows: Sequence[DocumentRow],
    year: str,
    source_name: str,
    now: datetime,
    actor: str,
    *,
    loaded_by: int | None = None,
    example: bool = False,
) -> Loaded:
    """The rows as a new version of the year's document, in the caller's transaction (serial: one version at once)."""
    newest = session.exec(
        select(ProvisionDocument)
        .where(ProvisionDocument.financial_year == year)
        .order_by(col(ProvisionDocument.version).desc())
        .limit(1)
    ).first()
    if newest is not None and newest.id is not None and _same(session, newest.id, rows):
        return Loaded(_versions(session, _today(now), only=newest.id)[0], new=False)
    document = ProvisionDocument(
        financial_year=year,
        version=(newest.version if newest else 0) + 1,
        source_name=source_name[:200],
        rows=len(rows),
        example=example,
        loaded_by=loaded_by,
        loaded_at=now,
    )
    session.add(document)
    session.flush()
    assert document.id is not None
    for row in rows:
        session.add(ProvisionEntry(document_id=document.id, **row.__dict__))
    session.flush()
    audit.record(
        session,
        now,
        actor,
        "provision.document.load",
        f"provision_document:{document.id}",
        year=year,
        version=document.version,
        rows=len(rows),
        source=source_name[:200],
        example=example,
    )
    return Loaded(_versions(session, _today(now), only=document.id)[0], new=True)


def load_document(engine: Engine, path: Path, year: str, now: datetime, actor: str = "cli") -> Loaded:
    """Load a CSV or XLSX file from the command line as the year's next version; all or nothing."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentRefused([f"cannot read {path.name}: {exc.strerror or 'it cannot be opened'}"]) from None
    rows = read_file(path.name, data)
    with transaction(engine) as session:
        return store_document(session, rows, year, path.name, now, actor)


def is_document_file(name: str, data: bytes) -> bool:
    """Whether a file sent in chat is a provision document: a CSV or XLSX whose headings are a document's."""
    try:
        header, _, _ = _sheet(name, data)
    except FileProblems:
        return False
    return looks_like_document(header)


def load_sent_file(engine: Engine, actor: Actor, name: str, data: bytes, now: datetime) -> DocumentsView | None:
    """A file an officer sent in chat, loaded when it is a provision document; None when it is not one.

    Its financial year is the one its name gives ("…2026-27.xlsx"), or else the one today is in. Bad rows load
    nothing: the card lists them, each with its line.
    """
    if not allows(actor.grants, LOAD_PROVISION_DOCUMENT, registered=actor.person_id is not None):
        return None
    if not is_document_file(name, data):
        return None
    year = year_in_name(name) or financial_year_of(_today(now))
    try:
        rows = read_file(name, data)
    except DocumentRefused as refused:
        shown = documents(engine, actor, now)
        notice = f"Nothing was loaded from {name}: fix these lines and send the file again."
        return DocumentsView(shown.versions, shown.year, notice, tuple(refused.problems))
    with transaction(engine) as session:
        loaded = store_document(session, rows, year, name, now, actor.tag, loaded_by=actor.person_id)
        return DocumentsView(_versions(session, _today(now)), financial_year_of(_today(now)), loaded.notice)


def ensure_example(engine: Engine, now: datetime, actor: str = "playground") -> Loaded | None:
    """The made-up example as this financial year's document, for the demo; None when any document is loaded."""
    rows = read_file(EXAMPLE.name, EXAMPLE.read_bytes())
    with transaction(engine) as session:
        if session.exec(select(ProvisionDocument.id).limit(1)).first() is not None:
            return None
        year = financial_year_of(_today(now))
        return store_document(session, rows, year, EXAMPLE_NAME, now, actor, example=True)


# --- reading the versions -------------------------------------------------------------------------------------


def _versions(session: Session, today: date, only: int | None = None) -> tuple[DocumentVersion, ...]:
    current = current_document(session, today)
    query = (
        select(ProvisionDocument, Person.name)
        .join(Person, col(Person.id) == col(ProvisionDocument.loaded_by), isouter=True)
        .order_by(col(ProvisionDocument.financial_year).desc(), col(ProvisionDocument.version).desc())
    )
    if only is not None:
        query = query.where(ProvisionDocument.id == only)
    shown = []
    for document, person in session.exec(query):
        assert document.id is not None
        shown.append(
            DocumentVersion(
                id=document.id,
                financial_year=document.financial_year,
                version=document.version,
                source_name=document.source_name,
                rows=document.rows,
                example=document.example,
                loaded_by=person or "the command line",
                loaded_at=document.loaded_at,
                current=document.id == current,
            )
        )
    return tuple(shown)


def documents(engine: Engine, actor: Actor, now: datetime) -> DocumentsView:
    """The officer's card: every version, newest first (the card shows the first :data:`SHOWN_VERSIONS`)."""
    _authorize(actor)
    with transaction(engine, read_only=True) as session:
        return DocumentsView(_versions(session, _today(now)), financial_year_of(_today(now)))


def all_versions(engine: Engine, now: datetime) -> tuple[DocumentVersion, ...]:
    """Every version, newest first (the command line's list)."""
    with transaction(engine, read_only=True) as session:
        return _versions(session, _today(now))

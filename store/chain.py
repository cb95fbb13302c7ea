"""The record chain kept in the database: every change to the money's rows linked, in its own transaction.

Decisions, instalments (planned, paid, cancelled), releases and budgets are chained. Nothing calls this module to
chain a change: the session's events do it, so no code path that changes those rows through the ORM can forget.
After each flush the changed rows are noted; just before the transaction commits they are read back as the
database holds them and linked onto the chain, with who changed them and when taken from the transaction's
newest audit line. Writers take the chain's turn first (``store.db.take_turn`` on PostgreSQL; on SQLite the
writing unit already holds the database's only write lock), so the chain stays one line however many clicks
arrive at once; ``prev_hash`` is unique besides, so a fork could never be written.

:func:`verify` reads the chain and the rows and names the first entry that does not hold
(``cluster.record_chain``); :func:`seal` chains rows written before the chain began (the migration calls it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Connection, MetaData, Table, event, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session, SQLModel

from cluster.record_chain import GENESIS, TEXT_DIGEST, Entry, Verified, first_problem, link, text_digest
from store.db import take_turn
from store.models import AuditEvent, Budget, ChainEntry, ChainHead, Decision, Instalment, Release

_NAMES: dict[type, str] = {Decision: "decision", Instalment: "instalment", Release: "release", Budget: "budget"}
_TABLES: dict[str, Table] = {name: SQLModel.metadata.tables[name] for name in _NAMES.values()}
_TEXT = {"decision": ("conditions", "feedback", "information_needed")}
_CHAINED = (Decision, Instalment, Release, Budget)
_ENTRY: Table = ChainEntry.__table__  # type: ignore[attr-defined]
_HEAD: Table = ChainHead.__table__  # type: ignore[attr-defined]
_PENDING = "record_chain_pending"
_NEW = "record_chain_new"
_WHO = "record_chain_who"
CHAIN_SCOPE = ("record-chain",)


def _plain(value: Any) -> Any:
    """A column's value as the chain keeps it: times in UTC, days as ISO, the rest as the database gave it."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """What the chain keeps of a row: every column, its free text only as a digest."""
    texts = _TEXT.get(table, ())
    kept = {name: _plain(value) for name, value in row.items() if name not in texts}
    if texts:
        kept[TEXT_DIGEST] = text_digest(*(str(row.get(name) or "") for name in texts))
    return kept


def _rows(
    connection: Connection, table: str, ids: list[int] | None = None, *, as_built: bool = False
) -> dict[int, dict[str, Any]]:
    # A migration reads the table as it is at that revision: a later one may add columns the model has.
    source = Table(table, MetaData(), autoload_with=connection) if as_built else _TABLES[table]
    query = select(source)
    if ids is not None:
        query = query.where(source.c.id.in_(ids))
    return {int(r["id"]): snapshot(table, dict(r)) for r in connection.execute(query).mappings()}


def _head(connection: Connection) -> tuple[int, str]:
    found = connection.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).first()
    return (0, GENESIS) if found is None else (int(found[0]), str(found[1]))


def _append(
    connection: Connection, at: datetime, actor: str, action: str, changes: list[tuple[str, int, dict[str, Any] | None]]
) -> None:
    """Link ``changes`` onto the chain and move its head (the caller holds the chain's turn)."""
    seq, prev = _head(connection)
    first = seq
    when = _plain(at)
    for table, row_id, record in changes:
        seq += 1
        entry = link(prev, seq, when, actor[:128], action[:64], table, row_id, record)
        connection.execute(
            _ENTRY.insert().values(
                seq=entry.seq,
                at=at,
                actor=entry.actor,
                action=entry.action,
                table_name=table,
                row_id=row_id,
                record=record,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )
        prev = entry.hash
    if first == 0 and connection.execute(select(_HEAD.c.id)).first() is None:
        connection.execute(_HEAD.insert().values(id=1, seq=seq, hash=prev))
    else:
        connection.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))


def _noted(session: OrmSession, _context: UOWTransaction) -> None:
    """After a flush: note the chained rows it wrote or removed, and the newest audit line's who and when."""
    pending: dict[tuple[str, int], bool] = session.info.setdefault(_PENDING, {})
    new: set[tuple[str, int]] = session.info.setdefault(_NEW, set())
    for obj in session.new:
        if isinstance(obj, _CHAINED) and obj.id is not None:
            key = (_NAMES[type(obj)], obj.id)
            pending[key] = True
            new.add(key)
        elif isinstance(obj, AuditEvent):
            session.info[_WHO] = (obj.at, obj.actor, obj.action)
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, _CHAINED) and obj.id is not None and (obj in session.deleted or session.is_modified(obj)):
            pending[(_NAMES[type(obj)], obj.id)] = True


def _forget(session: OrmSession, *_: Any) -> None:
    for name in (_PENDING, _NEW, _WHO):
        session.info.pop(name, None)


def _link_before_commit(session: OrmSession) -> None:
    """Just before a commit: chain every noted row as the database now holds it, in this transaction."""
    if not session.info.get(_PENDING):
        return
    session.flush()  # the rows and the audit line still pending are written (and noted) first
    pending: dict[tuple[str, int], bool] = session.info.pop(_PENDING, {})
    new: set[tuple[str, int]] = session.info.pop(_NEW, set())
    at, actor, action = session.info.pop(_WHO, (datetime.now(UTC), "unknown", "unrecorded"))
    connection = session.connection()
    changes: list[tuple[str, int, dict[str, Any] | None]] = []
    for table in _TABLES:
        ids = sorted(row_id for t, row_id in pending if t == table)
        if not ids:
            continue
        now = _rows(connection, table, ids)
        for row_id in ids:
            if row_id in now or (table, row_id) not in new:  # a row added and rolled back to a savepoint is no change
                changes.append((table, row_id, now.get(row_id)))
    if changes:
        take_turn(
            cast(Session, session), *CHAIN_SCOPE
        )  # last of the unit's turns, so no two units can wait for each other
        _append(connection, at, actor, action, changes)


event.listen(OrmSession, "after_flush", _noted)
event.listen(OrmSession, "before_commit", _link_before_commit)
event.listen(OrmSession, "after_commit", _forget)
event.listen(OrmSession, "after_rollback", _forget)


def entries(connection: Connection) -> Iterator[Entry]:
    """The chain's entries in order, as stored."""
    query = select(_ENTRY).order_by(_ENTRY.c.seq).execution_options(yield_per=1000)
    for r in connection.execute(query).mappings():
        yield Entry(
            seq=int(r["seq"]),
            at=str(_plain(r["at"])),
            actor=str(r["actor"]),
            action=str(r["action"]),
            table=str(r["table_name"]),
            row_id=int(r["row_id"]),
            record=r["record"],
            prev_hash=str(r["prev_hash"]),
            hash=str(r["hash"]),
        )


def verify(connection: Connection) -> Verified:
    """Check the chain, its head and every chained row; names the first entry that does not hold."""
    rows = {(table, row_id): kept for table in _TABLES for row_id, kept in _rows(connection, table).items()}
    head_seq, head_hash = _head(connection)
    return first_problem(entries(connection), rows, head=head_hash if head_seq else None)


def seal(connection: Connection, at: datetime) -> int:
    """Chain every chained row not yet in the chain (rows written before it began); returns how many."""
    chained = {(str(t), int(i)) for t, i in connection.execute(select(_ENTRY.c.table_name, _ENTRY.c.row_id))}
    changes: list[tuple[str, int, dict[str, Any] | None]] = [
        (table, row_id, kept)
        for table in _TABLES
        for row_id, kept in sorted(_rows(connection, table, as_built=True).items())
        if (table, row_id) not in chained
    ]
    if changes:
        _append(connection, at, "migration", "chain.start", changes)
    return len(changes)

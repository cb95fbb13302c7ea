"""Counting the statements an engine sends, so tests can say a cost does not grow (never how long it takes).

    with count_queries(engine) as counted:
        owe_reminders(engine, now)
    assert counted.count <= 8
    assert not counted.writes

Each statement the driver executes is counted (``BEGIN`` included, and an ``executemany`` once), with the
transactions they ran in, so a test can also tell how many transactions wrote and what each one did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Counted:
    """The statements sent while counting, in order, and grouped by the transaction they ran in."""

    statements: list[str] = field(default_factory=list)
    transactions: list[list[str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were sent."""
        return len(self.statements)

    @property
    def writes(self) -> list[str]:
        """The statements that changed something."""
        return [s for s in self.statements if s.lstrip().upper().startswith(WRITES)]

    def transactions_writing(self, table: str) -> list[list[str]]:
        """The transactions that inserted into, updated or deleted from ``table``."""
        marks = [f"INSERT INTO {table} ", f"UPDATE {table} ", f"DELETE FROM {table} "]
        return [t for t in self.transactions if any(s.lstrip().startswith(tuple(marks)) for s in t)]


@contextmanager
def count_queries(engine: Engine) -> Iterator[Counted]:
    """Count what ``engine`` sends inside the block (statements on any of its connections)."""
    counted = Counted()
    open_transactions: dict[int, list[str]] = {}

    def on_begin(connection: Any) -> None:
        statements: list[str] = []
        open_transactions[id(connection)] = statements
        counted.transactions.append(statements)

    def on_end(connection: Any) -> None:
        open_transactions.pop(id(connection), None)

    def on_execute(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.statements.append(statement)
        if id(connection) in open_transactions:
            open_transactions[id(connection)].append(statement)

    listeners: list[tuple[str, Callable[..., None]]] = [
        ("begin", on_begin),
        ("commit", on_end),
        ("rollback", on_end),
        ("before_cursor_execute", on_execute),
    ]
    for name, listener in listeners:
        # First in line at "begin", so the transaction is known before SQLite's BEGIN IMMEDIATE is sent.
        event.listen(engine, name, listener, insert=name == "begin")
    try:
        yield counted
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)

"""Counting the statements an engine runs, so tests can show a cost does not grow with the number of items."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


@dataclass
class Queries:
    """The statements run so far (their SQL text, in order)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements ran."""
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine) -> Iterator[Queries]:
    """Record every statement ``engine`` runs inside the block (on any thread)."""
    queries = Queries()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        queries.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", before)

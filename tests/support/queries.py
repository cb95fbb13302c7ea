"""Counting the statements an engine sends, so tests can say a read costs the same for 3 items as for 30."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


@dataclass
class Counted:
    """The statements sent while counting, in order (their SQL text)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were sent."""
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine) -> Iterator[Counted]:
    """Count every statement ``engine`` sends inside the block (on SQLite, with the BEGIN it sends itself)."""
    counted = Counted()

    def before_cursor_execute(
        _connection: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
    ) -> None:
        counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)

"""Every row of every table, to show that something changed nothing.

Read in one transaction begun as the app begins its own (on SQLite that takes the write lock, so no unit of
work is half done while it reads), with the driver's own cursor: the permission matrix takes a few hundred of
these, and SQLAlchemy's work around each ``SELECT`` (compiling, caching, describing the result) was most of
that test's time. The rows are the driver's, as a textual ``SELECT`` through SQLAlchemy returns them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine
from sqlmodel import SQLModel


@cache
def _table_names() -> tuple[str, ...]:
    return tuple(table.name for table in SQLModel.metadata.sorted_tables)


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows as tuples, in a stable order (by their ``repr``), keyed by the table's name."""
    names = _table_names()
    selects = [f"SELECT * FROM {name}" for name in names]  # the models' own table names
    with engine.connect() as connection:
        connection.begin()
        cursor = connection.connection.cursor()
        try:
            if engine.dialect.name == "postgresql":
                # One round trip: psycopg sends the statements together and returns one result after another.
                cursor.execute("; ".join(selects))
                results = [cursor.fetchall()]
                while cursor.nextset():
                    results.append(cursor.fetchall())
            else:
                results = []
                for select in selects:
                    cursor.execute(select)
                    results.append(cursor.fetchall())
        finally:
            cursor.close()
    assert len(results) == len(names)
    return {name: sorted(map(tuple, found), key=repr) for name, found in zip(names, results, strict=True)}

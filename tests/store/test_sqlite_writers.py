"""SQLite writers of one process queue for the write lock in order, and every way a unit ends lets the next go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from store import db
from store.db import make_engine, transaction


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(db, "SQLITE_WRITE_WAIT", 0.5)  # a lock left held shows as a TimeoutError at once
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def rows(engine: Engine) -> int:
    with transaction(engine, read_only=True) as session:
        return int(session.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_a_unit_that_fails_lets_the_next_writer_in(engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("the use case refused")
    with transaction(engine) as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
    assert rows(engine) == 1


def test_a_hundred_units_in_a_row_each_let_the_next_in(engine: Engine) -> None:
    for n in range(100):
        with transaction(engine) as session:
            session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    assert rows(engine) == 100


def test_a_reader_never_queues_behind_a_writer(engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert rows(engine) == 0  # read while the write is open: the snapshot before it, no waiting
    assert rows(engine) == 1


def test_a_second_writer_waits_for_the_first_and_is_told_when_it_waited_too_long(engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(TimeoutError, match="write lock"), transaction(engine) as other:
            other.execute(text("INSERT INTO t VALUES (2)"))
    assert rows(engine) == 1

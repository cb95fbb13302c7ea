"""What worked: the search index of funded provisions with their outcome ratings, and discussions' advice.

One ``what_worked`` row per funded provision map row whose referral's review rated its outcomes, and one per
solution-focused discussion whose advice was recorded; written by the use cases that record those
(``usecases.what_worked``), in the same transaction. It holds no pupil's details: the advice is redacted
when it is written, and only codes, bands and counts sit beside it.

The full-text search beside it differs by database, and is made by migration 0017 (and by
``metadata.create_all``, through the DDL events below):

- SQLite: an FTS5 table ``what_worked_fts`` over ``body`` and ``scope`` (external content, Porter stemming),
  which triggers keep in step with every insert, update and delete of ``what_worked``; ranked with ``bm25``.
  ``scope`` holds the row's cluster as a word (``c12``), so a search of one cluster asks the index for that
  cluster's rows, instead of matching a common word across the whole city first.
- PostgreSQL: a GIN index on ``to_tsvector('english', body)``; ranked with ``ts_rank``.

The statements are frozen as migration 0017 applied them: a change to them needs a new migration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Column, Index, event, text
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE what_worked_fts USING fts5("
    "body, scope, content='what_worked', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER what_worked_fts_insert AFTER INSERT ON what_worked BEGIN "
    "INSERT INTO what_worked_fts(rowid, body, scope) VALUES (new.id, new.body, new.scope); END",
    "CREATE TRIGGER what_worked_fts_delete AFTER DELETE ON what_worked BEGIN "
    "INSERT INTO what_worked_fts(what_worked_fts, rowid, body, scope) "
    "VALUES ('delete', old.id, old.body, old.scope); END",
    "CREATE TRIGGER what_worked_fts_update AFTER UPDATE ON what_worked BEGIN "
    "INSERT INTO what_worked_fts(what_worked_fts, rowid, body, scope) "
    "VALUES ('delete', old.id, old.body, old.scope); "
    "INSERT INTO what_worked_fts(rowid, body, scope) VALUES (new.id, new.body, new.scope); END",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS what_worked_fts_update",
    "DROP TRIGGER IF EXISTS what_worked_fts_delete",
    "DROP TRIGGER IF EXISTS what_worked_fts_insert",
    "DROP TABLE IF EXISTS what_worked_fts",
)
POSTGRES_VECTOR = "to_tsvector('english', body)"  # the GIN index's expression; searches must say it the same way


class WhatWorked(SQLModel, table=True):
    """One indexed finding: a funded provision row and its referral's ratings, or a discussion's advice."""

    __tablename__ = "what_worked"
    __table_args__ = (
        # Structured searches (an area of need in a few clusters) read only their rows.
        Index("ix_what_worked_kind_area_cluster", "kind", "area_of_need", "cluster_id"),
        Index("ix_what_worked_search", text(POSTGRES_VECTOR), postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # cluster.what_worked.Kind
    referral_id: int = Field(foreign_key="referral.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id")
    area_of_need: str = Field(default="", max_length=8)
    need_code: str = Field(default="", max_length=8)
    year_band: str = Field(default="", max_length=8)
    provision_key: str = Field(default="", max_length=200)  # cluster.what_worked.provision_key
    provision: str = Field(default="", max_length=200)
    cost_pence: int = Field(default=0)
    achieved: int = Field(default=0)
    partly: int = Field(default=0)
    not_achieved: int = Field(default=0)
    advice: str = Field(default="", max_length=2000)  # redacted (cluster.what_worked.redact)
    body: str = Field(default="", max_length=4000)  # what the search reads
    scope: str = Field(default="", max_length=40)  # cluster.what_worked.scope_words: the cluster as a word
    indexed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


_TABLE = WhatWorked.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its stubs do not say so
for _statement in SQLITE_SEARCH:
    event.listen(_TABLE, "after_create", DDL(_statement).execute_if(dialect="sqlite"))  # type: ignore[no-untyped-call]
for _statement in SQLITE_SEARCH_DROP:
    event.listen(_TABLE, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))  # type: ignore[no-untyped-call]

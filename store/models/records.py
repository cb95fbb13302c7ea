"""What the bot keeps for itself: the audit log, the outbox and the channel cards it posted, the jobs' marks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One line of the append-only record of who read or changed what (triggers forbid edits)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=128, index=True)  # person:<id>, aad:<object id>, cli, scheduler
    action: str = Field(max_length=64)
    subject: str = Field(default="", max_length=256, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ChannelPost(SQLModel, table=True):
    """A card the bot posted in a channel and may update later (the agenda, a vote), found by a stable key."""

    __tablename__ = "channel_post"

    key: str = Field(primary_key=True, max_length=64)  # e.g. agenda:12, vote:34
    conversation_id: str = Field(max_length=512)
    activity_id: str = Field(max_length=256)
    posted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Outbox(SQLModel, table=True):
    """A proactive message owed to a conversation, kept until the connector accepts it.

    ``key`` is unique per message and recipient (``review:12:due-14:person:7``), and the row is written in
    the same transaction that decides the message is owed: a second decision, on another replica or after
    a restart, finds the key taken and owes nothing more.

    What is owed is the Adaptive Card in ``card`` (the sender puts it in Teams' message envelope when it sends
    it, ``bot.teams.wire``), or, for rows owed before cards were kept as such, the whole activity in ``activity``.
    """

    # The sender's queries (what is due, when the next falls due) read the owed rows only, by time.
    __table_args__ = (Index("ix_outbox_state_not_before", "state", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    conversation_id: str | None = Field(default=None, max_length=512)  # a channel, when not a person's chat
    activity: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    card: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    state: str = Field(default="owed", max_length=16)  # owed | delivered | undeliverable | cancelled
    attempts: int = Field(default=0)
    not_before: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # A channel card the bot keeps up to date (agenda:12, vote:34): drawn from the database when sent, so the
    # row is owed again (revision + 1) whenever the card changes, and one send carries every change so far.
    card_key: str | None = Field(default=None, max_length=64, index=True)
    thread_of: str | None = Field(default=None, max_length=64)  # post a new card in the thread of this card
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class JobMark(SQLModel, table=True):
    """What a scheduled job has finished with, so its next run looks only at what changed (``store.job_marks``)."""

    __tablename__ = "job_mark"

    name: str = Field(primary_key=True, max_length=40)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    marks: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ChainEntry(SQLModel, table=True):
    """One link of the record of the money: a chained row as it was written, and the hash of the link before.

    Written by ``store.chain`` in the transaction that changed the row; triggers forbid edits, as on the audit
    log. ``record`` holds the row's columns (its free text only as a digest, so erasure is not blocked);
    ``prev_hash`` is unique, so two writers can never both follow the same entry (the chain stays one line).
    """

    __tablename__ = "record_chain"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    table_name: str = Field(max_length=32)
    row_id: int
    record: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)


class ChainHead(SQLModel, table=True):
    """The chain's newest entry (one row): its number and hash, updated with every link, and the writers' turn."""

    __tablename__ = "record_chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int
    hash: str = Field(max_length=64)

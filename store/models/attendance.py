"""Who attends a cluster meeting: its register (one line per person), and substitutes named for one meeting.

The rules that read these rows are :mod:`cluster.attendance`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Attendance(SQLModel, table=True):
    """One person's line on a meeting's register: present, left, or apologies sent.

    ``who`` keeps one line per person per meeting however they arrive: ``person:<id>`` for someone the bot
    knows, ``aad:<object id>`` for a Teams participant it does not, ``name:<name>`` for someone the chair
    added by name (a dial-in guest). ``source`` says how the line was last set: ``teams`` (the meeting's
    join and leave events), ``self`` ("I'm here", apologies), ``roll_call`` (the chair or an admin).
    """

    __table_args__ = (UniqueConstraint("meeting_id", "who"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    who: str = Field(max_length=300)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    name: str = Field(max_length=200)
    setting_id: int | None = Field(default=None, foreign_key="setting.id")
    attends_as: str = Field(max_length=16)
    presence: str = Field(max_length=16)
    source: str = Field(max_length=16)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Substitute(SQLModel, table=True):
    """A colleague a SENCO names to attend and vote for their setting at one meeting.

    Either a registered person (``person_id``) or an e-mail address (``email``) that a cluster admin
    confirms; the substitute votes only once confirmed (a registered person is confirmed when named).
    """

    __table_args__ = (UniqueConstraint("meeting_id", "setting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    setting_id: int = Field(foreign_key="setting.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    named_by: int = Field(foreign_key="person.id")
    named_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    confirmed_by: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))

"""Job marks: what a scheduled job had finished with at the end of its last run (``job_mark``).

A job that keeps a mark looks, on its next run, only at what changed since: the reminders job keeps the
nudge plans and the newest role it had seen, and the deadline reminders it had owed in full. A mark is
written only after everything the run owed is committed, so a run that stops halfway is done again, and
the outbox's keys make sure that nothing is owed twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import JobMark, RoleAssignment


def read(session: Session, name: str) -> dict[str, Any] | None:
    """The marks job ``name`` left, or None when it never finished a run."""
    mark = session.get(JobMark, name)
    return dict(mark.marks) if mark is not None else None


def write(session: Session, name: str, now: datetime, marks: dict[str, Any]) -> None:
    """Keep ``marks`` as what job ``name`` has finished with, in the caller's transaction."""
    mark = session.get(JobMark, name) or JobMark(name=name, at=now, marks={})
    mark.at, mark.marks = now, marks
    session.add(mark)


def newest_role(session: Session) -> int:
    """The id of the newest role assignment (0: none), so a job can tell the roles given since its last run."""
    newest: int | None = session.exec(select(func.max(RoleAssignment.id))).one()
    return newest or 0

"""The append-only audit log: who read or changed what, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from store.models import AuditEvent


def record(session: Session, at: datetime, actor: str, action: str, subject: str = "", **detail: Any) -> AuditEvent:
    """Add one audit line to the session's transaction (it commits or rolls back with the change)."""
    event = AuditEvent(at=at, actor=actor, action=action, subject=subject, detail=detail)
    session.add(event)
    return event


def recent(session: Session, limit: int = 50) -> list[AuditEvent]:
    """The newest audit lines first."""
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)))

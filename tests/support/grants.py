"""The ``role.grant`` audit lines, read as a person would check them: who granted which role to whom, where."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from store.models import AuditEvent, Person


def role_grants(engine: Engine) -> list[tuple[str, str, str, str | None, str | None]]:
    """Every role grant's audit line, oldest first: (granted by, granted to (name), role, cluster, setting)."""
    with Session(engine) as session:
        names = {f"person:{p.id}": p.name for p in session.exec(select(Person))}
        lines = session.exec(
            select(AuditEvent).where(AuditEvent.action == "role.grant").order_by(col(AuditEvent.id))
        ).all()
        return [
            (e.actor, names.get(e.subject, e.subject), e.detail["role"], e.detail["cluster"], e.detail["setting"])
            for e in lines
        ]

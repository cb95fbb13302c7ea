"""Reading the audit log: who read or changed what, and when, for a referral, a person or a date range.

Whether a line is a read or a change is decided here and nowhere else, by its action's last word
(:data:`READ_VERBS`): ``referral.read``, ``referral.export``, ``referral.list``, ``capital.report`` and
``pupil.subject_access`` are reads; everything else (``referral.edit``, ``vote.cast``, ...) is a change.

The lines are found through the indexes on ``audit_event.subject``, ``.actor`` and ``.at``, newest first, at
most ``limit`` of them (the listing says when there are more), so the log is never loaded whole. The names
of the people and the references of the referrals the lines are about are then looked up in one query each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cluster.audit import Kind, Line
from cluster.clock import LONDON
from cluster.errors import Refusal
from store.db import transaction
from store.models import AgendaItem, AuditEvent, Decision, Person, Referral, Review

# An action is a read when its last word is one of these: a showing, an export, a listing, a report.
READ_VERBS = frozenset({"read", "export", "list", "report", "subject_access"})
DEFAULT_LIMIT = 1000
# Actors that are not people: the command line, the scheduler, and a review's own release of money.
MACHINE_ACTORS = frozenset({"cli", "scheduler", "review"})


def is_read(action: str) -> bool:
    """True when the action records a reading (a showing, an export, a listing), not a change."""
    return action.rsplit(".", 1)[-1] in READ_VERBS


def _reads() -> ColumnElement[bool]:
    """:func:`is_read` as SQL, from the same words."""
    return or_(*(col(AuditEvent.action).endswith(f".{verb}") for verb in sorted(READ_VERBS)))


@dataclass(frozen=True)
class Listing:
    """The lines found, newest first; ``more`` when the limit left older ones out."""

    lines: tuple[Line, ...]
    more: bool


@dataclass(frozen=True)
class Query:
    """What to list: a referral's reference, a person (e-mail or Teams object id), London days, reads or changes."""

    referral: str | None = None
    person: str | None = None
    since: date | None = None
    until: date | None = None
    kind: Kind = Kind.ALL
    limit: int = DEFAULT_LIMIT


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def referral_subjects(session: Session, referral_id: int) -> list[str]:
    """The audit subjects about a referral: itself, its reviews, its decisions and its agenda items."""
    reviews = session.exec(select(Review.id).where(Review.referral_id == referral_id)).all()
    decisions = session.exec(select(Decision.id).where(Decision.referral_id == referral_id)).all()
    items = session.exec(select(AgendaItem.id).where(AgendaItem.referral_id == referral_id)).all()
    return [
        f"referral:{referral_id}",
        *(f"review:{i}" for i in reviews),
        *(f"decision:{i}" for i in decisions),
        *(f"item:{i}" for i in items),
    ]


def _referral_id(session: Session, reference: str) -> int:
    found = session.exec(select(Referral.id).where(Referral.reference == reference.strip().upper())).first()
    if found is None:
        raise Refusal(f"No referral has the reference {reference.strip()}.")
    return int(found)


def _actor_tags(session: Session, person: str) -> list[str]:
    wanted = person.strip()
    if wanted in MACHINE_ACTORS:
        return [wanted]
    found = session.exec(
        select(Person).where(or_(func.lower(col(Person.email)) == wanted.lower(), col(Person.aad_object_id) == wanted))
    ).all()
    if not found:
        # Someone not (or no longer) on the roster is still named by their Teams id in the lines they wrote.
        return [f"aad:{wanted}"]
    tags = [f"person:{p.id}" for p in found]
    return tags + [f"aad:{p.aad_object_id}" for p in found if p.aad_object_id]


def _ids(subjects: Iterable[str], prefix: str) -> set[int]:
    out = set()
    for subject in subjects:
        head, _, tail = subject.partition(":")
        if head == prefix and tail.isdigit():
            out.add(int(tail))
    return out


def _references(session: Session, subjects: Sequence[str]) -> dict[str, str]:
    """Each referral's, review's, decision's or item's subject -> its referral's reference (one query per kind)."""
    by_kind: dict[str, Any] = {
        "referral": (Referral.id, Referral.reference, None),
        "review": (Review.id, Referral.reference, Review.referral_id),
        "decision": (Decision.id, Referral.reference, Decision.referral_id),
        "item": (AgendaItem.id, Referral.reference, AgendaItem.referral_id),
    }
    out: dict[str, str] = {}
    for prefix, (key, reference, link) in by_kind.items():
        ids = _ids(subjects, prefix)
        if not ids:
            continue
        query = select(key, reference)
        if link is not None:
            query = query.join(Referral, col(Referral.id) == link)
        for row_id, ref in session.exec(query.where(col(key).in_(ids))).all():
            if ref:
                out[f"{prefix}:{row_id}"] = str(ref)
    return out


def _names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Each ``person:<id>``/``aad:<id>`` tag -> the person's name and e-mail; ``cli``, ``scheduler`` as themselves."""
    tags = set(actors)
    ids, aads = _ids(tags, "person"), {t.partition(":")[2] for t in tags if t.startswith("aad:")}
    people = session.exec(select(Person).where(or_(col(Person.id).in_(ids), col(Person.aad_object_id).in_(aads)))).all()
    out = {}
    for person in people:
        named = f"{person.name} <{person.email}>" if person.email else person.name
        out[f"person:{person.id}"] = named
        if person.aad_object_id:
            out[f"aad:{person.aad_object_id}"] = named
    return out


def find(engine: Engine, query: Query) -> Listing:
    """The audit lines matching ``query``, newest first, at most ``query.limit`` (``more`` says if there are others).

    Refuses a reference no referral has. A person not on the roster is looked for by their Teams id.
    """
    if query.limit < 1:
        raise Refusal("The limit is the most lines to list: 1 or more.")
    with transaction(engine, read_only=True) as session:
        where: list[ColumnElement[bool]] = []
        if query.referral:
            where.append(col(AuditEvent.subject).in_(referral_subjects(session, _referral_id(session, query.referral))))
        if query.person:
            where.append(col(AuditEvent.actor).in_(_actor_tags(session, query.person)))
        if query.since:
            where.append(col(AuditEvent.at) >= _start_of(query.since))
        if query.until:
            where.append(col(AuditEvent.at) < _start_of(query.until + timedelta(days=1)))
        if query.kind is Kind.READ:
            where.append(_reads())
        elif query.kind is Kind.CHANGE:
            where.append(~_reads())
        found = session.exec(
            select(AuditEvent)
            .where(*where)
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(query.limit + 1)
        ).all()
        shown = found[: query.limit]
        lines = _lines(session, shown)
    return Listing(lines, more=len(found) > query.limit)


def _lines(session: Session, found: Sequence[AuditEvent]) -> tuple[Line, ...]:
    """The lines as people read them: names and references looked up once for all of them."""
    names = _names(session, (e.actor for e in found))
    references = _references(session, [e.subject for e in found])
    return tuple(
        Line(
            at=e.at.astimezone(LONDON),
            who=names.get(e.actor, e.actor),
            action=e.action,
            read=is_read(e.action),
            subject=e.subject,
            reference=references.get(e.subject),
            detail=dict(e.detail or {}),
        )
        for e in found
    )


def lines_about(session: Session, subjects: Sequence[str], limit: int = DEFAULT_LIMIT) -> list[Line]:
    """The audit lines about these subjects, oldest first (for a subject access export), with names resolved."""
    if not subjects:
        return []
    found = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.subject).in_(subjects))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
        .limit(limit)
    ).all()
    return list(_lines(session, found))

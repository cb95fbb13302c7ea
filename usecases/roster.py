"""People and their roles: the roster CSV an admin imports and exports, and single edits.

CSV columns: ``name,email,aad_object_id,role,cluster,setting,service`` - one row per role held, so a person with
two roles has two rows. ``service`` is for an observer only: the service they represent (``cluster.wider_team``);
it may be left out of the header. A person is identified by ``aad_object_id`` when given, else by ``email``.
An import is checked whole before anything is written: one bad line and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.roles import SETTING_ROLES, Role, parse_role, scope_problem
from cluster.text import clean_text
from cluster.wider_team import SERVICE_MAX, SERVICES, parse_service, service_name, service_problem
from store import audit
from store.db import transaction
from store.models import Cluster, CouncilService, Person, RoleAssignment, Setting
from store.repo import cluster_by_name, setting_by_name
from usecases.csv_files import FileProblems, read_text
from usecases.csv_files import rows as csv_rows

COLUMNS = ("name", "email", "aad_object_id", "role", "cluster", "setting", "service")
NAME_MAX, AAD_MAX = 200, 64  # as the person table keeps them


class RosterError(FileProblems):
    """A roster file or edit that cannot be applied; ``problems`` lists each one ('line 4: ...')."""


@dataclass(frozen=True)
class Entry:
    """One role for one person, as a row of the roster."""

    name: str
    email: str | None
    aad_object_id: str | None
    role: Role
    cluster: str | None
    setting: str | None
    service: str | None = None  # an observer's service, as typed (checked against the known ones when applied)


@dataclass(frozen=True)
class ImportResult:
    """What an import changed."""

    people_added: int
    roles_added: int


def _resolve(session: Session, entry: Entry) -> tuple[int | None, int | None]:
    """The (cluster_id, setting_id) an entry's role is scoped to; raises ValueError with the reason."""
    problem = scope_problem(entry.role, bool(entry.cluster), bool(entry.setting))
    if problem:
        raise ValueError(problem)
    if not entry.cluster:
        return None, None
    cluster = cluster_by_name(session, entry.cluster)
    if cluster is None:
        raise ValueError(f"unknown cluster {entry.cluster!r}")
    assert cluster.id is not None
    if entry.role in SETTING_ROLES:
        setting = setting_by_name(session, cluster.id, entry.setting or "")
        if setting is None:
            raise ValueError(f"no setting {entry.setting!r} in the {cluster.name} cluster")
        return None, setting.id
    return cluster.id, None


def added_services(session: Session) -> list[str]:
    """The services the council added to the page's four, by name."""
    return list(session.exec(select(CouncilService.name).order_by(col(CouncilService.name))))


def services(engine: Engine) -> list[str]:
    """Every service an observer may name: the page's four, then those the council added."""
    with transaction(engine, read_only=True) as session:
        return [*SERVICES, *added_services(session)]


def add_service(engine: Engine, name: str, now: datetime, actor: str = "cli") -> str:
    """Add a service observers may name (audited); adding one already known changes nothing. Returns its name."""
    cleaned = service_name(name)
    if not cleaned or len(cleaned) > SERVICE_MAX:
        raise RosterError([f"a service's name is 1 to {SERVICE_MAX} characters"])
    with transaction(engine) as session:
        known = (*SERVICES, *added_services(session))
        same = next((s for s in known if s.casefold() == cleaned.casefold()), None)
        if same is not None:
            return same
        session.add(CouncilService(name=cleaned))
        audit.record(session, now, actor, "service.add", "council_service", name=cleaned)
    return cleaned


def _find_person(session: Session, entry: Entry) -> Person | None:
    if entry.aad_object_id:
        found = session.exec(select(Person).where(Person.aad_object_id == entry.aad_object_id)).first()
        if found:
            return found
    if entry.email:
        return session.exec(select(Person).where(Person.email == entry.email)).first()
    return None


def apply_entry(session: Session, entry: Entry, now: datetime, actor: str) -> tuple[bool, bool]:
    """Add the entry's person and role where new, in the caller's transaction: (person added, role added).

    Every role granted writes its own ``role.grant`` audit line (who granted it, to whom, which role
    where), whichever path the entry came by: a roster file, the command line, a cluster file or the
    officer's clusters card. Raises ValueError with the reason when the role's cluster or setting is not there.
    """
    cluster_id, setting_id = _resolve(session, entry)
    service = parse_service(entry.service, added_services(session)) if entry.service else None
    person = _find_person(session, entry)
    person_added = person is None
    if person is None:
        person = Person(name=entry.name, email=entry.email, aad_object_id=entry.aad_object_id)
        session.add(person)
    else:
        person.name = entry.name
        person.email = entry.email or person.email
        person.aad_object_id = entry.aad_object_id or person.aad_object_id
    session.flush()
    assert person.id is not None
    existing = session.exec(
        select(RoleAssignment).where(
            RoleAssignment.person_id == person.id,
            RoleAssignment.role == entry.role.value,
            RoleAssignment.cluster_id == cluster_id
            if cluster_id is not None
            else col(RoleAssignment.cluster_id).is_(None),
            RoleAssignment.setting_id == setting_id
            if setting_id is not None
            else col(RoleAssignment.setting_id).is_(None),
        )
    ).first()
    if existing is None:
        session.add(
            RoleAssignment(
                person_id=person.id,
                role=entry.role.value,
                cluster_id=cluster_id,
                setting_id=setting_id,
                service=service,
            )
        )
        session.flush()
        audit.record(
            session,
            now,
            actor,
            "role.grant",
            f"person:{person.id}",
            role=entry.role.value,
            cluster=entry.cluster if cluster_id is not None or setting_id is not None else None,
            setting=entry.setting if setting_id is not None else None,
            service=service,
        )
    elif service and existing.service != service:
        # An observer who now represents another service (or names one for the first time): kept, and audited.
        audit.record(session, now, actor, "role.service", f"person:{person.id}", was=existing.service, service=service)
        existing.service = service
        session.add(existing)
    return person_added, existing is None


def parse_csv(text: str) -> list[Entry]:
    """Read roster rows; raise RosterError listing every bad line (line 1 is the header)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error:
        raise RosterError(["line 1: the header cannot be read as CSV"]) from None
    missing = [c for c in ("name", "role") if c not in header]
    if missing:
        raise RosterError([f"line 1: the header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}"])
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RosterError([f"line 1: unknown column(s) {', '.join(unknown)}; expected {','.join(COLUMNS)}"])
    entries: list[Entry] = []
    problems: list[str] = []
    for line, row in csv_rows(reader, problems):
        values = {k.strip(): clean_text(v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            problems.append(f"line {line}: more values than columns")
            continue
        try:
            entries.append(parse_entry(values))
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
    if problems:
        raise RosterError(problems)
    return entries


def parse_entry(values: dict[str, str]) -> Entry:
    """One roster row (column name -> trimmed text) as an entry; raises ValueError saying what is wrong."""
    if not values.get("name"):
        raise ValueError("a name is required")
    if len(values["name"]) > NAME_MAX:
        raise ValueError(f"a name is at most {NAME_MAX} characters")
    if len(values.get("aad_object_id") or "") > AAD_MAX:
        raise ValueError(f"an aad_object_id is at most {AAD_MAX} characters")
    if not values.get("email") and not values.get("aad_object_id"):
        raise ValueError("give an email or an aad_object_id so the person can be recognised")
    email = values.get("email") or None
    if email and ("@" not in email or len(email) > 254):
        raise ValueError(f"{email!r} is not an e-mail address")
    role = parse_role(values.get("role", ""))
    service = values.get("service") or None
    problem = service_problem(role, service)
    if problem:
        raise ValueError(problem)
    if service and len(service) > SERVICE_MAX:
        raise ValueError(f"a service is at most {SERVICE_MAX} characters")
    return Entry(
        name=values["name"],
        email=email,
        aad_object_id=values.get("aad_object_id") or None,
        role=role,
        cluster=values.get("cluster") or None,
        setting=values.get("setting") or None,
        service=service,
    )


def import_entries(engine: Engine, entries: list[Entry], now: datetime, actor: str) -> ImportResult:
    """Apply entries in one transaction; any problem rolls back all of them and raises RosterError."""
    people = roles = 0
    problems: list[str] = []
    with transaction(engine) as session:
        for number, entry in enumerate(entries, 2):
            try:
                with session.begin_nested():
                    person_added, role_added = apply_entry(session, entry, now, actor)
            except ValueError as exc:
                problems.append(f"line {number}: {exc}")
                continue
            people += person_added
            roles += role_added
        if problems:
            raise RosterError(problems)
        audit.record(session, now, actor, "roster.import", "roster", people_added=people, roles_added=roles)
    return ImportResult(people, roles)


def import_csv(engine: Engine, path: Path, now: datetime, actor: str = "cli") -> ImportResult:
    """Import a roster file: every line is checked, and nothing is written unless all are good."""
    try:
        text = read_text(path)
    except FileProblems as unreadable:
        raise RosterError(unreadable.problems) from None
    return import_entries(engine, parse_csv(text), now, actor)


def export_rows(session: Session) -> list[Entry]:
    """Every role of every person, as roster rows, in a stable order."""
    rows = session.exec(
        select(Person, RoleAssignment, Cluster, Setting)
        .join(RoleAssignment, col(RoleAssignment.person_id) == Person.id)
        .join(Setting, col(Setting.id) == RoleAssignment.setting_id, isouter=True)
        .join(
            Cluster,
            (col(Cluster.id) == RoleAssignment.cluster_id) | (col(Cluster.id) == Setting.cluster_id),
            isouter=True,
        )
        .order_by(col(Person.name), col(RoleAssignment.role), col(RoleAssignment.id))
    ).all()
    return [
        Entry(p.name, p.email, p.aad_object_id, Role(a.role), c.name if c else None, s.name if s else None, a.service)
        for p, a, c, s in rows
    ]


def export_csv(engine: Engine, now: datetime, actor: str = "cli") -> str:
    """The whole roster as CSV text in the import format; the export itself is audited."""
    with transaction(engine) as session:
        entries = export_rows(session)
        audit.record(session, now, actor, "roster.export", "roster", rows=len(entries))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.name,
                e.email or "",
                e.aad_object_id or "",
                e.role.value,
                e.cluster or "",
                e.setting or "",
                e.service or "",
            ]
        )
    return out.getvalue()


def remove(engine: Engine, key: str, now: datetime, actor: str = "cli", role: Role | None = None) -> int:
    """Remove a person's role (or, with no role, the person and all their roles); returns roles removed."""
    with transaction(engine) as session:
        person = session.exec(select(Person).where((Person.aad_object_id == key) | (Person.email == key))).first()
        if person is None:
            raise RosterError([f"no person with id or e-mail {key!r}"])
        query = select(RoleAssignment).where(RoleAssignment.person_id == person.id)
        if role is not None:
            query = query.where(RoleAssignment.role == role.value)
        assignments = list(session.exec(query))
        if role is not None and not assignments:
            raise RosterError([f"{person.name} holds no {role.value} role"])
        for assignment in assignments:
            session.delete(assignment)
        if role is None:
            session.flush()
            session.delete(person)
        audit.record(
            session,
            now,
            actor,
            "people.remove",
            f"person:{person.id}",
            role=role.value if role else "all",
            roles_removed=len(assignments),
        )
        return len(assignments)

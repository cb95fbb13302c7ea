"""Clusters: loading one from a file, adding one (command line or the officer's card), listing them all.

A file names a cluster's settings, meetings and people; the council officer's ``clusters`` card lists every
cluster with its counts and adds one.

A file's or a form's people are read and applied by the roster's own rules (:mod:`usecases.roster`), so a
person loaded with a cluster is checked exactly as a roster line is. Everything a load or an add names is
stored in one transaction or not at all; a mistake names its entry ("people 3: ...", "line 2: ...").
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, literal, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from cluster.clusters import ClusterSummary
from cluster.commands.clusters import AddCluster
from cluster.errors import InvalidInput
from cluster.new_cluster import NewCluster, read_new_cluster
from cluster.permissions import MANAGE_CLUSTERS, Forbidden, allows
from cluster.roles import CITYWIDE_ROLES, SETTING_ROLES, scope_problem
from store import audit
from store.db import transaction
from store.models import Cluster, Meeting, Setting
from store.seed import SeedData, SeedError, read, seed_into
from usecases.people import Actor
from usecases.roster import Entry, apply_entry, parse_entry

PEOPLE_FIELDS = ("name", "email", "role", "setting", "aad_object_id")


class ClusterError(SeedError):
    """A cluster file or form that cannot be loaded; ``problems`` lists each mistake, naming its entry."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Loaded:
    """What loading a cluster (from a file or a form) added."""

    cluster: str
    settings_added: int
    meetings_added: int
    people_added: int
    roles_added: int
    terms_added: int


@dataclass(frozen=True)
class ClustersCard:
    """What the officer's clusters card shows: every cluster, and what was just added."""

    clusters: tuple[ClusterSummary, ...]
    notice: str | None = None


def _scoped(entry: Entry, cluster: str) -> Entry:
    # A cluster's people hold their roles in it; a council officer's role is citywide and names no cluster.
    return dataclasses.replace(entry, cluster=None if entry.role in CITYWIDE_ROLES else cluster)


def people_entries(cluster: str, people: Sequence[Any]) -> list[Entry]:
    """A file's "people" list as roster entries of the cluster; raises ClusterError naming each bad entry."""
    entries: list[Entry] = []
    problems: list[str] = []
    for number, raw in enumerate(people, 1):
        if not isinstance(raw, dict):
            problems.append(f"people {number}: must be an object with a name, an email and a role")
            continue
        unknown = sorted(str(k) for k in raw if k not in PEOPLE_FIELDS)
        if unknown:
            problems.append(f"people {number}: unknown field(s) {', '.join(unknown)}; use {', '.join(PEOPLE_FIELDS)}")
            continue
        if any(v is not None and not isinstance(v, str) for v in raw.values()):
            problems.append(f"people {number}: every field is text")
            continue
        values = {k: (raw.get(k) or "").strip() for k in PEOPLE_FIELDS}
        try:
            entries.append(_scoped(parse_entry({**values, "cluster": cluster}), cluster))
        except ValueError as exc:
            problems.append(f"people {number}: {exc}")
    if problems:
        raise ClusterError(problems)
    return entries


def _apply_people(session: Session, entries: Sequence[Entry], label: str, now: datetime, actor: str) -> tuple[int, int]:
    """Apply the entries in the caller's transaction (each role granted audited); bad ones raise ClusterError."""
    people = roles = 0
    problems = []
    for number, entry in enumerate(entries, 1):
        try:
            person_added, role_added = apply_entry(session, entry, now, actor)
        except ValueError as exc:
            problems.append(f"{label} {number}: {exc}")
            continue
        people += person_added
        roles += role_added
    if problems:
        raise ClusterError(problems)
    return people, roles


def _load(session: Session, data: SeedData, entries: Sequence[Entry], now: datetime, actor: str) -> Loaded:
    cluster, seeded = seed_into(session, data, now, actor)
    people, roles = _apply_people(session, entries, "people", now, actor)
    if entries:
        audit.record(
            session, now, actor, "cluster.people", f"cluster:{cluster.name}", people_added=people, roles_added=roles
        )
    return Loaded(cluster.name, seeded.settings_added, seeded.meetings_added, people, roles, seeded.terms_added)


def load_file(engine: Engine, path: Path, now: datetime, actor: str = "cli") -> Loaded:
    """Load a cluster file (the format of ``store/data/central.json``, with optional "people"), idempotently.

    What is there already is kept, what is missing is added, and one bad entry stores nothing.
    """
    data = read(path)
    entries = people_entries(str(data.cluster["name"]), data.people)
    with transaction(engine) as session:
        return _load(session, data, entries, now, actor)


def add_cluster(
    engine: Engine, name: str, code: str, now: datetime, deadline_days: int | None = None, actor: str = "cli"
) -> Loaded:
    """Create an empty cluster (settings, meetings and people follow from a file or the card)."""
    new, errors = read_new_cluster(
        {"name": name, "code": code, "deadline_days": "" if deadline_days is None else str(deadline_days)}
    )
    if new is None:
        raise ClusterError([f"{field}: {message}" for field, message in errors.items()])
    with transaction(engine) as session:
        problems = _taken(session, new)
        if problems:
            raise ClusterError(list(problems.values()))
        loaded = _load(session, _seed_data(new), [], now, actor)
        audit.record(session, now, actor, "cluster.add", f"cluster:{new.name}", code=new.code)
        return loaded


def _taken(session: Session, new: NewCluster) -> dict[str, str]:
    """Mistakes next to the name or code when another cluster already has it."""
    problems = {}
    for cluster in session.exec(select(Cluster)):
        if cluster.name.lower() == new.name.lower():
            problems["name"] = f"There is already a cluster called {cluster.name}."
        if cluster.code.upper() == new.code:
            problems["code"] = f"The code {new.code} is already the {cluster.name} cluster's."
    return problems


def _seed_data(new: NewCluster) -> SeedData:
    return SeedData(
        {"name": new.name, "code": new.code, "deadline_days": new.deadline_days},
        [{"name": s} for s in new.settings],
        [{"day": d.isoformat()} for d in new.days],
        [],
    )


# --- the clusters list (CLI and card) -----------------------------------------------------------------

_T = SQLModel.metadata.tables
_CLUSTER, _SETTING, _MEETING = _T["cluster"], _T["setting"], _T["meeting"]
_ROLE, _REF = _T["role_assignment"], _T["conversation_ref"]
# A person counts once in a cluster however many roles they hold there (directly, or through a setting).
_HOLDERS = union(
    sa_select(_ROLE.c.cluster_id.label("cluster_id"), _ROLE.c.person_id).where(_ROLE.c.cluster_id.is_not(None)),
    sa_select(_SETTING.c.cluster_id.label("cluster_id"), _ROLE.c.person_id).select_from(
        _ROLE.join(_SETTING, _SETTING.c.id == _ROLE.c.setting_id)
    ),
).subquery()


def _count(table: Any, where: Any = None) -> Any:
    query = sa_select(func.count()).select_from(table).where(table.c.cluster_id == _CLUSTER.c.id)
    if where is not None:
        query = query.where(where)
    return query.scalar_subquery()


# One query however many clusters there are.
_LIST = sa_select(
    _CLUSTER.c.name,
    _CLUSTER.c.code,
    _count(_SETTING),
    _count(_HOLDERS),
    _count(_MEETING, _MEETING.c.cancelled.is_(False)),
    sa_select(literal(True))
    .select_from(_REF)
    .where(_REF.c.cluster_id == _CLUSTER.c.id, _REF.c.kind == "channel")
    .limit(1)
    .scalar_subquery(),
).order_by(_CLUSTER.c.name)


def summaries(session: Session) -> tuple[ClusterSummary, ...]:
    """Every cluster by name, with its settings, people and meetings counted and whether a channel is linked."""
    return tuple(
        ClusterSummary(str(name), str(code), int(settings), int(people), int(meetings), bool(linked))
        for name, code, settings, people, meetings, linked in session.connection().execute(_LIST)
    )


def list_clusters(engine: Engine) -> tuple[ClusterSummary, ...]:
    """Every cluster with its counts (the CLI's ``cluster list``)."""
    with transaction(engine, read_only=True) as session:
        return summaries(session)


# --- the officer's card -------------------------------------------------------------------------------


def _authorize(actor: Actor) -> None:
    if not allows(actor.grants, MANAGE_CLUSTERS, registered=actor.person_id is not None):
        raise Forbidden(MANAGE_CLUSTERS.refusal)


def clusters_card(engine: Engine, actor: Actor) -> ClustersCard:
    """The officer's clusters card: every cluster and the form to add one."""
    _authorize(actor)
    with transaction(engine, read_only=True) as session:
        return ClustersCard(summaries(session))


def _form_people(new: NewCluster) -> tuple[list[Entry], list[str]]:
    """The form's people lines ("Name, email, role, setting") as entries, by the roster CSV's rules.

    Checked against the form's own settings too, so that storing them cannot fail half-way.
    """
    settings = {s.lower() for s in new.settings}
    entries, problems = [], []
    for number, line in new.people:
        fields = [f.strip() for f in next(csv.reader([line], skipinitialspace=True))]
        if not 3 <= len(fields) <= 4:
            problems.append(f"line {number}: write it as: Name, email, role, setting (the setting for a SENCO)")
            continue
        values = dict(zip(("name", "email", "role", "setting"), fields, strict=False))
        try:
            entry = _scoped(parse_entry({**values, "cluster": new.name}), new.name)
            problem = scope_problem(entry.role, bool(entry.cluster), bool(entry.setting))
            if problem:
                raise ValueError(problem)
            if entry.role in SETTING_ROLES and (entry.setting or "").lower() not in settings:
                raise ValueError(f"{entry.setting} is not one of the settings above")
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        entries.append(entry)
    return entries, problems


def _same(session: Session, new: NewCluster) -> bool:
    """Whether the cluster the form names is already there with all it names: the same click again."""
    cluster = session.exec(select(Cluster).where(Cluster.name == new.name, Cluster.code == new.code)).first()
    if cluster is None:
        return False
    settings = {n.lower() for n in session.exec(select(Setting.name).where(Setting.cluster_id == cluster.id))}
    days = {m.day for m in session.exec(select(Meeting).where(col(Meeting.cluster_id) == cluster.id))}
    return {s.lower() for s in new.settings} <= settings and set(new.days) <= days


def add_cluster_as(engine: Engine, actor: Actor, command: AddCluster, now: datetime) -> ClustersCard:
    """A council officer adds a cluster from the card: its name, code, settings, meeting days and people.

    Mistakes are said beside their fields (:class:`InvalidInput`) and nothing is stored; the same click
    twice makes one cluster (the second finds it, with what it named, and says so again).
    """
    _authorize(actor)
    new, errors = read_new_cluster(dataclasses.asdict(command))
    entries: list[Entry] = []
    if new is not None:
        entries, problems = _form_people(new)
        if problems:
            errors = {"people": "; ".join(problems)}
    if new is None or errors:
        raise InvalidInput(errors, {})
    with transaction(engine) as session:
        if _same(session, new):
            _apply_people(session, entries, "line", now, actor.tag)  # the same click again: adds only new people
            return ClustersCard(summaries(session), notice=_added(new))
        taken = _taken(session, new)
        if taken:
            raise InvalidInput(taken, {})
        cluster, _ = seed_into(session, _seed_data(new), now, actor.tag)
        people, roles = _apply_people(session, entries, "line", now, actor.tag)
        audit.record(
            session,
            now,
            actor.tag,
            "cluster.add",
            f"cluster:{cluster.name}",
            code=cluster.code,
            settings=len(new.settings),
            meetings=len(new.days),
            people_added=people,
            roles_added=roles,
        )
        return ClustersCard(summaries(session), notice=_added(new))


def _added(new: NewCluster) -> str:
    return (
        f"Added the {new.name} cluster ({new.code}): {len(new.settings)} settings, {len(new.days)} meetings, "
        f"{len(new.people)} people's roles. Referrals close {new.deadline_days} days before each meeting."
    )

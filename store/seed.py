"""Load a cluster's settings and meetings from a JSON data file, idempotently.

The Central cluster's file ships in ``store/data/central.json``; other clusters use the same format.
A setting may say ``"mainstream": false`` (special schools, pupil referral units) and
``"received_hncg": true`` (already had High Needs Capital Grant funding); they default to true and false.
Running a seed again adds only what is missing and never overwrites what an admin has changed.

A file may also name its cluster's people: ``"people": [{"name", "email", "role", "setting"?,
"aad_object_id"?}]``, one entry per role held, under the roster's rules (``usecases.roster``). The store does
not read them; ``usecases.clusters.load_file`` applies them in the same transaction as the rest.

A seed also loads the shipped school term dates (``store/data/term_dates.json``, indicative until the
council's are loaded) for any school year that has none, since no funded decision can be scheduled for
payment without them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.meetings import default_deadline
from cluster.text import clean_all
from store import audit
from store.bank_holidays import bank_holidays as bank_holidays  # its callers import it from here
from store.db import transaction
from store.models import Cluster, Meeting, Setting
from store.terms import load_shipped

CENTRAL = Path(__file__).parent / "data" / "central.json"


class SeedError(ValueError):
    """The seed file is not in the expected shape; the message says where."""


@dataclass(frozen=True)
class SeedResult:
    """What a seed run added."""

    cluster: str
    settings_added: int
    meetings_added: int
    terms_added: int = 0


@dataclass(frozen=True)
class SeedData:
    """A seed file's content, checked: the cluster, its settings and meetings, and the people it names.

    ``people`` is passed on unread: the roster's rules check it (``usecases.clusters``), not the store.
    """

    cluster: dict[str, Any]
    settings: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    people: list[Any]


def parse(data: Any) -> SeedData:
    """Check a seed file's shape; raise SeedError saying where it is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("cluster"), dict):
        raise SeedError("the file must be a JSON object with a 'cluster' object")
    cluster = data["cluster"]
    if not cluster.get("name") or not cluster.get("code"):
        raise SeedError("the cluster needs a 'name' and a 'code'")
    settings = data.get("settings", [])
    meetings = data.get("meetings", [])
    people = data.get("people", [])
    for key, value in (("settings", settings), ("meetings", meetings), ("people", people)):
        if not isinstance(value, list):
            raise SeedError(f"'{key}' must be a list")
    for i, s in enumerate(settings, 1):
        if not isinstance(s, dict) or not str(s.get("name", "")).strip():
            raise SeedError(f"setting {i}: needs a 'name'")
        for fact in ("mainstream", "received_hncg"):
            if fact in s and not isinstance(s[fact], bool):
                raise SeedError(f"setting {i}: '{fact}' must be true or false")
    for i, m in enumerate(meetings, 1):
        try:
            date.fromisoformat(m["day"])
            time.fromisoformat(m.get("start", "09:30"))
            time.fromisoformat(m.get("end", "13:00"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SeedError(f"meeting {i}: needs 'day' as YYYY-MM-DD and times as HH:MM ({exc})") from None
    return SeedData(cluster, settings, meetings, people)


def read(path: Path) -> SeedData:
    """Read and check a seed file."""
    try:
        data = clean_all(json.loads(path.read_text(encoding="utf-8")))  # names in it are typed text
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeedError(f"cannot read {path}: {exc}") from None
    return parse(data)


def seed_into(session: Session, data: SeedData, now: datetime, actor: str) -> tuple[Cluster, SeedResult]:
    """Add the data's cluster, settings and meetings where missing, in the caller's transaction."""
    cluster_data, settings, meetings = data.cluster, data.settings, data.meetings
    cluster = session.exec(select(Cluster).where(Cluster.name == cluster_data["name"])).first()
    if cluster is None:
        taken = session.exec(select(Cluster).where(Cluster.code == cluster_data["code"])).first()
        if taken is not None:
            raise SeedError(f"the code {cluster_data['code']!r} is already the {taken.name} cluster's")
        cluster = Cluster(
            name=cluster_data["name"],
            code=cluster_data["code"],
            deadline_days=int(cluster_data.get("deadline_days", 7)),
        )
        session.add(cluster)
        session.flush()
    assert cluster.id is not None
    have_settings = {s.name for s in session.exec(select(Setting).where(Setting.cluster_id == cluster.id))}
    added_settings = 0
    for s in settings:
        name = str(s["name"]).strip()
        if name not in have_settings:
            session.add(
                Setting(
                    cluster_id=cluster.id,
                    name=name,
                    urn=s.get("urn"),
                    trust=s.get("trust"),
                    mainstream=s.get("mainstream", True),
                    received_hncg=s.get("received_hncg", False),
                )
            )
            have_settings.add(name)
            added_settings += 1
    have_days = {m.day for m in session.exec(select(Meeting).where(Meeting.cluster_id == cluster.id))}
    added_meetings = 0
    for m in meetings:
        day = date.fromisoformat(m["day"])
        if day in have_days:
            continue
        session.add(
            Meeting(
                cluster_id=cluster.id,
                title=m.get("title", ""),
                day=day,
                start=time.fromisoformat(m.get("start", "09:30")),
                end=time.fromisoformat(m.get("end", "13:00")),
                deadline=default_deadline(day, cluster.deadline_days),
            )
        )
        have_days.add(day)
        added_meetings += 1
    session.flush()
    audit.record(
        session,
        now,
        actor,
        "seed",
        f"cluster:{cluster.name}",
        settings_added=added_settings,
        meetings_added=added_meetings,
    )
    terms_added = load_shipped(session, now, actor)
    return cluster, SeedResult(cluster.name, added_settings, added_meetings, terms_added)


def seed_file(engine: Engine, path: Path, now: datetime, actor: str = "cli") -> SeedResult:
    """Add the file's cluster, settings and meetings where missing, in one transaction.

    A file's "people" are not read here: ``usecases.clusters.load_file`` loads them with the rest.
    """
    data = read(path)
    with transaction(engine) as session:
        return seed_into(session, data, now, actor)[1]

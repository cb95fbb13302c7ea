"""The facts kept about each setting that the Capital Fund's eligibility rests on, and who may change them.

A setting is ``mainstream`` (special schools and pupil referral units are not) and may have
``received_hncg``: already had High Needs Capital Grant funding, Enhanced Resource Provision projects
included. The council sets both from the seed file, the command line (``clusterbot settings``: one setting
at a time, or a CSV file, all or nothing) or the cluster admin's ``settings`` card. Every change writes an
audit line naming the old and new values. The rule itself is :mod:`cluster.capital`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.capital import Application, SettingFacts, SettingRow, capital_eligibility
from cluster.commands.setting_facts import OUT_OF_DATE, SaveSettingFacts
from cluster.decisions import FUNDED
from cluster.errors import Refusal
from cluster.permissions import MANAGE_SETTINGS, Forbidden, authorize
from cluster.referrals import Kind, State
from cluster.text import clean_text
from store import audit
from store.db import transaction
from store.models import AgendaItem, CapitalApplication, Cluster, Decision, Referral, Setting
from store.repo import cluster_by_name, setting_by_name
from usecases.people import Actor
from usecases.roster import RosterError

COLUMNS = ("cluster", "setting", "mainstream", "received_hncg")
FACTS = ("mainstream", "received_hncg")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


class SettingsError(RosterError):
    """A settings file or edit that cannot be applied; ``problems`` lists each one ('line 4: ...')."""


def _row(setting: Setting, cluster: Cluster) -> SettingRow:
    return SettingRow(setting.id or 0, cluster.name, setting.name, setting.mainstream, setting.received_hncg)


def parse_yes_no(text: str) -> bool:
    """Read yes/no (also true/false, y/n, 1/0), case-insensitively; raise ValueError otherwise."""
    wanted = text.strip().lower()
    if wanted in YES:
        return True
    if wanted in NO:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def _apply(session: Session, setting: Setting, changes: Mapping[str, bool], now: datetime, actor: str) -> bool:
    """Change the setting's facts and audit the change; returns whether anything changed."""
    old = {name: bool(getattr(setting, name)) for name in FACTS}
    new = {**old, **{name: changes[name] for name in FACTS if name in changes}}
    if new == old:
        return False
    setting.mainstream, setting.received_hncg = new["mainstream"], new["received_hncg"]
    session.add(setting)
    audit.record(
        session,
        now,
        actor,
        "setting.capital_facts",
        f"setting:{setting.id}",
        setting=setting.name,
        old=old,
        new=new,
    )
    return True


# --- the Capital Fund check, used by referral intake -----------------------------------------------------


def capital_applications(session: Session, setting_id: int) -> list[Application]:
    """The setting's Capital Fund referrals, with whether each was funded or deferred."""
    referrals = session.exec(
        select(Referral).where(Referral.setting_id == setting_id, Referral.kind == Kind.CAPITAL.value)
    ).all()
    ids = [r.id for r in referrals if r.id is not None]
    # Approved by the Board (the Capital Fund's own decision), or, before the Board decided, by a meeting.
    funded = set(
        session.exec(
            select(Decision.referral_id).where(
                col(Decision.referral_id).in_(ids), col(Decision.outcome).in_([o.value for o in FUNDED])
            )
        ).all()
    ) | set(
        session.exec(
            select(CapitalApplication.referral_id).where(
                col(CapitalApplication.referral_id).in_(ids), col(CapitalApplication.board_approved).is_(True)
            )
        ).all()
    )
    deferred = set(
        session.exec(
            select(AgendaItem.referral_id).where(
                col(AgendaItem.referral_id).in_(ids),
                col(AgendaItem.deferred_from).is_not(None),
                col(AgendaItem.review_id).is_(None),
            )
        ).all()
    )
    return [
        Application(r.id or 0, r.reference, State(r.state), funded=r.id in funded, deferred=r.id in deferred)
        for r in referrals
    ]


def capital_refusal(session: Session, setting: Setting, applying: int | None = None) -> str | None:
    """Why this setting may not make (or submit) a Capital Fund application, or None when it may."""
    facts = SettingFacts(setting.name, setting.mainstream, setting.received_hncg)
    return capital_eligibility(facts, capital_applications(session, setting.id or 0), applying)


# --- the command line ------------------------------------------------------------------------------------


def _cluster(session: Session, name: str) -> Cluster:
    cluster = cluster_by_name(session, name)
    if cluster is None or cluster.id is None:
        raise Refusal(f"There is no cluster called '{name}'.")
    return cluster


def list_facts(engine: Engine, cluster_name: str) -> list[SettingRow]:
    """The cluster's settings and their Capital Fund facts, by name."""
    with transaction(engine) as session:
        cluster = _cluster(session, cluster_name)
        settings = session.exec(select(Setting).where(Setting.cluster_id == cluster.id).order_by(col(Setting.name)))
        return [_row(s, cluster) for s in settings]


def set_facts(
    engine: Engine,
    cluster_name: str,
    setting_name: str,
    now: datetime,
    *,
    mainstream: bool | None = None,
    received_hncg: bool | None = None,
    actor: str = "cli",
) -> SettingRow:
    """Set one setting's facts (None leaves a fact as it is)."""
    changes = {k: v for k, v in (("mainstream", mainstream), ("received_hncg", received_hncg)) if v is not None}
    with transaction(engine) as session:
        cluster = _cluster(session, cluster_name)
        setting = setting_by_name(session, cluster.id or 0, setting_name)
        if setting is None:
            raise Refusal(f"There is no setting called '{setting_name}' in the {cluster.name} cluster.")
        _apply(session, setting, changes, now, actor)
        return _row(setting, cluster)


def parse_csv(text: str) -> list[tuple[int, dict[str, str]]]:
    """Read the file's rows as (line number, values); raise SettingsError for a bad header."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("cluster", "setting") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        what = f"lacks {', '.join(missing)}" if missing else f"has unknown column(s) {', '.join(unknown)}"
        raise SettingsError([f"line 1: the header {what}; expected {','.join(COLUMNS)}"])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    for row in reader:
        if None in row:
            problems.append(f"line {reader.line_num}: more values than columns")
            continue
        values = {k.strip(): clean_text(v or "").strip() for k, v in row.items() if k is not None}
        rows.append((reader.line_num, values))
    if problems:
        raise SettingsError(problems)
    return rows


def import_csv(engine: Engine, path: Path, now: datetime, actor: str = "cli") -> int:
    """Set settings' facts from a CSV file; returns how many settings changed.

    Columns ``cluster,setting,mainstream,received_hncg``; a blank leaves that fact as it is. Every line is
    checked first: one bad line and nothing changes.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SettingsError([f"cannot read {path}: {exc.strerror}"]) from None
    rows = parse_csv(text)
    problems: list[str] = []
    with transaction(engine) as session:
        planned: list[tuple[Setting, dict[str, bool]]] = []
        seen: dict[int, int] = {}
        for line, values in rows:
            try:
                setting, changes = _planned(session, values)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                continue
            assert setting.id is not None
            if setting.id in seen:
                problems.append(f"line {line}: {setting.name} is already on line {seen[setting.id]}")
                continue
            seen[setting.id] = line
            planned.append((setting, changes))
        if problems:
            raise SettingsError(problems)
        changed = sum(_apply(session, setting, changes, now, actor) for setting, changes in planned)
        audit.record(session, now, actor, "settings.import", "settings", rows=len(rows), changed=changed)
        return changed


def _planned(session: Session, values: Mapping[str, str]) -> tuple[Setting, dict[str, bool]]:
    cluster = cluster_by_name(session, values.get("cluster", "")) if values.get("cluster") else None
    if cluster is None or cluster.id is None:
        raise ValueError(f"unknown cluster {values.get('cluster', '')!r}")
    setting = setting_by_name(session, cluster.id, values.get("setting", "")) if values.get("setting") else None
    if setting is None:
        raise ValueError(f"no setting {values.get('setting', '')!r} in the {cluster.name} cluster")
    changes: dict[str, bool] = {}
    for name in FACTS:
        if values.get(name):
            try:
                changes[name] = parse_yes_no(values[name])
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    return setting, changes


# --- the cluster admin's settings card -------------------------------------------------------------------


def _admin_cluster(session: Session, actor: Actor) -> Cluster:
    """The cluster the actor administers (their first, as the meetings card chooses)."""
    admins = MANAGE_SETTINGS.roles or frozenset()
    names = sorted({g.cluster for g in actor.grants if g.role in admins and g.cluster})
    cluster = cluster_by_name(session, names[0]) if names else None
    if cluster is None:
        raise Forbidden(MANAGE_SETTINGS.refusal)
    return cluster


def admin_settings(engine: Engine, actor: Actor) -> tuple[str, list[SettingRow]]:
    """The admin's cluster and its settings' facts, for the card."""
    with transaction(engine) as session:
        cluster = _admin_cluster(session, actor)
        settings = session.exec(select(Setting).where(Setting.cluster_id == cluster.id).order_by(col(Setting.name)))
        return cluster.name, [_row(s, cluster) for s in settings]


def save_facts(engine: Engine, actor: Actor, command: SaveSettingFacts, now: datetime) -> list[str]:
    """Save the card's facts; returns the names of the settings that changed.

    Every setting the toggles name must be one of a cluster the actor administers: one that is not (another
    cluster's, or none at all) refuses the whole save and nothing changes.
    """
    changes = command.changes()
    with transaction(engine) as session:
        planned: list[tuple[Setting, Mapping[str, bool]]] = []
        for setting_id, facts in changes.items():
            setting = session.get(Setting, setting_id)
            if setting is None:
                raise Refusal(OUT_OF_DATE)
            authorize(actor.grants, MANAGE_SETTINGS, setting.cluster_id)
            planned.append((setting, facts))
        return [setting.name for setting, facts in planned if _apply(session, setting, facts, now, actor.tag)]

"""Four clusters at once: Central (the shipped data) and three made-up ones, North, South and West
(``tests/data/clusters/*.json``), each with its own people, budget, channel, meetings and funded referral.

Built through the real cluster-file loading (``usecases.clusters.load_file``), roster and use cases, as the
people themselves would, so a test can check that nothing of one cluster reaches another's people. Every
cluster has the same cast: a SENCO (who refers), a second setting's SENCO (who votes), the first setting's
delegate, a chair, an admin, a team-around-the-cluster member and an observer; there is one council officer
for the city.

What differs per cluster is what tests tell apart: the budget, the amount funded, how it is paid and how
much of it has been paid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON
from cluster.commands.ledger import MarkPaid
from cluster.commands.meetings import CastVote, CloseVote, MoveMeeting, OpenItem, RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.roles import CITYWIDE_ROLES, Role, parse_role
from store.db import transaction
from store.models import AgendaItem, Cluster, ConversationRef, Decision, Instalment, Referral, Setting
from store.seed import CENTRAL
from tests.support.meeting_room import everyone_present
from tests.support.referral_flow import GOOD_DISCUSSION, GOOD_EHCP
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.budget import set_budget
from usecases.clusters import load_file
from usecases.ledger import mark_paid
from usecases.meeting_day.agenda import prepare_agenda, start_meeting
from usecases.meeting_day.decisions import record_decision
from usecases.meeting_day.votes import cast_vote, close_item, open_item
from usecases.meetings import move_meeting, set_voting_rules
from usecases.people import Actor, identify
from usecases.roster import Entry, import_entries

FILES = Path(__file__).parent.parent / "data" / "clusters"
NORTH, SOUTH, WEST = FILES / "north.json", FILES / "south.json", FILES / "west.json"
NAMES = ("Central", "North", "South", "West")
ROLE_KEYS = ("senco", "voter", "delegate", "chair", "admin", "team", "observer")
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/uk/"

# Central's cast (its file is the shipped one, which names no people).
CENTRAL_PEOPLE: list[dict[str, Any]] = [
    {"name": "Cara Etruscan", "email": "cara@etruscan.example", "role": "senco", "setting": "Etruscan Primary School"},
    {
        "name": "Colm Waterside",
        "email": "colm@waterside.example",
        "role": "senco",
        "setting": "Waterside Primary School",
    },
    {
        "name": "Cleo Delegate",
        "email": "cleo@etruscan.example",
        "role": "delegate",
        "setting": "Etruscan Primary School",
    },
    {"name": "Cyril Chair", "email": "cyril@abbey.example", "role": "chair"},
    {"name": "Carys Admin", "email": "carys@central.example", "role": "admin"},
    {"name": "Cato Team", "email": "cato@central.example", "role": "tac"},
    {"name": "Celia Observer", "email": "celia@health.example", "role": "observer"},
]
for _key, _entry in zip(ROLE_KEYS, CENTRAL_PEOPLE, strict=True):
    _entry["aad_object_id"] = f"aad-central-{_key}"
OFFICER = {"name": "Olive Officer", "email": "olive@council.example", "role": "officer", "aad_object_id": "aad-officer"}


@dataclass(frozen=True)
class Plan:
    """How a cluster's money differs from the others': budget parts (pence), the amount funded, how paid."""

    parts: tuple[int, int, int, int]  # baseline, growth uplift, specialist allocation, reserve
    amount: str  # the funded referral's amount, as typed on the form
    schedule: str  # "one_sum" or "termly"
    pay: int  # how many of its instalments the officer marks paid


PLANS = {
    "Central": Plan((250_000_00, 20_000_00, 30_000_00, 10_000_00), "4200.00", "termly", 1),
    "North": Plan((120_000_00, 0, 0, 5_000_00), "3150.00", "one_sum", 1),
    "South": Plan((90_000_00, 10_000_00, 0, 0), "6000.00", "termly", 0),
    "West": Plan((150_000_00, 0, 25_000_00, 15_000_00), "2400.00", "termly", 2),
}


@dataclass(frozen=True)
class Member:
    """Someone in the scene: their Teams id and name, and the one role they hold."""

    aad: str
    name: str
    email: str
    role: Role
    setting: str | None = None

    @property
    def who(self) -> tuple[str, str]:
        """(aad object id, name), as the activities in tests/support/activities.py take them."""
        return self.aad, self.name


@dataclass(frozen=True)
class ClusterScene:
    """One cluster of the four, with what its tests name."""

    name: str
    code: str
    cluster_id: int
    channel: str  # the linked channel's conversation id
    settings: tuple[str, ...]
    setting_ids: dict[str, int]
    people: dict[str, Member]  # by ROLE_KEYS: senco, voter, delegate, chair, admin, team, observer
    budget_total_pence: int
    reserve_pence: int
    meeting_id: int  # the meeting the funded referral was decided at (started)
    referral_id: int  # submitted, checked, decided and funded
    reference: str
    decision_id: int
    amount_pence: int
    paid_pence: int
    submitted_id: int  # submitted, waiting for the admin's check
    submitted_reference: str
    draft_id: int  # the SENCO's draft (no reference yet)

    @property
    def referring_setting(self) -> str:
        """The setting the SENCO (and delegate) refer for."""
        setting = self.people["senco"].setting
        assert setting is not None
        return setting

    @property
    def references(self) -> tuple[str, ...]:
        """Every referral reference this cluster has given out."""
        return self.reference, self.submitted_reference

    def __getitem__(self, key: str) -> Member:
        return self.people[key]


@dataclass(frozen=True)
class FourClusters:
    """The four clusters by name (Central, North, South, West) and the city's council officer."""

    clusters: dict[str, ClusterScene]
    officer: Member

    def __getitem__(self, name: str) -> ClusterScene:
        return self.clusters[name]

    def __iter__(self) -> Any:
        return iter(self.clusters.values())

    def others(self, name: str) -> list[ClusterScene]:
        """The three clusters that are not this one."""
        return [c for c in self.clusters.values() if c.name != name]


def _member(entry: dict[str, Any]) -> Member:
    return Member(
        entry["aad_object_id"], entry["name"], entry["email"], parse_role(entry["role"]), entry.get("setting")
    )


def _entries(cluster: str, people: list[dict[str, Any]]) -> list[Entry]:
    out = []
    for p in people:
        member = _member(p)
        where = None if member.role in CITYWIDE_ROLES else cluster
        out.append(Entry(member.name, member.email, member.aad, member.role, where, member.setting))
    return out


def _actor(engine: Engine, member: Member) -> Actor:
    with Session(engine) as session:
        return identify(session, member.aad, member.name)


def _link(engine: Engine, cluster_id: int, name: str, service_url: str, now: datetime) -> str:
    conversation_id = f"19:{name.lower()}@thread.tacv2"
    with transaction(engine) as session:
        session.add(
            ConversationRef(
                conversation_id=conversation_id,
                kind="channel",
                service_url=service_url,
                cluster_id=cluster_id,
                reference={"serviceUrl": service_url, "conversation": {"id": conversation_id}},
                updated_at=now,
            )
        )
    return conversation_id


def _submitted(engine: Engine, referrer: Actor, setting: int, details: dict[str, str], tag: str, now: datetime) -> int:
    started = uc.start(engine, referrer, StartReferral(setting_id=setting, kind="ehcp", once=tag), now)
    uc.save_details(engine, referrer, SaveDetails(referral_id=started.id, answers=details), now)
    submit_shown(engine, referrer, started.id, now)
    return started.id


def _build_cluster(
    engine: Engine, name: str, people: dict[str, Member], officer: Actor, service_url: str, now: datetime
) -> ClusterScene:
    plan = PLANS[name]
    set_voting_rules(engine, name, now, quorum=1, same_trust_recusal=None)
    set_budget(engine, "test", name, "2025/26", date(2025, 9, 1), date(2026, 8, 31), list(plan.parts), now)
    referrer, voter, chair, admin = (_actor(engine, people[k]) for k in ("senco", "voter", "chair", "admin"))
    setting = uc.picker(referrer)[0][0]
    with Session(engine) as session:
        cluster = session.exec(select(Cluster).where(Cluster.name == name)).one()
        assert cluster.id is not None
        cluster_id, code = cluster.id, cluster.code
    channel = _link(engine, cluster_id, name, service_url, now)
    tag = name[0].lower()

    draft = uc.start(engine, referrer, StartReferral(setting_id=setting, kind="discussion", once=f"{tag}-draft"), now)
    uc.save_details(engine, referrer, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), now)
    funded = _submitted(engine, referrer, setting, {**GOOD_EHCP, "amount": plan.amount}, f"{tag}-funded", now)
    checks.accept(engine, admin, OneReferral(referral_id=funded), now)
    waiting = _submitted(engine, referrer, setting, GOOD_EHCP, f"{tag}-waiting", now)

    with Session(engine) as session:
        row = session.get(Referral, funded)
        assert row is not None and row.meeting_id is not None and row.reference
        meeting, reference = row.meeting_id, row.reference
        waiting_row = session.get(Referral, waiting)
        assert waiting_row is not None and waiting_row.reference
        waiting_reference = waiting_row.reference
    # The scene holds the meeting now: the admin moves it to tomorrow and the chair starts it today, the day
    # before (a meeting is started only on its day or the day before), so what it owes is due now.
    moved = move_meeting(
        engine, admin, MoveMeeting(meeting_id=meeting, day=now.astimezone(LONDON).date() + timedelta(days=1)), now
    )
    assert moved.slot is not None  # a day that would not do raises InvalidInput
    prepare_agenda(engine, meeting, now)
    everyone_present(engine, meeting, now)
    start_meeting(engine, chair, StartMeeting(meeting_id=meeting), now)
    with Session(engine) as session:
        item = session.exec(select(AgendaItem.id).where(AgendaItem.referral_id == funded)).one()
        assert item is not None
    open_item(engine, chair, OpenItem(item_id=item), now)
    cast_vote(engine, voter, CastVote(item_id=item, choice="approve"), now)
    close_item(engine, chair, CloseVote(item_id=item), now)
    record_decision(engine, chair, RecordDecision(item_id=item, outcome="approved", schedule=plan.schedule), now)
    with Session(engine) as session:
        decision = session.exec(select(Decision).where(Decision.referral_id == funded)).one()
        instalments = session.exec(
            select(Instalment).where(Instalment.decision_id == decision.id).order_by(col(Instalment.due_on))
        ).all()
        to_pay = [(i.id or 0, i.amount_pence, i.due_on) for i in instalments[: plan.pay]]
        settings = session.exec(select(Setting).where(Setting.cluster_id == cluster_id).order_by(col(Setting.name)))
        setting_ids = {s.name: s.id or 0 for s in settings}
    assert len(to_pay) == plan.pay, f"{name}: fewer instalments than the plan pays"
    for number, (instalment, _, due_on) in enumerate(to_pay, 1):
        # Paid on its due day (after the meeting decided it), as the finance system would.
        paid_at = datetime.combine(due_on, time(10), tzinfo=LONDON)
        command = MarkPaid(instalment_id=instalment, paid_on=due_on, reference=f"PAY-{name.upper()}-{number}")
        paid = mark_paid(engine, officer, command, paid_at)  # a mistake would raise InvalidInput
        assert paid.notice, f"{name}: instalment {number} not marked paid"
    assert decision.id is not None and decision.amount_pence is not None
    return ClusterScene(
        name=name,
        code=code,
        cluster_id=cluster_id,
        channel=channel,
        settings=tuple(setting_ids),
        setting_ids=setting_ids,
        people=people,
        budget_total_pence=sum(plan.parts[:3]),
        reserve_pence=plan.parts[3],
        meeting_id=meeting,
        referral_id=funded,
        reference=reference,
        decision_id=decision.id,
        amount_pence=decision.amount_pence,
        paid_pence=sum(amount for _, amount, _ in to_pay),
        submitted_id=waiting,
        submitted_reference=waiting_reference,
        draft_id=draft.id,
    )


def people_of(path: Path) -> list[dict[str, Any]]:
    """The "people" list of a cluster file."""
    people: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get("people", [])
    return people


def four_clusters(engine: Engine, now: datetime, service_url: str = DEFAULT_SERVICE_URL) -> FourClusters:
    """Seed Central and the three made-up clusters, their people and the officer, and give each its budget,
    linked channel and a funded referral (paid in part, differently per cluster), a submitted one waiting to
    be checked, and a draft. ``service_url`` is where the channels' messages go (the fake connector's url)."""
    files = {"Central": CENTRAL, "North": NORTH, "South": SOUTH, "West": WEST}
    cast: dict[str, list[dict[str, Any]]] = {"Central": CENTRAL_PEOPLE}
    for name, path in files.items():
        load_file(engine, path, now, "test")  # the made-up files name their people
        if name != "Central":
            cast[name] = people_of(path)
    import_entries(engine, _entries("Central", [*CENTRAL_PEOPLE, OFFICER]), now, "test")
    officer = _member(OFFICER)
    officer_actor = _actor(engine, officer)
    clusters = {}
    for name in NAMES:
        people = {key: _member(p) for key, p in zip(ROLE_KEYS, cast[name], strict=True)}
        clusters[name] = _build_cluster(engine, name, people, officer_actor, service_url, now)
    return FourClusters(clusters, officer)

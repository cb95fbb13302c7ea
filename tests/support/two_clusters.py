"""Two clusters with their people and the rows cards name: Central, where the people hold their roles, and
North, whose rows a forged card names. Built with the use cases, as the people themselves would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.commands.capital import NamePanelMember
from cluster.commands.meetings import CastVote, CloseVote, OpenItem, RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral, SubmitReferral
from cluster.roles import CITYWIDE_ROLES, Role
from store.models import AgendaItem, Decision, Instalment, Meeting, QaAction, QaVisit, Referral, Review, Setting
from store.seed import CENTRAL, seed_file
from tests.support.meeting_room import everyone_present, on_its_day
from tests.support.referral_flow import GOOD_CAPITAL, GOOD_DISCUSSION, GOOD_EHCP
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.budget import set_budget
from usecases.capital import add_panel_member
from usecases.meeting_day.agenda import prepare_agenda, start_meeting
from usecases.meeting_day.decisions import record_decision
from usecases.meeting_day.votes import cast_vote, close_item, open_item
from usecases.meetings import set_voting_rules
from usecases.people import identify
from usecases.roster import Entry, import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
NORTH = {
    "cluster": {"name": "North", "code": "NOR", "deadline_days": 7},
    "settings": [{"name": "North Primary School"}, {"name": "North High School"}],
    "meetings": [
        {"title": "Autumn 2", "day": "2025-12-11", "start": "09:30", "end": "13:00"},
        {"title": "Spring 1", "day": "2026-02-05", "start": "09:30", "end": "13:00"},
    ],
}


@dataclass(frozen=True)
class Person:
    """Someone in the scene, with the one role they hold in Central (or citywide, or none)."""

    key: str
    role: Role | None
    setting: str | None = None

    @property
    def who(self) -> tuple[str, str]:
        return f"aad-{self.key}", self.key.replace("_", " ").title()


ETRUSCAN, WATERSIDE = "Etruscan Primary School", "Waterside Primary School"
PEOPLE = (
    Person("senco", Role.SENCO, ETRUSCAN),
    Person("other_senco", Role.SENCO, WATERSIDE),
    Person("delegate", Role.DELEGATE, ETRUSCAN),
    Person("chair", Role.CHAIR),
    Person("team", Role.TEAM_AROUND_CLUSTER),
    Person("admin", Role.ADMIN),
    Person("observer", Role.OBSERVER),
    Person("officer", Role.COUNCIL_OFFICER),
    Person("stranger", None),
)
NORTH_PEOPLE = (
    Person("north_senco", Role.SENCO, "North Primary School"),
    Person("north_other", Role.SENCO, "North High School"),
    Person("north_chair", Role.CHAIR),
    Person("north_admin", Role.ADMIN),
)


@dataclass(frozen=True)
class ClusterRows:
    """One cluster's rows that cards name."""

    cluster_id: int
    setting_id: int  # the referring setting (Etruscan, or North Primary)
    draft: int
    referral: int  # submitted, decided and funded
    reference: str
    meeting: int  # started, with an open item
    later_meeting: int
    item: int  # open for votes
    review: int
    decision: int  # the funded referral's decision (it has a letter)
    instalment: int  # its first instalment, due
    capital: int  # a Capital Fund application, accepted: with the panel once the window closes
    panel_person: int  # the other setting's SENCO, named to the cluster's panel
    qa_visit: int = 0  # a quality-assurance visit to the referring setting, its report recorded
    qa_action: int = 0  # that report's one open action


@dataclass(frozen=True)
class Scene:
    central: ClusterRows
    north: ClusterRows
    setting_of: dict[str, int]  # setting name -> id


def _entries() -> list[Entry]:
    out = []
    for person, cluster in [*((p, "Central") for p in PEOPLE), *((p, "North") for p in NORTH_PEOPLE)]:
        if person.role is None:
            continue
        aad, name = person.who
        where = None if person.role in CITYWIDE_ROLES else cluster
        out.append(Entry(name, None, aad, person.role, where, person.setting))
    return out


def _cluster_rows(engine: Engine, senco: str, other: str, chair: str, admin: str, tag: str) -> ClusterRows:
    def actor(key: str) -> Any:
        with Session(engine) as session:
            return identify(session, f"aad-{key}", key)

    referrer, second, chairing, admin_ = (actor(k) for k in (senco, other, chair, admin))
    setting = uc.picker(referrer)[0][0]
    draft = uc.start(engine, referrer, StartReferral(setting_id=setting, kind="discussion", once=f"{tag}-draft"), NOW)
    uc.save_details(engine, referrer, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)

    def submitted(key: str) -> int:
        started = uc.start(engine, referrer, StartReferral(setting_id=setting, kind="ehcp", once=f"{tag}-{key}"), NOW)
        uc.save_details(engine, referrer, SaveDetails(referral_id=started.id, answers=GOOD_EHCP), NOW)
        version = uc.open_for_edit(engine, referrer, OneReferral(referral_id=started.id), NOW).version
        uc.submit(engine, referrer, SubmitReferral(referral_id=started.id, version=version), NOW)
        checks.accept(engine, admin_, OneReferral(referral_id=started.id), NOW)
        return started.id

    funded, pending = submitted("funded"), submitted("pending")
    with Session(engine) as session:
        funded_row = session.get(Referral, funded)
        assert funded_row is not None and funded_row.meeting_id is not None
        meeting, reference = funded_row.meeting_id, funded_row.reference or ""
        cluster_id = funded_row.cluster_id
    prepare_agenda(engine, meeting, NOW)
    everyone_present(engine, meeting, on_its_day(engine, meeting))
    start_meeting(engine, chairing, StartMeeting(meeting_id=meeting), on_its_day(engine, meeting))
    with Session(engine) as session:
        items = {i.referral_id: i.id or 0 for i in session.exec(select(AgendaItem))}
        later = session.exec(select(Meeting).where(Meeting.cluster_id == cluster_id, Meeting.day > NOW.date())).all()
        later_meeting = sorted(later, key=lambda m: m.day)[1].id or 0
    open_item(engine, chairing, OpenItem(item_id=items[funded]), NOW)
    cast_vote(engine, second, CastVote(item_id=items[funded], choice="approve"), NOW)
    close_item(engine, chairing, CloseVote(item_id=items[funded]), NOW)
    record_decision(engine, chairing, RecordDecision(item_id=items[funded], outcome="approved"), NOW)
    open_item(engine, chairing, OpenItem(item_id=items[pending]), NOW)
    with Session(engine) as session:
        review = session.exec(select(Review).where(Review.referral_id == funded)).one().id or 0
        decision = session.exec(select(Decision).where(Decision.referral_id == funded)).one().id or 0
        instalment = session.exec(select(Instalment).where(Instalment.decision_id == decision)).first()
        assert instalment is not None and instalment.id is not None
    applied = uc.start(engine, referrer, StartReferral(setting_id=setting, kind="capital", once=f"{tag}-capital"), NOW)
    uc.save_details(engine, referrer, SaveDetails(referral_id=applied.id, answers=GOOD_CAPITAL), NOW)
    submit_shown(engine, referrer, applied.id, NOW)
    checks.accept(engine, admin_, OneReferral(referral_id=applied.id), NOW)
    assert second.person_id is not None and chairing.person_id is not None
    add_panel_member(engine, admin_, NamePanelMember(person_id=second.person_id), NOW)
    qa_visit, qa_action = _qa_visit(engine, cluster_id, setting, chairing.person_id)
    return ClusterRows(
        cluster_id,
        setting,
        draft.id,
        funded,
        reference,
        meeting,
        later_meeting,
        items[pending],
        review,
        decision,
        instalment.id,
        applied.id,
        second.person_id,
        qa_visit,
        qa_action,
    )


def _qa_visit(engine: Engine, cluster_id: int, setting_id: int, person_id: int) -> tuple[int, int]:
    """A recorded quality-assurance visit to the setting with one open action (rows, as the team's report leaves)."""
    with Session(engine) as session:
        visit = QaVisit(
            cluster_id=cluster_id,
            setting_id=setting_id,
            planned_on=NOW.date(),
            visitors="The team",
            planned_by=person_id,
            visited_on=NOW.date(),
            allocations="The language group",
            seen="Running as planned.",
            judgement="secure",
            recorded_by=person_id,
            recorded_at=NOW,
        )
        session.add(visit)
        session.flush()
        action = QaAction(visit_id=visit.id or 0, what="Share the timetable", owner="SENCO", due_on=date(2025, 12, 10))
        session.add(action)
        session.commit()
        return visit.id or 0, action.id or 0


def build_scene(engine: Engine, tmp_path: Path) -> Scene:
    seed_file(engine, CENTRAL, NOW)
    north = tmp_path / "north.json"
    north.write_text(json.dumps(NORTH))
    seed_file(engine, north, NOW)
    import_entries(engine, _entries(), NOW, "test")
    for cluster in ("Central", "North"):
        set_voting_rules(engine, cluster, NOW, quorum=1, same_trust_recusal=None)
        set_budget(engine, "test", cluster, "2025/26", date(2025, 9, 1), date(2026, 8, 31), [10**8, 0, 0, 0], NOW)
    central = _cluster_rows(engine, "senco", "other_senco", "chair", "admin", "c")
    north_rows = _cluster_rows(engine, "north_senco", "north_other", "north_chair", "north_admin", "n")
    with Session(engine) as session:
        setting_of = {s.name: s.id or 0 for s in session.exec(select(Setting))}
    return Scene(central, north_rows, setting_of)

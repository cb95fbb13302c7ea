"""The Playground demo can finish its own tour on any date: a meeting today that takes the tour's referral, a
quorum its demo voters reach, a budget, and a council officer; none of it reaches a real cluster's seed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.dev.playground import (
    DEMO_BUDGET_PENCE,
    DEMO_CLUSTER,
    DEMO_OFFICER,
    DEMO_PEOPLE,
    DEMO_QUORUM,
    DEMO_SENCO,
    prepare_demo,
)
from cluster.clock import LONDON, FixedClock
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral, SubmitReferral
from cluster.roles import Role
from store.db import make_engine, upgrade
from store.models import AuditEvent, Cluster
from store.seed import CENTRAL, seed_file
from tests.support.referral_flow import GOOD_DISCUSSION
from usecases import referrals as uc
from usecases.budget import budget_for
from usecases.demo import TODAY_TITLE
from usecases.meetings import list_meetings
from usecases.people import identify

DEMO_ACTIONS = ("meeting.add", "meeting.move", "cluster.voting_rules", "budget.set")
# In the shipped 2025/26 year, long after it, and late in the evening (the meeting still takes referrals).
DATES = [
    datetime(2025, 11, 20, 10, 0, tzinfo=LONDON),
    datetime(2031, 3, 15, 22, 30, tzinfo=LONDON),
]


@pytest.mark.parametrize("now", DATES, ids=lambda d: f"{d:%Y-%m-%d-%H%M}")
def test_a_referral_submitted_in_the_demo_goes_on_today_s_meeting(tmp_path: Path, now: datetime) -> None:
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    engine = make_engine(url)
    try:
        [today] = [m for m in list_meetings(engine, DEMO_CLUSTER) if m.day == now.date()]
        assert today.title == TODAY_TITLE and today.deadline > now and today.ends_at > now
        with Session(engine) as session:
            alex = identify(session, DEMO_SENCO.aad_object_id, DEMO_SENCO.name)
        draft = uc.start(
            engine, alex, StartReferral(setting_id=uc.picker(alex)[0][0], kind="discussion", once="k"), now
        )
        uc.save_details(engine, alex, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), now)
        version = uc.open_for_edit(engine, alex, OneReferral(referral_id=draft.id), now).version
        submitted = uc.submit(engine, alex, SubmitReferral(referral_id=draft.id, version=version), now).view
    finally:
        engine.dispose()
    assert submitted.meeting is not None and submitted.meeting.day == now.date()


@pytest.mark.parametrize("now", DATES, ids=lambda d: f"{d:%Y-%m-%d-%H%M}")
def test_the_demo_has_a_reachable_quorum_a_budget_and_a_council_officer(tmp_path: Path, now: datetime) -> None:
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            cluster = session.exec(select(Cluster).where(Cluster.name == DEMO_CLUSTER)).one()
            officer = identify(session, DEMO_OFFICER.aad_object_id, DEMO_OFFICER.name)
            voters = [identify(session, p.aad_object_id, p.name) for p in DEMO_PEOPLE if p.role is Role.SENCO]
        budget = budget_for(engine, DEMO_CLUSTER, now.date())
    finally:
        engine.dispose()
    # The referrer's own setting does not vote: the other demo SENCOs must be enough.
    assert cluster.quorum == DEMO_QUORUM and len(voters) - 1 >= DEMO_QUORUM
    assert all(v.person_id is not None for v in voters)
    assert [g.role for g in officer.grants] == [Role.COUNCIL_OFFICER]
    assert budget is not None and budget.rule.total_pence == DEMO_BUDGET_PENCE
    assert budget.starts <= now.date() <= budget.ends


def test_starting_the_demo_again_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    now = DATES[1]
    prepare_demo(url, FixedClock(now))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            before = len(session.exec(select(AuditEvent).where(AuditEvent.action.in_(DEMO_ACTIONS))).all())  # type: ignore[attr-defined]
        meetings = list_meetings(engine, DEMO_CLUSTER)
        prepare_demo(url, FixedClock(now.replace(hour=23)))
        with Session(engine) as session:
            after = session.exec(select(AuditEvent).where(AuditEvent.action.in_(DEMO_ACTIONS))).all()  # type: ignore[attr-defined]
        assert len(after) == before, "no meeting, quorum or budget changed again"
        assert list_meetings(engine, DEMO_CLUSTER) == meetings
    finally:
        engine.dispose()


def test_the_production_seed_gets_no_demo_quorum_budget_or_meeting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clusterbot.db'}"
    upgrade(url)
    engine = make_engine(url)
    now = DATES[0]
    try:
        seed_file(engine, CENTRAL, now)
        with Session(engine) as session:
            assert session.exec(select(Cluster).where(Cluster.name == DEMO_CLUSTER)).one().quorum is None
        assert budget_for(engine, DEMO_CLUSTER, now.date()) is None
        assert not [m for m in list_meetings(engine, DEMO_CLUSTER) if m.day == now.date()]
    finally:
        engine.dispose()

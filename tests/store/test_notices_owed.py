"""A notice is owed in the same transaction as the change it follows: committed with it, or not at all.

So a crash between the change and the notice cannot lose the notice (nor a crash before the commit leave
a notice of a change that never happened), and the key names the change, so repeating it owes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.commands.meetings import RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.referrals import ReferralView
from store.models import Decision, Outbox, Referral
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO
from tests.support.referral_flow import GOOD_DISCUSSION
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.meeting_day import decisions
from usecases.meeting_day.agenda import agenda, prepare_agenda, start_meeting
from usecases.meeting_day.decisions import Decided, record_decision
from usecases.people import Actor, identify
from usecases.referrals import access
from usecases.roster import import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
MEETING_DAY = datetime(2025, 12, 11, 10, 0, tzinfo=LONDON)


class PowerCut(Exception):
    """The process dies part-way through the use case."""


@pytest.fixture
def submitted(engine: Engine) -> tuple[Engine, int]:
    """A discussion submitted by Sam, waiting for the admin's check."""
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    sam = person(engine, SENCO)
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="discussion", once="k"), NOW)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)
    submit_shown(engine, sam, draft.id, NOW)
    return engine, draft.id


def person(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def owed(engine: Engine, prefix: str) -> dict[str, Outbox]:
    with Session(engine) as session:
        return {row.key: row for row in session.exec(select(Outbox)) if row.key.startswith(prefix)}


def accepted(referral_id: int) -> str:
    return f"notice:referral:{referral_id}:accepted:"


def test_the_acceptance_notice_is_owed_once_the_acceptance_commits(submitted: tuple[Engine, int]) -> None:
    engine, referral_id = submitted
    outcome = checks.accept(engine, person(engine, ADMIN), OneReferral(referral_id=referral_id), NOW)
    sam = person(engine, SENCO).person_id
    key = f"notice:referral:{referral_id}:accepted:v{outcome.view.version}:person:{sam}"
    rows = owed(engine, accepted(referral_id))
    assert list(rows) == [key]
    assert rows[key].state == "owed" and rows[key].person_id == sam
    assert outcome.view.reference is not None and outcome.view.reference in str(rows[key].card)

    again = checks.accept(engine, person(engine, ADMIN), OneReferral(referral_id=referral_id), NOW)
    assert again.notify == () and list(owed(engine, accepted(referral_id))) == [key], "accepting again owes no more"


def test_a_crash_before_the_acceptance_commits_leaves_neither_the_change_nor_its_notice(
    submitted: tuple[Engine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, referral_id = submitted

    def dies(view: ReferralView) -> dict[str, Any]:
        raise PowerCut

    with monkeypatch.context() as patched:
        patched.setitem(access.NOTICES, "accepted", dies)
        with pytest.raises(PowerCut):
            checks.accept(engine, person(engine, ADMIN), OneReferral(referral_id=referral_id), NOW)
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.state == "submitted"
    assert owed(engine, accepted(referral_id)) == {}

    checks.accept(engine, person(engine, ADMIN), OneReferral(referral_id=referral_id), NOW)
    assert len(owed(engine, accepted(referral_id))) == 1, "the click tried again is accepted and the referrer told"


def test_the_decision_notice_is_owed_with_the_decision_under_its_id(
    submitted: tuple[Engine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, referral_id = submitted
    checks.accept(engine, person(engine, ADMIN), OneReferral(referral_id=referral_id), NOW)
    chair = person(engine, CHAIR)
    prepare_agenda(engine, 2, NOW)
    start_meeting(engine, chair, StartMeeting(meeting_id=2), MEETING_DAY)
    item_id = agenda(engine, 2).entries[0].item_id

    def record() -> Decided:
        return record_decision(
            engine,
            chair,
            RecordDecision(item_id=item_id, outcome="advice", feedback="Try a visual timetable."),
            MEETING_DAY,
        )

    def dies(decided: Decided) -> dict[str, Any]:
        raise PowerCut

    with monkeypatch.context() as patched:
        patched.setattr(decisions, "outcome_notice", dies)
        with pytest.raises(PowerCut):
            record()
    with Session(engine) as session:
        assert session.exec(select(Decision)).all() == [], "no decision without its notice"
    assert owed(engine, "notice:decision:") == {}

    record()
    record()
    with Session(engine) as session:
        [decision] = session.exec(select(Decision)).all()
    sam = person(engine, SENCO).person_id
    rows = owed(engine, "notice:decision:")
    notice = f"notice:decision:{decision.id}:person:{sam}"
    letter = f"notice:decision:{decision.id}:letter:person:{sam}"
    assert sorted(rows) == sorted([notice, letter]), "the letter is offered beside the notice"
    assert "Try a visual timetable." in str(rows[notice].card)

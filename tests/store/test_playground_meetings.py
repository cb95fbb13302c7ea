"""The playground's demo cluster has a meeting taking referrals on any date, not only in the shipped school year."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.dev.playground import DEMO_CLUSTER, DEMO_SENCO, prepare_demo
from cluster.clock import LONDON, FixedClock
from cluster.commands.referrals import SaveDetails, StartReferral
from cluster.meetings import MeetingSlot
from cluster.terms import instalment_plan
from store.db import make_engine
from store.models import TermDate
from store.terms import SHIPPED_SOURCE, loaded_terms
from tests.support.referral_flow import GOOD_DISCUSSION
from tests.support.referral_steps import submit_shown
from usecases import referrals as uc
from usecases.demo import TODAY_TITLE
from usecases.meetings import list_meetings
from usecases.people import identify

LATER_DATES = [datetime(2026, 12, 1, 10, 0, tzinfo=LONDON), datetime(2031, 3, 15, 10, 0, tzinfo=LONDON)]


def open_meetings(url: str, now: datetime) -> list[MeetingSlot]:
    engine = make_engine(url)
    try:
        return [m for m in list_meetings(engine, DEMO_CLUSTER) if not m.cancelled and m.deadline > now]
    finally:
        engine.dispose()


@pytest.mark.parametrize("now", LATER_DATES, ids=lambda d: f"{d:%Y-%m-%d}")
def test_the_playground_takes_a_referral_long_after_the_shipped_meetings(tmp_path: Path, now: datetime) -> None:
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    upcoming = open_meetings(url, now)
    assert upcoming, "no meeting of the demo cluster takes referrals"
    # Today's demo meeting (the tour's) first, then the demo's meetings to come, on working days.
    assert upcoming[0].day == now.date() and upcoming[0].title == TODAY_TITLE
    assert upcoming[1].day > now.date() and upcoming[1].day.weekday() < 5

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            alex = identify(session, DEMO_SENCO.aad_object_id, DEMO_SENCO.name)
        draft = uc.start(
            engine, alex, StartReferral(setting_id=uc.picker(alex)[0][0], kind="discussion", once="k"), now
        )
        uc.save_details(engine, alex, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), now)
        submitted = submit_shown(engine, alex, draft.id, now).view
    finally:
        engine.dispose()
    assert submitted.reference and submitted.reference.startswith("CEN-")
    assert submitted.meeting is not None and submitted.meeting.day == upcoming[0].day


@pytest.mark.parametrize("now", LATER_DATES, ids=lambda d: f"{d:%Y-%m-%d}")
def test_starting_the_playground_again_adds_no_more_meetings(tmp_path: Path, now: datetime) -> None:
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    engine = make_engine(url)
    try:
        first = list_meetings(engine, DEMO_CLUSTER)
        prepare_demo(url, FixedClock(now))
        assert list_meetings(engine, DEMO_CLUSTER) == first
    finally:
        engine.dispose()


def test_within_the_shipped_school_year_the_playground_adds_no_meetings(tmp_path: Path) -> None:
    now = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    engine = make_engine(url)
    try:
        assert not [m for m in list_meetings(engine, DEMO_CLUSTER) if m.title.startswith("Demo meeting")]
    finally:
        engine.dispose()


@pytest.mark.parametrize("now", LATER_DATES, ids=lambda d: f"{d:%Y-%m-%d}")
def test_the_playground_can_pay_a_decision_made_on_any_date(tmp_path: Path, now: datetime) -> None:
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    prepare_demo(url, FixedClock(now))  # again: nothing more, nothing replaced
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            terms = loaded_terms(session)
            sources = {row.year: row.source for row in session.exec(select(TermDate))}
    finally:
        engine.dispose()
    today = now.date()
    plan = instalment_plan(terms, 1_200_00, True, today, today + timedelta(days=364))
    assert sum(amount for _, amount in plan) == 1_200_00 and plan[0][0] > today
    assert len(terms) == 3 * len(set(sources))  # whole school years, each term once
    assert sources.get(2025) in (None, SHIPPED_SOURCE)  # the shipped years are kept as shipped


def test_the_demo_never_replaces_term_dates_already_loaded(tmp_path: Path) -> None:
    now = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    prepare_demo(url, FixedClock(now))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            sources = {row.year: row.source for row in session.exec(select(TermDate))}
    finally:
        engine.dispose()
    assert sources[2026] == SHIPPED_SOURCE and sources[2027] == SHIPPED_SOURCE
    assert sources[2028] == "playground demo"

"""The agenda job, called directly with `now`: posts each agenda once, five working days before its meeting.

Runs on SQLite and PostgreSQL, through the outbox and the bot's real sender to the fake Teams connector.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.delivery.channel_cards import draw_channel_card
from bot.delivery.sender import Sender
from bot.teams.connector import Connector, NoToken
from cluster.clock import LONDON, FixedClock
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.meetings import agenda_due, working_days_before
from scheduler.jobs import post_due_agendas
from store.models import ChannelPost
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, ROSTER, SENCO
from tests.support.channels import CHANNEL, link_channel
from tests.support.fake_connector import FakeConnector
from tests.support.queries import count_queries
from tests.support.referral_flow import GOOD_DISCUSSION
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.meeting_day.agenda import owe_due_agendas
from usecases.meetings import add_meeting
from usecases.people import identify
from usecases.roster import import_entries

NOV_20 = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


def teams_sender(engine: Engine, now: datetime) -> Sender:
    """The bot's sender, drawing channel cards as the app does, at a fixed time."""
    return Sender(engine, Connector(NoToken()), clock=FixedClock(now), draw=partial(draw_channel_card, engine))


@pytest.fixture
def linked(engine: Engine, connector: FakeConnector) -> Engine:
    seed_file(engine, CENTRAL, NOV_20)
    import_entries(engine, ROSTER, NOV_20, "test")
    link_channel(engine, connector.url, NOV_20)
    with Session(engine) as session:
        sam, admin = identify(session, *SENCO), identify(session, *ADMIN)
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="discussion", once="k"), NOV_20)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOV_20)
    submit_shown(engine, sam, draft.id, NOV_20)
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), NOV_20)
    return engine


def test_five_working_days_before_a_thursday_is_the_thursday_before() -> None:
    assert working_days_before(date(2025, 12, 11), 5) == date(2025, 12, 4)
    assert working_days_before(date(2025, 12, 8), 1) == date(2025, 12, 5), "Monday's one working day back is Friday"


async def test_the_agenda_is_posted_once_from_five_working_days_before_the_meeting(
    linked: Engine, connector: FakeConnector
) -> None:
    early = datetime(2025, 12, 3, 18, 0, tzinfo=LONDON)
    assert await post_due_agendas(linked, teams_sender(linked, early), early) == []
    assert connector.calls == []
    due = datetime(2025, 12, 4, 7, 0, tzinfo=LONDON)
    assert await post_due_agendas(linked, teams_sender(linked, due), due) == [2]
    [call] = connector.calls
    assert call.method == "POST" and call.conversation_id == CHANNEL
    assert "CEN-2526-001" in call.all_json() and "ETR-" not in call.all_json()
    with Session(linked) as session:
        post = session.get(ChannelPost, "agenda:2")
        assert post is not None and post.activity_id, "the posted agenda is remembered, to update it later"
    later = datetime(2025, 12, 4, 7, 5, tzinfo=LONDON)
    assert await post_due_agendas(linked, teams_sender(linked, later), later) == [], "not twice"
    assert len(connector.calls) == 1


async def test_an_agenda_teams_refuses_for_now_stays_owed_and_is_posted_once_later(
    linked: Engine, connector: FakeConnector
) -> None:
    due = datetime(2025, 12, 4, 7, 0, tzinfo=LONDON)
    connector.refuse(CHANNEL, 503)
    assert await post_due_agendas(linked, teams_sender(linked, due), due) == [2]
    assert connector.calls == [] and connector.arrivals, "Teams was asked and said no"
    connector.accept(CHANNEL)
    later = datetime(2025, 12, 4, 8, 0, tzinfo=LONDON)
    assert await post_due_agendas(linked, teams_sender(linked, later), later) == [], "owed already, not again"
    await teams_sender(linked, later).deliver_due()
    [call] = connector.calls
    assert call.method == "POST" and "CEN-2526-001" in call.all_json()


async def test_a_run_missed_while_the_bot_was_down_still_posts_the_agenda(
    linked: Engine, connector: FakeConnector
) -> None:
    late = datetime(2025, 12, 10, 9, 0, tzinfo=LONDON)
    assert await post_due_agendas(linked, teams_sender(linked, late), late) == [2]
    assert [c.method for c in connector.calls] == ["POST"]


async def test_no_agenda_is_posted_for_a_cluster_without_a_linked_channel(
    engine: Engine, connector: FakeConnector
) -> None:
    seed_file(engine, CENTRAL, NOV_20)
    due = datetime(2025, 12, 5, 9, 0, tzinfo=LONDON)
    assert await post_due_agendas(engine, teams_sender(engine, due), due) == []
    assert connector.calls == []


def test_an_agenda_is_not_due_once_its_meeting_is_over() -> None:
    from tests.unit.test_rules import slot

    meeting = slot(date(2025, 12, 11))
    assert agenda_due(meeting, datetime(2025, 12, 11, 12, 0, tzinfo=LONDON))
    assert not agenda_due(meeting, datetime(2025, 12, 11, 13, 0, tzinfo=LONDON))


async def test_an_agenda_after_easter_is_posted_five_working_days_before_counting_out_the_bank_holidays(
    engine: Engine, connector: FakeConnector
) -> None:
    seed_file(engine, CENTRAL, NOV_20)
    link_channel(engine, connector.url, NOV_20)
    after_easter = add_meeting(engine, "Central", date(2026, 4, 7), NOV_20)
    # Five weekdays before Tuesday 7 April is 31 March; Good Friday and Easter Monday are not working days,
    # so the papers go out on Friday 27 March.
    thursday = datetime(2026, 3, 26, 9, 0, tzinfo=LONDON)
    friday = datetime(2026, 3, 27, 9, 0, tzinfo=LONDON)
    assert await post_due_agendas(engine, teams_sender(engine, thursday), thursday) == []
    assert await post_due_agendas(engine, teams_sender(engine, friday), friday) == [after_easter.id]


def test_looking_for_due_agendas_costs_the_same_however_many_meetings_are_to_come(linked: Engine) -> None:
    quiet = datetime(2025, 11, 24, 7, 0, tzinfo=LONDON)  # nothing due: Autumn 2 is more than a week away
    with count_queries(linked) as six_meetings:
        assert owe_due_agendas(linked, quiet) == []
    for week in range(30):
        add_meeting(linked, "Central", date(2026, 9, 3) + timedelta(weeks=week), NOV_20)
    with count_queries(linked) as thirty_six_meetings:
        assert owe_due_agendas(linked, quiet) == []
    assert thirty_six_meetings.count == six_meetings.count
    due = datetime(2025, 12, 4, 7, 0, tzinfo=LONDON)
    with count_queries(linked) as one_due:
        assert owe_due_agendas(linked, due) == [2]
    with count_queries(linked) as owed_already:
        assert owe_due_agendas(linked, due) == []
    assert owed_already.count == six_meetings.count, "an agenda owed before is not looked at again"
    assert one_due.count > owed_already.count

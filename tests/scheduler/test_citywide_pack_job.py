"""The Citywide Meeting's pack job, called directly with `now`: the pack goes to the citywide channel once.

Runs on SQLite and PostgreSQL, through the outbox and the bot's real sender to the fake Teams connector.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.delivery.sender import Sender
from bot.teams.connector import Connector, NoToken
from cards.citywide import SECTIONS
from cards.citywide_pack import citywide_pack_card
from cluster.clock import LONDON, FixedClock
from scheduler.jobs import citywide_packs_and_deliver, owe_citywide_packs
from store.models import AuditEvent, Outbox, Person
from tests.support.citywide_scene import (
    CITYWIDE_CHANNEL,
    NOW,
    OFFICER,
    OFFICER_2,
    PUPIL_DETAILS,
    build_city,
    decide,
    link_citywide_channel,
    review_due,
    visited,
)
from tests.support.fake_connector import FakeConnector
from tests.support.queries import count_queries
from usecases.citywide_meetings import add_citywide_meeting, cancel_citywide_meeting
from usecases.citywide_pack import build_pack, pack_of

FEB_12 = date(2026, 2, 12)  # a Thursday: its pack is due on Thursday 5 February
EVE = datetime(2026, 2, 4, 18, 0, tzinfo=LONDON)
PACK_DAY = datetime(2026, 2, 5, 7, 0, tzinfo=LONDON)
PARTS = 1 + len(SECTIONS)  # the pack card, then a card for each section of the city's figures


def teams_sender(engine: Engine, now: datetime) -> Sender:
    """The bot's sender at a fixed time."""
    return Sender(engine, Connector(NoToken()), clock=FixedClock(now))


@pytest.fixture
def city(engine: Engine, tmp_path: Path) -> Engine:
    build_city(engine, tmp_path)
    return engine


@pytest.fixture
def linked(city: Engine, connector: FakeConnector) -> Engine:
    link_citywide_channel(city, connector.url)
    return city


def _pack_rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as session:
        return list(session.exec(select(Outbox).where(col(Outbox.key).startswith("citywide-pack:"))))


async def test_the_pack_is_posted_once_in_the_citywide_channel_five_working_days_before(
    linked: Engine, connector: FakeConnector
) -> None:
    meeting = add_citywide_meeting(linked, FEB_12, NOW, title="Spring")
    assert (await citywide_packs_and_deliver(linked, teams_sender(linked, EVE), EVE)).packs == ()
    assert connector.calls == [], "not the evening before its pack day"
    owed = await citywide_packs_and_deliver(linked, teams_sender(linked, PACK_DAY), PACK_DAY)
    assert owed.packs == (meeting.id,)
    assert [(c.method, c.conversation_id) for c in connector.calls] == [("POST", CITYWIDE_CHANNEL)] * PARTS
    [call] = [c for c in connector.calls if "Citywide Meeting pack: Thursday 12 February 2026" in c.all_json()]
    assert "Allocated" in call.all_json(), "the pack opens with the city's totals"
    sections = [c.all_json() for c in connector.calls if c is not call]
    for title in SECTIONS.values():
        assert sum(f"Citywide Meeting pack Thursday 12 February 2026: {title}" in j for j in sections) == 1
    for later in (PACK_DAY + timedelta(minutes=5), PACK_DAY + timedelta(days=3)):
        again = await citywide_packs_and_deliver(linked, teams_sender(linked, later), later)
        assert again.packs == (), "not twice"
    assert len(connector.calls) == PARTS
    with Session(linked) as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "citywide.pack")).all()
    assert [a.subject for a in audited] == [f"citywide_meeting:{meeting.id}"]


async def test_a_run_missed_while_the_bot_was_down_still_posts_the_pack_before_the_meeting(
    linked: Engine, connector: FakeConnector
) -> None:
    add_citywide_meeting(linked, FEB_12, NOW)
    morning = datetime(2026, 2, 12, 8, 0, tzinfo=LONDON)
    assert len((await citywide_packs_and_deliver(linked, teams_sender(linked, morning), morning)).packs) == 1
    over = datetime(2026, 2, 13, 8, 0, tzinfo=LONDON)
    add_citywide_meeting(linked, date(2026, 2, 16), NOW)  # a Monday: due from Monday 9 February
    late_pack = await citywide_packs_and_deliver(linked, teams_sender(linked, over), over)
    assert len(late_pack.packs) == 1 and len(connector.calls) == 2 * PARTS


async def test_two_runs_at_once_owe_the_pack_once(linked: Engine) -> None:
    add_citywide_meeting(linked, FEB_12, NOW)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: owe_citywide_packs(linked, PACK_DAY), range(2)))
    assert sorted(len(r.packs) for r in runs) == [0, 1]
    assert len(_pack_rows(linked)) == PARTS


async def test_a_pack_owed_before_a_crash_is_posted_once_after_it(linked: Engine, connector: FakeConnector) -> None:
    add_citywide_meeting(linked, FEB_12, NOW)
    # The run owes the pack and the process dies before the sender sends it.
    assert len(owe_citywide_packs(linked, PACK_DAY).packs) == 1
    assert connector.calls == []
    restarted = PACK_DAY + timedelta(minutes=1)
    assert (await citywide_packs_and_deliver(linked, teams_sender(linked, restarted), restarted)).packs == ()
    await teams_sender(linked, restarted).deliver_due()
    assert [c.conversation_id for c in connector.calls] == [CITYWIDE_CHANNEL] * PARTS


async def test_a_pack_teams_refuses_for_now_stays_owed_and_is_posted_once_later(
    linked: Engine, connector: FakeConnector
) -> None:
    add_citywide_meeting(linked, FEB_12, NOW)
    connector.refuse(CITYWIDE_CHANNEL, 503)
    assert len((await citywide_packs_and_deliver(linked, teams_sender(linked, PACK_DAY), PACK_DAY)).packs) == 1
    assert connector.calls == [] and connector.arrivals, "Teams was asked and said no"
    connector.accept(CITYWIDE_CHANNEL)
    later = PACK_DAY + timedelta(hours=1)
    assert (await citywide_packs_and_deliver(linked, teams_sender(linked, later), later)).packs == ()
    await teams_sender(linked, later).deliver_due()
    assert [c.method for c in connector.calls] == ["POST"] * PARTS


async def test_a_cancelled_meeting_gets_no_pack(linked: Engine, connector: FakeConnector) -> None:
    add_citywide_meeting(linked, FEB_12, NOW)
    cancel_citywide_meeting(linked, FEB_12, NOW)
    assert (await citywide_packs_and_deliver(linked, teams_sender(linked, PACK_DAY), PACK_DAY)).packs == ()
    assert connector.calls == [] and _pack_rows(linked) == []


async def test_the_pack_day_skips_bank_holidays(linked: Engine) -> None:
    after_easter = add_citywide_meeting(linked, date(2026, 4, 7), NOW)
    # Five weekdays before Tuesday 7 April is 31 March; Good Friday and Easter Monday are not working days,
    # so the pack goes out on Friday 27 March.
    thursday = datetime(2026, 3, 26, 9, 0, tzinfo=LONDON)
    friday = datetime(2026, 3, 27, 9, 0, tzinfo=LONDON)
    assert owe_citywide_packs(linked, thursday).packs == ()
    assert owe_citywide_packs(linked, friday).packs == (after_easter.id,)


async def test_without_a_citywide_channel_each_officer_is_told_once_and_the_pack_follows_the_link(
    city: Engine, connector: FakeConnector
) -> None:
    meeting = add_citywide_meeting(city, FEB_12, NOW)
    with Session(city) as session:
        officers = {
            p.id for p in session.exec(select(Person).where(col(Person.aad_object_id).in_([OFFICER[0], OFFICER_2[0]])))
        }
    first = owe_citywide_packs(city, PACK_DAY)
    assert first.packs == ()
    assert sorted(first.officer_notes) == sorted(f"citywide-pack:{meeting.id}:no-channel:person:{p}" for p in officers)
    with Session(city) as session:
        [note] = {str(r.card) for r in session.exec(select(Outbox).where(col(Outbox.key).contains("no-channel")))}
    assert "link citywide" in note and "Thursday 12 February 2026" in note
    with count_queries(city) as again:
        assert owe_citywide_packs(city, PACK_DAY + timedelta(hours=1)).officer_notes == ()
    assert not again.writes, "told once: a later run writes nothing"
    link_citywide_channel(city, connector.url)
    assert owe_citywide_packs(city, PACK_DAY + timedelta(hours=3)).packs == (meeting.id,)
    assert len(_pack_rows(city)) == PARTS + len(officers), "the pack, and one note per officer"


async def test_looking_for_due_packs_costs_the_same_however_many_meetings_are_to_come(linked: Engine) -> None:
    add_citywide_meeting(linked, FEB_12, NOW)
    quiet = datetime(2026, 1, 5, 7, 0, tzinfo=LONDON)
    with count_queries(linked) as few:
        assert owe_citywide_packs(linked, quiet).packs == ()
    for week in range(40):
        add_citywide_meeting(linked, date(2026, 9, 3) + timedelta(weeks=week), NOW)
    with count_queries(linked) as many:
        assert owe_citywide_packs(linked, quiet).packs == ()
    assert many.count == few.count


# --- what the pack holds -------------------------------------------------------------------------------


def test_the_pack_holds_each_clusters_decisions_since_the_last_pack_and_none_before(linked: Engine) -> None:
    earlier = datetime(2025, 10, 1, 9, 0, tzinfo=LONDON)
    add_citywide_meeting(linked, date(2025, 11, 13), earlier)  # its pack was drawn on Thursday 6 November
    cancelled = add_citywide_meeting(linked, date(2026, 1, 8), NOW)
    cancel_citywide_meeting(linked, cancelled.day, NOW)
    meeting = add_citywide_meeting(linked, FEB_12, NOW)
    before = decide(linked, "Central", date(2025, 11, 5))  # in the last pack
    # Decided after the last pack was drawn, even before its meeting: in this pack, so in one of the two.
    central = [decide(linked, "Central", date(2025, 11, 10)), decide(linked, "Central", date(2026, 1, 15))]
    north = decide(linked, "North", date(2026, 1, 20), outcome="declined", amount_pence=0)
    pack = pack_of(linked, meeting.id, PACK_DAY)
    assert pack.since == date(2025, 11, 6), "since the last held meeting's pack (the cancelled one has none)"
    by_cluster = {c.cluster: c for c in pack.clusters}
    assert [d.reference for d in by_cluster["Central"].decisions.rows] == central
    assert [(d.reference, d.outcome) for d in by_cluster["North"].decisions.rows] == [(north, "declined")]
    drawn = str(citywide_pack_card(pack))
    assert before not in drawn and all(ref in drawn for ref in (*central, north))


def test_the_pack_lists_overdue_reviews_and_visits_in_the_period_and_no_pupil_details(linked: Engine) -> None:
    meeting = add_citywide_meeting(linked, FEB_12, NOW)
    overdue = decide(linked, "Central", date(2025, 12, 11), setting="Etruscan Primary School")
    review_due(linked, overdue, date(2026, 1, 5))
    submitted = decide(linked, "Central", date(2025, 12, 11))
    review_due(linked, submitted, date(2026, 1, 5), state="submitted")
    not_yet = decide(linked, "North", date(2025, 12, 11))
    review_due(linked, not_yet, date(2026, 3, 1))
    old_visit = visited(linked, "North", date(2025, 8, 20))
    visit = visited(linked, "North", date(2026, 1, 21), passed=False)
    pack = pack_of(linked, meeting.id, PACK_DAY)
    assert pack.since == date(2025, 9, 1), "no citywide meeting before: since the school year's start"
    by_cluster = {c.cluster: c for c in pack.clusters}
    [review] = by_cluster["Central"].overdue.rows
    assert (review.reference, review.due, review.days_overdue) == (overdue, date(2026, 1, 5), 31)
    assert by_cluster["North"].overdue.total == 0
    assert [(v.reference, v.passed) for v in by_cluster["North"].visits.rows] == [(visit, False)]
    drawn = str(citywide_pack_card(pack))
    assert "31 days overdue" in drawn and "not passed" in drawn and old_visit not in drawn
    leaked = [detail for detail in PUPIL_DETAILS if detail in drawn]
    assert not leaked, f"pupil details in the pack: {leaked}"


def test_reading_the_pack_costs_the_same_number_of_queries_however_big_the_city(linked: Engine) -> None:
    meeting = add_citywide_meeting(linked, FEB_12, NOW)
    decide(linked, "Central", date(2026, 1, 15))

    def counted() -> int:
        with count_queries(linked) as queries, Session(linked) as session:
            build_pack(session, meeting, PACK_DAY)
        return queries.count

    small = counted()
    for n in range(40):
        reference = decide(linked, "North" if n % 2 else "Central", date(2026, 1, 2) + timedelta(days=n % 30))
        review_due(linked, reference, date(2026, 1, 10))
        visited(linked, "Central", date(2026, 1, 3))
    assert counted() == small
    pack = pack_of(linked, meeting.id, PACK_DAY)
    central = next(c for c in pack.clusters if c.cluster == "Central")
    assert len(central.decisions.rows) == 15 and central.decisions.total == 21 and central.decisions.more == 6

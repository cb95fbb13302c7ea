"""The benchmark's city builder (bench/city.py) makes a consistent city: what its plan says, where the bot
looks for it, and with the database's own id sequences left able to go on."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select
from sqlmodel import SQLModel

from bench import city
from cluster.clock import LONDON
from cluster.meetings import MeetingSlot, next_meeting
from store.seed import CENTRAL, seed_file

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
TABLES = SQLModel.metadata.tables


def count(engine: Engine, table: str, *where: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(TABLES[table]).where(*where)).scalar_one())


def test_a_small_city_holds_what_its_plan_says(engine: Engine) -> None:
    seed_file(engine, CENTRAL, NOW)
    plan = city.plan_for(0.01, agenda_items=4, minutes_items=8)
    built = city.build_city(engine, plan, "http://connector.example", NOW)
    mix = dict(plan.mix)

    referral, review, item = TABLES["referral"], TABLES["review"], TABLES["agenda_item"]
    # Central alone at this scale; its background referrals, less the accepted ones (its next meeting has its
    # own agenda), plus that agenda and the held meeting's minutes.
    assert count(engine, "cluster") == 1
    assert count(engine, "referral") == sum(mix.values()) - mix["accepted"] + 4 + 8
    assert count(engine, "referral", referral.c.state == "submitted") == mix["submitted"]
    # A review for every funded decision: the background's and the minutes' approvals (5 of the 8 items).
    assert count(engine, "review", review.c.state == "open") == mix["funded"] + 5
    assert count(engine, "agenda_item", item.c.meeting_id == built.agenda_meeting_id, item.c.state == "pending") == 4
    assert count(engine, "agenda_item", item.c.meeting_id == built.held_meeting_id) == 8
    # Everyone can be written to: a personal chat per person, and Central's channel linked.
    assert count(engine, "conversation_ref", TABLES["conversation_ref"].c.kind == "personal") == count(engine, "person")
    assert count(engine, "conversation_ref", TABLES["conversation_ref"].c.cluster_id == built.central_id) == 1

    with engine.connect() as connection:
        meeting = TABLES["meeting"]
        rows = connection.execute(select(meeting).where(meeting.c.cluster_id == built.central_id)).all()
        dues = list(connection.execute(select(review.c.due)).scalars())
    slots = [MeetingSlot(r.id, r.day, r.start, r.end, r.deadline, r.cancelled) for r in rows]
    upcoming = next_meeting(slots, NOW)
    assert upcoming is not None and upcoming.id == built.agenda_meeting_id, "the agenda is on the next meeting"
    held = max((r for r in rows if r.started_at is not None), key=lambda r: r.day)
    assert held.id == built.held_meeting_id, "the minutes are the latest held meeting's"
    today = NOW.date()
    assert all(today - timedelta(days=21) <= due <= today + timedelta(days=1095) for due in dues)
    assert any(due <= today + timedelta(days=30) for due in dues), "a few reviews are in the nudge window"


def test_the_database_goes_on_numbering_after_the_city(engine: Engine) -> None:
    seed_file(engine, CENTRAL, NOW)
    city.build_city(engine, city.plan_for(0.01, agenda_items=1, minutes_items=1), "http://connector.example", NOW)
    before = count(engine, "person")
    with engine.begin() as connection:  # an insert as the bot makes one: the id from the database
        connection.execute(insert(TABLES["person"]).values(name="New Person", aad_object_id="aad-new"))
        connection.execute(
            insert(TABLES["meeting"]).values(
                cluster_id=1,
                title="",
                day=date(2030, 1, 10),
                start=city.MEETING_START,
                end=city.MEETING_END,
                deadline=city.deadline_of(date(2030, 1, 10)),
                cancelled=False,
            )
        )
    assert count(engine, "person") == before + 1

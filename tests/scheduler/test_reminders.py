"""Deadline reminders and the meeting-day post, owed once each (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from store.models import Cluster, ConversationRef, Outbox
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER
from usecases.reminders import owe_deadline_reminders, owe_meeting_morning_posts
from usecases.roster import import_entries

NOV_20 = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOV_20)
    import_entries(engine, ROSTER, NOV_20, "test")
    return engine


def test_every_senco_is_reminded_seven_and_two_days_before_the_referral_deadline(seeded: Engine) -> None:
    # Autumn 2's referral deadline is Thursday 4 December 2025, 23:59.
    assert owe_deadline_reminders(seeded, datetime(2025, 11, 26, 9, tzinfo=LONDON)) == []
    week = owe_deadline_reminders(seeded, datetime(2025, 11, 27, 9, tzinfo=LONDON))
    assert sorted(week) == ["deadline:2:7:person:1", "deadline:2:7:person:2"], "the two SENCOs of the test roster"
    assert owe_deadline_reminders(seeded, datetime(2025, 11, 28, 9, tzinfo=LONDON)) == []
    two = owe_deadline_reminders(seeded, datetime(2025, 12, 2, 9, tzinfo=LONDON))
    assert sorted(two) == ["deadline:2:2:person:1", "deadline:2:2:person:2"]
    assert owe_deadline_reminders(seeded, datetime(2025, 12, 5, 9, tzinfo=LONDON)) == []
    with Session(seeded) as session:
        row = session.exec(select(Outbox).where(Outbox.key == "deadline:2:2:person:1")).one()
    assert "Thursday 4 December 2025, 23:59" in str(row.card)


def test_the_channel_gets_one_post_on_the_morning_of_the_meeting(seeded: Engine) -> None:
    with Session(seeded) as session:
        cluster = session.exec(select(Cluster)).one()
        session.add(
            ConversationRef(
                conversation_id="19:central",
                kind="channel",
                service_url="https://x/",
                cluster_id=cluster.id,
                reference={},
                updated_at=NOV_20,
            )
        )
        session.commit()
    assert owe_meeting_morning_posts(seeded, datetime(2025, 12, 11, 6, 30, tzinfo=LONDON)) == []
    assert owe_meeting_morning_posts(seeded, datetime(2025, 12, 11, 7, 5, tzinfo=LONDON)) == ["morning:2"]
    assert owe_meeting_morning_posts(seeded, datetime(2025, 12, 11, 8, 0, tzinfo=LONDON)) == []


def test_a_late_deadline_reminder_says_how_long_is_really_left(seeded: Engine) -> None:
    # The bot was down on the 7-day point: on Monday 1 December three days are left, not seven.
    [key, _] = sorted(owe_deadline_reminders(seeded, datetime(2025, 12, 1, 9, tzinfo=LONDON)))
    with Session(seeded) as session:
        row = session.exec(select(Outbox).where(Outbox.key == key)).one()
    assert "close in 3 days" in str(row.card)

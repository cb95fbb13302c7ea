"""Issue 10: the reminders job finds what is newly owed by its due date and writes it in short batches.

Its cost is counted, never timed: the statements it sends do not grow with open reviews that owe nothing, a
run with nothing new writes nothing, and a run owing more than a batch commits batch by batch, each message
owed once, also when it stops between two batches. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards.reviews import review_nudge_card
from cluster.clock import LONDON
from cluster.roles import Role
from scheduler.jobs import owe_reminders
from store import outbox
from store.db import transaction
from store.models import AgendaItem, Decision, Outbox, Person, Referral, Review, Setting
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER, SENCO
from tests.support.queries import count_queries
from usecases import nudges
from usecases.meetings import set_nudge_plan
from usecases.nudges import owe_review_nudges
from usecases.reminders import owe_deadline_reminders
from usecases.roster import Entry, import_entries

# A Monday in term, with no referral deadline within a week (Spring 1's closed on 29 January).
NOW = datetime(2026, 2, 9, 9, 0, tzinfo=LONDON)
TODAY = NOW.date()
ETRUSCAN = "Etruscan Primary School"


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    return engine


def add_reviews(engine: Engine, dues: list[date], setting: str = ETRUSCAN) -> list[int]:
    """Open reviews of funded referrals from ``setting``, one per due date, as the Autumn 2 meeting decided."""
    with transaction(engine) as session:
        found = session.exec(select(Setting).where(Setting.name == setting)).one()
        sam = session.exec(select(Person).where(Person.aad_object_id == SENCO[0])).one()
        assert found.id is not None and sam.id is not None
        count = len(session.exec(select(Referral.id)).all())
        ids = []
        for n, due in enumerate(dues, count + 1):
            referral = Referral(
                cluster_id=found.cluster_id,
                setting_id=found.id,
                created_by=sam.id,
                kind="individual",
                state="decided",
                reference=f"CEN-2526-{n:03d}",
                details={"pupil_initials": "AB", "year_group": "y3", "outcomes": "Uses 3-word phrases."},
                creation_key=f"bulk-{n}",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(referral)
            session.flush()
            item = AgendaItem(meeting_id=2, referral_id=referral.id or 0, state="decided")
            session.add(item)
            session.flush()
            decision = Decision(
                item_id=item.id or 0,
                referral_id=referral.id or 0,
                cluster_id=found.cluster_id,
                outcome="approved",
                amount_pence=42000,
                review_date=due,
                schedule="one_sum",
                decided_by=sam.id,
                decided_at=NOW,
            )
            session.add(decision)
            session.flush()
            review = Review(
                decision_id=decision.id or 0,
                referral_id=referral.id or 0,
                setting_id=found.id,
                cluster_id=found.cluster_id,
                due=due,
            )
            session.add(review)
            session.flush()
            ids.append(review.id or 0)
        return ids


def outbox_keys(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Outbox.key)).all())


def statements_of_a_run(engine: Engine, at: datetime) -> tuple[int, list[str], Any]:
    with count_queries(engine) as counted:
        owed = owe_reminders(engine, at)
    return counted.count, counted.writes, owed


def test_a_run_costs_the_same_with_ten_or_two_hundred_open_reviews_that_owe_nothing(seeded: Engine) -> None:
    # Not yet due (the first nudge is 30 days before), and overdue ones already nudged this week.
    add_reviews(seeded, [TODAY + timedelta(days=60 + n % 90) for n in range(10)])
    add_reviews(seeded, [TODAY - timedelta(days=16)] * 10)
    first = owe_reminders(seeded, NOW)
    assert len(first.review_nudges) == 10 + 10 * 2, "overdue-2 to Sam; escalated to the chair and the admin"
    tomorrow = NOW + timedelta(days=1)
    few, few_writes, owed = statements_of_a_run(seeded, tomorrow)
    assert owed.review_nudges == () and few_writes == []

    add_reviews(seeded, [TODAY + timedelta(days=60 + n % 90) for n in range(190)])
    add_reviews(seeded, [TODAY - timedelta(days=16)] * 190)
    owe_reminders(seeded, NOW)  # the new overdue ones are nudged (as the first ten were)
    many, many_writes, owed = statements_of_a_run(seeded, tomorrow)

    assert owed.review_nudges == () and many_writes == []
    assert many == few, "the same statements for 20 and 400 open reviews that owe nothing"


def test_a_rerun_with_nothing_new_owes_nothing_and_writes_nothing(seeded: Engine) -> None:
    add_reviews(seeded, [TODAY + timedelta(days=d) for d in (30, 14, 7, 0, -7, -20, 90)])
    first = owe_reminders(seeded, NOW)
    assert len(first.review_nudges) == 6 + 2, "every review within 30 days of its due date; one escalated"

    count, writes, owed = statements_of_a_run(seeded, NOW + timedelta(minutes=1))

    assert owed.review_nudges == () and owed.deadline_reminders == () and owed.meeting_posts == ()
    assert writes == [], "nothing written, so no write lock taken"
    assert count <= 11, f"a few cheap reads (and on SQLite their BEGINs), not one per review: {count}"


def test_the_first_run_after_an_upgrade_owes_nothing_already_owed(seeded: Engine) -> None:
    """Reviews the job never looked at (a database from before the next look) are looked at once."""
    ids = add_reviews(seeded, [TODAY + timedelta(days=d) for d in (14, -3)])
    with transaction(seeded) as session:
        for review_id, point in zip(ids, ("before-14", "due"), strict=True):
            session.add(
                Outbox(
                    key=f"review:{review_id}:{point}:person:1",
                    person_id=1,
                    activity={"type": "message", "text": "owed by the job before the upgrade"},
                    not_before=NOW,
                    created_at=NOW,
                )
            )
    assert owe_review_nudges(seeded, NOW) == []
    assert owe_review_nudges(seeded, NOW + timedelta(days=4)) == [f"review:{ids[1]}:overdue-1:person:1"]


def test_a_run_owing_three_batches_commits_three_times_and_owes_each_message_once(seeded: Engine) -> None:
    batch = 5
    ids = add_reviews(seeded, [TODAY + timedelta(days=7)] * (3 * batch))

    with count_queries(seeded) as counted:
        keys = owe_review_nudges(seeded, NOW, batch_size=batch)

    expected = sorted(f"review:{i}:before-7:person:1" for i in ids)
    assert sorted(keys) == expected and outbox_keys(seeded) == expected
    writing = counted.transactions_writing("outbox")
    assert len(writing) == 3, "one transaction per batch of five, so other turns go in between"
    assert owe_review_nudges(seeded, NOW, batch_size=batch) == []


def test_a_run_stopped_between_batches_is_finished_by_the_next_and_owes_each_message_once(
    seeded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = 5
    ids = add_reviews(seeded, [TODAY - timedelta(days=1)] * (3 * batch))
    real_owe_all = outbox.owe_all
    calls: list[int] = []

    def crash_after_the_first_batch(*args: Any) -> list[str]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the process was killed")
        return real_owe_all(*args)

    monkeypatch.setattr(nudges, "owe_all", crash_after_the_first_batch)
    with pytest.raises(RuntimeError, match="killed"):
        owe_review_nudges(seeded, NOW, batch_size=batch)
    before_the_crash = outbox_keys(seeded)
    assert len(before_the_crash) == batch, "the first batch is in; the second was rolled back"
    monkeypatch.setattr(nudges, "owe_all", real_owe_all)

    rest = owe_review_nudges(seeded, NOW + timedelta(minutes=1), batch_size=batch)

    assert len(rest) == 2 * batch and set(rest).isdisjoint(before_the_crash), "the rest, and only the rest"
    assert outbox_keys(seeded) == sorted(f"review:{i}:due:person:1" for i in ids), "every message owed once"
    assert owe_review_nudges(seeded, NOW + timedelta(minutes=2), batch_size=batch) == []


def test_a_nudge_missed_while_snoozed_comes_when_the_snooze_ends(seeded: Engine) -> None:
    [review] = add_reviews(seeded, [TODAY + timedelta(days=10)])
    assert owe_review_nudges(seeded, NOW) == [f"review:{review}:before-14:person:1"]
    with transaction(seeded) as session:
        row = session.get(Review, review)
        assert row is not None
        row.snoozed_until = TODAY + timedelta(days=6)  # over the before-7 point, three days from now
        session.add(row)
    assert owe_review_nudges(seeded, NOW + timedelta(days=3)) == []
    assert owe_review_nudges(seeded, NOW + timedelta(days=6)) == [f"review:{review}:before-7:person:1"]


def test_a_new_senco_is_told_of_the_nudge_in_hand_and_a_changed_plan_is_followed(seeded: Engine) -> None:
    [review] = add_reviews(seeded, [TODAY + timedelta(days=10)])
    assert owe_review_nudges(seeded, NOW) == [f"review:{review}:before-14:person:1"]

    nia_entry = Entry("Nia New", "nia@etruscan.example", "aad-nia", Role.DELEGATE, "Central", ETRUSCAN)
    import_entries(seeded, [nia_entry], NOW, "test")
    with Session(seeded) as session:
        nia = session.exec(select(Person.id).where(Person.aad_object_id == "aad-nia")).one()
    assert owe_review_nudges(seeded, NOW + timedelta(hours=1)) == [f"review:{review}:before-14:person:{nia}"]

    set_nudge_plan(seeded, "Central", NOW, before=[20, 11], overdue_every=7, escalate_after=14)
    assert sorted(owe_review_nudges(seeded, NOW + timedelta(hours=2))) == sorted(
        [f"review:{review}:before-11:person:1", f"review:{review}:before-11:person:{nia}"]
    ), "under the new plan the latest point that has come is 11 days before (yesterday)"


def test_deadline_reminders_are_read_from_the_meetings_near_their_deadline_and_a_new_senco_gets_the_one_in_hand(
    seeded: Engine,
) -> None:
    # Spring 2 (19 March 2026) closes for referrals on Thursday 12 March, 23:59: reminders from 5 March.
    week_before = datetime(2026, 3, 5, 9, 0, tzinfo=LONDON)
    first = owe_deadline_reminders(seeded, week_before)
    assert sorted(first) == ["deadline:4:7:person:1", "deadline:4:7:person:2"]

    with count_queries(seeded) as counted:
        assert owe_deadline_reminders(seeded, week_before + timedelta(hours=1)) == []
    assert counted.writes == [] and not any("outbox" in s for s in counted.statements), "no key looked up"

    nia_entry = Entry("Nia New", None, "aad-nia", Role.SENCO, "Central", "Grove Academy")
    import_entries(seeded, [nia_entry], NOW, "test")
    with Session(seeded) as session:
        nia = session.exec(select(Person.id).where(Person.aad_object_id == "aad-nia")).one()
    later = owe_deadline_reminders(seeded, week_before + timedelta(hours=2))
    assert later == [f"deadline:4:7:person:{nia}"]
    with Session(seeded) as session:
        rows = session.exec(select(Outbox).where(col(Outbox.key).startswith("deadline:"))).all()
    assert all(row.card is not None and "close in 7 days" in str(row.card) for row in rows)


@pytest.mark.parametrize("click", ["snoozed", "submitted"])
def test_a_review_snoozed_or_submitted_while_the_job_draws_its_card_is_not_nudged(
    seeded: Engine, click: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    [review] = add_reviews(seeded, [TODAY + timedelta(days=7)])

    def clicked_meanwhile(view: Any, nudge: Any) -> dict[str, Any]:
        # The SENCO's click lands between the job's read and its write (the card is drawn in between).
        with transaction(seeded) as session:
            row = session.get(Review, review)
            assert row is not None
            if click == "snoozed":
                row.snoozed_until = TODAY + timedelta(days=7)
            else:
                row.state = "submitted"
            session.add(row)
        return review_nudge_card(view, nudge)

    with monkeypatch.context() as patched:
        patched.setattr(nudges, "review_nudge_card", clicked_meanwhile)
        assert owe_review_nudges(seeded, NOW) == []
    assert owe_review_nudges(seeded, NOW + timedelta(minutes=1)) == []
    assert outbox_keys(seeded) == []
    if click == "snoozed":
        assert owe_review_nudges(seeded, NOW + timedelta(days=7)) == [f"review:{review}:due:person:1"], (
            "the nudge in hand when the snooze ends"
        )

"""Reviews through the real endpoint: a funded decision owes a review; nudges fall due; the form is filled in."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.commands.meetings import CastVote, CloseVote, OpenItem, RecordDecision, StartMeeting
from cluster.permissions import DO_REVIEW
from store.models import Outbox, Review
from tests.conftest import ADMIN, CHAIR, SENCO_2, Bot
from tests.support.meeting_room import everyone_present
from tests.support.referral_flow import Flow, find_action, shows
from tests.support.review_flow import REVIEW_DUE, fund
from usecases.budget import budget_for
from usecases.ledger import import_payments
from usecases.meeting_day.agenda import prepare_agenda, start_meeting
from usecases.meeting_day.decisions import record_decision
from usecases.meeting_day.votes import cast_vote, close_item, open_item
from usecases.nudges import owe_review_nudges
from usecases.people import identify


@pytest.fixture
def funded(central: Engine, clock: FixedClock) -> int:
    """Sam's referral approved at the 11 December 2025 meeting with a review due 17 July 2026."""
    return fund(central, clock.now())


def owed_keys(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(row.key for row in session.exec(select(Outbox)))


def test_a_funded_decision_owes_a_review_by_its_review_date(central: Engine, funded: int) -> None:
    with Session(central) as session:
        review = session.get(Review, funded)
    assert review is not None and review.due == REVIEW_DUE and review.state == "open"


def test_nudges_are_owed_once_each_at_30_14_and_7_days_and_on_the_day(central: Engine, funded: int) -> None:
    sam_id = 1
    when = {
        d: datetime.combine(REVIEW_DUE - timedelta(days=d), datetime.min.time(), tzinfo=LONDON).replace(hour=8)
        for d in (31, 30, 14, 7, 0)
    }
    assert owe_review_nudges(central, when[31]) == []
    assert owe_review_nudges(central, when[30]) == [f"review:{funded}:before-30:person:{sam_id}"]
    assert owe_review_nudges(central, when[30]) == [], "a second run owes nothing more"
    owe_review_nudges(central, when[14])
    owe_review_nudges(central, when[7])
    owe_review_nudges(central, when[0])
    nudges = [k for k in owed_keys(central) if k.startswith("review:")]  # beside the referral's and decision's notices
    assert [k.split(":")[2] for k in nudges] == ["before-14", "before-30", "before-7", "due"]


def test_an_overdue_review_escalates_to_the_chair_and_admins_after_fourteen_days(central: Engine, funded: int) -> None:
    late = datetime.combine(REVIEW_DUE + timedelta(days=15), datetime.min.time(), tzinfo=LONDON)
    keys = owe_review_nudges(central, late)
    escalated = [k for k in keys if "escalated" in k]
    with Session(central) as session:
        chair, admin = identify(session, *CHAIR), identify(session, *ADMIN)
    assert sorted(int(k.rsplit(":", 1)[1]) for k in escalated) == sorted([chair.person_id, admin.person_id])


async def test_the_senco_lists_reviews_fills_in_the_form_and_submits_it(
    bot: Bot, central: Engine, clock: FixedClock, funded: int
) -> None:
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=LONDON))
    flow = Flow(bot)
    await flow.say("reviews")
    [call] = await bot.connector.wait_for(1)
    assert "CEN-2526-001" in call.all_json() and "Due" in call.all_json() and "ETR-0042" not in call.all_json()
    form = await flow.card(verbs.REVIEW_OPEN, {"review_id": funded})
    assert shows(form, "Uses 3-word phrases to request help by July."), "prefilled with the outcomes set"
    bad = await flow.card(verbs.REVIEW_SUBMIT, {"review_id": funded, "recommendation": "continue", "actual_spend": "x"})
    assert shows(bad, "“x” is not an amount: type pounds and pence in figures")
    assert shows(bad, "Give the next review date when the funding is to continue.")
    answers = {
        "outcomes_achieved": "Now uses 3-word phrases.",
        "attendance": "97%",
        "progress": "Met 3 of 4 targets",
        "wellbeing": "Settled",
        "provision_delivered": "As planned",
        "actual_spend": "420.00",
        "outcome_rating_1": "achieved",
        "recommendation": "continue",
        "next_review": "2027-01-15",
    }
    done = await flow.card(verbs.REVIEW_SUBMIT, {"review_id": funded, **answers})
    assert shows(done, "Continuing or adjusting the funding goes to the next meeting for a decision.")
    again = await flow.card(verbs.REVIEW_SUBMIT, {"review_id": funded, **answers})
    assert shows(again, "Review submitted")
    with Session(central) as session:
        review = session.get(Review, funded)
    assert review is not None and review.state == "submitted" and review.answers["actual_spend"] == 42000
    assert owe_review_nudges(central, datetime(2026, 7, 20, tzinfo=LONDON)) == []


async def test_snoozing_a_review_pauses_its_nudges_for_a_week(
    bot: Bot, central: Engine, clock: FixedClock, funded: int
) -> None:
    clock.set(datetime.combine(REVIEW_DUE - timedelta(days=14), datetime.min.time(), tzinfo=LONDON))
    owe_review_nudges(central, clock.now())
    await Flow(bot).click(verbs.REVIEW_SNOOZE, {"review_id": funded})
    assert owe_review_nudges(central, clock.now() + timedelta(days=6, hours=23)) == []
    assert owe_review_nudges(central, clock.now() + timedelta(days=7, hours=1)) != []


async def test_another_school_cannot_open_a_review(bot: Bot, funded: int) -> None:
    refusal = await Flow(bot, SENCO_2).refused(verbs.REVIEW_OPEN, {"review_id": funded})
    assert refusal == DO_REVIEW.refusal


async def test_the_chair_sees_the_clusters_reviews_due(bot: Bot, clock: FixedClock, funded: int) -> None:
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=LONDON))
    flow = Flow(bot, CHAIR)
    await flow.say("reviews due")
    [call] = await bot.connector.wait_for(1)
    assert "Reviews due in your cluster" in call.all_json() and "CEN-2526-001" in call.all_json()


def test_the_nudge_card_offers_the_form_and_a_snooze(funded: int, central: Engine) -> None:
    keys = owe_review_nudges(central, datetime(2026, 6, 20, tzinfo=LONDON))
    with Session(central) as session:
        row = session.exec(select(Outbox).where(Outbox.key == keys[0])).one()
    card = row.card
    assert find_action(card, verbs.REVIEW_OPEN, review_id=funded) and find_action(card, verbs.REVIEW_SNOOZE)


REVIEW_ANSWERS = {
    "outcome_rating_1": "achieved",
    "outcomes_achieved": "Met",
    "attendance": "97%",
    "progress": "Good",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "400",
}


def committed(engine: Engine) -> int:
    budget = budget_for(engine, "Central", date(2026, 7, 1))
    assert budget is not None
    return budget.position.committed


async def test_stopping_the_funding_gives_the_unpaid_remainder_back_to_the_budget(
    bot: Bot, central: Engine, clock: FixedClock, funded: int, tmp_path: Path
) -> None:
    # £427.50 approved on 11 Dec 2025, paid termly from the next term: 5 January and 13 April 2026 (review
    # 17 July). By 2 February the council has paid the first; stopping cancels the second.
    assert committed(central) == 42750
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=LONDON))
    paid = tmp_path / "paid.csv"
    paid.write_text(
        "reference,due date,amount,paid date,payment reference\nCEN-2526-001,2026-01-05,213.75,2026-01-06,B1\n"
    )
    import_payments(central, paid, clock.now())
    done = await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": funded, **REVIEW_ANSWERS, "recommendation": "stop"})
    assert shows(done, "goes back to the cluster's budget")
    assert committed(central) == 42750 - 21375, "the unpaid summer instalment (£213.75) is cancelled and given back"
    await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": funded, **REVIEW_ANSWERS, "recommendation": "stop"})
    assert committed(central) == 42750 - 21375, "released once"


async def test_a_review_recommending_an_ehc_needs_assessment_goes_to_the_next_meeting_to_decide_interim_funding(
    bot: Bot, central: Engine, clock: FixedClock, funded: int
) -> None:
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=LONDON))
    done = await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": funded, **REVIEW_ANSWERS, "recommendation": "ehcna"})
    assert shows(done, "next meeting decides whether the funding carries on") and shows(done, "export CEN-2526-001")
    summer_2 = prepare_agenda(central, 6, clock.now())
    [group] = [entries for title, entries in summer_2.groups() if title == "Reviews needing a decision"]
    [entry] = group
    assert entry.reference == "CEN-2526-001" and entry.requested_pence == 42750, "the same amount again, by default"


async def test_a_review_recommending_continuation_goes_to_the_next_meetings_agenda_for_a_decision(
    bot: Bot, central: Engine, clock: FixedClock, funded: int
) -> None:
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=LONDON))
    answers = {**REVIEW_ANSWERS, "recommendation": "adjust", "adjusted_amount": "300", "next_review": "2027-01-15"}
    await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": funded, **answers})
    summer_2 = prepare_agenda(central, 6, clock.now())
    [group] = [entries for title, entries in summer_2.groups() if title == "Reviews needing a decision"]
    [entry] = group
    assert entry.reference == "CEN-2526-001" and entry.requested_pence == 30000
    with Session(central) as session:
        chair = identify(session, *CHAIR)
        wendy = identify(session, *SENCO_2)
    day = datetime(2026, 7, 9, 10, 0, tzinfo=LONDON)
    everyone_present(central, 6, day)
    start_meeting(central, chair, StartMeeting(meeting_id=6), day)
    open_item(central, chair, OpenItem(item_id=entry.item_id), day)
    cast_vote(central, wendy, CastVote(item_id=entry.item_id, choice="approve"), day)
    close_item(central, chair, CloseVote(item_id=entry.item_id), day)
    record_decision(
        central,
        chair,
        RecordDecision(item_id=entry.item_id, outcome="approved", review_date=date(2027, 1, 15), schedule="one_sum"),
        day,
    )
    with Session(central) as session:
        reviews = {r.id: r for r in session.exec(select(Review))}
    assert reviews[funded].state == "decided"
    [new] = [r for r in reviews.values() if r.id != funded]
    assert new.due == date(2027, 1, 15) and new.state == "open"


def test_a_clusters_own_nudge_intervals_are_used(central: Engine, funded: int) -> None:
    from usecases.meetings import set_nudge_plan

    set_nudge_plan(
        central, "Central", datetime(2026, 1, 1, tzinfo=LONDON), before=[10], overdue_every=0, escalate_after=30
    )
    assert owe_review_nudges(central, datetime(2026, 6, 17, 9, tzinfo=LONDON)) == []
    keys = owe_review_nudges(central, datetime(2026, 7, 7, 9, tzinfo=LONDON))
    assert [k.split(":")[2] for k in keys] == ["before-10"]


async def test_nudges_still_owed_when_the_review_is_submitted_are_not_sent(
    bot: Bot, central: Engine, clock: FixedClock, funded: int
) -> None:
    clock.set(datetime(2026, 7, 17, 9, 0, tzinfo=LONDON))
    [key] = owe_review_nudges(central, clock.now())
    answers = {**REVIEW_ANSWERS, "recommendation": "ehcna"}
    await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": funded, **answers})
    with Session(central) as session:
        row = session.exec(select(Outbox).where(Outbox.key == key)).one()
    assert row.state == "cancelled"

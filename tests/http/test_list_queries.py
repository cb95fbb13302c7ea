"""The lists people open every day cost the same number of queries for 3 items as for 30.

Each list is asked for through the real /api/messages, with a statement counter on the engine: "my
referrals", "referrals to check", "reviews" and "reviews due". The referrals are made with the use cases;
the funded decisions behind the reviews are written straight to their tables (the meeting that would
make them is tested elsewhere).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards import verbs
from cluster.clock import LONDON
from cluster.commands.inputs import parse
from cluster.commands.referrals import AddLink, OneReferral, SaveDetails, SaveRow, StartReferral, SubmitReferral
from store.models import AgendaItem, Decision, Meeting, Referral, Review
from tests.conftest import ADMIN, CHAIR, SENCO, TEST_NOW, Bot
from tests.support import activities as act
from tests.support.queries import count_queries
from tests.support.referral_flow import GOOD_DISCUSSION, GOOD_INDIVIDUAL, GOOD_PROJECT, ROW_1, ROW_2, Flow, shows
from usecases import referrals as uc
from usecases.people import Actor, identify

KEYS = count(1)


def person(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def submit_referrals(engine: Engine, n: int) -> None:
    """``n`` submitted referrals from Sam's school, of three kinds, some with rows and a document."""
    sam = person(engine, SENCO)
    setting = uc.picker(sam)[0][0]
    for i in range(n):
        kind = ("individual", "project", "discussion")[i % 3]
        answers = {"individual": GOOD_INDIVIDUAL, "project": GOOD_PROJECT, "discussion": GOOD_DISCUSSION}[kind]
        draft = uc.start(engine, sam, StartReferral(setting_id=setting, kind=kind, once=f"key-{next(KEYS)}"), TEST_NOW)
        uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=answers), TEST_NOW)
        if kind != "discussion":
            uc.add_row(engine, sam, parse(SaveRow, {**ROW_1, "referral_id": draft.id}), TEST_NOW)
            uc.add_row(engine, sam, parse(SaveRow, {**ROW_2, "referral_id": draft.id}), TEST_NOW)
            link = {"link_name": "Report", "link_url": f"https://etruscan.sharepoint.com/{i}.pdf"}
            uc.add_link(engine, sam, parse(AddLink, {**link, "referral_id": draft.id}), TEST_NOW)
        version = uc.open_for_edit(engine, sam, OneReferral(referral_id=draft.id), TEST_NOW).version
        uc.submit(engine, sam, SubmitReferral(referral_id=draft.id, version=version), TEST_NOW)


def fund_referrals(engine: Engine, due: date) -> None:
    """Every submitted referral approved at its meeting, each owing a review due on ``due``."""
    chair = person(engine, CHAIR)
    assert chair.person_id is not None
    with Session(engine) as session:
        for referral in session.exec(select(Referral).where(Referral.state == "submitted")).all():
            assert referral.id is not None and referral.meeting_id is not None
            meeting = session.get(Meeting, referral.meeting_id)
            assert meeting is not None
            referral.state = "decided"
            item = AgendaItem(meeting_id=referral.meeting_id, referral_id=referral.id, state="decided")
            session.add_all([referral, item])
            session.flush()
            decided = datetime.combine(meeting.day, datetime.min.time(), tzinfo=LONDON)
            decision = Decision(
                item_id=item.id or 0,
                referral_id=referral.id,
                cluster_id=referral.cluster_id,
                outcome="approved",
                amount_pence=100_00,
                review_date=due,
                schedule="termly",
                decided_by=chair.person_id,
                decided_at=decided,
            )
            session.add(decision)
            session.flush()
            session.add(
                Review(
                    decision_id=decision.id or 0,
                    referral_id=referral.id,
                    setting_id=referral.setting_id,
                    cluster_id=referral.cluster_id,
                    due=due,
                )
            )
        session.commit()


def listed(engine: Engine, state: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(col(Referral.id)).where(Referral.state == state)).all())


async def queries_for_card(bot: Bot, engine: Engine, who: tuple[str, str], verb: str, expect: str) -> int:
    with count_queries(engine) as queries:
        card = await Flow(bot, who).card(verb)
    assert shows(card, expect)
    return queries.count


async def queries_for_text(bot: Bot, engine: Engine, who: tuple[str, str], text: str, expect: str) -> int:
    before = len(bot.connector.calls)
    with count_queries(engine) as queries:
        await Flow(bot, who).say(text)
        answer = (await bot.connector.wait_for(before + 1))[before]
    assert expect in answer.all_json()
    return queries.count


async def test_my_referrals_and_referrals_to_check_cost_the_same_for_3_and_for_30(bot: Bot, central: Engine) -> None:
    costs: dict[int, tuple[int, int]] = {}
    for total in (3, 30):
        submit_referrals(central, total - listed(central, "submitted"))
        assert listed(central, "submitted") == total
        mine = await queries_for_card(bot, central, SENCO, verbs.MY_REFERRALS, "CEN-2526-003")
        to_check = await queries_for_card(bot, central, ADMIN, verbs.TO_CHECK, "CEN-2526-003")
        costs[total] = (mine, to_check)
    assert costs[30] == costs[3], f"queries (my referrals, to check) for 3 and 30 referrals: {costs}"


async def test_reviews_and_reviews_due_cost_the_same_for_3_and_for_30(bot: Bot, central: Engine) -> None:
    await bot.post(act.personal_install(bot.connector.url, *CHAIR))  # the bot knows the chair's chat...
    await bot.connector.wait_for(1)  # ...and has welcomed them
    due = (TEST_NOW + timedelta(days=10)).date()  # inside the due window: every review shows as due
    costs: dict[int, tuple[int, int]] = {}
    for total in (3, 30):
        submit_referrals(central, total - listed(central, "decided"))
        fund_referrals(central, due)
        assert listed(central, "decided") == total
        mine = await queries_for_card(bot, central, SENCO, verbs.REVIEWS, "CEN-2526-003")
        cluster = await queries_for_text(bot, central, CHAIR, "reviews due", "CEN-2526-003")
        costs[total] = (mine, cluster)
    assert costs[30] == costs[3], f"queries (reviews, reviews due) for 3 and 30 reviews: {costs}"


async def test_referrals_to_check_shows_the_oldest_fifteen_and_says_more_are_waiting(bot: Bot, central: Engine) -> None:
    submit_referrals(central, 16)
    card = await Flow(bot, ADMIN).card(verbs.TO_CHECK)
    assert shows(card, "CEN-2526-001") and shows(card, "CEN-2526-015")
    assert not shows(card, "CEN-2526-016"), "the newest waits for the next page"
    assert shows(card, "more are waiting")
    accepted = await Flow(bot, ADMIN).card(verbs.ACCEPT, {"referral_id": first_referral_id(central)})
    entries = {"body": [e for e in accepted["body"] if e.get("type") == "Container"]}  # the list, not what it did
    assert shows(accepted, "CEN-2526-001 accepted onto")
    assert not shows(entries, "CEN-2526-001") and shows(entries, "CEN-2526-016"), "checking one brings the next"
    assert not shows(accepted, "more are waiting")


def first_referral_id(engine: Engine) -> int:
    with Session(engine) as session:
        found = session.exec(select(Referral.id).where(Referral.reference == "CEN-2526-001")).one()
    assert found is not None
    return found

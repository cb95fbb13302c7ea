"""Issue 5: time travel with the injected clock walks an allocation from its decision through every nudge,
escalation and the review, asserting exactly which messages each person got and when.

Sam's referral (Etruscan) was approved at the 11 December 2025 meeting with a review due Friday 17 July 2026
(the ``funded`` fixture). Sam, Wendy (SENCO of Waterside), the chair and the admin have installed the bot in
personal chat. Then, for each day, the clock is set to 09:00 and the reminders job runs as the scheduler runs
it (``remind_and_deliver``: owe what has fallen due, then deliver through the real connector path). Every
message the fake Teams connector accepted is recorded as (day, person, card heading, card's first line).

What the rules in ``cluster/reviews.py`` (``DEFAULT_PLAN``: before 30, 14, 7 and 0 days, weekly overdue,
escalate once more than 14 days overdue) and ``cluster/meetings.py`` (deadline reminders 7 and 2 days before a
referral deadline, which is 23:59 seven days before the meeting) give, for a review due 17 July 2026:

* Sam: ``before-30`` Wed 17 June, ``before-14`` Fri 3 July, ``before-7`` Fri 10 July, ``due`` Fri 17 July,
  then ``overdue-1`` Fri 24 July, ``overdue-2`` Fri 31 July, ``overdue-3`` Fri 7 August, ...
* chair and admin: first on Sat 1 August (17 July + 15 days, the first day overdue by *more* than 14), with
  the latest point then, ``overdue-2`` (31 July), as ``overdue-2-escalated``; then ``overdue-3-escalated`` on
  7 August, ``overdue-4-escalated`` on 14 August, ...
* Sam and Wendy: a referral deadline reminder 7 and 2 days before each later meeting's deadline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.delivery.sender import Sender
from bot.http.app import create_app
from bot.teams.connector import Connector, NoToken
from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.reviews import DEFAULT_PLAN, owed_nudges
from scheduler.jobs import remind_and_deliver
from store.models import Outbox, Review
from store.outbox import DELIVERED
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, TAC, Bot
from tests.http.test_reviews import REVIEW_DUE, funded  # noqa: F401  (the fixture)
from tests.support import activities as act
from tests.support.fake_connector import Call, FakeConnector
from tests.support.referral_flow import Flow, shows
from usecases.nudges import owe_review_nudges

DECISION = date(2025, 12, 11)
REFERENCE = "CEN-2526-001"
PEOPLE = {SENCO: "Sam", SENCO_2: "Wendy", CHAIR: "Chair", ADMIN: "Admin", TAC: "TAC"}
NAME_OF_CONVERSATION = {act.personal_conversation(aad): name for (aad, _), name in PEOPLE.items()}

REVIEW = "Review reminder"
DEADLINE = "Referral deadline"
DUE_DAY = "Friday 17 July 2026"
BEFORE = f"Your review of {REFERENCE} is due on {DUE_DAY}."
ON_THE_DAY = f"Your review of {REFERENCE} is due today."
OVERDUE = f"Your review of {REFERENCE} is overdue: it was due {DUE_DAY}."
ESCALATED = f"The review of {REFERENCE} (Etruscan Primary School) is overdue: it was due {DUE_DAY}."

GOOD_ANSWERS = {
    "outcome_rating_1": "achieved",
    "outcomes_achieved": "Now uses 3-word phrases.",
    "attendance": "97%",
    "progress": "Met 3 of 4 targets",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "420.00",
    "recommendation": "continue",
    "next_review": "2027-01-15",
}

Seen = tuple[date, str, str, str]  # (day, person, card heading, the card's first line after it)


def review_nudges(sam_days: Iterable[tuple[date, str]], escalations: Iterable[date]) -> list[Seen]:
    """The review messages expected: Sam's on his days, and one each for the chair and the admin on theirs."""
    seen = [(day, "Sam", REVIEW, lead) for day, lead in sam_days]
    seen += [(day, who, REVIEW, ESCALATED) for day in escalations for who in ("Chair", "Admin")]
    return seen


def deadline_reminders(*deadlines: date) -> list[Seen]:
    """Sam's and Wendy's reminders 7 and 2 days before each referral deadline (23:59, a week before a meeting)."""
    seen: list[Seen] = []
    for deadline in deadlines:
        for days in (7, 2):
            for who in ("Sam", "Wendy"):
                seen.append((deadline - timedelta(days=days), who, DEADLINE, f"in {days} days"))
    return seen


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=LONDON)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _texts(card: dict[str, Any]) -> list[str]:
    return [str(block.get("text", "")) for block in card.get("body", []) if block.get("type") == "TextBlock"]


@dataclass
class Walk:
    """The bot (scheduler off, as in tests/scheduler/test_runner.py), the clock, and what each run delivered."""

    engine: Engine
    clock: FixedClock
    bot: Bot
    sender: Sender
    seen: list[Seen] = field(default_factory=list)
    _recorded: int = 0

    def _record(self, day: date) -> None:
        calls: list[Call] = self.bot.connector.calls
        for call in calls[self._recorded :]:
            who = NAME_OF_CONVERSATION.get(call.conversation_id, call.conversation_id)
            assert call.method == "POST", f"only new messages are expected, got {call.method} to {who}"
            [card] = call.cards
            heading, lead, *_ = _texts(card)
            if heading == DEADLINE:  # "... close in 7 days: Thursday 2 July 2026, 23:59." -> "in 7 days"
                lead = "in 7 days" if "close in 7 days" in lead else "in 2 days" if "close in 2 days" in lead else lead
            self.seen.append((day, who, heading, lead))
        self._recorded = len(calls)

    async def run(self, day: date) -> None:
        """The reminders job as the scheduler runs it, at 09:00 on ``day``."""
        self.clock.set(at_nine(day))
        await remind_and_deliver(self.engine, self.sender, self.clock.now())
        self._record(day)

    async def run_days(self, running: Iterable[date]) -> None:
        for day in running:
            await self.run(day)

    async def submit_review(self, review_id: int, day: date) -> dict[str, Any]:
        """Sam submits the review through the bot's endpoint at 10:00 on ``day``."""
        self.clock.set(at_nine(day) + timedelta(hours=1))
        card = await Flow(self.bot, SENCO).card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **GOOD_ANSWERS})
        self._record(day)
        return card

    def only(self, heading: str) -> list[Seen]:
        return [s for s in self.seen if s[2] == heading]


@pytest.fixture
async def walk(central: Engine, connector: FakeConnector, funded: int) -> AsyncIterator[Walk]:  # noqa: F811
    clock = FixedClock(at_nine(DECISION + timedelta(days=1)))
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=clock, engine=central)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    for who in (SENCO, SENCO_2, CHAIR, ADMIN):  # the TAC member never installs the bot
        response = await bot.post(act.personal_install(connector.url, *who))
        assert response.status in (200, 201), await response.text()
    teams = Connector(NoToken(), timeout_seconds=5)
    sender = Sender(central, teams, clock=clock, base_backoff=0.01, max_backoff=0.05, wait_within=0.2)
    await sender.deliver_due()  # what the referral's changes and the decision owed, sent on their day
    connector.calls.clear()  # those, and the welcome cards
    try:
        yield Walk(central, clock, bot, sender)
    finally:
        await teams.close()
        await client.close()


# The expected messages, stated explicitly ------------------------------------------------------------------

# Referral deadlines after the decision: Spring 1 (meeting 5 Feb 2026), Spring 2 (19 Mar), Summer 1 (14 May) and
# Summer 2 (9 Jul) close at 23:59 a week before: Sam and Wendy hear 7 and 2 days before each.
DEADLINES = (date(2026, 1, 29), date(2026, 3, 12), date(2026, 5, 7), date(2026, 7, 2))
SAM_BEFORE_SUBMITTING = [
    (date(2026, 6, 17), BEFORE),  # before-30
    (date(2026, 7, 3), BEFORE),  # before-14
    (date(2026, 7, 10), BEFORE),  # before-7
    (date(2026, 7, 17), ON_THE_DAY),  # due
    (date(2026, 7, 24), OVERDUE),  # overdue-1
    (date(2026, 7, 31), OVERDUE),  # overdue-2
]
FIRST_ESCALATION = date(2026, 8, 1)  # 15 days overdue: "overdue-2-escalated", to the chair and the admin
SUBMITTED_ON = date(2026, 8, 5)
LAST_DAY = REVIEW_DUE + timedelta(days=30)  # 16 August 2026


def by_day(seen: Iterable[Seen]) -> list[Seen]:
    """Sorted by day, then person: which messages came on which day is asserted, not their order within a day."""
    order = {"Sam": 0, "Wendy": 1, "Chair": 2, "Admin": 3}
    return sorted(seen, key=lambda s: (s[0], order.get(s[1], 9), s[2], s[3]))


def test_the_expected_days_follow_from_the_rules() -> None:
    """The dates above, derived from the nudge plan rather than trusted."""
    got: dict[date, list[str]] = {}
    sent: set[str] = set()  # the outbox owes each point once
    for day in days(DECISION, LAST_DAY):
        for nudge in owed_nudges(REVIEW_DUE, day, "open"):
            if nudge.point not in sent:
                sent.add(nudge.point)
                got.setdefault(day, []).append(nudge.point)
    assert DEFAULT_PLAN.before == (30, 14, 7, 0) and DEFAULT_PLAN.escalate_after == 14
    assert got == {
        date(2026, 6, 17): ["before-30"],
        date(2026, 7, 3): ["before-14"],
        date(2026, 7, 10): ["before-7"],
        date(2026, 7, 17): ["due"],
        date(2026, 7, 24): ["overdue-1"],
        date(2026, 7, 31): ["overdue-2"],
        date(2026, 8, 1): ["overdue-2-escalated"],
        date(2026, 8, 7): ["overdue-3", "overdue-3-escalated"],
        date(2026, 8, 14): ["overdue-4", "overdue-4-escalated"],
    }


# The walks --------------------------------------------------------------------------------------------------


async def test_from_the_decision_to_the_review_each_person_gets_exactly_their_messages(
    walk: Walk,
    funded: int,  # noqa: F811
) -> None:
    await walk.run_days(days(DECISION + timedelta(days=1), SUBMITTED_ON))
    assert by_day(walk.seen) == by_day(
        review_nudges(SAM_BEFORE_SUBMITTING, [FIRST_ESCALATION]) + deadline_reminders(*DEADLINES)
    )

    done = await walk.submit_review(funded, SUBMITTED_ON)
    assert shows(done, f"Review submitted: {REFERENCE}"), done
    with Session(walk.engine) as session:
        review = session.get(Review, funded)
        assert review is not None and review.state in ("submitted", "decided"), review
    before = len(walk.seen)
    await walk.run_days(days(SUBMITTED_ON + timedelta(days=1), LAST_DAY))
    assert walk.seen[before:] == [], "nothing more once the review is submitted (no overdue-3 on 7 August)"

    assert by_day(walk.seen) == by_day(
        review_nudges(SAM_BEFORE_SUBMITTING, [FIRST_ESCALATION]) + deadline_reminders(*DEADLINES)
    )
    with Session(walk.engine) as session:
        rows = list(session.exec(select(Outbox)))
    assert [r.key for r in rows if r.state != DELIVERED] == [], "everything owed was delivered, nothing rerouted"
    assert sorted(r.key.split(":")[2] for r in rows if r.key.startswith("review:")) == sorted(
        ["before-30", "before-14", "before-7", "due", "overdue-1", "overdue-2"] + ["overdue-2-escalated"] * 2
    )
    assert owe_review_nudges(walk.engine, at_nine(LAST_DAY)) == []


async def test_an_unanswered_review_is_nudged_weekly_and_escalated_weekly(walk: Walk) -> None:
    await walk.run_days(days(REVIEW_DUE - timedelta(days=7), LAST_DAY))
    sam = [
        (date(2026, 7, 10), BEFORE),  # before-7
        (date(2026, 7, 17), ON_THE_DAY),  # due
        (date(2026, 7, 24), OVERDUE),  # overdue-1
        (date(2026, 7, 31), OVERDUE),  # overdue-2
        (date(2026, 8, 7), OVERDUE),  # overdue-3
        (date(2026, 8, 14), OVERDUE),  # overdue-4
    ]
    escalated = [date(2026, 8, 1), date(2026, 8, 7), date(2026, 8, 14)]  # overdue-2, -3 and -4, escalated
    assert by_day(walk.seen) == by_day(review_nudges(sam, escalated))


async def test_a_nudge_missed_while_the_bot_was_down_comes_once_the_next_morning(walk: Walk) -> None:
    """No runs from 1 to 11 July: before-14 (3 July) and before-7 (10 July) fell due meanwhile. On 12 July only the
    latest, before-7, is sent, once; before-14 is never sent late."""
    up = [d for d in days(date(2026, 6, 1), date(2026, 7, 20)) if not date(2026, 7, 1) <= d <= date(2026, 7, 11)]
    await walk.run_days(up)
    sam = [
        (date(2026, 6, 17), BEFORE),  # before-30
        (date(2026, 7, 12), BEFORE),  # before-7, the morning the bot is back
        (date(2026, 7, 17), ON_THE_DAY),  # due
    ]
    assert by_day(walk.seen) == by_day(review_nudges(sam, []) + deadline_reminders(date(2026, 7, 2)))
    with Session(walk.engine) as session:
        points = sorted(r.key.split(":")[2] for r in session.exec(select(Outbox)) if r.key.startswith("review:"))
    assert points == ["before-30", "before-7", "due"]

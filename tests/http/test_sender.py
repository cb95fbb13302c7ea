"""The sender against a real aiohttp fake connector: retries, Teams' rate limits, removals and restarts."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.delivery.rate_limit import RateLimiter
from bot.delivery.sender import DeliveryReport, Sender
from bot.teams.connector import Connector, NoToken
from cluster.clock import Clock, FixedClock
from store import outbox
from store.db import make_engine, transaction
from store.models import ConversationRef, Outbox, Person
from tests.conftest import ADMIN, SENCO, SENCO_2
from tests.support.fake_connector import FakeConnector


@pytest.fixture
def real_clock() -> Clock:
    return Clock()


def person_id(engine: Engine, who: tuple[str, str]) -> int:
    with Session(engine) as session:
        found = session.exec(select(Person.id).where(Person.aad_object_id == who[0])).one()
        assert found is not None
        return found


def install(engine: Engine, connector: FakeConnector, who: tuple[str, str]) -> str:
    conversation = f"a:personal-{who[0]}"
    with transaction(engine) as session:
        session.add(
            ConversationRef(
                conversation_id=conversation,
                kind="personal",
                service_url=connector.url,
                aad_object_id=who[0],
                reference={"serviceUrl": connector.url, "conversation": {"id": conversation}},
                updated_at=Clock().now(),
            )
        )
    return conversation


def owe(engine: Engine, keys: list[str], person: int) -> None:
    with transaction(engine) as session:
        for key in keys:
            outbox.owe(session, key, Clock().now(), {"type": "message", "text": key}, person_id=person)


def sender(engine: Engine, http: Connector, **options: Any) -> Sender:
    settings: dict[str, Any] = {"base_backoff": 0.02, "max_backoff": 0.2, **options}
    return Sender(engine, http, RateLimiter(), Clock(), rng=random.Random(5), **settings)  # type: ignore[arg-type]


def texts(connector: FakeConnector, conversation: str) -> list[str]:
    return [call.text for call in connector.sent_to(conversation)]


def states(engine: Engine) -> dict[str, tuple[str, int]]:
    with Session(engine) as session:
        return {r.key: (r.state, r.attempts) for r in session.exec(select(Outbox))}


def busiest_second(times: list[float]) -> int:
    """The most arrivals in any one-second window."""
    ordered = sorted(times)
    return max((sum(1 for t in ordered[i:] if t - start < 1.0) for i, start in enumerate(ordered)), default=0)


@pytest.fixture
def sam(central: Engine, connector: FakeConnector) -> Iterator[tuple[int, str]]:
    yield person_id(central, SENCO), install(central, connector, SENCO)


async def test_a_message_is_delivered_once_and_marked_delivered_only_after_the_connector_accepted_it(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    owe(central, ["nudge:1"], person)
    connector.refuse(chat, 503)
    first = await sender(central, http, max_attempts=4, max_rounds=1, retry_for=timedelta(0)).deliver_due()
    assert first == DeliveryReport(retried=1)
    assert states(central) == {"nudge:1": ("owed", 1)}, "refused: still owed"
    assert connector.calls == []

    last = await sender(central, http, max_attempts=4, retry_for=timedelta(0)).deliver_due()
    assert last == DeliveryReport(retried=2, undeliverable=1)
    assert states(central) == {"nudge:1": ("undeliverable", 4)}
    assert [a.status for a in connector.arrivals_at(chat)] == [503, 503, 503, 503]
    assert connector.calls == []

    connector.accept(chat)
    assert await sender(central, http).deliver_due() == DeliveryReport(), "given up: not sent again"


async def refused_hourly(
    engine: Engine,
    http: Connector,
    connector: FakeConnector,
    clock: FixedClock,
    sam: tuple[int, str],
    key: str,
    status: int,
    hours: int,
) -> Sender:
    """Owe ``key`` to Sam; Teams answers ``status`` while the sender runs once an hour for ``hours`` hours."""
    person, chat = sam
    owed_at = clock.now()
    with transaction(engine) as session:
        outbox.owe(session, key, owed_at, {"type": "message", "text": key}, person_id=person)
    connector.refuse(chat, status)
    runner = Sender(engine, http, RateLimiter(), clock, max_attempts=3, rng=random.Random(2))
    for hour in range(1, hours + 1):
        clock.set(owed_at + timedelta(hours=hour))
        await runner.deliver_due()
    return runner


async def test_a_message_teams_refuses_through_a_long_outage_stays_owed_for_a_day_and_arrives_after_it(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str], clock: FixedClock
) -> None:
    owed_at = clock.now()
    # Teams answers 503 all day; the sender tries whenever the scheduler runs it.
    outage = await refused_hourly(central, http, connector, clock, sam, "nudge:outage", 503, hours=23)
    assert states(central)["nudge:outage"][0] == "owed", "an outage of hours loses nothing"
    assert states(central)["nudge:outage"][1] >= 3

    connector.accept(sam[1])
    clock.set(owed_at + timedelta(hours=23, minutes=30))
    assert await outage.deliver_due() == DeliveryReport(delivered=1)
    assert texts(connector, sam[1]) == ["nudge:outage"]


async def test_a_message_refused_for_more_than_a_day_is_given_up_and_recorded(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str], clock: FixedClock
) -> None:
    owed_at = clock.now()
    outage = await refused_hourly(central, http, connector, clock, sam, "nudge:gone", 503, hours=25)
    state, attempts = states(central)["nudge:gone"]
    assert state == "undeliverable" and attempts >= 24
    connector.accept(sam[1])
    clock.set(owed_at + timedelta(hours=27))
    assert await outage.deliver_due() == DeliveryReport() and connector.calls == []


async def test_a_429_with_retry_after_one_is_retried_after_about_a_second_and_delivered_once(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    owe(central, ["nudge:1"], person)
    connector.script(chat, (429, 1))
    report = await sender(central, http).deliver_due()
    assert report == DeliveryReport(delivered=1, retried=1)
    refused, accepted = connector.arrivals_at(chat)
    assert (refused.status, accepted.status) == (429, 200)
    assert 0.95 <= accepted.at - refused.at < 1.5
    assert texts(connector, chat) == ["nudge:1"]
    assert states(central) == {"nudge:1": ("delivered", 1)}


async def test_a_429_without_retry_after_and_a_503_are_retried_with_backoff_and_delivered_once(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    owe(central, ["nudge:1", "nudge:2"], person)
    connector.script(chat, 429, 503, 502, (503, None), 504, 412)
    report = await sender(central, http).deliver_due()
    assert report.delivered == 2 and report.undeliverable == 0
    assert [a.status for a in connector.arrivals_at(chat)] == [429, 503, 502, 503, 504, 412, 200, 200]
    assert texts(connector, chat) == ["nudge:1", "nudge:2"], "in order, once each"
    assert states(central) == {"nudge:1": ("delivered", 6), "nudge:2": ("delivered", 0)}


async def test_twenty_messages_to_one_conversation_never_exceed_seven_in_any_second(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    keys = [f"nudge:{n}" for n in range(20)]
    owe(central, keys, person)
    report = await sender(central, http).deliver_due()
    assert report == DeliveryReport(delivered=20)
    assert texts(connector, chat) == keys
    times = [a.at for a in connector.arrivals_at(chat)]
    assert busiest_second(times) == 7
    assert max(times) - min(times) >= 2.0, "20 sends at 7 a second need more than two seconds"


async def test_throttling_one_conversation_keeps_the_limit_across_retries(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    owe(central, [f"nudge:{n}" for n in range(12)], person)
    connector.script(chat, 200, 200, 200, 429, 200, 503)
    report = await sender(central, http).deliver_due()
    assert report.delivered == 12
    assert len(texts(connector, chat)) == len(set(texts(connector, chat))) == 12
    assert busiest_second([a.at for a in connector.arrivals_at(chat)]) <= 7


async def test_the_global_cap_holds_across_conversations() -> None:
    now = [0.0]
    admitted: list[float] = []

    async def advance(seconds: float) -> None:  # a clock that moves only when everyone waits
        target = now[0] + seconds
        await asyncio.sleep(0)
        now[0] = max(now[0], target)

    limiter = RateLimiter(time_source=lambda: now[0], sleep=advance)

    async def burst(conversation: str) -> None:
        for _ in range(10):
            stamp = await limiter.acquire(conversation)
            admitted.append(now[0])
            limiter.sent(stamp)

    await asyncio.gather(*(burst(f"c{n}") for n in range(12)))
    assert len(admitted) == 120
    assert busiest_second(admitted) == 40


async def test_a_user_who_removed_the_bot_is_recorded_and_their_nudges_go_to_the_admins(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    admin_chat = install(central, connector, ADMIN)
    admin = person_id(central, ADMIN)
    owe(central, ["nudge:1", "nudge:2"], person)
    connector.script(chat, 403)
    report = await sender(central, http).deliver_due()
    assert report == DeliveryReport(delivered=2, rerouted=2)
    assert [a.status for a in connector.arrivals_at(chat)] == [403], "no second try at a removed chat"
    assert texts(connector, admin_chat) == ["nudge:1", "nudge:2"]
    assert states(central) == {
        "nudge:1": ("undeliverable", 1),
        "nudge:2": ("undeliverable", 0),
        f"nudge:1:admin:{admin}": ("delivered", 0),
        f"nudge:2:admin:{admin}": ("delivered", 0),
    }
    with Session(central) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == chat)).one()
        assert ref.installed is False

    owe(central, ["nudge:3"], person)
    assert await sender(central, http).deliver_due() == DeliveryReport(delivered=1, rerouted=1)
    assert [a.status for a in connector.arrivals_at(chat)] == [403], "later nudges go straight to the admins"
    assert texts(connector, admin_chat) == ["nudge:1", "nudge:2", "nudge:3"]


async def test_a_404_also_counts_as_removed_and_a_400_is_undeliverable(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    wendy, wendy_chat = person_id(central, SENCO_2), install(central, connector, SENCO_2)
    install(central, connector, ADMIN)
    owe(central, ["to-sam"], person)
    owe(central, ["to-wendy"], wendy)
    connector.script(chat, 400)
    connector.script(wendy_chat, 404)
    report = await sender(central, http).deliver_due()
    assert report == DeliveryReport(delivered=1, undeliverable=1, rerouted=1)
    found = states(central)
    assert found["to-sam"] == ("undeliverable", 1) and found["to-wendy"] == ("undeliverable", 1)


async def test_messages_owed_before_a_restart_are_delivered_after_it_and_nothing_twice(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    keys = [f"nudge:{n}" for n in range(6)]
    owe(central, keys, person)
    connector.script(chat, 200, 200, 503)
    before = await sender(central, http, max_rounds=1).deliver_due()
    assert before == DeliveryReport(delivered=2, retried=1)
    url = str(central.url)
    central.dispose()  # the process stops

    restarted = make_engine(url)
    try:
        owe(restarted, keys, person)  # the jobs decide again after the restart: nothing more is owed
        after = await sender(restarted, Connector(NoToken())).deliver_due()
        assert after == DeliveryReport(delivered=4)
        assert texts(connector, chat) == keys
        assert all(state == "delivered" for state, _ in states(restarted).values())
        assert await sender(restarted, http).deliver_due() == DeliveryReport()
    finally:
        restarted.dispose()


async def test_two_senders_at_once_send_each_message_once(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    keys = [f"nudge:{n}" for n in range(10)]
    owe(central, keys, person)
    other = make_engine(str(central.url))
    try:
        reports = await asyncio.gather(sender(central, http).deliver_due(), sender(other, http).deliver_due())
    finally:
        other.dispose()
    assert sum(r.delivered for r in reports) == 10
    assert sorted(texts(connector, chat)) == sorted(keys)


def test_backoff_is_full_jitter_under_an_exponential_ceiling(central: Engine) -> None:
    sender = Sender(central, Connector(NoToken()), base_backoff=0.5, max_backoff=60, rng=random.Random(1))
    for attempts, ceiling in [(0, 0.5), (1, 1.0), (3, 4.0), (7, 60.0), (100, 60.0)]:
        waits = [sender.backoff(attempts) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8


def test_a_message_rerouted_to_the_admins_says_whom_it_was_for_and_offers_no_buttons(central: Engine) -> None:
    from datetime import datetime

    from sqlmodel import Session, select

    from cluster.clock import LONDON
    from store import outbox
    from store.db import transaction
    from store.models import Outbox
    from tests.conftest import SENCO
    from usecases.people import identify

    now = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
    with Session(central) as session:
        sam = identify(session, *SENCO)
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Your review"}],
        "actions": [{"type": "Action.Execute", "title": "Remind me in a week", "verb": "review.snooze"}],
    }
    activity = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }
    with transaction(central) as session:
        outbox.owe(session, "reroute-test", now, activity, person_id=sam.person_id)
    [message] = outbox.due(central, now)
    assert outbox.unreachable(central, message, now)
    with Session(central) as session:
        [rerouted] = [r for r in session.exec(select(Outbox)) if r.key != "reroute-test"]
    content = rerouted.activity["attachments"][0]["content"]
    assert "cannot reach Sam Senco" in content["body"][0]["text"] and "actions" not in content


async def test_a_message_refused_with_401_while_the_bots_password_is_wrong_arrives_once_it_is_fixed_that_day(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str], clock: FixedClock
) -> None:
    owed_at = clock.now()
    # The connector rejects our token (a wrong app id or password) for six hours.
    misconfigured = await refused_hourly(central, http, connector, clock, sam, "nudge:login", 401, hours=6)
    assert states(central)["nudge:login"][0] == "owed", "a login problem fixed within the day loses nothing"
    assert [a.status for a in connector.arrivals_at(sam[1])] == [401] * states(central)["nudge:login"][1]
    assert states(central)["nudge:login"][1] >= 3

    connector.accept(sam[1])  # the operator corrected MicrosoftAppPassword
    clock.set(owed_at + timedelta(hours=7))
    assert await misconfigured.deliver_due() == DeliveryReport(delivered=1)
    assert texts(connector, sam[1]) == ["nudge:login"]


async def test_a_stopped_sender_sends_nothing_and_what_is_owed_stays_owed(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, _chat = sam
    owe(central, ["nudge:1"], person)
    stopped = sender(central, http)
    stopped.stop()
    assert await stopped.deliver_due() == DeliveryReport()
    assert connector.calls == [] and states(central) == {"nudge:1": ("owed", 0)}


async def test_a_stop_ends_the_wait_for_a_retry_and_the_message_stays_owed(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    owe(central, ["nudge:1"], person)
    connector.script(chat, (429, 3))  # Teams says "in 3 seconds"; the sender would wait for it
    stopping = sender(central, http)
    delivery = asyncio.create_task(stopping.deliver_due())
    while states(central)["nudge:1"] != ("owed", 1):  # refused once: now waiting to try again
        assert not delivery.done(), "the sender did not wait for the retry"
        await asyncio.sleep(0.01)
    stopping.stop()
    assert await delivery == DeliveryReport(retried=1)
    assert [a.status for a in connector.arrivals_at(chat)] == [429], "not tried again after the stop"
    assert states(central) == {"nudge:1": ("owed", 1)}


async def test_on_a_stop_the_sends_in_flight_finish_and_the_rest_of_the_batch_is_owed_again_at_once(
    central: Engine, connector: FakeConnector, http: Connector, sam: tuple[int, str]
) -> None:
    person, chat = sam
    keys = [f"nudge:{i:02d}" for i in range(20)]
    owe(central, keys, person)
    stopping = sender(central, http)
    delivery = asyncio.create_task(stopping.deliver_due())
    await connector.wait_for(7)  # Teams' limit in one conversation: the eighth waits for the next second
    stopping.stop()
    await stopping.close()
    report = await delivery
    assert report == DeliveryReport(delivered=7)
    assert texts(connector, chat) == keys[:7]
    assert {k for k, (state, _) in states(central).items() if state == "delivered"} == set(keys[:7])
    owed_now = [m.key for m in outbox.due(central, Clock().now())]
    assert owed_now == keys[7:], "handed back, due now rather than when the claim would have lapsed"
    assert all(states(central)[k] == ("owed", 0) for k in keys[7:])

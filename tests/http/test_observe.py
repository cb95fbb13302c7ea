"""Watching the bot: one JSON log line per turn with no pupil data in any line, and /metrics that moves with turns."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text
from sqlmodel import select

from bot.config import Settings
from bot.http import observe
from bot.http.app import NOTIFIER, create_app
from cards import verbs
from cluster.clock import FixedClock
from store import outbox
from store.db import transaction
from store.models import Person
from tests.conftest import ADMIN, SENCO, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.referral_flow import GOOD_INDIVIDUAL, Flow

# Distinctive pupil details: none of them may appear in any log line.
PUPIL_REF = "ETR-0042"
INITIALS = "XQ"  # neither hex (error references) nor in any word the bot logs
SUMMARY = "Limited expressive language"

Middleware = Callable[[web.Request, Callable[[web.Request], Awaitable[web.StreamResponse]]], Awaitable[Any]]


def settings(**extra: Any) -> Settings:
    return Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=False, **extra)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the process logs at INFO and above while the test runs, as its handlers would write it."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def started(app: web.Application, connector: FakeConnector) -> Bot:
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return Bot(client, connector)


@pytest.fixture
async def json_bot(
    central: Engine, clock: FixedClock, connector: FakeConnector, log_output: io.StringIO
) -> AsyncIterator[Bot]:
    bot = await started(create_app(settings(CLUSTERBOT_LOG_FORMAT="json"), clock=clock, engine=central), connector)
    yield bot
    await bot.client.close()


def lines(output: io.StringIO) -> list[dict[str, Any]]:
    """Every line logged, each of which must be a JSON object."""
    return [json.loads(line) for line in output.getvalue().splitlines() if line.strip()]


def turns(output: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in lines(output) if line["logger"] == "clusterbot.turn"]


async def test_with_json_logs_a_typed_command_writes_one_json_line_saying_what_the_turn_was(
    json_bot: Bot, log_output: io.StringIO
) -> None:
    activity = act.personal_message(json_bot.connector.url, *SENCO, "help")
    response = await json_bot.post(activity)
    assert response.status == 200
    [turn] = turns(log_output)
    assert turn["message"] == "turn"
    assert turn["activity_id"] == activity["id"]
    assert turn["conversation"] == "personal"
    assert turn["command"] == "help"
    assert turn["outcome"] == "ok"
    assert turn["status"] == 200
    assert isinstance(turn["duration_ms"], float)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", turn["time"])
    assert "error_ref" not in turn


async def test_a_referral_form_with_pupil_details_is_logged_by_its_verb_and_no_log_line_holds_the_details(
    json_bot: Bot, log_output: io.StringIO
) -> None:
    flow = Flow(json_bot)
    referral_id, _form = await flow.start("individual")
    answers = {**GOOD_INDIVIDUAL, "pupil_initials": INITIALS}
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **answers})
    # Typed text is logged as "text", never quoted (it starts with no command's word: "what" now begins one).
    await flow.say(f"is {PUPIL_REF} {INITIALS} on the list?")
    await flow.click(f"{PUPIL_REF}.{INITIALS}")  # a verb no card has: logged as "unknown"

    saved = [t for t in turns(log_output) if t.get("verb") == verbs.REFERRAL_SAVE]
    assert [t["outcome"] for t in saved] == ["ok"]
    assert turns(log_output)[-2]["command"] == "text"
    assert turns(log_output)[-1]["verb"] == "unknown"
    everything = log_output.getvalue()
    for detail in (PUPIL_REF, INITIALS, SUMMARY, GOOD_INDIVIDUAL["outcomes"]):
        assert detail not in everything


async def test_a_refused_click_is_logged_as_refused(json_bot: Bot, log_output: io.StringIO) -> None:
    await Flow(json_bot).refused(verbs.REFERRAL_SAVE, {"referral_id": 999999, "pupil_ref": PUPIL_REF})
    [turn] = turns(log_output)
    assert turn["verb"] == verbs.REFERRAL_SAVE
    assert turn["outcome"] in ("refused", "forbidden")
    assert PUPIL_REF not in log_output.getvalue()


async def test_an_apology_s_reference_is_in_the_turn_s_log_line(
    json_bot: Bot, central: Engine, log_output: io.StringIO
) -> None:
    with central.begin() as connection:
        connection.execute(text("DROP TABLE role_assignment"))
    await json_bot.post(act.personal_message(json_bot.connector.url, *SENCO, "help"))
    [call] = await json_bot.connector.wait_for(1)
    shown = re.search(r"ERR-[0-9A-F]{8}", call.text)
    assert shown
    [turn] = turns(log_output)
    assert turn["outcome"] == "error"
    assert turn["error_ref"] == shown.group(0)
    # The stack trace under that reference is a JSON line too.
    [error] = [line for line in lines(log_output) if shown.group(0) in line["message"]]
    assert error["level"] == "ERROR" and "exception" in error


async def test_a_body_that_is_not_an_activity_is_logged_as_a_bad_request(
    json_bot: Bot, log_output: io.StringIO
) -> None:
    await json_bot.client.post("/api/messages", data=b"not json", headers={"Content-Type": "application/json"})
    [turn] = turns(log_output)
    assert (turn["outcome"], turn["status"]) == ("bad_request", 400)


async def test_a_chunked_body_too_large_is_logged_and_counted_as_the_413_it_is_answered(
    json_bot: Bot, log_output: io.StringIO
) -> None:
    async def ten_megabytes() -> AsyncIterator[bytes]:
        for _ in range(160):
            yield b" " * 65_536  # sent chunked: no Content-Length says how large it will be

    before = await scrape(json_bot)
    response = await json_bot.client.post(
        "/api/messages", data=ten_megabytes(), headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    [turn] = turns(log_output)
    assert (turn["outcome"], turn["status"]) == ("too_large", 413)
    after = await scrape(json_bot)
    counted, nameless = "clusterbot_turns_total", observe.UNKNOWN
    assert value(after, counted, verb=nameless, outcome="too_large") == 1 + value(
        before, counted, verb=nameless, outcome="too_large"
    )
    assert value(after, counted, verb=nameless, outcome="error") == value(
        before, counted, verb=nameless, outcome="error"
    )


# --- /metrics -------------------------------------------------------------------------------------


async def scrape(bot: Bot, headers: dict[str, str] | None = None) -> str:
    response = await bot.client.get("/metrics", headers=headers or {})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    return await response.text()


def value(page: str, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly these labels in a scraped page (0 when absent)."""
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


async def test_one_click_moves_its_verb_s_turn_counter_and_the_latency_histogram_by_one(bot: Bot) -> None:
    before = await scrape(bot)
    await Flow(bot).card(verbs.HELP)
    after = await scrape(bot)
    turns_of = "clusterbot_turns_total"
    assert (
        value(after, turns_of, verb=verbs.HELP, outcome="ok") - value(before, turns_of, verb=verbs.HELP, outcome="ok")
        == 1
    )
    count = "clusterbot_turn_duration_seconds_count"
    assert value(after, count) - value(before, count) == 1
    assert value(after, "clusterbot_scheduler_leading") == 0  # this app runs no scheduler


async def test_a_refused_click_is_counted_under_its_outcome(bot: Bot) -> None:
    await Flow(bot).refused(verbs.REFERRAL_SAVE, {"referral_id": 999999})
    page = await scrape(bot)
    refused = sum(
        value(page, "clusterbot_turns_total", verb=verbs.REFERRAL_SAVE, outcome=o) for o in ("refused", "forbidden")
    )
    assert refused == 1


def person_id(engine: Engine, aad: str) -> int:
    with transaction(engine, read_only=True) as session:
        person = session.exec(select(Person).where(Person.aad_object_id == aad)).one()
        assert person.id is not None
        return person.id


async def test_the_outbox_gauges_show_the_owed_rows_and_how_long_the_oldest_has_waited(
    bot: Bot, central: Engine, clock: FixedClock
) -> None:
    empty = await scrape(bot)
    assert value(empty, "clusterbot_outbox_owed") == 0
    assert value(empty, "clusterbot_outbox_oldest_owed_age_seconds") == 0
    senco = person_id(central, SENCO[0])
    with transaction(central) as session:
        outbox.owe(
            session, "test:older", clock.now() - timedelta(minutes=10), person_id=senco, card={"type": "AdaptiveCard"}
        )
        outbox.owe(
            session, "test:newer", clock.now() - timedelta(minutes=1), person_id=senco, card={"type": "AdaptiveCard"}
        )
    page = await scrape(bot)
    assert value(page, "clusterbot_outbox_owed") == 2
    assert value(page, "clusterbot_outbox_oldest_owed_age_seconds") == 600


async def test_sends_retries_and_429s_are_counted(
    bot: Bot, central: Engine, clock: FixedClock, connector: FakeConnector
) -> None:
    await bot.post(act.personal_install(connector.url, *ADMIN))  # the bot learns ADMIN's chat
    await connector.wait_for(1)  # the welcome card, a reply: no outbox send
    with transaction(central) as session:
        outbox.owe(
            session, "test:notice", clock.now(), person_id=person_id(central, ADMIN[0]), card={"type": "AdaptiveCard"}
        )
    chat = act.personal_conversation(ADMIN[0])
    notifier = bot.client.app[NOTIFIER]
    connector.refuse(chat, 429, retry_after=30)
    notifier.deliver_soon()
    await notifier.drain()
    throttled = await scrape(bot)
    assert value(throttled, "clusterbot_connector_throttled_total") == 1
    assert value(throttled, "clusterbot_sends_total", outcome="retry") == 1
    assert value(throttled, "clusterbot_send_retries_total") == 0  # its first try
    connector.accept(chat)
    clock.advance(timedelta(seconds=31))
    notifier.deliver_soon()
    await notifier.drain()
    delivered = await scrape(bot)
    assert value(delivered, "clusterbot_sends_total", outcome="delivered") == 1
    assert value(delivered, "clusterbot_send_retries_total") == 1
    assert value(delivered, "clusterbot_outbox_owed") == 0


async def test_a_replica_running_the_scheduler_on_sqlite_says_it_leads(
    central: Engine, clock: FixedClock, connector: FakeConnector
) -> None:
    app = create_app(
        Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=True),
        clock=clock,
        engine=central,
    )
    bot = await started(app, connector)
    try:
        assert value(await scrape(bot), "clusterbot_scheduler_leading") == 1
    finally:
        await bot.client.close()


# --- who may read /metrics ------------------------------------------------------------------------


def from_address(remote: str) -> Middleware:
    """A middleware making every request look as if it came from ``remote``."""

    @web.middleware
    async def elsewhere(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Any:
        return await handler(request.clone(remote=remote))

    return elsewhere


@pytest.fixture
async def token_bot(central: Engine, clock: FixedClock, connector: FakeConnector) -> AsyncIterator[Bot]:
    bot = await started(
        create_app(settings(CLUSTERBOT_METRICS_TOKEN="s3cret-scrape"), clock=clock, engine=central), connector
    )
    yield bot
    await bot.client.close()


async def test_with_a_metrics_token_set_a_scrape_without_it_or_with_another_gets_401(token_bot: Bot) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scrape"}):
        response = await token_bot.client.get("/metrics", headers=headers)
        assert response.status == 401
        assert "clusterbot_turns" not in await response.text()


async def test_with_a_metrics_token_set_a_scrape_bearing_it_gets_the_metrics(token_bot: Bot) -> None:
    page = await scrape(token_bot, {"Authorization": "Bearer s3cret-scrape"})
    assert "clusterbot_outbox_owed" in page


async def test_without_a_token_a_client_on_this_machine_reads_the_metrics(bot: Bot) -> None:
    assert "clusterbot_outbox_owed" in await scrape(bot)


async def test_without_a_token_a_client_through_a_reverse_proxy_gets_403(bot: Bot) -> None:
    response = await bot.client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status == 403


async def test_without_a_token_a_client_on_another_machine_gets_403(
    central: Engine, clock: FixedClock, connector: FakeConnector
) -> None:
    app = create_app(settings(), clock=clock, engine=central)
    app.middlewares.append(from_address("10.1.2.3"))
    bot = await started(app, connector)
    try:
        response = await bot.client.get("/metrics")
        assert response.status == 403
    finally:
        await bot.client.close()


async def test_with_a_token_a_client_on_another_machine_bearing_it_reads_the_metrics(
    central: Engine, clock: FixedClock, connector: FakeConnector
) -> None:
    app = create_app(settings(CLUSTERBOT_METRICS_TOKEN="s3cret-scrape"), clock=clock, engine=central)
    app.middlewares.append(from_address("10.1.2.3"))
    bot = await started(app, connector)
    try:
        assert "clusterbot_outbox_owed" in await scrape(bot, {"Authorization": "Bearer s3cret-scrape"})
    finally:
        await bot.client.close()

"""Real ``python -m bot serve`` processes, stopped and killed in the middle of a batch of owed messages.

Slow by the standards of this suite (about a minute and a half together): they start the bot as a subprocess
several times and wait for real scheduling (one waits out the sender's 20-second lease). They run in the
default test command all the same. Two bounds are measured here because the issue asks for them: a stop
under load ends within 10 s, and after a kill the shared vote card is redrawn within 30 s of the restart.

The connector here is a fake Teams connector (the test's own aiohttp server) that answers each message after a
delay, so a batch is still being sent when the process is stopped, and records every message as it arrives.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards import verbs
from cluster.clock import LONDON
from cluster.commands.meetings import OpenItem, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.roles import Role
from store import outbox
from store.db import make_engine, transaction, upgrade
from store.models import Cluster, ConversationRef, Outbox, Person, Setting
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, TAC
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import everyone_present
from tests.support.referral_flow import GOOD_EHCP
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.meeting_day.agenda import agenda, start_meeting
from usecases.meeting_day.votes import open_item
from usecases.meetings import add_meeting, set_deadline_days
from usecases.people import identify
from usecases.roster import Entry, import_entries

SENDER_CONCURRENCY = 16  # bot.sender.Sender's default: at most this many sends are in flight at once


@dataclass
class SlowConnector(FakeConnector):
    """A fake connector that answers each request after ``delay`` seconds and notes every message on arrival.

    ``received`` lists each message's text (our outbox key) when the request arrives, before it is answered:
    the moment Teams would show it. A request whose sender dies while it waits is still received, and
    still answered (aiohttp does not cancel a handler whose client went away).
    """

    delay: float = 0.2
    received: list[str] = field(default_factory=list)
    received_json: list[tuple[str, str]] = field(default_factory=list)  # (method, body) on arrival

    async def _record(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(str(body.get("text") or ""))
        self.received_json.append((request.method, json.dumps(body)))
        await asyncio.sleep(self.delay)
        return await super()._record(request)

    def counts(self, keys: Iterable[str]) -> Counter[str]:
        wanted = set(keys)
        return Counter(text for text in self.received if text in wanted)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BotProcess:
    """``python -m bot serve`` on a port of its own, its output in a log file."""

    def __init__(self, name: str, database_url: str, workdir: Path, **env: str) -> None:
        self.name = name
        self.port = _free_port()
        self.log_path = workdir / f"{name}.log"
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "CLUSTERBOT_"))}
        self.env.update(DATABASE_URL=database_url, CLUSTERBOT_ALLOW_NO_AUTH="1", CLUSTERBOT_SCHEDULER="on", **env)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--port",
                str(self.port),
                env=self.env,
                cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        return self

    async def healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.returncode is None, f"{self.name} died:\n{self.log()}"
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        pytest.fail(f"{self.name} did not start within {timeout}s:\n{self.log()}")

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:
        """Send ``sig`` and wait for the process to end; returns its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            pytest.fail(f"{self.name} did not stop within {timeout}s of {sig.name}:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def leads(self) -> bool:
        return "this process now runs the scheduler" in self.log()


@pytest.fixture
async def slow_connector() -> AsyncIterator[SlowConnector]:
    fake = SlowConnector()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Every bot process a test starts; any still running at the end is killed."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()


def prepare(url: str, connector_url: str, people: int) -> tuple[Engine, list[int]]:
    """Migrate and seed the database (Central, the test roster) and give ``people`` people a personal chat."""
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    seed_file(engine, CENTRAL, now)
    import_entries(engine, ROSTER, now, "test")
    ids: list[int] = []
    with transaction(engine) as session:
        for i in range(people):
            aad = f"aad-load-{i:03d}"
            person = Person(aad_object_id=aad, name=f"Load Person {i}", email=f"load{i}@example.org")
            session.add(person)
            session.add(
                ConversationRef(
                    conversation_id=f"a:personal-{aad}",
                    kind="personal",
                    service_url=connector_url,
                    aad_object_id=aad,
                    installed=True,
                    updated_at=now,
                )
            )
            session.flush()
            assert person.id is not None
            ids.append(person.id)
    return engine, ids


def owe(engine: Engine, person_ids: list[int], stage: str) -> list[str]:
    """Owe each person one message whose text is its outbox key."""
    keys = [f"load:{stage}:person:{pid}" for pid in person_ids]
    now = datetime.now(UTC)
    with transaction(engine) as session:
        for key, pid in zip(keys, person_ids, strict=True):
            assert outbox.owe(session, key, now, {"type": "message", "text": key}, person_id=pid)
    return keys


def delivered(engine: Engine, keys: Iterable[str]) -> set[str]:
    with transaction(engine) as session:
        rows = session.exec(select(Outbox.key).where(col(Outbox.key).in_(list(keys)), Outbox.state == outbox.DELIVERED))
        return set(rows)


async def arrivals(connector: SlowConnector, keys: list[str], count: int, timeout: float, bot: BotProcess) -> None:
    deadline = time.monotonic() + timeout
    while sum(connector.counts(keys).values()) < count:
        assert time.monotonic() < deadline, f"only {sum(connector.counts(keys).values())} arrived:\n{bot.log()}"
        await asyncio.sleep(0.01)


async def all_delivered(engine: Engine, keys: list[str], timeout: float, bot: BotProcess) -> float:
    """Wait until the outbox records every key delivered; returns how long that took."""
    started = time.monotonic()
    while len(await asyncio.to_thread(delivered, engine, keys)) < len(keys):
        assert time.monotonic() - started < timeout, (
            f"{len(keys) - len(delivered(engine, keys))} of {len(keys)} not delivered within {timeout}s:\n{bot.log()}"
        )
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_a_stopped_and_a_killed_bot_deliver_every_owed_message_on_restart(
    tmp_path: Path, slow_connector: SlowConnector, processes: list[BotProcess]
) -> None:
    """Stopped (SIGTERM) and later killed (SIGKILL) mid-batch, restarted each time: every message arrives.

    A graceful stop lets the sends in flight finish and records what they sent, so nothing it sent is sent
    twice; what it had not started is owed again at once (and is then at the mercy of the next kill).

    A SIGKILL leaves one acknowledged at-least-once window: a message the connector received whose delivery
    the killed process had not yet recorded is sent again after the restart (the Bot Framework has no
    idempotency key, so the connector cannot drop it). Those messages are exactly the ones that had arrived
    at the connector but were not recorded delivered when the process died; there are at most as many as
    the sender has in flight at once (its concurrency, 16), each is sent at most twice, and every other
    message exactly once. In practice this test sees about as many duplicates as there were sends in flight
    at the kill.
    """
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    engine, people = prepare(url, slow_connector.url, 60)
    timings = {"CLUSTERBOT_SCHEDULER_INTERVAL": "1", "CLUSTERBOT_SENDER_LEASE_SECONDS": "3"}

    # 1. SIGTERM in the middle of a batch: the sends in flight are finished and recorded before the process exits.
    first = owe(engine, people, "first")
    bot = await BotProcess("term", url, tmp_path, **timings).start()
    processes.append(bot)
    await arrivals(slow_connector, first, 10, timeout=30, bot=bot)
    assert len(delivered(engine, first)) < len(first), "the stop came after the batch, not in the middle of it"
    assert await bot.stop(signal.SIGTERM) == 0, bot.log()
    received = set(slow_connector.counts(first))
    unrecorded = received - delivered(engine, first)
    assert not unrecorded, f"a graceful stop left sent messages unrecorded (they would be sent twice): {unrecorded}"

    # 2. Restart, and SIGKILL in the middle of the next batch.
    second = owe(engine, people, "second")
    bot = await BotProcess("kill", url, tmp_path, **timings).start()
    processes.append(bot)
    await arrivals(slow_connector, second, 10, timeout=30, bot=bot)
    assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL
    await asyncio.sleep(slow_connector.delay + 0.2)  # requests already sent finish arriving
    at_risk = set(slow_connector.counts(first + second)) - delivered(engine, first + second)
    assert len(at_risk) <= SENDER_CONCURRENCY, (
        f"more sends were unrecorded at the kill than can be in flight: {at_risk}"
    )
    assert len(delivered(engine, second)) < len(second), "the kill came after the batch, not in the middle of it"

    # 3. Restart: what the killed process had claimed is owed again once its lease runs out, and is delivered.
    bot = await BotProcess("again", url, tmp_path, **timings).start()
    processes.append(bot)
    took = await all_delivered(engine, first + second, timeout=30, bot=bot)
    await asyncio.sleep(1.5)  # room for any stray second send to arrive
    assert await bot.stop(signal.SIGTERM) == 0, bot.log()

    counts = slow_connector.counts(first + second)
    missing = [key for key in first + second if counts[key] == 0]
    assert not missing, f"never arrived: {missing}"
    twice = {key for key, n in counts.items() if n > 1}
    assert all(n <= 2 for n in counts.values()), counts.most_common(3)
    assert all(counts[key] == 1 for key in received), "what the stopped process sent is not sent again"
    assert twice <= at_risk, f"sent twice although recorded delivered before the kill: {twice - at_risk}"
    print(f"\nrestart: {len(at_risk)} in flight at the SIGKILL, {len(twice)} sent twice; last restart took {took:.1f}s")
    engine.dispose()


@pytest.mark.postgres
async def test_two_replicas_on_one_postgresql_send_each_message_once_and_the_other_takes_over(
    tmp_path: Path, postgres_url: str, slow_connector: SlowConnector, processes: list[BotProcess]
) -> None:
    """Both with the scheduler on and production timings: only the leader sends; when it stops the other leads.

    A follower checks the lock at least every 15 s and, on taking over, runs the jobs at once, so the owed
    messages are delivered within a minute (in practice within about 15 s).
    """
    slow_connector.delay = 0.05
    engine, people = prepare(postgres_url, slow_connector.url, 40)
    first = owe(engine, people[:30], "first")
    replicas = [BotProcess(name, postgres_url, tmp_path) for name in ("one", "two")]
    processes.extend(replicas)
    await asyncio.gather(*(bot.start() for bot in replicas))
    await asyncio.gather(*(bot.healthy() for bot in replicas))
    await all_delivered(engine, first, timeout=30, bot=replicas[0])
    await asyncio.sleep(1.0)  # room for a second send, should both have sent
    counts = slow_connector.counts(first)
    assert all(counts[key] == 1 for key in first), counts.most_common(3)
    leaders = [bot for bot in replicas if bot.leads()]
    assert len(leaders) == 1, "exactly one replica runs the scheduler:\n" + "\n".join(b.log() for b in replicas)
    [leader] = leaders
    [follower] = [bot for bot in replicas if bot is not leader]

    assert await leader.stop(signal.SIGTERM) == 0, leader.log()
    stopped = time.monotonic()
    later = owe(engine, people[30:], "later")
    took = await all_delivered(engine, later, timeout=60, bot=follower)
    assert follower.leads(), follower.log()
    assert time.monotonic() - stopped < 60
    await asyncio.sleep(0.5)
    counts = slow_connector.counts(first + later)
    assert all(counts[key] == 1 for key in first + later), counts.most_common(3)
    assert await follower.stop(signal.SIGTERM) == 0, follower.log()
    print(f"\ntakeover: the follower delivered {len(later)} messages {took:.1f}s after the leader stopped")
    engine.dispose()


STOP_BOUND_SECONDS = 10.0
"""The issue's bound on a stop under load: from SIGTERM to the process's exit, measured by the test."""

CHANNEL_CONVERSATION = {"conversationType": "channel", "id": act.CHANNEL_ID, "isGroup": True, "tenantId": act.TENANT}
CARD = "application/vnd.microsoft.card.adaptive"


def personal_chat(index: int) -> str:
    """The personal conversation :func:`prepare` gave its ``index``-th person."""
    return f"a:personal-aad-load-{index:03d}"


async def keep_writing(bot: BotProcess, connector_url: str, answered: asyncio.Event) -> None:
    """People keep writing ``help`` to the bot, three at a time, until it stops answering."""

    async def writer(who: tuple[str, str]) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    activity = act.personal_message(connector_url, *who, "help")
                    async with http.post(f"http://127.0.0.1:{bot.port}/api/messages", json=activity) as response:
                        await response.read()
                        answered.set()
                except (aiohttp.ClientError, OSError):
                    return

    await asyncio.gather(*(writer(who) for who in (TAC, CHAIR, ADMIN)))


async def test_a_stop_under_load_exits_within_ten_seconds_every_time(
    tmp_path: Path, slow_connector: SlowConnector, processes: list[BotProcess]
) -> None:
    """Three stops (SIGTERM), each in the middle of a batch, with retries waiting out a Retry-After and people
    writing to the bot: each process exits within 10 s, sends nothing twice, and leaves what it did not
    deliver owed. Production timings (a 20 s lease, a delivery run a minute).
    """
    url = f"sqlite:///{tmp_path / 'stops.db'}"
    engine, people = prepare(url, slow_connector.url, 60)
    throttled, others = people[:5], people[5:]
    for index in range(len(throttled)):  # Teams keeps saying "in 3 seconds": the sender waits to retry
        slow_connector.refuse(personal_chat(index), 429, retry_after=3)
    stops: list[float] = []
    sent: list[str] = []
    for round_ in range(3):
        keys = owe(engine, others, f"round{round_}")
        held_back = owe(engine, throttled, f"throttled{round_}")
        sent += keys
        bot = await BotProcess(f"stop-{round_}", url, tmp_path).start()
        processes.append(bot)
        await arrivals(slow_connector, keys, 10, timeout=30, bot=bot)
        answered = asyncio.Event()
        writing = asyncio.create_task(keep_writing(bot, slow_connector.url, answered))
        await asyncio.wait_for(answered.wait(), 30)

        signalled = time.monotonic()
        code = await bot.stop(signal.SIGTERM, timeout=60)
        stops.append(time.monotonic() - signalled)
        await writing
        assert code == 0, bot.log()
        unrecorded = set(slow_connector.counts(sent)) - delivered(engine, sent)
        assert not unrecorded, f"a stop left sent messages unrecorded (they would be sent twice): {unrecorded}"
        with transaction(engine) as session:
            states = set(session.exec(select(Outbox.state).where(col(Outbox.key).in_(held_back))))
        assert states == {outbox.OWED}, "what could not be delivered stays owed"

    assert all(took < STOP_BOUND_SECONDS for took in stops), f"stops took {[f'{t:.1f}s' for t in stops]}"
    counts = slow_connector.counts(sent)
    assert all(n <= 1 for n in counts.values()), counts.most_common(3)
    print(f"\nstops under load took {', '.join(f'{t:.1f}s' for t in stops)}")
    engine.dispose()


def prepare_meeting(url: str, connector_url: str) -> tuple[Engine, int, list[tuple[str, str]]]:
    """A meeting under way with one item open for votes, its channel linked; returns the item and three voters.

    The vote card is owed to the channel (not yet posted): the bot posts it when it starts.
    """
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    seed_file(engine, CENTRAL, now)
    import_entries(engine, ROSTER, now, "test")
    # Tomorrow's meeting, taking referrals until its day: the chair starts it today, the day before, to set up.
    set_deadline_days(engine, "Central", 0, now)
    add_meeting(engine, "Central", now.astimezone(LONDON).date() + timedelta(days=1), now)
    voters = [(f"aad-voter-{i}", f"Voter {i}") for i in range(3)]
    with Session(engine) as session:
        cluster = session.exec(select(Cluster).where(Cluster.name == "Central")).one()
        settings = session.exec(
            select(Setting.name).where(Setting.name != "Etruscan Primary School").order_by(Setting.name)
        ).all()[: len(voters)]
    entries = [
        Entry(name, None, aad, Role.SENCO, "Central", setting)
        for (aad, name), setting in zip(voters, settings, strict=True)
    ]
    import_entries(engine, entries, now, "test")
    with transaction(engine) as session:
        session.add(
            ConversationRef(
                conversation_id=act.CHANNEL_ID,
                kind="channel",
                service_url=connector_url,
                tenant_id=act.TENANT,
                team_id=act.TEAM_ID,
                channel_id=act.CHANNEL_ID,
                cluster_id=cluster.id,
                installed=True,
                updated_at=now,
            )
        )
    with Session(engine) as session:
        sam, admin, chair = (identify(session, *who) for who in (SENCO, ADMIN, CHAIR))
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="ehcp", once="k"), now)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_EHCP), now)
    view = submit_shown(engine, sam, draft.id, now).view
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), now)
    assert view.meeting is not None
    everyone_present(engine, view.meeting.id, now)
    start_meeting(engine, chair, StartMeeting(meeting_id=view.meeting.id), now)
    item_id = agenda(engine, view.meeting.id).entries[0].item_id
    open_item(engine, chair, OpenItem(item_id=item_id), now)
    return engine, item_id, voters


async def vote(bot: BotProcess, connector_url: str, who: tuple[str, str], item_id: int) -> None:
    """A member presses Approve on the vote card in the channel (an Action.Execute through /api/messages)."""
    activity: dict[str, Any] = act.card_click(
        connector_url,
        *who,
        verbs.VOTE_CAST,
        {"item_id": item_id, "choice": "approve"},
        conversation=CHANNEL_CONVERSATION,
    )
    activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{bot.port}/api/messages", json=activity) as response,
    ):
        assert response.status == 200, await response.text()
        body = await response.json()
    assert body["type"] == CARD, body


async def until(done: Any, timeout: float, bot: BotProcess, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(done):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s:\n{bot.log()}"
        await asyncio.sleep(0.1)


async def test_after_a_kill_while_votes_go_on_the_vote_card_shows_the_latest_count_soon_after_the_restart(
    tmp_path: Path, slow_connector: SlowConnector, processes: list[BotProcess]
) -> None:
    """Killed (SIGKILL) while redrawing the shared vote card, restarted, another vote: the card shows it in 30 s.

    The killed process's claim on the card's outbox row is what could keep it stale; production timings.
    """
    slow_connector.delay = 1.0  # so the redraw is still being sent when the process is killed
    url = f"sqlite:///{tmp_path / 'votes.db'}"
    engine, item_id, voters = prepare_meeting(url, slow_connector.url)
    card_key = f"vote:{item_id}"

    def vote_card_updates(pattern: str) -> list[str]:
        return [body for method, body in slow_connector.received_json if method == "PUT" and re.search(pattern, body)]

    bot = await BotProcess("voting", url, tmp_path).start()
    processes.append(bot)
    await bot.healthy()
    await until(lambda: outbox.posted_card(engine, card_key) is not None, 30, bot, "posting the vote card")
    await vote(bot, slow_connector.url, voters[0], item_id)
    await until(lambda: vote_card_updates(r"Approve 1\b"), 30, bot, "redrawing the vote card")
    assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL
    row = outbox.state_of(engine, f"card:{card_key}")
    assert row is not None and row.state == outbox.OWED, "the kill came after the redraw was recorded"

    again = await BotProcess("after-kill", url, tmp_path).start()
    restarted = time.monotonic()
    processes.append(again)
    await again.healthy()
    await vote(again, slow_connector.url, voters[1], item_id)
    while not vote_card_updates(r"Approve 2\b"):
        assert time.monotonic() - restarted < 30, f"the vote card was not redrawn within 30 s:\n{again.log()}"
        await asyncio.sleep(0.1)
    took = time.monotonic() - restarted
    assert await again.stop(signal.SIGTERM) == 0, again.log()
    print(f"\nafter the kill, the vote card showed the latest vote {took:.1f}s after the restart")
    engine.dispose()

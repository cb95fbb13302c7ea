"""Three ``clusterbot serve`` replicas behind nginx on one PostgreSQL; the scheduler's leader killed mid-burst.

Everything here is real except Teams: three ``python -m bot serve`` processes (authentication off, on
loopback), Debian's nginx in front of them run as an unprivileged user (``tests.replicas.nginx``), and a
PostgreSQL 15 started by the tests. Teams is the fake connector the replicas post to. The scheduler runs on
every replica; the advisory lock lets one lead. The timings are shortened (a delivery run and a leadership
check every second, a 3-second sender lease) so the test fits in well under a minute; production's are 60,
15 and 20 seconds, and only change how long the takeover and the redelivery take, not what is delivered.

A burst of clicks goes through nginx, 20 at a time: every member of 24 settings votes and then changes their
vote, and each of those settings submits a referral with a doubled click. When a third of them have been
answered, the replica holding the scheduler's lock is killed (SIGKILL) with some of them under way there; nginx
passes those on to a live replica (see ``tests.replicas.nginx`` for why a POST may be retried), and a click
that still failed would be sent again by the client, as Teams does. Then every answered click must be stored
exactly once, every owed message delivered, and exactly one of the two survivors must lead the scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, col, select

from cards import verbs
from cards.meeting_day.parts import CHOICE_TITLES
from cluster.card_ids import ItemId, MeetingId
from cluster.clock import LONDON
from cluster.commands.meetings import OpenItem, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.roles import Role
from cluster.voting import Choice
from scheduler.leader import SCHEDULER_LOCK_KEY
from store import outbox
from store.db import make_engine, transaction, upgrade
from store.models import AuditEvent, Cluster, ConversationRef, Outbox, Person, Referral, Setting, Vote
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO
from tests.replicas.nginx import Nginx, nginx_in_front
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

pytestmark = [pytest.mark.postgres, pytest.mark.replicas]

REPLICAS = ("replica-a", "replica-b", "replica-c")
VOTERS = 24
CONCURRENCY = 20
ATTEMPTS = 5  # how often the client sends a click that failed (Teams retries a failed invoke a few times)
TIMINGS = {"CLUSTERBOT_SCHEDULER_INTERVAL": "1", "CLUSTERBOT_SENDER_LEASE_SECONDS": "3"}
CARD = "application/vnd.microsoft.card.adaptive"
CHECKOUT = Path(__file__).resolve().parents[2]
"""The source tree under test: the replicas import the bot from here, not from wherever the venv's install points."""
CHANNEL = {"conversationType": "channel", "id": act.CHANNEL_ID, "isGroup": True, "tenantId": act.TENANT}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replica:
    """One ``python -m bot serve`` in a process group of its own, named in PostgreSQL by ``application_name``."""

    def __init__(self, name: str, database_url: str, workdir: Path) -> None:
        self.name = name
        self.port = _free_port()
        self.log_path = workdir / f"{name}.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "CLUSTERBOT_"))}
        # The name lets the test tell, from pg_locks, which replica's session holds the scheduler's lock.
        self.env.update(
            DATABASE_URL=f"{database_url}?application_name={name}",
            CLUSTERBOT_ALLOW_NO_AUTH="1",
            CLUSTERBOT_SCHEDULER="on",
            PYTHONPATH=os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")])),
            **TIMINGS,
        )
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Replica:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the replica's whole process group, as a crash or an OOM kill would end it."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """End the replica if it still runs: SIGTERM, then SIGKILL after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        try:
            return f"--- {self.name} ---\n" + self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""


@pytest.fixture
def replicas(tmp_path: Path, postgres_url: str) -> Iterator[list[Replica]]:
    """Three replicas, not yet started; whatever still runs at the end is stopped."""
    made = [Replica(name, postgres_url, tmp_path) for name in REPLICAS]
    try:
        yield made
    finally:
        for replica in made:
            replica.stop()


async def healthy(replica: Replica, http: aiohttp.ClientSession, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert replica.alive, f"{replica.name} died:\n{replica.log()}"
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"http://127.0.0.1:{replica.port}/readyz") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    pytest.fail(f"{replica.name} did not start within {timeout}s:\n{replica.log()}")


# --- the database as the burst finds it ----------------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    """A SENCO of one setting: votes on the open item and submits that setting's referral."""

    aad: str
    name: str
    setting_id: int
    referral_id: int
    version: int
    first: Choice
    final: Choice


@dataclass(frozen=True)
class Scene:
    engine: Engine
    item_id: int
    reference: str  # the referral being voted on
    voters: list[Voter]


def prepare(url: str, connector_url: str) -> Scene:
    """Central and the roster; a meeting under way with an item open; 24 SENCOs, each with a referral drafted.

    Everyone has a personal chat with the bot (so every notice owed can be delivered) and the cluster's
    channel is linked, so the vote card and the agenda are owed there.
    """
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    seed_file(engine, CENTRAL, now)
    import_entries(engine, ROSTER, now, "test")
    # Tomorrow's meeting, taking referrals until its day: the chair starts it today, the day before, to set up.
    set_deadline_days(engine, "Central", 0, now)
    add_meeting(engine, "Central", now.astimezone(LONDON).date() + timedelta(days=1), now)
    add_meeting(engine, "Central", now.astimezone(LONDON).date() + timedelta(days=60), now)
    with Session(engine) as session:
        cluster = session.exec(select(Cluster).where(Cluster.name == "Central")).one()
        settings = session.exec(
            select(Setting.name).where(Setting.name != "Etruscan Primary School").order_by(Setting.name)
        ).all()[:VOTERS]
    assert len(settings) == VOTERS
    people = [(f"aad-voter-{i:02d}", f"Voter {i}") for i in range(VOTERS)]
    entries = [
        Entry(name, None, aad, Role.SENCO, "Central", s) for (aad, name), s in zip(people, settings, strict=True)
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
        for aad in session.exec(select(Person.aad_object_id)).all():
            if aad:
                session.add(
                    ConversationRef(
                        conversation_id=act.personal_conversation(aad),
                        kind="personal",
                        service_url=connector_url,
                        aad_object_id=aad,
                        installed=True,
                        updated_at=now,
                    )
                )

    with Session(engine) as session:
        sam, admin, chair = (identify(session, *who) for who in (SENCO, ADMIN, CHAIR))
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="ehcp", once="vote-on-this"), now)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_EHCP), now)
    view = submit_shown(engine, sam, draft.id, now).view
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), now)
    assert view.meeting is not None and view.reference is not None
    everyone_present(engine, view.meeting.id, now)
    start_meeting(engine, chair, StartMeeting(meeting_id=MeetingId(view.meeting.id)), now)
    item_id = agenda(engine, view.meeting.id).entries[0].item_id
    open_item(engine, chair, OpenItem(item_id=ItemId(item_id)), now)

    choices = list(Choice)
    voters: list[Voter] = []
    for i, (aad, name) in enumerate(people):
        with Session(engine) as session:
            senco = identify(session, aad, name)
        setting_id = uc.picker(senco)[0][0]
        referral = uc.start(engine, senco, StartReferral(setting_id=setting_id, kind="ehcp", once=f"burst-{i}"), now)
        uc.save_details(
            engine,
            senco,
            SaveDetails(referral_id=referral.id, answers={**GOOD_EHCP, "pupil_ref": f"BURST-{i:03d}"}),
            now,
        )
        version = uc.open_for_edit(engine, senco, OneReferral(referral_id=referral.id), now).version
        assert version is not None
        voters.append(Voter(aad, name, setting_id, referral.id, version, Choice.APPROVE, choices[i % len(choices)]))
    return Scene(engine, item_id, view.reference, voters)


# --- the burst -----------------------------------------------------------------------------------------------


@dataclass
class Click:
    """One click as the client sent it, and what became of it."""

    what: str
    activity: dict[str, Any]
    attempts: int = 0
    acknowledged: bool = False
    failures: list[str] = field(default_factory=list)


@dataclass
class Burst:
    """Sends clicks through nginx, at most ``CONCURRENCY`` at once, sending a failed one again (as Teams does)."""

    url: str
    http: aiohttp.ClientSession
    limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))
    clicks: list[Click] = field(default_factory=list)
    answered: int = 0
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, what: str, activity: dict[str, Any]) -> Click:
        click = Click(what, activity)
        self.clicks.append(click)
        while click.attempts < ATTEMPTS and not click.acknowledged:
            click.attempts += 1
            async with self.limit:
                try:
                    async with self.http.post(f"{self.url}/api/messages", json=activity) as response:
                        body = await response.read()
                        if response.status == 200:
                            answer = json.loads(body)
                            # A refusal (a message instead of a card) is an answer, not a failure: never retried.
                            assert answer.get("type") == CARD, f"{what} was refused: {answer}"
                            click.acknowledged = True
                        else:
                            click.failures.append(f"{response.status} {body[:200]!r}")
                except (aiohttp.ClientError, TimeoutError) as error:
                    click.failures.append(repr(error))
            if not click.acknowledged:
                await asyncio.sleep(0.3)  # Teams waits a little before it sends the same activity again
        self.answered += 1
        self.progress.set()
        return click

    async def until_answered(self, count: int) -> None:
        while self.answered < count:
            self.progress.clear()
            await self.progress.wait()


def vote_click(connector_url: str, voter: Voter, item_id: int, choice: Choice) -> dict[str, Any]:
    activity = act.card_click(
        connector_url, voter.aad, voter.name, verbs.VOTE_CAST, {"item_id": item_id, "choice": choice.value}, CHANNEL
    )
    activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
    return activity


def submit_click(connector_url: str, voter: Voter) -> dict[str, Any]:
    data = {"referral_id": voter.referral_id, "version": voter.version}
    return act.card_click(connector_url, voter.aad, voter.name, verbs.SUBMIT, data)


# --- what the database says ----------------------------------------------------------------------------------

LOCK_HOLDERS = text(
    """
    SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid::bigint = :high AND l.objid::bigint = :low
    """
)


def scheduler_leaders(engine: Engine) -> list[str]:
    """The replicas whose database session holds the scheduler's advisory lock (a bigint key: two halves)."""
    key = {"high": SCHEDULER_LOCK_KEY >> 32, "low": SCHEDULER_LOCK_KEY & 0xFFFFFFFF}
    with engine.connect() as connection:
        return [str(name) for name in connection.execute(LOCK_HOLDERS, key).scalars()]


def owed_rows(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Outbox.key).where(Outbox.state == outbox.OWED)))


async def leader_gauge(http: aiohttp.ClientSession, replica: Replica) -> float | None:
    """The replica's "leads the scheduler" gauge from /metrics, or None while there is no such endpoint or gauge."""
    with contextlib.suppress(aiohttp.ClientError):
        async with http.get(f"http://127.0.0.1:{replica.port}/metrics") as response:
            if response.status != 200:
                return None
            for line in (await response.text()).splitlines():
                name, _, value = line.rpartition(" ")
                if not line.startswith("#") and "leader" in name:
                    return float(value)
    return None


async def eventually(check: Callable[[], bool], timeout: float, what: Callable[[], str]) -> float:
    """Poll ``check`` (in a thread) until it holds; returns how long that took. Fails after ``timeout``."""
    started = time.monotonic()
    while not await asyncio.to_thread(check):
        assert time.monotonic() - started < timeout, what()
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_three_replicas_behind_nginx_keep_every_answered_click_once_when_the_scheduler_leader_is_killed(
    replicas: list[Replica], postgres_url: str
) -> None:
    """Each answered vote and submission is stored once, each owed message delivered, one survivor leads."""
    connector = await FakeConnector().start()
    scene: Scene | None = None
    try:
        scene = prepare(postgres_url, connector.url)
        for replica in replicas:
            replica.start()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=40)) as http:
            await asyncio.gather(*(healthy(replica, http) for replica in replicas))
            with nginx_in_front([r.port for r in replicas]) as nginx:
                await run_burst(scene, replicas, nginx, connector, http)
    finally:
        await connector.close()
        if scene is not None:
            scene.engine.dispose()


async def run_burst(
    scene: Scene, replicas: list[Replica], nginx: Nginx, connector: FakeConnector, http: aiohttp.ClientSession
) -> None:
    engine = scene.engine

    def logs() -> str:
        return "\n".join(r.log() for r in replicas) + "\n--- nginx ---\n" + nginx.log()

    await eventually(lambda: len(scheduler_leaders(engine)) == 1, 20, lambda: "no replica leads:\n" + logs())
    [leader_name] = scheduler_leaders(engine)
    leader = next(r for r in replicas if r.name == leader_name)
    survivors = [r for r in replicas if r is not leader]

    burst = Burst(nginx.url, http)

    async def member(voter: Voter) -> None:
        # Votes, then changes their mind once the first vote is answered; submits with a doubled click.
        async def votes() -> None:
            await burst.send(f"{voter.name}'s vote", vote_click(connector.url, voter, scene.item_id, voter.first))
            await burst.send(f"{voter.name}'s new vote", vote_click(connector.url, voter, scene.item_id, voter.final))

        async def submits() -> None:
            await asyncio.gather(
                *(burst.send(f"{voter.name}'s submit", submit_click(connector.url, voter)) for _ in range(2))
            )

        await asyncio.gather(votes(), submits())

    members = list(scene.voters)
    random.Random(13).shuffle(members)
    sending = asyncio.gather(*(member(voter) for voter in members))
    total = 4 * len(members)
    await burst.until_answered(total // 3)
    assert burst.answered < total, "the burst was over before the kill"
    leader.kill()
    killed_at = time.monotonic()
    took_over = await eventually(
        lambda: bool(set(scheduler_leaders(engine)) & {r.name for r in survivors}),
        20,
        lambda: "no survivor took the scheduler over:\n" + logs(),
    )
    await sending
    burst_over = time.monotonic() - killed_at

    # Every click was answered in the end (nginx passed those in flight at the kill on to a live replica, or
    # the client's retry did), and none was refused.
    unanswered = [c for c in burst.clicks if not c.acknowledged]
    assert not unanswered, [(c.what, c.failures) for c in unanswered]
    failed_once = [c for c in burst.clicks if c.failures]

    with Session(engine) as session:
        votes = {v.setting_id: v for v in session.exec(select(Vote).where(Vote.item_id == scene.item_id))}
        referrals = {
            r.id: r
            for r in session.exec(select(Referral).where(col(Referral.id).in_([v.referral_id for v in members])))
        }
        submits = Counter(
            session.exec(
                select(AuditEvent.subject).where(
                    AuditEvent.action == "referral.submit",
                    col(AuditEvent.subject).in_([f"referral:{v.referral_id}" for v in members]),
                )
            )
        )
        notices = Counter(
            key.split(":")[2]
            for key in session.exec(select(Outbox.key).where(col(Outbox.key).like("notice:referral:%:submitted:%")))
        )

    # Each setting's vote is stored once, as its member last chose.
    assert {s: v.choice for s, v in votes.items()} == {v.setting_id: v.final.value for v in members}
    # Each referral is submitted once: one submission recorded, one reference, one notice owed to the admins.
    assert all(referrals[v.referral_id].state == "submitted" for v in members)
    assert submits == Counter({f"referral:{v.referral_id}": 1 for v in members})
    references = [referrals[v.referral_id].reference for v in members]
    assert None not in references and len(set(references)) == len(members), references
    assert all(notices[str(v.referral_id)] == 1 for v in members), notices

    # Every owed message is delivered, what the killed replica had claimed once its lease ran out.
    delivered_in = await eventually(
        lambda: not owed_rows(engine), 30, lambda: f"still owed: {owed_rows(engine)}\n" + logs()
    )
    with Session(engine) as session:
        states = Counter(session.exec(select(Outbox.state)))
        row_count = session.exec(select(func.count()).select_from(Outbox)).one()
    assert set(states) == {outbox.DELIVERED}, states

    admin_chat = act.personal_conversation(ADMIN[0])
    told = Counter(
        str(reference)
        for call in connector.sent_to(admin_chat)
        for reference in references
        if "New referral to check" in call.all_json() and str(reference) in call.all_json()
    )
    # At least once each; twice only for a notice the killed replica had sent but not yet recorded as sent.
    assert all(1 <= told[str(reference)] <= 2 for reference in references), told

    # The vote card in the channel was last drawn with the votes as stored.
    tally = Counter(v.choice for v in votes.values())
    counts = " · ".join(f"{CHOICE_TITLES[c]} {tally[c.value]}" for c in Choice)
    vote_cards = [  # posted in the agenda's thread, then updated in place
        c
        for c in connector.calls
        if c.conversation_id.startswith(act.CHANNEL_ID) and f"Vote: {scene.reference}" in c.all_json()
    ]
    assert vote_cards, "the vote card was never posted"
    last = json.dumps(vote_cards[-1].body, ensure_ascii=False)
    assert counts in last, (counts, last[:3000])

    # Exactly one replica leads the scheduler, and it is one of the survivors.
    leaders = scheduler_leaders(engine)
    assert len(leaders) == 1 and leaders[0] in {r.name for r in survivors}, leaders
    assert all(r.alive for r in survivors), logs()

    # Where another branch adds /metrics with a leader gauge, the survivors agree with pg_locks; not required.
    gauges = {r.name: await leader_gauge(http, r) for r in survivors}
    if all(value is not None for value in gauges.values()):
        assert gauges == {r.name: 1.0 if r.name == leaders[0] else 0.0 for r in survivors}, gauges

    # The kill hit requests the leader had been sent, and nginx passed them on to a live replica (its
    # non_idempotent retry): Teams saw no failure at all, though the client would have sent them again.
    errors = nginx.log(tail=None)
    cut_off = errors.count("prematurely closed connection") + errors.count("Connection reset by peer")
    refused = errors.count("Connection refused")
    passed_on = sum(", " in line for line in nginx.log("access.log", tail=None).splitlines())
    assert cut_off >= 1, "no request was under way on the killed replica:\n" + errors
    assert not failed_once, [(c.what, c.failures) for c in failed_once]
    print(
        f"\n{len(burst.clicks)} clicks through nginx; {leader.name} (the scheduler's leader) killed after "
        f"{total // 3} answers with {cut_off} request(s) under way; nginx passed {passed_on} on to another replica "
        f"({refused} refused connections). "
        f"{leaders[0]} took the scheduler over {took_over:.2f}s after the kill; the burst ended {burst_over:.1f}s "
        f"after it; all {row_count} outbox rows were delivered {delivered_in:.1f}s after the burst "
        f"({sum(told.values()) - len(references)} notice(s) sent twice)."
    )

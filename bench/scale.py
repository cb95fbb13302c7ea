"""Our bot on N times the city: each read timed through /api/messages, the reminders job, ``help`` while the
bot's own scheduler runs that job, and the bot's memory.

Run from the repository root, in the project's environment::

    python bench/scale.py --scale 1                  # seconds to build; a quick check
    python bench/scale.py --scale 100                # the issue's city: 400 clusters, 12,000 settings, ...
    python bench/scale.py --scale 10 --postgres      # on a throwaway PostgreSQL (tests/pgserver.py)
    python bench/scale.py --scale 10 --database-url postgresql://user@127.0.0.1:5432/empty_db

Method
------
1. ``clusterbot seed`` makes the database (migrations, then Central and its 29 settings) in a temporary
   directory (SQLite) or in the empty database given; ``bench/city.py`` then adds N times the city with bulk
   inserts: at N=100, 400 clusters, 12,000 settings, 200,000 referrals, 100,000 open reviews (1% inside the
   nudge window, the rest due over the next three years), a SENCO per setting and a chair and an admin per
   cluster, each cluster's channel linked and everyone's personal chat known; and, for Central, a 300-item
   agenda on its next meeting and a held meeting with 331 items in its minutes. A copy of the database is
   kept for step 4 (SQLite's backup API; on PostgreSQL ``CREATE DATABASE ... TEMPLATE``).
2. ``clusterbot serve`` with the scheduler off (``CLUSTERBOT_SCHEDULER=off``): each read, once to warm up
   and then ``--reads`` times (default 5), one after the other, as Central's chair, admin or a SENCO would
   ask: ``@agenda`` in the channel (until the agenda card reaches the connector), the agenda card's redraw
   (``agenda.show``), ``@minutes`` in the channel, ``minutes`` in personal chat (the Markdown and the XLSX
   export, offered as files), ``referrals to check``, ``my referrals``, ``reviews due``, ``budget``,
   ``citywide`` (every cluster's figures, issue 12) and ``help``. A message's time runs from its POST to
   the reply (or the agenda card) reaching the fake connector; a click's is its HTTP answer. Then the bot's
   memory (VmRSS and its peak VmHWM, from /proc).
3. The reminders job, ``scheduler.jobs.owe_reminders(engine, now)``, in this process against the same
   database: its first run, then a rerun with nothing new.
4. ``clusterbot serve`` with the scheduler on, on the copy from step 1, so its own reminders job (which runs
   as the bot starts) finds everything owed afresh: ``help`` from ``--concurrency`` senders (default 16),
   started before the bot listens, until the connector has received every message the job owes (step 3
   says how many) or ``--job-timeout`` passes; the p99 of those ``help`` replies, and the bot's peak memory.

Every figure is printed beside its target (issue 10) and written to ``bench/results-scale.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import city
from common import (
    BENCH,
    CARD_TYPE,
    BenchError,
    Child,
    Connector,
    Processes,
    bot_environment,
    card_click,
    channel_conversation,
    channel_message,
    clusterbot_command,
    encode,
    free_port,
    memory_mb,
    percentile,
    personal_message,
    post_one,
    run_cli,
    start_connector,
    table,
    throwaway_postgres,
    wait_http,
)
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

RESULTS = BENCH / "results-scale.json"
FILE_CONSENT = b"application/vnd.microsoft.teams.card.file.consent"
Person = tuple[str, str]


def sqlalchemy_url(url: str) -> str:
    """``postgresql://`` as the psycopg 3 driver SQLAlchemy needs (the project installs no psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_engine(url: str) -> Engine:
    """A plain engine for building: no foreign-key checks on SQLite (the ids are consistent by construction)
    and no waiting for the disk, since a crash only loses a benchmark's database."""
    engine = create_engine(sqlalchemy_url(url))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    return engine


# --- the databases -------------------------------------------------------------------------------------


@dataclass
class Databases:
    """The database the reads run on and the untouched copy the scheduler's run starts from."""

    main: str
    fresh: str
    drop: Callable[[], None] = lambda: None


def copy_database(url: str, workdir: Path) -> Databases:
    """Keep a copy of the database as built, for the scheduler's first run in step 4."""
    parsed = make_url(sqlalchemy_url(url))
    if parsed.get_backend_name() == "sqlite":
        source_path = parsed.database or ""
        copy_path = str(workdir / "city-fresh.db")
        source, copy = sqlite3.connect(source_path), sqlite3.connect(copy_path)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        return Databases(url, f"sqlite:///{copy_path}")
    name = parsed.database or ""
    fresh = f"{name}_fresh"
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{fresh}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{fresh}" TEMPLATE "{name}"')
    finally:
        maintenance.dispose()

    def drop() -> None:
        engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        finally:
            engine.dispose()

    return Databases(url, parsed.set(database=fresh).render_as_string(hide_password=False), drop)


# --- reads ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One thing a person asks for, how to ask it, what the answer must contain and the target."""

    name: str
    who: str  # chair, admin or senco
    how: str  # channel (a message in the channel), invoke (a click in the channel) or personal
    text: str  # the command, or the verb of the click
    expect: bytes
    target_ms: float | None


READS = (
    Read("agenda (@agenda)", "chair", "channel", "agenda", CARD_TYPE.encode(), 100),
    Read("agenda card (agenda.show)", "chair", "invoke", "agenda.show", CARD_TYPE.encode(), 100),
    Read("minutes (@minutes)", "chair", "channel", "minutes", CARD_TYPE.encode(), 500),
    Read("minutes as Markdown and XLSX", "chair", "personal", "minutes", FILE_CONSENT, 500),
    Read("referrals to check", "admin", "personal", "referrals to check", CARD_TYPE.encode(), 50),
    Read("my referrals", "senco", "personal", "my referrals", CARD_TYPE.encode(), 50),
    Read("reviews due", "chair", "personal", "reviews due", CARD_TYPE.encode(), None),
    Read("budget", "admin", "personal", "budget", CARD_TYPE.encode(), None),
    Read("citywide", "chair", "personal", "citywide", CARD_TYPE.encode(), None),
    Read("help", "senco", "personal", "help", CARD_TYPE.encode(), None),
    Read("what worked", "senco", "personal", "what worked speech language", CARD_TYPE.encode(), 100),
)


@dataclass
class ReadResult:
    """A read's times (ms), the size of its answer and how many of Central's references it showed."""

    name: str
    times_ms: list[float]
    median_ms: float
    max_ms: float
    answer_bytes: int
    references: int
    target_ms: float | None


class Asker:
    """Asks our bot one thing as Teams would and waits for the answer; returns (seconds, answer bytes)."""

    def __init__(self, session: aiohttp.ClientSession, url: str, connector: Connector, built: city.City) -> None:
        self.session = session
        self.url = url
        self.connector = connector
        self.city = built
        self.people: dict[str, Person] = {"chair": built.chair, "admin": built.admin, "senco": built.senco}
        self.ids = itertools.count(1)

    async def ask(self, read: Read, within: float) -> tuple[float, bytes]:
        who = self.people[read.who]
        activity_id = f"read-{next(self.ids)}"
        service = self.connector.url
        if read.how == "invoke":
            data = {"meeting_id": self.city.agenda_meeting_id}
            click = card_click(
                service, activity_id, *who, read.text, data, channel_conversation(self.city.central_channel)
            )
            status, body, seconds = await post_one(self.session, self.url, click)
            if status != 200:
                raise BenchError(f"{read.name}: HTTP {status}: {body[:300]!r}")
            return seconds, body
        if read.how == "channel":
            activity = channel_message(service, activity_id, *who, read.text, self.city.central_channel)
        else:
            activity = personal_message(service, activity_id, *who, read.text)
        _, events_before = await self.connector.stats(self.session, since=0, replies=False)
        began = time.monotonic()
        status, body, _ = await post_one(self.session, self.url, activity)
        if status >= 300:
            raise BenchError(f"{read.name}: HTTP {status}: {body[:300]!r}")
        if read.text == "agenda":  # the agenda goes to the channel as a post or an update, not a reply
            events = await self.connector.wait_events(self.session, len(events_before), within)
            return events[0][0] - began, await self.connector.body(self.session, f"event-{len(events_before)}")
        arrived = await self.connector.wait_reply(self.session, activity_id, within)
        return arrived - began, await self.connector.body(self.session, activity_id)


async def time_reads(asker: Asker, repeats: int, within: float, code: str) -> list[ReadResult]:
    """Each read once to warm up, then ``repeats`` times; the answer must hold what the read is for."""
    results = []
    for read in READS:
        _, answer = await asker.ask(read, within)
        times = []
        for _ in range(repeats):
            seconds, answer = await asker.ask(read, within)
            if read.expect not in answer:
                raise BenchError(f"{read.name}: the answer is not what it should be: {answer[:400]!r}")
            times.append(round(seconds * 1000, 1))
        results.append(
            ReadResult(
                read.name,
                times,
                round(statistics.median(times), 1),
                max(times),
                len(answer),
                answer.count(f"{code}-".encode()),
                read.target_ms,
            )
        )
        print(f"  {read.name}: median {results[-1].median_ms:.1f} ms (of {times})", flush=True)
    return results


# --- the reminders job ---------------------------------------------------------------------------------


def _sizes(owed: Any) -> dict[str, int]:
    """How much each part of the job owed (its result's fields' lengths)."""
    if is_dataclass(owed) and not isinstance(owed, type):
        return {f.name: len(getattr(owed, f.name)) for f in fields(owed)}
    try:
        return {"owed": len(owed)}
    except TypeError:
        return {}


def run_job(url: str) -> dict[str, Any]:
    """``scheduler.jobs.owe_reminders`` in this process: the first run, then a rerun with nothing new."""
    from scheduler.jobs import owe_reminders
    from store.db import make_engine

    engine = make_engine(url)
    try:
        began = time.monotonic()
        first = owe_reminders(engine, datetime.now(UTC))
        first_s = time.monotonic() - began
        began = time.monotonic()
        again = owe_reminders(engine, datetime.now(UTC))
        rerun_s = time.monotonic() - began
    finally:
        engine.dispose()
    return {
        "first_run_s": round(first_s, 3),
        "first_run_owed": _sizes(first),
        "rerun_s": round(rerun_s, 3),
        "rerun_owed": _sizes(again),
    }


# --- help while the bot's scheduler runs the job -------------------------------------------------------


@dataclass
class LoadWindow:
    """What ``help`` measured while the bot's scheduler ran the reminders job."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    throughput_rps: float = 0.0
    deliveries: int = 0
    first_delivery_s: float | None = None  # after the bot's first answer
    last_delivery_s: float | None = None
    window_s: float = 0.0
    peak_rss_mb: float | None = None
    complete: bool = False
    after_requests: int = 0  # the same load once the job is done, for comparison
    after_p99_ms: float | None = None
    # Each second after the bot's first answer: replies, and the slowest (ms).
    by_second: list[tuple[int, int, float]] = field(default_factory=list)


async def help_while_job(
    session: aiohttp.ClientSession,
    url: str,
    connector: Connector,
    bot: Child,
    person: Person,
    concurrency: int,
    expected: int,
    limit_s: float,
    after_s: float = 5.0,
) -> LoadWindow:
    """``help`` from ``concurrency`` senders, from before the bot listens until the job's messages are all sent.

    Senders retry until the bot listens (the scheduler starts its first run as the app starts), so the load
    covers the job from its beginning. Each sender's first request is left out of the figures: it pays for the
    bot's first turns after starting (and a new connection), which is not what the job costs. With nothing
    owed, the load runs for ten seconds after the first answer. Once the job is done the load goes on for
    ``after_s`` seconds more, for the p99 of the same load without the job.
    """
    starts: dict[str, float] = {}
    answered: dict[str, float] = {}
    window = LoadWindow()
    stop = asyncio.Event()
    ids = itertools.count(1)
    first_answer: list[float] = []
    warm: set[str] = set()
    headers = {"Content-Type": "application/json"}

    async def sender() -> None:
        first = True
        while not stop.is_set():
            activity_id = f"job-help-{next(ids)}"
            body = encode(personal_message(connector.url, activity_id, *person, "help"))
            began = time.monotonic()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status >= 300:
                        window.errors.append(f"{activity_id}: HTTP {response.status}")
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.02)  # not listening yet
                continue
            except (aiohttp.ClientError, TimeoutError) as exc:
                window.errors.append(f"{activity_id}: {type(exc).__name__} {exc}")
            starts[activity_id] = began
            answered[activity_id] = time.monotonic()
            if first:
                warm.add(activity_id)
                first = False
            if not first_answer:
                first_answer.append(answered[activity_id])

    deliveries: list[float] = []
    done: list[float] = []

    async def watcher() -> None:
        began = time.monotonic()
        seen = 0
        while True:
            await asyncio.sleep(0.25)
            bot.check_alive()
            _, events = await connector.stats(session, since=seen, replies=False)
            seen += len(events)
            deliveries.extend(e[0] for e in events if e[1] == "POST")
            if expected and len(deliveries) >= expected:
                window.complete = True
                break
            if not expected and first_answer and time.monotonic() - first_answer[0] > 10:
                window.complete = True
                break
            if time.monotonic() - began > limit_s:
                break
        done.append(time.monotonic())
        if window.complete:
            await asyncio.sleep(after_s)
        stop.set()

    await asyncio.gather(watcher(), *(sender() for _ in range(concurrency)))
    # Replies reach the connector before the bot answers the POST; a moment for the last ones, then one look
    # (a long run leaves too many replies to poll for).
    await asyncio.sleep(1.0)
    arrivals, _ = await connector.stats(session, since=1 << 40)
    window.peak_rss_mb = memory_mb(bot.pid)[1]
    origin = first_answer[0] if first_answer else time.monotonic()
    end = max(deliveries) if deliveries and expected else max(answered.values(), default=origin)
    latencies = sorted(
        (arrivals[i][0] - starts[i]) * 1000 for i in starts if i in arrivals and starts[i] <= end and i not in warm
    )
    window.errors.extend(f"{i}: no reply" for i in starts if i not in arrivals)
    buckets: dict[int, list[float]] = {}
    for i in starts:
        if i in arrivals and i not in warm:
            buckets.setdefault(int(starts[i] - origin), []).append((arrivals[i][0] - starts[i]) * 1000)
    window.by_second = [(second, len(v), round(max(v), 1)) for second, v in sorted(buckets.items())]
    after = sorted(
        (arrivals[i][0] - starts[i]) * 1000 for i in starts if i in arrivals and done and starts[i] > done[0]
    )
    window.after_requests = len(after)
    window.after_p99_ms = round(percentile(after, 99), 1) if after else None
    window.requests = len(latencies)
    if latencies:
        window.p50_ms = round(percentile(latencies, 50), 1)
        window.p99_ms = round(percentile(latencies, 99), 1)
        window.max_ms = round(latencies[-1], 1)
    window.deliveries = len(deliveries)
    if deliveries:
        window.first_delivery_s = round(min(deliveries) - origin, 2)
        window.last_delivery_s = round(max(deliveries) - origin, 2)
    window.window_s = round(max(end - min(starts.values(), default=end), 0.001), 2)
    window.throughput_rps = round(window.requests / window.window_s, 1)
    return window


# --- main ----------------------------------------------------------------------------------------------


async def serve(
    processes: Processes, name: str, env: dict[str, str], port: int, session: aiohttp.ClientSession, within: float
) -> tuple[Child, str]:
    """Start ``clusterbot serve`` and wait until it answers /healthz."""
    child = processes.start(name, [clusterbot_command(), "serve", "--port", str(port)], env=env)
    await wait_http(session, child, "GET", f"http://127.0.0.1:{port}/healthz", within)
    return child, f"http://127.0.0.1:{port}/api/messages"


def verdict(value: float | None, target: float | None) -> str:
    """'met', 'missed by ...' or '' when there is no target or no value."""
    if value is None or target is None:
        return ""
    return "met" if value < target else f"missed ({value / target:.1f}x the target)"


def summary(
    built: city.City,
    reads: list[ReadResult],
    memory: tuple[float | None, float | None],
    job: dict[str, Any],
    window: LoadWindow,
) -> str:
    """The table of every figure beside its target."""
    rows = [["what", "ms (median)", "max ms", "target", "verdict", "answer"]]
    for r in reads:
        target = f"< {r.target_ms:.0f} ms" if r.target_ms else "-"
        shown = f"{r.answer_bytes / 1024:.0f} KB, {r.references} refs"
        rows.append([r.name, f"{r.median_ms:.1f}", f"{r.max_ms:.1f}", target, verdict(r.median_ms, r.target_ms), shown])
    first, rerun = job["first_run_s"], job["rerun_s"]
    owed = sum(job["first_run_owed"].values())
    rows.append(["reminders job, first run", f"{first * 1000:.0f}", "", "< 30 s", verdict(first, 30), f"{owed} owed"])
    again = sum(job["rerun_owed"].values())
    rows.append(["reminders job, rerun", f"{rerun * 1000:.0f}", "", "< 1 s", verdict(rerun, 1), f"{again} owed"])
    help_note = f"{window.requests} replies, {len(window.errors)} errors"
    rows.append(
        [
            "help p99 while the job runs",
            f"{window.p99_ms:.1f}",
            f"{window.max_ms:.1f}",
            "< 250 ms",
            verdict(window.p99_ms, 250),
            help_note,
        ]
    )
    rss, peak = memory
    peak_all = max(v for v in (peak, window.peak_rss_mb, 0.0) if v is not None)
    rows.append(
        [
            "bot memory, peak RSS (MB)",
            f"{peak_all:.0f}",
            "",
            "< 200 MB",
            verdict(peak_all, 200),
            f"{rss or 0:.0f} MB after the reads",
        ]
    )
    if window.after_p99_ms is not None:
        after_note = f"{window.after_requests} replies, once the job was done"
        rows.append(["help p99 after the job", f"{window.after_p99_ms:.1f}", "", "-", "", after_note])
    lines = [table(rows)]
    span = (
        f"the job's {window.deliveries} messages reached the connector {window.first_delivery_s} to "
        f"{window.last_delivery_s} s after the bot's first answer; help measured over {window.window_s} s"
        + ("" if window.complete else " (stopped at --job-timeout before every owed message was sent)")
    )
    lines.append(span)
    return "\n".join(lines)


async def run(args: argparse.Namespace, processes: Processes, database_url: str) -> dict[str, Any]:
    workdir = processes.workdir
    connector = start_connector(processes, keep_bodies=True)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    limits = aiohttp.TCPConnector(limit=args.concurrency + 8)
    async with aiohttp.ClientSession(connector=limits, timeout=timeout) as session:
        await wait_http(session, connector.child, "GET", f"{connector.url}/stats", args.startup_timeout)

        print(
            f"building {args.scale}x the city on {make_url(sqlalchemy_url(database_url)).get_backend_name()}",
            flush=True,
        )
        base_env = bot_environment(database_url)
        run_cli(["seed"], base_env, workdir, args.startup_timeout)
        plan = city.plan_for(args.scale, args.agenda_items, args.minutes_items, args.due_share)
        engine = build_engine(database_url)
        try:
            built = city.build_city(engine, plan, connector.url, datetime.now(UTC))
        finally:
            engine.dispose()
        print(f"  built in {built.seconds:.1f}s: {built.counts}", flush=True)
        databases = copy_database(database_url, workdir)
        try:
            # 2. the reads, with the scheduler off
            env = bot_environment(databases.main, CLUSTERBOT_SCHEDULER="off")
            bot, url = await serve(processes, "clusterbot-reads", env, free_port(), session, args.startup_timeout)
            print(f"reading (clusterbot {bot.pid}, workdir {workdir})", flush=True)
            asker = Asker(session, url, connector, built)
            code = "CEN"
            reads = await time_reads(asker, args.reads, args.request_timeout, code)
            memory = memory_mb(bot.pid)
            processes.stop(bot)

            # 3. the reminders job, in this process
            print("the reminders job, in this process", flush=True)
            job = await asyncio.to_thread(run_job, databases.main)
            print(f"  first run {job['first_run_s']}s ({job['first_run_owed']}), rerun {job['rerun_s']}s", flush=True)

            # 4. help while the bot's own scheduler runs the job, on the copy
            expected = sum(job["first_run_owed"].values())
            print(
                f"help from {args.concurrency} senders while the bot's scheduler owes and sends {expected} messages",
                flush=True,
            )
            await connector.reset(session)
            env = bot_environment(databases.fresh, CLUSTERBOT_SCHEDULER="on")
            port = free_port()
            bot = processes.start("clusterbot-scheduler", [clusterbot_command(), "serve", "--port", str(port)], env=env)
            window = await help_while_job(
                session,
                f"http://127.0.0.1:{port}/api/messages",
                connector,
                bot,
                built.senco,
                args.concurrency,
                expected,
                args.job_timeout,
            )
            processes.stop(bot)
        finally:
            databases.drop()

    text = summary(built, reads, memory, job, window)
    print()
    print(text)
    return {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": make_url(sqlalchemy_url(database_url)).get_backend_name(),
        "scale": args.scale,
        "built": {"seconds": round(built.seconds, 1), "rows": built.counts},
        "reads": [asdict(r) for r in reads],
        "memory_after_reads_mb": {"rss": memory[0], "peak": memory[1]},
        "reminders_job": job,
        "help_while_job": asdict(window) | {"errors": window.errors[:20], "error_count": len(window.errors)},
        "report": text,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Our bot on N times the city: reads, the reminders job, memory.")
    parser.add_argument("--scale", type=float, default=1.0, help="N times the city (100: the issue's size; default 1)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temporary directory)")
    where.add_argument(
        "--postgres", action="store_true", help="start a throwaway PostgreSQL (tests/pgserver.py) for it"
    )
    parser.add_argument("--reads", type=int, default=5, help="times each read is timed (default 5)")
    parser.add_argument("--concurrency", type=int, default=16, help="help senders while the job runs (default 16)")
    parser.add_argument("--agenda-items", type=int, default=300, help="items on Central's next agenda (default 300)")
    parser.add_argument("--minutes-items", type=int, default=331, help="items in Central's last minutes (default 331)")
    parser.add_argument(
        "--due-share", type=float, default=0.01, help="share of reviews in the nudge window (default 0.01)"
    )
    parser.add_argument(
        "--job-timeout", type=float, default=900, help="seconds allowed for the scheduler's run (default 900)"
    )
    parser.add_argument("--startup-timeout", type=float, default=120, help="seconds allowed to start the bot")
    parser.add_argument("--request-timeout", type=float, default=300, help="seconds allowed per read")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.reads < 1 or args.concurrency < 1:
        parser.error("--scale, --reads and --concurrency must be positive")
    return args


def _terminate(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="clusterbot-scale-"))
    processes = Processes(workdir)
    try:
        with contextlib.ExitStack() as stack:
            if args.postgres:
                url = stack.enter_context(throwaway_postgres())
            else:
                url = args.database_url or f"sqlite:///{workdir / 'city.db'}"
            result = asyncio.run(run(args, processes, url))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        processes.stop_all()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

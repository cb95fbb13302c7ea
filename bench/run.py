"""Throughput and latency of clusterbot's ``help`` and of a vote click, against two echo bots started in the same run.

Run from the repository root, in the project's environment::

    python bench/run.py                                  # help, 2000 messages, 16 concurrent senders, all three bots
    python bench/run.py --scenario help,vote             # help and vote clicks at 1, 16 and 64 concurrent
    python bench/run.py --scenario vote --messages 1000 --concurrency 16,64
    python bench/run.py --bots ours                      # only clusterbot (e.g. while profiling it)
    python bench/run.py --database-url postgresql://user@127.0.0.1:5432/empty_db   # ours on PostgreSQL
    python bench/run.py --postgres                       # ours on a throwaway PostgreSQL (tests/pgserver.py)

Method
------
One run starts, each in its own process on 127.0.0.1 on a free port:

* a fake Bot Connector (``bench/fake_connector.py``): answers replies (``POST .../activities/{replyToId}``)
  and records when each arrived, keyed by the id of the message it answers, and records new posts and card
  updates (the vote card's redraws) as events;
* the botbuilder echo bot (``bench/echo_bot.py``, bot ``echo``): Microsoft's botbuilder-python sample,
  ``CloudAdapter`` with an empty app id and an ``ActivityHandler`` that sends ``Echo: {text}``;
* the Microsoft 365 Agents SDK's echo agent (``bench/agents_echo.py``, bot ``agents``): the SDK's quickstart
  (``AgentApplication``, aiohttp hosting, anonymous), in a virtual environment the bench makes on first use
  under ``~/.cache/clusterbot-bench/agents-venv`` with ``pip install microsoft-agents-hosting-aiohttp==1.9.*``;
* our bot as a user starts it: ``clusterbot serve`` with ``CLUSTERBOT_ALLOW_NO_AUTH=1``, the scheduler off
  (``CLUSTERBOT_SCHEDULER=off``: its jobs would compete with the load) and a fresh SQLite database in a
  temporary directory (or the empty database ``--database-url`` names), prepared before it starts:
  ``clusterbot seed`` (Central, 29 settings), ``clusterbot roster import`` (a SENCO for each setting, a chair,
  an admin), and, written into the tables of ``store/models/`` (``bench/city.py``), a meeting today with
  one referral from the first setting on its agenda. Once it runs, the admin links the team's channel
  (``link cluster Central``) and the chair starts the meeting and opens the item, all through
  ``/api/messages`` as Teams would send them.

Scenarios (``--scenario``, comma-separated):

* ``help``: Teams personal-chat ``help`` messages from one SENCO; a message's latency runs from the start of
  its POST to the moment the fake connector received the reply (``replyToId`` matches each reply to its
  message). The echo bots get the same messages and echo them.
* ``vote``: Teams ``adaptiveCard/action`` invokes (``Action.Execute``, verb ``vote.cast``, data ``item_id`` and
  ``choice``) in the channel from the other 28 settings' SENCOs in turn, each SENCO's clicks alternating
  approve and decline, so every click changes a vote and owes a redraw of the shared card. A click's
  latency is its HTTP answer (the clicker's own card, which is what Teams waits for). The echo bots are
  measured with ``help`` messages at the same concurrency: their rate is the baseline a click is compared to.

For each concurrency in ``--concurrency`` (default 16 for help alone, else 1, 16 and 64) and each bot in
turn, never two at once: a warm-up, then ``--messages`` requests from that many closed-loop senders (each
sends its next once its last was answered). Throughput is requests divided by the wall time of the
measured phase (first POST to the later of the last reply and the last HTTP answer). The CPU time each bot
process spent in its measured phase (from ``/proc``, all threads) is reported per request, a figure less
sensitive than throughput to what else runs on the machine.

Caveats
-------
* Everything shares one machine: the load generator and the fake connector take CPU from the bot under
  test (on a 2-core machine, three busy processes share two cores). Absolute numbers are therefore
  conservative and machine-dependent; the ratio between bots measured in the same run is the figure to
  compare. Look at ``CPU ms/req`` (the bot's CPU time per request), ``bot waiting`` (the part of the phase
  the bot's main thread was ready to run but had no CPU) and the connector's and load generator's CPU
  shares to judge how much the harness interferes.
* No authentication on any side (no JWT validation inbound, no token outbound): this measures the turn,
  not Entra ID.
* The bots do different work: the echo bots send a short text; ours looks the sender up in the database,
  builds an Adaptive Card and sends it (help), or records a vote, owes a redraw and answers with the
  clicker's card (vote). All help messages come from one person in one personal chat, as a real user's do.
* At 64 concurrent clicks two clicks of one SENCO (28 of them) can be in flight at once; whichever is
  stored last stands, so a few clicks may not change the vote.
* Loopback HTTP with keep-alive; no TLS and no network latency, so latencies are mostly CPU and queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from common import (
    BENCH,
    CARD_TYPE,
    BenchError,
    Child,
    Connector,
    Phase,
    Processes,
    Usage,
    agents_python,
    bot_environment,
    card_click,
    channel_conversation,
    channel_message,
    closed_loop,
    clusterbot_command,
    encode,
    free_port,
    percentile,
    personal_message,
    post_one,
    run_cli,
    share,
    start_connector,
    table,
    team_install,
    throwaway_postgres,
    used,
    wait_http,
)

RESULTS = BENCH / "results.json"
BOTS = ("echo", "agents", "ours")
SCENARIOS = ("help", "vote")
CHAIR = ("bench-chair", "Bench Chair")
ADMIN = ("bench-admin", "Bench Admin")
# Targets from issue 10, against the Agents SDK's echo agent measured in the same run.
HELP_TARGET = (16, 1.5)  # help: at least 1.5x its rate at 16 concurrent
VOTE_TARGET = (16, 1.0)  # a vote click: at least 1.0x its rate at 16 concurrent
VOTE_P99_TARGET = (64, 500.0)  # and p99 under 500 ms at 64


def senco(n: int) -> tuple[str, str]:
    """The bench's SENCO of Central's n-th setting (0-based): Teams object id and name."""
    return f"bench-senco-{n}", f"Bench Senco {n}"


@dataclass
class Target:
    """A bot under test."""

    name: str
    url: str
    child: Child


@dataclass
class Result:
    """One bot's figures in one scenario at one concurrency, as printed and written to results.json."""

    scenario: str
    bot: str
    concurrency: int
    requests: int
    errors: int
    wall_s: float
    throughput_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    http_p50_ms: float
    http_p99_ms: float
    cpu_ms_per_request: float | None
    bot_cpu_share: float | None
    bot_runqueue_share: float | None
    connector_cpu_share: float | None
    loadgen_cpu_share: float
    redraws: int | None = None


@dataclass(frozen=True)
class Meeting:
    """Our bot's open vote: the item the SENCOs click on."""

    item_id: int
    voters: tuple[tuple[str, str], ...]


class Clicks:
    """Vote clicks in turn from each voter, each voter's alternating approve and decline across phases."""

    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting
        self.count = 0

    def next(self, service_url: str, activity_id: str) -> bytes:
        voters = self.meeting.voters
        aad, name = voters[self.count % len(voters)]
        choice = "approve" if (self.count // len(voters)) % 2 == 0 else "decline"
        self.count += 1
        data = {"item_id": self.meeting.item_id, "choice": choice}
        return encode(card_click(service_url, activity_id, aad, name, "vote.cast", data, channel_conversation()))


def _card_answer(_activity_id: str, status: int, body: bytes) -> str | None:
    """A click's answer must be a card (a refusal is a message); anything else is an error."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if CARD_TYPE.encode() not in body:
        return f"not a card: {body[:200]!r}"
    return None


# --- our bot -------------------------------------------------------------------------------------------


def prepare_database(env: dict[str, str], workdir: Path, timeout: float) -> tuple[int, int, list[tuple[str, str]]]:
    """Seed Central, register a SENCO per setting and a chair and an admin, and put one referral on a meeting
    today (from the first setting). Returns the meeting, the agenda item and the 28 voters."""
    run_cli(["seed"], env, workdir, timeout)
    listing = run_cli(["settings", "list", "--cluster", "Central"], env, workdir, timeout)
    settings = [line.split("\t")[0] for line in listing.splitlines() if line.strip()]
    roster = workdir / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "email", "aad_object_id", "role", "cluster", "setting"])
        for n, setting in enumerate(settings):
            aad, name = senco(n)
            writer.writerow([name, "", aad, "senco", "Central", setting])
        writer.writerow([CHAIR[1], "", CHAIR[0], "chair", "Central", ""])
        writer.writerow([ADMIN[1], "", ADMIN[0], "admin", "Central", ""])
    run_cli(["roster", "import", str(roster)], env, workdir, timeout)

    import city
    from sqlalchemy import create_engine

    engine = create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        setup = city.prepare_vote(engine, datetime.now(UTC), senco(0)[0])
    finally:
        engine.dispose()
    return setup.meeting_id, setup.item_id, [senco(n) for n in range(1, len(settings))]


async def open_the_vote(
    session: aiohttp.ClientSession, url: str, connector: Connector, meeting_id: int, item_id: int
) -> None:
    """Through /api/messages: install in the team, link the channel, start the meeting and open the item."""
    service = connector.url
    steps: list[tuple[str, dict[str, Any]]] = [
        ("install", team_install(service, "setup-install", *ADMIN)),
        ("link", channel_message(service, "setup-link", *ADMIN, "link cluster Central")),
        (
            "start",
            card_click(
                service, "setup-start", *CHAIR, "meeting.start", {"meeting_id": meeting_id}, channel_conversation()
            ),
        ),
        ("open", card_click(service, "setup-open", *CHAIR, "item.open", {"item_id": item_id}, channel_conversation())),
    ]
    for label, activity in steps:
        status, body, _ = await post_one(session, url, activity)
        if status >= 300 or (activity["type"] == "invoke" and CARD_TYPE.encode() not in body):
            raise BenchError(f"setting up the vote: {label} answered HTTP {status}: {body[:300]!r}")
    # The vote card is posted in the agenda's thread by the bot's sender: wait until it has been.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        _, events = await connector.stats(session)
        if any(e[1] == "POST" and ";messageid=" in e[2] for e in events):
            return
        await asyncio.sleep(0.1)
    raise BenchError("the vote card was never posted in the channel")


# --- measuring -----------------------------------------------------------------------------------------


def _result(
    scenario: str,
    target: Target,
    connector: Child,
    concurrency: int,
    phase: Phase,
    latencies_ms: list[float],
    ended: float,
    readings: tuple[Usage | None, Usage | None, Usage | None, Usage | None],
    redraws: int | None = None,
) -> Result:
    bot_before, bot_after, connector_before, connector_after = readings
    count = len(phase.ids)
    latencies = sorted(latencies_ms)
    http = sorted((phase.answered[i] - phase.starts[i]) * 1000 for i in phase.ids)
    wall = ended - phase.began
    bot_cpu = used(bot_before, bot_after, "cpu")
    return Result(
        scenario=scenario,
        bot=target.name,
        concurrency=concurrency,
        requests=count,
        errors=len(phase.errors),
        wall_s=round(wall, 3),
        throughput_rps=round(count / wall, 1),
        p50_ms=round(percentile(latencies, 50), 2),
        p90_ms=round(percentile(latencies, 90), 2),
        p99_ms=round(percentile(latencies, 99), 2),
        max_ms=round(latencies[-1], 2),
        http_p50_ms=round(percentile(http, 50), 2),
        http_p99_ms=round(percentile(http, 99), 2),
        cpu_ms_per_request=round(bot_cpu * 1000 / count, 2) if bot_cpu is not None else None,
        bot_cpu_share=share(bot_before, bot_after, wall, "cpu"),
        bot_runqueue_share=share(bot_before, bot_after, wall, "runqueue"),
        connector_cpu_share=share(connector_before, connector_after, wall, "cpu"),
        loadgen_cpu_share=round(phase.loadgen_cpu / wall, 2),
        redraws=redraws,
    )


async def measure_help(
    session: aiohttp.ClientSession,
    target: Target,
    connector: Connector,
    concurrency: int,
    args: argparse.Namespace,
    person: tuple[str, str],
) -> Result:
    """``help`` messages; latency until the reply reaches the connector."""
    expect = "card" if target.name == "ours" else "echo"

    async def run_phase(label: str, count: int) -> tuple[Phase, dict[str, list[Any]]]:
        await connector.reset(session)
        ids = [f"{target.name}-help-{concurrency}-{label}-{n}" for n in range(count)]
        bodies = [(i, encode(personal_message(connector.url, i, *person, "help"))) for i in ids]
        async with asyncio.timeout(args.phase_timeout):
            phase = await closed_loop(session, target.url, bodies, concurrency)
            arrivals = await connector.wait_for_replies(session, phase.ids, within=10)
        target.child.check_alive()
        missing = [i for i in phase.ids if i not in arrivals]
        wrong = {arrivals[i][1] for i in phase.ids if i in arrivals} - {expect}
        if phase.errors or missing or wrong:
            raise BenchError(
                f"{target.name} help {label}: {len(phase.errors)} errors (first: {phase.errors[:3]}), "
                f"{len(missing)} replies missing, unexpected reply kinds {sorted(wrong)}:\n{target.child.tail()}"
            )
        return phase, arrivals

    print(f"  help, {target.name}, {concurrency} concurrent: warm-up {args.warmup}, then {args.messages}", flush=True)
    await run_phase("warmup", args.warmup)
    before = Usage.of(target.child.pid), Usage.of(connector.child.pid)
    phase, arrivals = await run_phase("measured", args.messages)
    after = Usage.of(target.child.pid), Usage.of(connector.child.pid)
    latencies = [(arrivals[i][0] - phase.starts[i]) * 1000 for i in phase.ids]
    ended = max(max(arrivals[i][0] for i in phase.ids), phase.ended)
    return _result(
        "help",
        target,
        connector.child,
        concurrency,
        phase,
        latencies,
        ended,
        (before[0], after[0], before[1], after[1]),
    )


async def measure_votes(
    session: aiohttp.ClientSession,
    target: Target,
    connector: Connector,
    concurrency: int,
    args: argparse.Namespace,
    clicks: Clicks,
) -> Result:
    """Vote clicks; latency of the invoke's HTTP answer. Counts the shared card's redraws during the phase."""

    async def run_phase(label: str, count: int) -> Phase:
        ids = [f"vote-{concurrency}-{label}-{n}" for n in range(count)]
        bodies = [(i, clicks.next(connector.url, i)) for i in ids]
        async with asyncio.timeout(args.phase_timeout):
            phase = await closed_loop(session, target.url, bodies, concurrency, check=_card_answer)
        target.child.check_alive()
        if phase.errors:
            raise BenchError(
                f"ours vote {label}: {len(phase.errors)} errors (first: {phase.errors[:3]}):\n{target.child.tail()}"
            )
        return phase

    print(f"  vote, ours, {concurrency} concurrent: warm-up {args.warmup}, then {args.messages}", flush=True)
    await run_phase("warmup", args.warmup)
    await asyncio.sleep(1.0)  # the warm-up's last redraw goes out (the sender waits 0.5 s for a burst)
    await connector.reset(session)
    before = Usage.of(target.child.pid), Usage.of(connector.child.pid)
    phase = await run_phase("measured", args.messages)
    after = Usage.of(target.child.pid), Usage.of(connector.child.pid)
    _, events = await connector.stats(session)
    redraws = sum(1 for e in events if e[1] == "PUT")
    latencies = [(phase.answered[i] - phase.starts[i]) * 1000 for i in phase.ids]
    return _result(
        "vote",
        target,
        connector.child,
        concurrency,
        phase,
        latencies,
        phase.ended,
        (before[0], after[0], before[1], after[1]),
        redraws,
    )


# --- report --------------------------------------------------------------------------------------------


def report(results: list[Result]) -> tuple[str, dict[str, Any]]:
    """The table, the ratios against the baselines measured at the same concurrency, and the targets."""
    columns = [
        ("scenario", "scenario", "{}"),
        ("bot", "bot", "{}"),
        ("concurrency", "conc", "{}"),
        ("requests", "requests", "{}"),
        ("throughput_rps", "req/s", "{:.1f}"),
        ("p50_ms", "p50 ms", "{:.1f}"),
        ("p99_ms", "p99 ms", "{:.1f}"),
        ("max_ms", "max ms", "{:.1f}"),
        ("cpu_ms_per_request", "CPU ms/req", "{:.2f}"),
        ("bot_cpu_share", "bot CPU", "{:.2f}"),
        ("bot_runqueue_share", "bot waiting", "{:.2f}"),
        ("connector_cpu_share", "connector CPU", "{:.2f}"),
        ("loadgen_cpu_share", "loadgen CPU", "{:.2f}"),
        ("redraws", "redraws", "{}"),
    ]
    rows = [[title for _, title, _ in columns]]
    for result in results:
        values = asdict(result)
        rows.append(["-" if values[key] is None else fmt.format(values[key]) for key, _, fmt in columns])
    lines = [table(rows), ""]
    baseline = {(r.bot, r.concurrency): r for r in results if r.scenario == "help" and r.bot != "ours"}
    ratios: dict[str, Any] = {}
    for result in (r for r in results if r.bot == "ours"):
        parts = []
        for bot, label in (("agents", "Agents SDK echo"), ("echo", "botbuilder echo")):
            base = baseline.get((bot, result.concurrency))
            if base is not None:
                ratio = round(result.throughput_rps / base.throughput_rps, 2)
                ratios[f"{result.scenario}/{bot}@{result.concurrency}"] = ratio
                parts.append(f"{ratio:.2f}x the {label}")
        if parts:
            lines.append(f"{result.scenario} at {result.concurrency} concurrent: " + ", ".join(parts))
    targets = []
    for scenario, (conc, wanted) in (("help", HELP_TARGET), ("vote", VOTE_TARGET)):
        got = ratios.get(f"{scenario}/agents@{conc}")
        if got is not None:
            verdict = "met" if got >= wanted else f"missed (by {wanted - got:.2f}x)"
            targets.append(
                f"target: {scenario} at {conc} >= {wanted:.1f}x the Agents SDK echo agent: {got:.2f}x, {verdict}"
            )
    conc, limit = VOTE_P99_TARGET
    vote_p99 = next((r.p99_ms for r in results if r.scenario == "vote" and r.concurrency == conc), None)
    if vote_p99 is not None:
        verdict = "met" if vote_p99 < limit else f"missed (by {vote_p99 - limit:.0f} ms)"
        targets.append(f"target: vote p99 at {conc} < {limit:.0f} ms: {vote_p99:.1f} ms, {verdict}")
    lines.extend(["", *targets] if targets else [])
    return "\n".join(lines), ratios


# --- main ----------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, processes: Processes) -> dict[str, Any]:
    workdir = processes.workdir
    bots = args.bots.split(",")
    scenarios = args.scenario.split(",")
    concurrencies = args.concurrency
    connector = start_connector(processes)
    targets: list[Target] = []
    meeting: Meeting | None = None
    vote_setup: tuple[int, int] | None = None
    if "echo" in bots:
        port = free_port()
        child = processes.start("echo-bot", [sys.executable, str(BENCH / "echo_bot.py"), "--port", str(port)])
        targets.append(Target("echo", f"http://127.0.0.1:{port}/api/messages", child))
    if "agents" in bots:
        python = agents_python()
        port = free_port()
        child = processes.start("agents-echo", [str(python), str(BENCH / "agents_echo.py"), "--port", str(port)])
        targets.append(Target("agents", f"http://127.0.0.1:{port}/api/messages", child))
    if "ours" in bots:
        env = bot_environment(args.database_url or f"sqlite:///{workdir / 'bench.db'}", CLUSTERBOT_SCHEDULER="off")
        meeting_id, item_id, voters = prepare_database(env, workdir, args.startup_timeout)
        meeting = Meeting(item_id, tuple(voters))
        vote_setup = meeting_id, item_id
        port = free_port()
        child = processes.start("clusterbot", [clusterbot_command(), "serve", "--port", str(port)], env=env)
        targets.append(Target("ours", f"http://127.0.0.1:{port}/api/messages", child))

    limits = aiohttp.TCPConnector(limit=max(concurrencies) + 4, limit_per_host=max(concurrencies) + 4)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    results: list[Result] = []
    async with aiohttp.ClientSession(connector=limits, timeout=timeout) as session:
        await wait_http(session, connector.child, "GET", f"{connector.url}/stats", args.startup_timeout)
        for target in targets:
            health = target.url.replace("/api/messages", "/healthz") if target.name == "ours" else target.url
            await wait_http(session, target.child, "GET", health, args.startup_timeout)
            if target.name == "ours" and vote_setup is not None:
                await open_the_vote(session, target.url, connector, *vote_setup)
        pids = ", ".join(f"{t.name} {t.child.pid}" for t in targets)
        print(f"started: fake connector {connector.child.pid}, {pids} (workdir {workdir})", flush=True)
        clicks = Clicks(meeting) if meeting else None
        for concurrency in concurrencies:
            for target in targets:
                if target.name != "ours" or "help" in scenarios:
                    results.append(await measure_help(session, target, connector, concurrency, args, senco(0)))
                if target.name == "ours" and "vote" in scenarios and clicks is not None:
                    results.append(await measure_votes(session, target, connector, concurrency, args, clicks))

    text, ratios = report(results)
    print()
    print(text)
    return {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {
            "messages": args.messages,
            "concurrency": concurrencies,
            "warmup": args.warmup,
            "scenarios": scenarios,
        },
        "results": [asdict(r) for r in results],
        "throughput_ratios": ratios,
        "report": text,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark clusterbot's help and vote clicks against two echo bots.")
    parser.add_argument("--scenario", default="help", help="help, vote or help,vote (default help)")
    parser.add_argument(
        "--messages", type=int, default=2000, help="measured requests per bot and concurrency (default 2000)"
    )
    parser.add_argument(
        "--concurrency", help="concurrent senders, comma-separated (default 16 for help alone, else 1,16,64)"
    )
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first (default 200)")
    parser.add_argument(
        "--bots", default=",".join(BOTS), help=f"which bots, comma-separated (default {','.join(BOTS)})"
    )
    parser.add_argument("--phase-timeout", type=float, default=300, help="seconds allowed per phase")
    parser.add_argument("--startup-timeout", type=float, default=60, help="seconds allowed to start a process")
    parser.add_argument("--request-timeout", type=float, default=30, help="seconds allowed per request")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--database-url", help="our bot's database: an empty PostgreSQL database, say (default: a fresh SQLite file)"
    )
    where.add_argument("--postgres", action="store_true", help="our bot on a throwaway PostgreSQL (tests/pgserver.py)")
    args = parser.parse_args(argv)
    bots = args.bots.split(",")
    if not bots or not set(bots) <= set(BOTS):
        parser.error(f"--bots takes some of {', '.join(BOTS)}, comma-separated")
    scenarios = args.scenario.split(",")
    if not scenarios or not set(scenarios) <= set(SCENARIOS):
        parser.error(f"--scenario takes some of {', '.join(SCENARIOS)}, comma-separated")
    default = "16" if scenarios == ["help"] else "1,16,64"
    try:
        args.concurrency = [int(c) for c in (args.concurrency or default).split(",")]
    except ValueError:
        parser.error("--concurrency takes whole numbers, comma-separated")
    if args.messages < 1 or args.warmup < 1 or min(args.concurrency) < 1:
        parser.error("--messages, --concurrency and --warmup must be positive")
    return args


def _terminate(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="clusterbot-bench-"))
    processes = Processes(workdir)
    try:
        with contextlib.ExitStack() as stack:
            if args.postgres:
                args.database_url = stack.enter_context(throwaway_postgres())
            report_data = asyncio.run(run(args, processes))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except TimeoutError:
        print(f"bench: a phase took longer than {args.phase_timeout:.0f}s", file=sys.stderr)
        return 1
    except aiohttp.ClientError as exc:
        dead = [f"{c.name} (exit code {c.process.poll()})" for c in processes.children if c.process.poll() is not None]
        print(f"bench: HTTP failure: {exc}; processes that exited: {', '.join(dead) or 'none'}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        processes.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    args.out.write_text(json.dumps(report_data, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

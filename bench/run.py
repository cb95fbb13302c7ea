"""Throughput and latency of clusterbot's ``help`` against Microsoft's minimal botbuilder echo bot.

Run from the repository root, in the project's environment::

    python bench/run.py                      # 2000 messages, 16 concurrent senders, both bots
    python bench/run.py --messages 5000 --concurrency 32 --bots ours
    python bench/run.py --database-url postgresql://user@127.0.0.1:5432/empty_db   # ours on PostgreSQL

Method
------
One run starts three processes, each on 127.0.0.1 on a free port:

* a fake Bot Connector (``bench/fake_connector.py``): accepts
  ``POST /v3/conversations/{id}/activities[/{activityId}]``, answers ``{"id": ...}`` and records when each
  reply arrived, keyed by the activity id in the path (both bots reply with ``replyToId`` set to the
  incoming activity's id, so every reply is matched to the message that caused it);
* Microsoft's echo bot (``bench/echo_bot.py``): ``CloudAdapter(ConfigurationBotFrameworkAuthentication)``
  with an empty app id and an ``ActivityHandler`` that sends ``Echo: {text}``;
* our bot as a user starts it: ``clusterbot serve --port PORT --seed`` with ``CLUSTERBOT_ALLOW_NO_AUTH=1``
  and a fresh SQLite database in a temporary directory, where ``clusterbot seed`` and ``clusterbot people
  add`` first registered a SENCO (``bench-senco``) so ``help`` answers with the full help card.

The load generator (this process, one aiohttp client session with keep-alive) then, for each bot in turn,
sends a warm-up, then ``--messages`` Teams-shaped personal-chat ``help`` messages from ``--concurrency``
closed-loop senders (each sends its next message once the bot has answered the last HTTP POST). A
message's latency runs from the start of its POST to the moment the fake connector received the bot's
reply (both clocks are ``time.monotonic()``, CLOCK_MONOTONIC, shared by all processes on the machine).
Throughput is messages divided by the wall time of the measured phase (first POST to the later of the
last reply and the last HTTP answer). The bots are measured one after the other, never at once. The CPU
time each bot process spent during its measured phase (from ``/proc``) is reported as CPU ms per reply,
a figure less sensitive than throughput to what else runs on the machine.

Caveats
-------
* Everything shares one machine: the load generator and the fake connector take CPU from the bot under
  test (on a 2-core machine, three busy processes share two cores). Absolute numbers are therefore
  conservative and machine-dependent; the ratio between the bots is the figure to compare. Look at
  ``cpu_ms_per_reply`` (the bot's CPU time per reply), ``bot_runqueue_share`` (the part of the phase the
  bot's thread was ready to run but had no CPU) and the connector's and load generator's CPU shares to
  judge how much the harness interferes.
* No authentication on either side (no JWT validation inbound, no token outbound): this measures the
  turn, not Entra ID. With auth on, both bots validate a JWT per request (cached signing keys).
* The two bots do different work: the echo bot sends a short text; ours looks the sender up in the
  database (SQLite here; PostgreSQL in production behaves differently), builds an Adaptive Card and sends
  it. All messages come from one person in one personal chat, as a real user's messages do.
* Loopback HTTP with keep-alive; no TLS and no network latency, so latencies are mostly CPU and queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"
PERSON_AAD = "bench-senco"
PERSON_NAME = "Bench Senco"
TENANT = "72f988bf-0000-0000-0000-000000000001"
BOT_ID = "28:clusterbot-bench-app-id"
# Variables that would switch authentication on or restrict tenants: removed from the bot's environment.
AUTH_VARIABLES = (
    "MicrosoftAppId",
    "MICROSOFT_APP_ID",
    "MicrosoftAppPassword",
    "MICROSOFT_APP_PASSWORD",
    "MicrosoftAppType",
    "MICROSOFT_APP_TYPE",
    "MicrosoftAppTenantId",
    "MICROSOFT_APP_TENANT_ID",
    "CLUSTERBOT_ALLOWED_TENANTS",
)


class BenchError(Exception):
    """Something went wrong that the message explains; printed without a traceback."""


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Child:
    """A process we started, with the file its output goes to."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise BenchError(f"{self.name} exited with code {code}:\n{self.tail()}")


class Processes:
    """Starts children and stops every one of them, whatever happens."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.children: list[Child] = []

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Child:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            # A session of its own: Ctrl-C reaches only us, and we stop the children (see stop_all).
            process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def stop_all(self, grace: float = 5.0) -> None:
        """SIGTERM to every child still running, SIGKILL to those still there after ``grace`` seconds."""
        running = [c.process for c in reversed(self.children) if c.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@dataclass(frozen=True)
class Usage:
    """CPU time a process has used so far, and time its main thread spent runnable but waiting for a CPU."""

    cpu: float
    runqueue: float | None

    @staticmethod
    def of(pid: int) -> Usage | None:
        """Read from Linux /proc; None where unavailable."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        try:
            runqueue: float | None = int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            runqueue = None
        return Usage(cpu, runqueue)


def used(before: Usage | None, after: Usage | None, field: str) -> float | None:
    """Seconds of ``field`` (cpu or runqueue) a process spent between two readings, where known."""
    start = getattr(before, field, None)
    end = getattr(after, field, None)
    return None if start is None or end is None else float(end - start)


def share(before: Usage | None, after: Usage | None, wall: float, field: str) -> float | None:
    """The fraction of ``wall`` seconds a process spent on ``field`` (cpu or runqueue) between two readings."""
    seconds = used(before, after, field)
    return None if seconds is None else round(seconds / wall, 2)


def clusterbot_command() -> str:
    found = shutil.which("clusterbot") or str(Path(sys.executable).with_name("clusterbot"))
    if not Path(found).exists():
        raise BenchError("the clusterbot command is not installed here (pip install -e . in this environment)")
    return found


def bot_environment(workdir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in AUTH_VARIABLES}
    env.update(
        CLUSTERBOT_ALLOW_NO_AUTH="1",
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.db'}",
        CLUSTERBOT_LOG_LEVEL="WARNING",
    )
    return env


def prepare_database(command: str, env: dict[str, str], workdir: Path, timeout: float) -> None:
    """Seed the Central cluster and register the SENCO whose ``help`` we ask for."""
    steps = [
        [command, "seed"],
        [
            command,
            "people",
            "add",
            "--name",
            PERSON_NAME,
            "--aad",
            PERSON_AAD,
            "--role",
            "senco",
            "--cluster",
            "Central",
            "--setting",
            "Etruscan Primary School",
        ],
    ]
    for step in steps:
        done = subprocess.run(step, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise BenchError(f"{' '.join(step[1:3])} failed ({done.returncode}): {done.stderr or done.stdout}")


async def wait_http(session: aiohttp.ClientSession, child: Child, method: str, url: str, within: float) -> None:
    """Wait until ``url`` answers at all (any status), or fail if the process dies or time runs out."""
    deadline = time.monotonic() + within
    while True:
        child.check_alive()
        try:
            async with session.request(method, url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                await response.read()
                if response.status < 500:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"{child.name} did not answer {method} {url} within {within:.0f}s:\n{child.tail()}")
        await asyncio.sleep(0.2)


# --- load ----------------------------------------------------------------------------------------------


def message(service_url: str, activity_id: str, text: str) -> bytes:
    """A Teams personal-chat message, as Teams posts it (see tests/support/activities.py)."""
    activity = {
        "type": "message",
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2025-11-20T10:00:00.000Z",
        "from": {"id": f"29:{PERSON_AAD}", "name": PERSON_NAME, "aadObjectId": PERSON_AAD},
        "recipient": {"id": BOT_ID, "name": "Cluster Funding"},
        "conversation": {"conversationType": "personal", "id": f"a:personal-{PERSON_AAD}", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
        "text": text,
        "textFormat": "plain",
    }
    return json.dumps(activity).encode()


@dataclass
class Phase:
    """What one batch of messages measured."""

    ids: list[str]
    starts: dict[str, float]
    answered: dict[str, float]
    errors: list[str]
    began: float
    loadgen_cpu: float


async def send_all(
    session: aiohttp.ClientSession, bot_url: str, bodies: list[tuple[str, bytes]], concurrency: int
) -> Phase:
    starts: dict[str, float] = {}
    answered: dict[str, float] = {}
    errors: list[str] = []
    queue: Iterator[tuple[str, bytes]] = iter(bodies)
    headers = {"Content-Type": "application/json"}

    async def sender() -> None:
        for activity_id, body in queue:
            starts[activity_id] = time.monotonic()
            try:
                async with session.post(bot_url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status >= 300:
                        errors.append(f"{activity_id}: HTTP {response.status}")
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{activity_id}: {type(exc).__name__} {exc}")
            answered[activity_id] = time.monotonic()

    cpu_before = time.process_time()
    began = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return Phase([i for i, _ in bodies], starts, answered, errors, began, time.process_time() - cpu_before)


async def connector_arrivals(session: aiohttp.ClientSession, connector_url: str) -> dict[str, list[Any]]:
    async with session.get(f"{connector_url}/stats") as response:
        response.raise_for_status()
        arrivals: dict[str, list[Any]] = (await response.json())["arrivals"]
        return arrivals


async def wait_for_replies(
    session: aiohttp.ClientSession, connector_url: str, ids: list[str], within: float
) -> dict[str, list[Any]]:
    deadline = time.monotonic() + within
    while True:
        arrivals = await connector_arrivals(session, connector_url)
        if all(i in arrivals for i in ids) or time.monotonic() > deadline:
            return arrivals
        await asyncio.sleep(0.1)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Result:
    """One bot's figures, as printed and written to results.json."""

    bot: str
    messages: int
    concurrency: int
    replies: int
    errors: int
    wall_s: float
    throughput_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    http_p50_ms: float
    http_p99_ms: float
    cpu_ms_per_reply: float | None
    bot_cpu_share: float | None
    bot_runqueue_share: float | None
    connector_cpu_share: float | None
    loadgen_cpu_share: float


@dataclass
class Target:
    """A bot under test: its name, URL, process, what to send it and what kind of reply to expect."""

    name: str
    url: str
    child: Child
    text: str
    expect: str


async def measure(
    session: aiohttp.ClientSession, target: Target, connector: Child, connector_url: str, args: argparse.Namespace
) -> Result:
    async def run_phase(label: str, count: int) -> tuple[Phase, dict[str, list[Any]]]:
        async with session.post(f"{connector_url}/reset") as response:
            response.raise_for_status()
        bodies = [
            (f"{target.name}-{label}-{n}", message(connector_url, f"{target.name}-{label}-{n}", target.text))
            for n in range(count)
        ]
        async with asyncio.timeout(args.phase_timeout):
            phase = await send_all(session, target.url, bodies, args.concurrency)
            arrivals = await wait_for_replies(session, connector_url, phase.ids, within=10)
        target.child.check_alive()
        missing = [i for i in phase.ids if i not in arrivals]
        wrong = {arrivals[i][1] for i in phase.ids if i in arrivals} - {target.expect}
        if phase.errors or missing or wrong:
            raise BenchError(
                f"{target.name} {label}: {len(phase.errors)} errors (first: {phase.errors[:3]}), "
                f"{len(missing)} replies missing, unexpected reply kinds {sorted(wrong)}:\n{target.child.tail()}"
            )
        return phase, arrivals

    print(f"  {target.name}: warm-up, {args.warmup} messages", flush=True)
    await run_phase("warmup", args.warmup)
    print(f"  {target.name}: measuring, {args.messages} messages from {args.concurrency} senders", flush=True)
    bot_before, connector_before = Usage.of(target.child.process.pid), Usage.of(connector.process.pid)
    phase, arrivals = await run_phase("measured", args.messages)
    bot_after, connector_after = Usage.of(target.child.process.pid), Usage.of(connector.process.pid)

    latencies = sorted((arrivals[i][0] - phase.starts[i]) * 1000 for i in phase.ids)
    http = sorted((phase.answered[i] - phase.starts[i]) * 1000 for i in phase.ids)
    ended = max(max(arrivals[i][0] for i in phase.ids), max(phase.answered.values()))
    wall = ended - phase.began
    bot_cpu = used(bot_before, bot_after, "cpu")
    return Result(
        bot=target.name,
        messages=args.messages,
        concurrency=args.concurrency,
        replies=sum(1 for i in phase.ids if i in arrivals),
        errors=len(phase.errors),
        wall_s=round(wall, 3),
        throughput_rps=round(args.messages / wall, 1),
        p50_ms=round(percentile(latencies, 50), 2),
        p90_ms=round(percentile(latencies, 90), 2),
        p99_ms=round(percentile(latencies, 99), 2),
        max_ms=round(latencies[-1], 2),
        http_p50_ms=round(percentile(http, 50), 2),
        http_p99_ms=round(percentile(http, 99), 2),
        cpu_ms_per_reply=round(bot_cpu * 1000 / args.messages, 2) if bot_cpu is not None else None,
        bot_cpu_share=share(bot_before, bot_after, wall, "cpu"),
        bot_runqueue_share=share(bot_before, bot_after, wall, "runqueue"),
        connector_cpu_share=share(connector_before, connector_after, wall, "cpu"),
        loadgen_cpu_share=round(phase.loadgen_cpu / wall, 2),
    )


# --- report --------------------------------------------------------------------------------------------


def table(results: list[Result], ratio: float | None) -> str:
    columns = [
        ("bot", "bot", "{}"),
        ("messages", "messages", "{}"),
        ("concurrency", "conc", "{}"),
        ("throughput_rps", "replies/s", "{:.1f}"),
        ("p50_ms", "p50 ms", "{:.1f}"),
        ("p99_ms", "p99 ms", "{:.1f}"),
        ("max_ms", "max ms", "{:.1f}"),
        ("cpu_ms_per_reply", "bot CPU ms/reply", "{:.2f}"),
        ("bot_cpu_share", "bot CPU", "{:.2f}"),
        ("bot_runqueue_share", "bot waiting for CPU", "{:.2f}"),
        ("connector_cpu_share", "connector CPU", "{:.2f}"),
        ("loadgen_cpu_share", "loadgen CPU", "{:.2f}"),
    ]
    rows = [[title for _, title, _ in columns]]
    for result in results:
        values = asdict(result)
        rows.append(["-" if values[key] is None else fmt.format(values[key]) for key, _, fmt in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [
        "  ".join(cell.rjust(widths[i]) if i else cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if ratio is not None:
        lines.append(f"throughput ours/echo: {ratio:.2f}x (goal: at least 5x)")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, processes: Processes) -> dict[str, Any]:
    workdir = processes.workdir
    connector_port, echo_port, ours_port = free_port(), free_port(), free_port()
    connector_url = f"http://127.0.0.1:{connector_port}"
    python = sys.executable
    wanted = args.bots.split(",")

    connector = processes.start(
        "fake-connector", [python, str(BENCH / "fake_connector.py"), "--port", str(connector_port)]
    )
    targets: list[Target] = []
    if "echo" in wanted:
        echo = processes.start("echo-bot", [python, str(BENCH / "echo_bot.py"), "--port", str(echo_port)])
        targets.append(Target("echo", f"http://127.0.0.1:{echo_port}/api/messages", echo, "help", "echo"))
    if "ours" in wanted:
        command = clusterbot_command()
        env = bot_environment(workdir, args.database_url)
        prepare_database(command, env, workdir, args.startup_timeout)
        ours = processes.start("clusterbot", [command, "serve", "--port", str(ours_port), "--seed"], env=env)
        targets.append(Target("ours", f"http://127.0.0.1:{ours_port}/api/messages", ours, "help", "card"))

    limits = aiohttp.TCPConnector(limit=args.concurrency + 4, limit_per_host=args.concurrency + 4)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    async with aiohttp.ClientSession(connector=limits, timeout=timeout) as session:
        await wait_http(session, connector, "GET", f"{connector_url}/stats", args.startup_timeout)
        for target in targets:
            health = target.url.replace("/api/messages", "/healthz" if target.name == "ours" else "/api/messages")
            await wait_http(session, target.child, "GET", health, args.startup_timeout)
        pids = ", ".join(f"{t.name} {t.child.process.pid}" for t in targets)
        print(f"started: fake connector {connector.process.pid}, {pids} (workdir {workdir})", flush=True)
        results = [await measure(session, target, connector, connector_url, args) for target in targets]

    by_bot = {r.bot: r for r in results}
    ratio = (
        round(by_bot["ours"].throughput_rps / by_bot["echo"].throughput_rps, 2)
        if "ours" in by_bot and "echo" in by_bot
        else None
    )
    print()
    print(table(results, ratio))
    return {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {"messages": args.messages, "concurrency": args.concurrency, "warmup": args.warmup},
        "results": [asdict(r) for r in results],
        "throughput_ratio_ours_over_echo": ratio,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark clusterbot's help against a botbuilder echo bot.")
    parser.add_argument("--messages", type=int, default=2000, help="measured messages per bot (default 2000)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent senders (default 16)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured messages first (default 200)")
    parser.add_argument("--bots", default="echo,ours", help="which bots, comma-separated (default echo,ours)")
    parser.add_argument("--phase-timeout", type=float, default=300, help="seconds allowed per phase")
    parser.add_argument("--startup-timeout", type=float, default=60, help="seconds allowed to start a process")
    parser.add_argument("--request-timeout", type=float, default=30, help="seconds allowed per request")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    parser.add_argument(
        "--database-url",
        help="our bot's database: an empty PostgreSQL database, say (default: a fresh SQLite file)",
    )
    args = parser.parse_args(argv)
    if not set(args.bots.split(",")) <= {"echo", "ours"} or not args.bots:
        parser.error("--bots takes echo, ours or echo,ours")
    if args.messages < 1 or args.concurrency < 1 or args.warmup < 1:
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
        report = asyncio.run(run(args, processes))
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
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

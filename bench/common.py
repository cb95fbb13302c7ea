"""What the benchmarks share: processes they start and stop, CPU readings, Teams-shaped activities, the fake
connector, the Agents SDK's environment and a closed-loop load generator.

Nothing here imports the application: the benchmarks drive our bot as Teams and an operator would, through
``/api/messages`` and the ``clusterbot`` command (``bench/city.py`` also writes rows into the tables of
``store/models/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

BENCH = Path(__file__).resolve().parent
TENANT = "72f988bf-0000-0000-0000-000000000001"
BOT_ID = "28:clusterbot-bench-app-id"
BOT_NAME = "Cluster Funding"
TEAM_ID = "19:bench-team@thread.tacv2"
CHANNEL_ID = "19:bench-channel@thread.tacv2"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
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
AGENTS_SPEC = "microsoft-agents-hosting-aiohttp==1.9.*"
AGENTS_VENV = Path.home() / ".cache" / "clusterbot-bench" / "agents-venv"


class BenchError(Exception):
    """Something went wrong that the message explains; printed without a traceback."""


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
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

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def tail(self, lines: int = 30) -> str:
        """The last lines of its output."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        """Raise BenchError, with its output, if it has exited."""
        code = self.process.poll()
        if code is not None:
            raise BenchError(f"{self.name} exited with code {code}:\n{self.tail()}")


class Processes:
    """Starts children and stops every one of them, whatever happens."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.children: list[Child] = []

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Child:
        """Start ``command`` in the work directory, its output to ``<name>.log`` there."""
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
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

    def stop(self, child: Child, grace: float = 10.0) -> None:
        """SIGTERM to one child, SIGKILL if it is still there after ``grace`` seconds."""
        if child.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.process.terminate()
            try:
                child.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(timeout=5)
        if child in self.children:
            self.children.remove(child)

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
        self.children.clear()


@dataclass(frozen=True)
class Usage:
    """CPU time a process has used so far, and time its main thread spent runnable but waiting for a CPU."""

    cpu: float
    runqueue: float | None

    @staticmethod
    def of(pid: int) -> Usage | None:
        """Read from Linux /proc (all threads' CPU time); None where unavailable."""
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


def used(before: Usage | None, after: Usage | None, field_name: str) -> float | None:
    """Seconds of ``field_name`` (cpu or runqueue) a process spent between two readings, where known."""
    start = getattr(before, field_name, None)
    end = getattr(after, field_name, None)
    return None if start is None or end is None else float(end - start)


def share(before: Usage | None, after: Usage | None, wall: float, field_name: str) -> float | None:
    """The fraction of ``wall`` seconds a process spent on ``field_name`` between two readings."""
    seconds = used(before, after, field_name)
    return None if seconds is None else round(seconds / wall, 2)


def memory_mb(pid: int) -> tuple[float | None, float | None]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MB; None where unavailable."""
    values: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return values.get("VmRSS"), values.get("VmHWM")


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


# --- our bot -------------------------------------------------------------------------------------------


def clusterbot_command() -> str:
    """The ``clusterbot`` command of this environment."""
    found = shutil.which("clusterbot") or str(Path(sys.executable).with_name("clusterbot"))
    if not Path(found).exists():
        raise BenchError("the clusterbot command is not installed here (pip install -e . in this environment)")
    return found


def bot_environment(database_url: str, **extra: str) -> dict[str, str]:
    """Our bot's environment: no authentication (loopback only), the database, quiet logs, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in AUTH_VARIABLES}
    env.update(CLUSTERBOT_ALLOW_NO_AUTH="1", DATABASE_URL=database_url, CLUSTERBOT_LOG_LEVEL="WARNING")
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], workdir: Path, timeout: float = 300) -> str:
    """Run ``clusterbot ARGS``; its output, or BenchError saying what failed."""
    done = subprocess.run(
        [clusterbot_command(), *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise BenchError(f"clusterbot {' '.join(args[:2])} failed ({done.returncode}): {done.stderr or done.stdout}")
    return done.stdout


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server of the tests' kind (tests/pgserver.py) with an empty database; stopped afterwards."""
    sys.path.insert(0, str(BENCH.parent))
    from tests.pgserver import PostgresServer

    server = PostgresServer().start()
    try:
        with server.connect() as connection:
            connection.execute("CREATE DATABASE bench_city")
        yield server.database_url("bench_city")
    finally:
        server.stop()


# --- the Agents SDK's environment ---------------------------------------------------------------------


def agents_python(venv: Path = AGENTS_VENV, log: Callable[[str], None] = print) -> Path:
    """The Python of a virtual environment holding the Agents SDK, made with venv and pip on first use.

    The SDK is not one of the project's dependencies (it brings its own aiohttp and pydantic), so it lives in
    an environment of its own, kept in a cache directory between runs. A marker file records the spec it was
    installed from; a half-made environment (no marker) is made again.
    """
    python = venv / "bin" / "python"
    marker = venv / "clusterbot-bench-spec"
    if python.exists() and marker.exists() and marker.read_text().strip() == AGENTS_SPEC:
        return python
    log(f"making {venv} with {AGENTS_SPEC} (once; a minute or so)")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    base = shutil.which("python3") or sys.executable
    for step in ([base, "-m", "venv", str(venv)], [str(python), "-m", "pip", "install", "--quiet", AGENTS_SPEC]):
        done = subprocess.run(step, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise BenchError(f"{' '.join(step[:4])} failed ({done.returncode}): {done.stderr[-2000:] or done.stdout}")
    marker.write_text(AGENTS_SPEC + "\n")
    return python


# --- activities, as Teams posts them (see tests/support/activities.py) ---------------------------------

_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    """A fresh activity id."""
    return f"{prefix}-{next(_ids)}"


def personal_conversation(aad: str) -> dict[str, Any]:
    """A person's 1:1 chat with the bot."""
    return {"conversationType": "personal", "id": f"a:personal-{aad}", "tenantId": TENANT}


def channel_conversation(channel_id: str = CHANNEL_ID, thread: str = "1") -> dict[str, Any]:
    """A thread of a team channel."""
    return {
        "conversationType": "channel",
        "id": f"{channel_id};messageid={thread}",
        "isGroup": True,
        "tenantId": TENANT,
    }


def _activity(
    service_url: str, activity_id: str, aad: str, user_name: str, conversation: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-01-20T10:00:00.000Z",
        "from": {"id": f"29:{aad}", "name": user_name, "aadObjectId": aad},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    if conversation.get("conversationType") == "channel":
        channel_id = str(conversation["id"]).split(";messageid=")[0]
        activity["channelData"].update({"team": {"id": TEAM_ID}, "channel": {"id": channel_id}})
    activity.update(extra)
    return activity


def personal_message(service_url: str, activity_id: str, aad: str, name: str, text: str) -> dict[str, Any]:
    """A message typed in personal chat."""
    conversation = personal_conversation(aad)
    return _activity(service_url, activity_id, aad, name, conversation, type="message", text=text, textFormat="plain")


def channel_message(
    service_url: str, activity_id: str, aad: str, name: str, text: str, channel_id: str = CHANNEL_ID
) -> dict[str, Any]:
    """A channel message @mentioning the bot, as Teams sends it: the mention is part of the text."""
    mention = f"<at>{BOT_NAME}</at>"
    return _activity(
        service_url,
        activity_id,
        aad,
        name,
        channel_conversation(channel_id),
        type="message",
        text=f"{mention} {text}",
        entities=[{"type": "mention", "mentioned": {"id": BOT_ID, "name": BOT_NAME}, "text": mention}],
    )


def card_click(
    service_url: str,
    activity_id: str,
    aad: str,
    name: str,
    verb: str,
    data: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An Action.Execute click: an ``adaptiveCard/action`` invoke (personal chat unless a conversation is given)."""
    return _activity(
        service_url,
        activity_id,
        aad,
        name,
        conversation or personal_conversation(aad),
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **(data or {})}},
            "trigger": "manual",
        },
    )


def team_install(
    service_url: str, activity_id: str, aad: str, name: str, channel_id: str = CHANNEL_ID
) -> dict[str, Any]:
    """The bot added to a team: a conversationUpdate in its channel."""
    activity = _activity(
        service_url,
        activity_id,
        aad,
        name,
        {"conversationType": "channel", "id": channel_id, "isGroup": True, "tenantId": TENANT},
        type="conversationUpdate",
        membersAdded=[{"id": BOT_ID}],
    )
    activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity


def encode(activity: dict[str, Any]) -> bytes:
    """An activity as the bytes Teams posts."""
    return json.dumps(activity).encode()


# --- talking to the processes --------------------------------------------------------------------------


async def wait_http(session: aiohttp.ClientSession, child: Child, method: str, url: str, within: float) -> None:
    """Wait until ``url`` answers at all (any status below 500), or fail if the process dies or time runs out."""
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


@dataclass
class Connector:
    """The fake Bot Connector process and what it has recorded."""

    url: str
    child: Child

    async def reset(self, session: aiohttp.ClientSession) -> None:
        """Forget every reply and event so far."""
        async with session.post(f"{self.url}/reset") as response:
            response.raise_for_status()

    async def stats(
        self, session: aiohttp.ClientSession, since: int = 0, replies: bool = True
    ) -> tuple[dict[str, list[Any]], list[list[Any]]]:
        """Replies by the id they answer (unless ``replies`` is False), and the events from the ``since``-th on."""
        params = {"since": str(since), "arrivals": "1" if replies else "0"}
        async with session.get(f"{self.url}/stats", params=params) as response:
            response.raise_for_status()
            data = await response.json()
            return data["arrivals"], data["events"]

    async def body(self, session: aiohttp.ClientSession, key: str) -> bytes:
        """What a bot sent (the connector keeps bodies only with ``--keep-bodies``)."""
        async with session.get(f"{self.url}/body/{key}") as response:
            response.raise_for_status()
            return await response.read()

    async def wait_reply(self, session: aiohttp.ClientSession, activity_id: str, within: float) -> float:
        """When the reply to ``activity_id`` arrived (monotonic seconds); BenchError if not within ``within``."""
        params = {"reply": activity_id, "timeout": str(within)}
        async with session.get(f"{self.url}/wait", params=params, timeout=aiohttp.ClientTimeout(total=within + 5)) as r:
            if r.status == 504:
                raise BenchError(f"no reply to {activity_id} within {within:.0f}s")
            r.raise_for_status()
            arrival: list[Any] = (await r.json())["arrival"]
            return float(arrival[0])

    async def wait_events(self, session: aiohttp.ClientSession, after: int, within: float) -> list[list[Any]]:
        """The events from the ``after``-th on, once there is at least one; BenchError if not within ``within``."""
        params = {"events": str(after), "timeout": str(within)}
        async with session.get(f"{self.url}/wait", params=params, timeout=aiohttp.ClientTimeout(total=within + 5)) as r:
            if r.status == 504:
                raise BenchError(f"no new post or update within {within:.0f}s")
            r.raise_for_status()
            events: list[list[Any]] = (await r.json())["events"]
            return events

    async def wait_for_replies(
        self, session: aiohttp.ClientSession, ids: Iterable[str], within: float
    ) -> dict[str, list[Any]]:
        """Replies so far, once every one of ``ids`` has one or ``within`` seconds have passed."""
        wanted = list(ids)
        deadline = time.monotonic() + within
        while True:
            arrivals, _ = await self.stats(session, since=1 << 40)  # replies only
            if all(i in arrivals for i in wanted) or time.monotonic() > deadline:
                return arrivals
            await asyncio.sleep(0.05)


def start_connector(processes: Processes, python: str = sys.executable, keep_bodies: bool = False) -> Connector:
    """Start the fake connector on a free port."""
    port = free_port()
    command = [python, str(BENCH / "fake_connector.py"), "--port", str(port)]
    child = processes.start("fake-connector", command + (["--keep-bodies"] if keep_bodies else []))
    return Connector(f"http://127.0.0.1:{port}", child)


# --- load ----------------------------------------------------------------------------------------------


@dataclass
class Phase:
    """What one batch of requests measured: when each started and got its HTTP answer, and what went wrong."""

    ids: list[str]
    starts: dict[str, float]
    answered: dict[str, float]
    errors: list[str]
    began: float
    ended: float
    loadgen_cpu: float
    bodies: dict[str, bytes] = field(default_factory=dict)


Check = Callable[[str, int, bytes], str | None]
"""Looks at one HTTP answer (activity id, status, body); returns what is wrong with it, or None."""


def status_ok(_activity_id: str, status: int, _body: bytes) -> str | None:
    """Any 2xx answer is fine (messages: the reply goes through the connector)."""
    return None if 200 <= status < 300 else f"HTTP {status}"


async def closed_loop(
    session: aiohttp.ClientSession,
    url: str,
    bodies: list[tuple[str, bytes]],
    concurrency: int,
    check: Check = status_ok,
) -> Phase:
    """Send ``bodies`` from ``concurrency`` senders, each sending its next once the last one was answered."""
    starts: dict[str, float] = {}
    answered: dict[str, float] = {}
    errors: list[str] = []
    queue = iter(bodies)
    headers = {"Content-Type": "application/json"}

    async def sender() -> None:
        for activity_id, body in queue:
            starts[activity_id] = time.monotonic()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    content = await response.read()
                    problem = check(activity_id, response.status, content)
                    if problem:
                        errors.append(f"{activity_id}: {problem}")
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{activity_id}: {type(exc).__name__} {exc}")
            answered[activity_id] = time.monotonic()

    cpu_before = time.process_time()
    began = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    ended = time.monotonic()
    return Phase([i for i, _ in bodies], starts, answered, errors, began, ended, time.process_time() - cpu_before)


async def post_one(session: aiohttp.ClientSession, url: str, activity: dict[str, Any]) -> tuple[int, bytes, float]:
    """Post one activity; its HTTP status, body and how long the answer took (seconds)."""
    began = time.monotonic()
    async with session.post(url, data=encode(activity), headers={"Content-Type": "application/json"}) as response:
        body = await response.read()
        return response.status, body, time.monotonic() - began


def table(rows: list[list[str]]) -> str:
    """Rows of cells as an aligned text table, the first row its header (first column left-aligned)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.rjust(widths[i]) if i else cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)

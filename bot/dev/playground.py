"""``clusterbot playground``: the bot with a demo roster in Microsoft's Agents Playground, locally.

The Agents Playground (npm ``@microsoft/m365agentsplayground``, pinned in ``tests/node/package.json`` and
:data:`PLAYGROUND_VERSION`) is Microsoft's local stand-in for the Teams client: a web page with a personal
chat, a group chat and a team, and a mock Bot Connector the bot replies to. It sends no tokens, so the bot runs without
authentication, on loopback only. See ``docs/playground.md``.

This module owns what the command and the end-to-end tests share: the playground's config file
(:func:`playground_config`, :func:`mock_user`), the demo people and their roles (:data:`DEMO_USERS`,
:func:`prepare_demo`), the demo cluster's meetings to come (:func:`ensure_demo_meetings`), and how the
playground's node server is found, installed and launched (:func:`locate_playground`, :func:`ensure_playground`,
:func:`playground_command`, :func:`playground_env`). It works from an installed package as well as from a
checkout: without a checkout's ``tests/node`` it uses ``CLUSTERBOT_PLAYGROUND_BIN``, PATH or a per-user cache.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.config import Settings
from cluster.clock import LONDON, Clock
from cluster.meetings import MeetingSlot
from cluster.roles import Grant, Role
from cluster.terms import Term, TermName, years_covered
from store.db import make_engine, transaction, upgrade
from store.seed import CENTRAL, bank_holidays, seed_file
from store.terms import loaded_terms, store_terms
from usecases import demo
from usecases.meetings import add_meeting, list_meetings
from usecases.roster import Entry, ImportResult, import_entries

log = logging.getLogger("clusterbot.playground")

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "tests" / "node"
PLAYGROUND_BIN = NODE_DIR / "node_modules" / ".bin" / "agentsplayground"
# The pinned version (its HTTP interface is internal): the same as tests/node/package.json, which a test checks.
PLAYGROUND_PACKAGE = "@microsoft/m365agentsplayground"
PLAYGROUND_VERSION = "0.2.28"
# A path to an ``agentsplayground`` binary to use instead of looking for one (read here, not in Settings:
# only this command uses it).
PLAYGROUND_BIN_ENV = "CLUSTERBOT_PLAYGROUND_BIN"
CONFIG_FILE_NAME = ".m365agentsplayground.yml"
WORKDIR_NAME = ".playground"
PLAYGROUND_PORT = 56150
DEFAULT_DATABASE_URL = "sqlite:///clusterbot.db"
PLAYGROUND_DATABASE_URL = "sqlite:///playground.db"

TENANT_ID = "00000000-0000-0000-0000-000000000001"
BOT_ID = "00000000-0000-0000-0000-000000000011"
BOT_NAME = "Clusterbot"
PERSONAL_CHAT_ID = "personal-chat-id"
GROUP_CHAT_ID = "group-chat-id"
TEAM_ID = "team-general-id"  # the team id is also the General channel's conversation id
TEAM_NAME = "Cluster Team"
EXTRA_CHANNEL_ID = "channel-second-id"
DEMO_CLUSTER = "Central"
DEMO_MEETINGS = 6
DEMO_FIRST_MEETING_AFTER = timedelta(weeks=3)
DEMO_MEETING_EVERY = timedelta(weeks=7)  # about half-termly, as the shipped meetings are
DEMO_MEETING_WEEKDAY = 3  # Thursday, as the shipped meetings are

_USER_KEYS = ("id", "name", "userPrincipleName", "aadObjectId", "givenName", "surname", "email")


class PlaygroundSetupError(RuntimeError):
    """The playground cannot be installed or started; the message says why."""


def mock_user(id: str, name: str, aad_object_id: str | None = None, email: str | None = None) -> dict[str, str]:
    """A complete playground user entry (note the schema's spelling ``userPrincipleName``)."""
    given, _, surname = name.partition(" ")
    email = email or f"{re.sub(r'[^a-z0-9]+', '.', name.lower()).strip('.')}@example.com"
    return {
        "id": id,
        "name": name,
        "userPrincipleName": email,
        "aadObjectId": aad_object_id or f"aad-{id}",
        "givenName": given,
        "surname": surname or given,
        "email": email,
    }


def complete_user(user: Mapping[str, str]) -> dict[str, str]:
    """Fill in a user given at least ``id`` and ``name``; unknown keys are refused (the schema is closed)."""
    if "id" not in user or "name" not in user:
        raise ValueError(f"a playground user needs at least 'id' and 'name': {dict(user)!r}")
    extra = set(user) - set(_USER_KEYS)
    if extra:
        raise ValueError(f"unknown playground user fields {sorted(extra)} (schema is closed)")
    full = mock_user(user["id"], user["name"], user.get("aadObjectId"), user.get("email"))
    full.update({k: v for k, v in user.items() if k in _USER_KEYS})
    return full


@dataclass(frozen=True)
class DemoUser:
    """One of the playground's six mock people, and the role the demo roster gives them (if any)."""

    id: str
    name: str
    aad_object_id: str
    role: Role | None = None
    cluster: str | None = None
    setting: str | None = None

    def mock(self) -> dict[str, str]:
        """The person as a playground config user."""
        return mock_user(self.id, self.name, self.aad_object_id)

    @property
    def email(self) -> str:
        """The e-mail address the playground and the roster both use."""
        return self.mock()["email"]

    def entry(self) -> Entry | None:
        """The person's roster row, or None for the unregistered one."""
        if self.role is None:
            return None
        return Entry(self.name, self.email, self.aad_object_id, self.role, self.cluster, self.setting)

    def describe(self) -> str:
        """The role as the bot's "Who am I" card says it, or that they are not registered."""
        if self.role is None:
            return "not registered (sees the bot's 'not registered' card)"
        return Grant(self.role, self.cluster, self.setting).describe()


# The page acts as the first; the playground wants exactly five more. Names are the playground's own
# defaults (its built-in config uses Alex Wilber, Megan Bowen, Adele Vance, Isaiah Langer, Patti Fernandez
# and Lynne Robbins).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "user-id-0",
        "Alex Wilber",
        "00000000-0000-0000-0000-000000000020",
        Role.SENCO,
        DEMO_CLUSTER,
        "Etruscan Primary School",
    ),
    DemoUser(
        "user-id-1",
        "Megan Bowen",
        "00000000-0000-0000-0000-000000000021",
        Role.SENCO,
        DEMO_CLUSTER,
        "Waterside Primary School",
    ),
    DemoUser("user-id-2", "Adele Vance", "00000000-0000-0000-0000-000000000022", Role.CHAIR, DEMO_CLUSTER),
    DemoUser("user-id-3", "Isaiah Langer", "00000000-0000-0000-0000-000000000023", Role.ADMIN, DEMO_CLUSTER),
    DemoUser(
        "user-id-4",
        "Patti Fernandez",
        "00000000-0000-0000-0000-000000000024",
        Role.TEAM_AROUND_CLUSTER,
        DEMO_CLUSTER,
    ),
    DemoUser("user-id-5", "Lynne Robbins", "00000000-0000-0000-0000-000000000025"),
)
DEMO_SENCO, DEMO_SENCO_2, DEMO_CHAIR, DEMO_ADMIN, DEMO_TAC, DEMO_UNREGISTERED = DEMO_USERS

# People on the demo roster beyond the Playground's six (it allows no more): a council officer, who owns the
# money, and two more voting SENCOs so that a vote can carry. Reached with ``act as`` or a mocked activity.
DEMO_EXTRAS: tuple[DemoUser, ...] = (
    DemoUser("user-id-6", "Miriam Graham", "00000000-0000-0000-0000-000000000026", Role.COUNCIL_OFFICER),
    DemoUser(
        "user-id-7",
        "Lee Gu",
        "00000000-0000-0000-0000-000000000027",
        Role.SENCO,
        DEMO_CLUSTER,
        "Abbey Hulton Primary School",
    ),
    DemoUser(
        "user-id-8",
        "Nestor Wilke",
        "00000000-0000-0000-0000-000000000028",
        Role.SENCO,
        DEMO_CLUSTER,
        "Birches Head Academy",
    ),
)
DEMO_OFFICER, DEMO_SENCO_3, DEMO_SENCO_4 = DEMO_EXTRAS
DEMO_PEOPLE: tuple[DemoUser, ...] = DEMO_USERS + DEMO_EXTRAS
# Settings that must vote (or abstain) for an item to be quorate, in the demo only: the referrer's setting does
# not vote on its own referral, which leaves three demo voters (Megan Bowen, Lee Gu, Nestor Wilke).
DEMO_QUORUM = 2
DEMO_BUDGET_PENCE = 60_000_00  # the demo's baseline for this school year: £60,000

CURRENT_USER = DEMO_USERS[0].mock()
DEFAULT_USERS = [u.mock() for u in DEMO_USERS[1:]]


def playground_config(
    users: Sequence[Mapping[str, str]] | None = None,
    *,
    current_user: Mapping[str, str] | None = None,
    tenant_id: str = TENANT_ID,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    personal_chat_id: str = PERSONAL_CHAT_ID,
    group_chat_id: str = GROUP_CHAT_ID,
    group_chat_name: str = "Group Chat",
    team_id: str = TEAM_ID,
    team_name: str = TEAM_NAME,
    team_aad_group_id: str = "00000000-0000-0000-0000-000000000031",
    extra_channel: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The dict for ``.m365agentsplayground.yml`` (schema version 0.1.1); the defaults are the demo's.

    ``users`` are the five *other* mock users (the page itself acts as ``current_user``); each
    needs ``id`` and ``name``, missing fields are derived. Fewer than five are padded with the
    demo users (whose ids must not clash); more than five is an error, as in the playground.
    ``extra_channel`` (``{"id", "name"}``) adds the one channel allowed besides General, whose
    conversation id is ``team_id``; default ``{"id": "channel-second-id", "name": "Ops"}``;
    pass ``{}`` for none.
    """
    others = [complete_user(u) for u in (users or [])]
    if len(others) > 5:
        raise ValueError(f"the playground allows exactly five users, got {len(others)}")
    me = complete_user(current_user or CURRENT_USER)
    taken = {me["id"], *(u["id"] for u in others)}
    for filler in DEFAULT_USERS:
        if len(others) == 5:
            break
        if filler["id"] not in taken:
            others.append(copy.deepcopy(filler))
    if len(bot_name) > 42:
        raise ValueError("bot name is limited to 42 characters")
    if extra_channel is None:
        extra_channel = {"id": EXTRA_CHANNEL_ID, "name": "Ops"}
    channels = [dict(extra_channel)] if extra_channel else []
    return {
        "version": "0.1.1",
        "tenantId": tenant_id,
        "bot": {"id": bot_id, "name": bot_name},
        "currentUser": me,
        "users": others,
        "personalChat": {"id": personal_chat_id},
        "groupChat": {"id": group_chat_id, "name": group_chat_name},
        "team": {"id": team_id, "name": team_name, "aadGroupId": team_aad_group_id, "channels": channels},
    }


def write_config(workdir: Path, config: Mapping[str, Any]) -> Path:
    """Write the config as ``.m365agentsplayground.yml`` in ``workdir`` (JSON is valid YAML); returns it."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / CONFIG_FILE_NAME
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


def demo_entries() -> list[Entry]:
    """The demo roster: a role for each demo person except the unregistered one."""
    return [e for e in (u.entry() for u in DEMO_PEOPLE) if e is not None]


def _demo_day(day: date, taken: set[date]) -> date:
    """``day``, or the first working day after it that is no bank holiday and has no meeting yet."""
    holidays = bank_holidays()
    while day.weekday() >= 5 or day in holidays or day in taken:
        day += timedelta(days=1)
    return day


def ensure_demo_meetings(engine: Engine, now: datetime, actor: str = "playground") -> list[MeetingSlot]:
    """Give the demo cluster meetings to come, relative to ``now``, when none still takes referrals.

    The shipped Central meetings are one school year's; the demo must work on any date (a new referral is
    placed on a meeting, ``next meeting`` names one, the chair posts its agenda). So when no meeting of the
    demo cluster has an open referral deadline, this adds :data:`DEMO_MEETINGS` meetings, the first about
    three weeks from today and then about every seven weeks, each with the cluster's usual deadline.
    Idempotent: once one deadline is open it adds nothing. Only for the playground's own database (the
    ``seed`` command never calls it). Returns the meetings added.
    """
    slots = list_meetings(engine, DEMO_CLUSTER)
    if any(not slot.cancelled and slot.deadline > now for slot in slots):
        return []
    taken = {slot.day for slot in slots}
    first = now.astimezone(LONDON).date() + DEMO_FIRST_MEETING_AFTER
    first += timedelta(days=(DEMO_MEETING_WEEKDAY - first.weekday()) % 7)
    added: list[MeetingSlot] = []
    for number in range(DEMO_MEETINGS):
        day = _demo_day(first + number * DEMO_MEETING_EVERY, taken)
        added.append(add_meeting(engine, DEMO_CLUSTER, day, now, title=f"Demo meeting {number + 1}", actor=actor))
        taken.add(day)
    return added


def demo_school_year(year: int) -> list[Term]:
    """A made-up but plausible school year starting in September ``year``, for the demo only.

    Autumn from the first weekday on or after 3 September to the Friday before 20 December, spring from the
    first Monday on or after 4 January to the last Friday of March, summer from the second Monday of April
    to 21 July (Easter is ignored: these are not the council's dates).
    """

    def on_or_after(day: date, weekday: int) -> date:
        return day + timedelta(days=(weekday - day.weekday()) % 7)

    def on_or_before(day: date, weekday: int) -> date:
        return day - timedelta(days=(day.weekday() - weekday) % 7)

    autumn_start = date(year, 9, 3) if date(year, 9, 3).weekday() < 5 else on_or_after(date(year, 9, 3), 0)
    return [
        Term(autumn_start, on_or_before(date(year, 12, 19), 4), TermName.AUTUMN, year),
        Term(on_or_after(date(year + 1, 1, 4), 0), on_or_before(date(year + 1, 3, 31), 4), TermName.SPRING, year),
        Term(on_or_after(date(year + 1, 4, 8), 0), date(year + 1, 7, 21), TermName.SUMMER, year),
    ]


def ensure_demo_terms(engine: Engine, now: datetime, actor: str = "playground") -> list[int]:
    """Give the demo term dates for this school year and the next two, where none are loaded.

    Instalments fall on term dates and a decision past the loaded ones is refused, so on a date beyond the
    shipped (indicative) years the demo would refuse every approval. Only for the playground's own database;
    never replaces loaded terms. Returns the school years added.
    """
    today = now.astimezone(LONDON).date()
    current = today.year if today.month >= 9 else today.year - 1
    with transaction(engine) as session:
        have = set(years_covered(loaded_terms(session)))
        wanted = [year for year in range(current, current + 3) if year not in have]
        for year in wanted:
            store_terms(session, demo_school_year(year), now, actor, "playground demo")
    return wanted


def prepare_demo(database_url: str, clock: Clock, actor: str = "playground") -> ImportResult:
    """Migrate the database, seed the Central cluster, give it what the tour needs and import the demo roster.

    What the tour needs, in the demo's database only: meetings to come (:func:`ensure_demo_meetings`), a
    meeting today that takes referrals until 23:59 (so a referral submitted now is on it and the chair can
    start it), a quorum the demo voters reach (:data:`DEMO_QUORUM`) and a budget for this school year
    (:data:`DEMO_BUDGET_PENCE`). All idempotent and relative to the clock's today.
    """
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        now: datetime = clock.now()
        seed_file(engine, CENTRAL, now, actor)
        years = ensure_demo_terms(engine, now, actor)
        if years:
            log.info("added demo school term dates for %s", ", ".join(f"{y}/{(y + 1) % 100:02d}" for y in years))
        added = ensure_demo_meetings(engine, now, actor)
        if added:
            log.info("added %d demo meetings from %s", len(added), f"{added[0].day:%-d %B %Y}")
        today = demo.ensure_meeting_today(engine, DEMO_CLUSTER, now, actor)
        log.info("today's demo meeting: %s, taking referrals until %s", today.day, f"{today.deadline:%H:%M}")
        if demo.ensure_quorum(engine, DEMO_CLUSTER, DEMO_QUORUM, now, actor):
            log.info("demo quorum: %d settings", DEMO_QUORUM)
        label = demo.ensure_budget(engine, DEMO_CLUSTER, DEMO_BUDGET_PENCE, now, actor)
        if label:
            log.info("added the demo budget %s", label)
        return import_entries(engine, demo_entries(), now, actor)
    finally:
        engine.dispose()


def playground_database_url(settings: Settings) -> str:
    """The demo's database: ``settings.database_url``, except that the default file becomes ``playground.db``."""
    if settings.database_url == DEFAULT_DATABASE_URL:
        return PLAYGROUND_DATABASE_URL
    return settings.database_url


# ---------------------------------------------------------------------------------------------
# The playground's node server
# ---------------------------------------------------------------------------------------------


def ensure_node_modules(node_dir: Path = NODE_DIR) -> Path:
    """Return the checkout's ``agentsplayground`` binary, running ``npm ci`` (or ``npm install``) there if needed."""
    binary = node_dir / "node_modules" / ".bin" / "agentsplayground"
    if binary.exists():
        return binary
    if not (node_dir / "package.json").exists():
        raise PlaygroundSetupError(
            f"{node_dir / 'package.json'} is missing: the playground runs from a checkout of the repository"
        )
    return _npm_install(_checkout_install(node_dir), binary)


@dataclass(frozen=True)
class Install:
    """An npm command that puts the Agents Playground in ``folder``, and the binary it leaves there."""

    command: list[str]
    folder: Path
    binary: Path

    def describe(self) -> str:
        """The command as the person would type it."""
        return f"{' '.join(self.command)} (in {self.folder})"


@dataclass(frozen=True)
class Located:
    """Where ``clusterbot playground`` gets the Agents Playground: a binary found, or the install it would run."""

    how: str
    binary: Path | None = None
    install: Install | None = None

    def describe(self) -> str:
        """What ``clusterbot playground --check`` prints."""
        if self.binary is not None:
            return f"Agents Playground: {self.binary} ({self.how})"
        assert self.install is not None
        return f"Agents Playground: not installed; clusterbot playground would run {self.install.describe()}"


def playground_cache_dir(env: Mapping[str, str] | None = None, version: str = PLAYGROUND_VERSION) -> Path:
    """The per-user folder the pinned playground is installed in: ``~/.cache/clusterbot/playground/<version>``."""
    env = os.environ if env is None else env
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path(env.get("HOME", "~")) / ".cache"
    return base.expanduser() / "clusterbot" / "playground" / version


def _npm(env: Mapping[str, str]) -> str:
    return shutil.which("npm", path=env.get("PATH")) or "npm"


def _checkout_install(node_dir: Path, env: Mapping[str, str] | None = None) -> Install:
    npm = _npm(os.environ if env is None else env)
    cmd = [npm, "ci"] if (node_dir / "package-lock.json").exists() else [npm, "install"]
    cmd += ["--no-audit", "--no-fund", "--loglevel=error"]
    return Install(cmd, node_dir, node_dir / "node_modules" / ".bin" / "agentsplayground")


def _cache_install(folder: Path, env: Mapping[str, str]) -> Install:
    cmd = [
        _npm(env), "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error",
        f"{PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION}",
    ]  # fmt: skip
    return Install(cmd, folder, folder / "node_modules" / ".bin" / "agentsplayground")


def locate_playground(env: Mapping[str, str] | None = None, node_dir: Path = NODE_DIR) -> Located:
    """Find the Agents Playground, or say which install would put it in place (nothing is run here).

    In order: ``CLUSTERBOT_PLAYGROUND_BIN``, a checkout's ``tests/node``, PATH, the per-user cache.

    From a checkout the install is ``npm ci`` in ``tests/node`` (its lock file pins every package); from an
    installed package it is ``npm install --prefix <cache> @microsoft/m365agentsplayground@<pinned>``.
    Raises :class:`PlaygroundSetupError` when ``CLUSTERBOT_PLAYGROUND_BIN`` names no runnable file.
    """
    env = os.environ if env is None else env
    named = env.get(PLAYGROUND_BIN_ENV)
    if named:
        path = Path(named).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise PlaygroundSetupError(f"{PLAYGROUND_BIN_ENV}={named} is not a file that can be run")
        return Located(f"from {PLAYGROUND_BIN_ENV}", binary=path)
    checkout = node_dir / "node_modules" / ".bin" / "agentsplayground"
    if checkout.exists():
        return Located("installed in the checkout's tests/node", binary=checkout)
    on_path = shutil.which("agentsplayground", path=env.get("PATH"))
    if on_path:
        return Located("on PATH", binary=Path(on_path))
    cached = _cache_install(playground_cache_dir(env), env)
    if cached.binary.exists():
        return Located(f"installed in the cache, version {PLAYGROUND_VERSION}", binary=cached.binary)
    if (node_dir / "package.json").exists():
        return Located("a checkout", install=_checkout_install(node_dir, env))
    return Located("the per-user cache", install=cached)


def _npm_install(install: Install, binary: Path) -> Path:
    if shutil.which(install.command[0]) is None:
        raise PlaygroundSetupError(
            f"npm is not installed: cannot install the Agents Playground ({install.describe()}); install Node.js "
            f"and npm, or point {PLAYGROUND_BIN_ENV} at an agentsplayground binary"
        )
    install.folder.mkdir(parents=True, exist_ok=True)
    print(f"Installing the Agents Playground: {install.describe()}", file=sys.stderr)
    subprocess.run(install.command, cwd=install.folder, check=True)  # noqa: S603 - fixed command, no shell
    if not binary.exists():
        raise PlaygroundSetupError(f"{install.describe()} did not provide {binary}")
    return binary


def ensure_playground(env: Mapping[str, str] | None = None, node_dir: Path = NODE_DIR) -> Path:
    """The Agents Playground's binary (:func:`locate_playground`), installing it first when none is found."""
    located = locate_playground(env, node_dir)
    if located.binary is not None:
        return located.binary
    assert located.install is not None
    return _npm_install(located.install, located.install.binary)


def check_playground(env: Mapping[str, str] | None = None, node_dir: Path = NODE_DIR) -> int:
    """``clusterbot playground --check``: print where the playground is (or what would install it); 0 if found."""
    try:
        located = locate_playground(env, node_dir)
    except PlaygroundSetupError as exc:
        print(f"clusterbot: {exc}", file=sys.stderr)
        return 2
    print(located.describe())
    if located.binary is None:
        print(f"(or point {PLAYGROUND_BIN_ENV} at an agentsplayground binary)")
        return 2
    return 0


def playground_command(
    binary: Path,
    bot_endpoint: str,
    port: int,
    *,
    channel_id: str = "msteams",
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The command line that starts the playground server against ``bot_endpoint`` on ``port``."""
    return [
        str(binary),
        "--app-endpoint", bot_endpoint,
        "--channel-id", channel_id,
        "--port", str(port),
        "--disable-telemetry",
        *extra_args,
    ]  # fmt: skip


def playground_env(
    workdir: Path, base: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The playground server's environment, with its config, log and an ``xdg-open`` stub in ``workdir``.

    No browser is opened (``TEAMSAPPTESTER_BROWSER=none``); the stub, first on PATH, stops the server
    from exiting on a machine without a desktop should it try.
    """
    stub_dir = workdir / "bin"
    stub_dir.mkdir(parents=True, exist_ok=True)
    stub = stub_dir / "xdg-open"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    env = dict(os.environ if base is None else base)
    return {
        **env,
        "PATH": f"{stub_dir}{os.pathsep}{env.get('PATH', '')}",
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(workdir / CONFIG_FILE_NAME),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(workdir / "playground.log"),
        **(extra or {}),
    }


def stop_process_group(proc: subprocess.Popen[str], timeout: float = 10.0) -> None:
    """Stop a process started with ``start_new_session=True`` and anything else in its group."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    # node may leave children in the group even after it exits itself.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class _Server:
    """The playground server started for ``clusterbot playground``: its output goes to a log file."""

    def __init__(self, command: list[str], env: dict[str, str], workdir: Path) -> None:
        self.output_path = workdir / "server-output.log"
        self.port: int | None = None
        self._listening = threading.Event()
        self._lines: list[str] = []
        self.proc = subprocess.Popen(  # noqa: S603 - our own command line, no shell
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # Ctrl-C reaches only us; we stop its whole group
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.output_path.open("w", encoding="utf-8") as out:
            for line in self.proc.stdout:
                out.write(line)
                out.flush()
                self._lines.append(line)
                found = re.search(r"Listening on (\d+)", line)
                if found and not self._listening.is_set():
                    self.port = int(found.group(1))
                    self._listening.set()
        self._listening.set()

    def wait_listening(self, timeout: float) -> int:
        if not self._listening.wait(timeout) or self.port is None:
            raise PlaygroundSetupError(
                f"the playground did not start within {timeout:.0f}s; it printed:\n{''.join(self._lines)}"
            )
        return self.port

    def stop(self) -> None:
        stop_process_group(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._reader.join(2)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise PlaygroundSetupError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    sock.listen(128)
    return sock


MOCK_DIR_NAME = "mock-activities"
FILE_LIMIT_NOTE = (
    'Files: the Playground cannot send a file to a bot (it shows "not supported"); add a SharePoint or '
    "OneDrive link on the referral's Documents step instead (in Teams, files sent in the chat work too)."
)


def mock_activity(person: DemoUser, conversation: str, text: str, service_url: str) -> dict[str, Any]:
    """A message from ``person`` as the Playground's "Mock an Activity" > "Custom activity" sends it, as-is.

    ``conversation`` is :data:`PERSONAL_CHAT_ID` or :data:`TEAM_ID` (a post in General, @mentioning the bot).
    The bot knows people by ``from.aadObjectId``: setting only ``from.id`` or the name acts as nobody else.
    """
    channel = conversation == TEAM_ID
    mention = f"<at>{BOT_NAME}</at>"
    activity: dict[str, Any] = {
        "type": "message",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": {
            "id": conversation,
            "conversationType": "channel" if channel else "personal",
            "tenantId": TENANT_ID,
            **({"isGroup": True} if channel else {}),
        },
        "from": {"id": person.id, "name": person.name, "aadObjectId": person.aad_object_id},
        "text": f"{mention} {text}" if channel else text,
        "textFormat": "plain",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    if channel:
        activity["entities"] = [{"type": "mention", "mentioned": {"id": BOT_ID, "name": BOT_NAME}, "text": mention}]
        activity["channelData"].update(team={"id": TEAM_ID}, channel={"id": TEAM_ID})
    return activity


def slug(name: str) -> str:
    """A person's name as a file name: ``isaiah-langer``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write_mock_activities(workdir: Path, playground_port: int) -> Path:
    """Write each demo person's ready-to-paste activities (``whoami`` in personal chat and in the channel).

    One file per person and place, ``<workdir>/mock-activities/<name>.<personal|channel>.json``; returns the folder.
    """
    folder = workdir / MOCK_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    service_url = f"http://localhost:{playground_port}/_connector"
    for person in DEMO_PEOPLE:
        for place, conversation in (("personal", PERSONAL_CHAT_ID), ("channel", TEAM_ID)):
            activity = mock_activity(person, conversation, "whoami", service_url)
            (folder / f"{slug(person.name)}.{place}.json").write_text(json.dumps(activity, indent=2) + "\n")
    return folder


def people_table() -> list[str]:
    """Each demo person: name, role, e-mail and the ids the bot keys on (its ``aadObjectId``), one per line."""
    width = max(len(u.name) for u in DEMO_PEOPLE) + 2
    lines = []
    for person in DEMO_PEOPLE:
        where = (
            "the page's own user"
            if person == DEMO_USERS[0]
            else ("a Playground user" if person in DEMO_USERS else "only with 'act as' or a mocked activity")
        )
        lines.append(f"  {person.name.ljust(width)}{person.describe()}")
        lines.append(f"  {'':{width}}{person.email}; aadObjectId {person.aad_object_id}; id {person.id} ({where})")
    return lines


def instructions(url: str, bot_endpoint: str, database_url: str, workdir: Path, mock_dir: Path | None = None) -> str:
    """What the person at the terminal is told once everything is running."""
    mocks = (
        [
            f'Ready-to-paste activities for each person ("Mock an Activity" > "Custom activity"): {mock_dir}',
            "  <name>.personal.json is a personal-chat message, <name>.channel.json a post in General;",
            "  the bot knows people by from.aadObjectId, so change only 'text' (keep 'from').",
        ]
        if mock_dir is not None
        else []
    )
    return "\n".join(
        [
            "",
            f"Agents Playground: open {url} in your browser.",
            f"  bot: {bot_endpoint} (no authentication, loopback only, DEMO MODE)",
            f"  database: {database_url}; playground config and logs in {workdir}",
            "",
            "Demo people:",
            *people_table(),
            "",
            f"The page acts as {DEMO_USERS[0].name}. In its Personal Chat try: help, whoami, next meeting.",
            "To click as someone else, type 'act as <name>' (e.g. 'act as Isaiah Langer'; 'act as me' to stop):",
            "everything you then type or click, in the chat and in the channel, goes as them. Demo only.",
            f"In the {TEAM_NAME} - General channel, @mention the bot: @{BOT_NAME} help.",
            f"The tour (README, 'Try it in the Agents Playground'): {DEMO_USERS[0].name} submits a referral;",
            f"{DEMO_ADMIN.name} accepts it and links the channel; {DEMO_CHAIR.name} posts the agenda, starts",
            f"today's meeting and opens the item; {DEMO_SENCO_2.name}, {DEMO_SENCO_3.name} and",
            f"{DEMO_SENCO_4.name} vote (quorum {DEMO_QUORUM}); the chair closes the vote and records the decision;",
            f"{DEMO_OFFICER.name} sees the budget.",
            *mocks,
            FILE_LIMIT_NOTE,
            "Press Ctrl-C to stop the bot and the playground.",
            "",
        ]
    )


def run_playground(settings: Settings, port: int, clock: Clock) -> int:
    """Run the bot on 127.0.0.1:``port`` with a demo roster, and the Agents Playground in front of it.

    Returns the exit code: 2 when the settings or the machine do not allow it, else 0 after Ctrl-C.
    """
    from aiohttp import web

    from bot.http.app import SHUTDOWN_TIMEOUT, create_app

    if settings.app_id:
        print(
            "clusterbot: the playground is local-only and sends no tokens, so it cannot run with "
            "MicrosoftAppId set; unset MicrosoftAppId (and MicrosoftAppPassword) to use it.",
            file=sys.stderr,
        )
        return 2
    database_url = playground_database_url(settings)
    demo = settings.model_copy(update={"allow_no_auth": True, "database_url": database_url, "playground_demo": True})
    workdir = Path.cwd() / WORKDIR_NAME
    bot_endpoint = f"http://127.0.0.1:{port}/api/messages"
    try:
        binary = ensure_playground()
        sock = _bind(port)
    except (PlaygroundSetupError, subprocess.CalledProcessError) as exc:
        print(f"clusterbot: {exc}", file=sys.stderr)
        return 2
    server: _Server | None = None
    try:
        result = prepare_demo(database_url, clock)
        log.info("demo roster: %d people and %d roles added", result.people_added, result.roles_added)
        write_config(workdir, playground_config())
        command = playground_command(binary, bot_endpoint, PLAYGROUND_PORT)
        started = time.monotonic()
        server = _Server(command, playground_env(workdir), workdir)
        playground_port = server.wait_listening(60.0)
        log.info("playground listening on port %d after %.1fs", playground_port, time.monotonic() - started)
        mock_dir = write_mock_activities(workdir, playground_port)
        app = create_app(demo, clock=clock)
        url = f"http://127.0.0.1:{playground_port}"
        print(instructions(url, bot_endpoint, database_url, workdir, mock_dir), flush=True)
        web.run_app(app, sock=sock, print=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    except PlaygroundSetupError as exc:
        print(f"clusterbot: {exc}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
        sock.close()
    print("Stopped the bot and the playground.", flush=True)
    return 0

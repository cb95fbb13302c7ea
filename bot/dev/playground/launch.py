"""``clusterbot playground`` itself: the demo prepared, the Playground started in front of the bot, the person told how.

The bot runs without authentication on loopback only, in demo mode; Ctrl-C stops both.
"""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.config import Settings
from bot.dev.playground.config import BOT_NAME, TEAM_NAME, playground_config, write_config, write_mock_activities
from bot.dev.playground.database import DEMO_QUORUM, playground_database_url, prepare_demo
from bot.dev.playground.node import (
    PlaygroundSetupError,
    ensure_playground,
    playground_command,
    playground_env,
    stop_process_group,
)
from bot.dev.playground.people import (
    DEMO_ADMIN,
    DEMO_CHAIR,
    DEMO_OFFICER,
    DEMO_SENCO_2,
    DEMO_SENCO_3,
    DEMO_SENCO_4,
    DEMO_USERS,
    people_table,
)
from cluster.clock import Clock

log = logging.getLogger("clusterbot.playground")

WORKDIR_NAME = ".playground"
PLAYGROUND_PORT = 56150


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


FILE_LIMIT_NOTE = (
    'Files: the Playground cannot send a file to a bot (it shows "not supported"); add a SharePoint or '
    "OneDrive link on the referral's Documents step instead (in Teams, files sent in the chat work too)."
)


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

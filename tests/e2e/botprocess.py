"""Running the bot as a user runs it, for the end-to-end tests: ``python -m bot ...`` in its own process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from store.db import make_engine
from store.models import ConversationRef, Outbox
from tests.e2e.playground import Playground, PlaygroundPage, free_port, open_browser, playground_config


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    """Wait until the bot's /readyz answers (its database at head); fail with its log if it exits or stalls.

    A minute: alone the bot answers in a few seconds, but on a two-core machine running the other tests in
    parallel (and other people's) importing it and migrating its database has taken half a minute.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"the bot exited with {proc.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the bot did not answer {url} within {timeout}s:\n{log.read_text()}")
        time.sleep(0.1)


def cli(tmp: Path, env: dict[str, str], *args: str) -> None:
    """Run ``clusterbot ARGS`` as an admin would; fail with its output if it does not succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"clusterbot {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def serve(tmp: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start ``clusterbot serve`` on ``port`` (output to ``log``) and wait until it answers."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/readyz", proc, log)
    except BaseException:
        stop(proc)
        raise
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the bot as a service manager would: SIGTERM, then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def serve_with_scheduler(
    tmp: Path, env: dict[str, str], port: int, log: Path, scheduler: str
) -> subprocess.Popen[bytes]:
    """``serve`` with the scheduler ``on`` or ``off``."""
    return serve(tmp, {**env, "CLUSTERBOT_SCHEDULER": scheduler}, port, log)


def wait_installed(database_url: str, aad_object_id: str, timeout: float = 15.0) -> ConversationRef:
    """Wait until the bot has stored the person's personal chat (the page's install reached it)."""
    engine = make_engine(database_url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with Session(engine) as session:
                ref = session.exec(
                    select(ConversationRef).where(
                        ConversationRef.aad_object_id == aad_object_id,
                        ConversationRef.kind == "personal",
                        ConversationRef.installed == True,  # noqa: E712
                    )
                ).first()
            if ref is not None:
                return ref
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not store {aad_object_id}'s personal chat within {timeout}s")
            time.sleep(0.1)
    finally:
        engine.dispose()


def outbox_states(database_url: str, besides: Collection[str] = ()) -> dict[str, str]:
    """Every outbox row's key and state, but those keyed in ``besides`` (what the set-up's past owed, say)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return {row.key: row.state for row in session.exec(select(Outbox)) if row.key not in besides}
    finally:
        engine.dispose()


def bot_env(database_url: str, *, demo: bool = False, **extra: str) -> dict[str, str]:
    """This process's environment for the bot: no app credentials, no auth, INFO logs, on ``database_url``.

    ``demo``: as ``clusterbot playground`` sets it (``act as`` works); ``extra``: more variables.
    """
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("microsoftapp")}
    env.update(DATABASE_URL=database_url, CLUSTERBOT_ALLOW_NO_AUTH="1", CLUSTERBOT_LOG_LEVEL="INFO", **extra)
    if demo:
        env["CLUSTERBOT_PLAYGROUND_DEMO"] = "1"
    return env


@dataclass
class BotAndPage:
    """The bot, the Playground in front of it and its page, and what to leave when a test fails."""

    ui: PlaygroundPage
    playground: Playground
    bot_log: Path
    page_errors: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:
        """``with bot_with_page(...) as (ui, playground, bot_log):`` for a test that needs no more."""
        return iter((self.ui, self.playground, self.bot_log))

    def evidence(self, shot: Path) -> str:
        """Screenshot the page to ``shot``; returns what to print: where it is, the bot's log's end, the page's
        errors and the Playground's output."""
        self.ui.screenshot(shot)
        return (
            f"\nscreenshot: {shot}\nbot log: {self.bot_log}\n{self.bot_log.read_text()[-4000:]}"
            f"\npage errors: {self.page_errors}\nplayground output:\n{self.playground.output}"
        )


@contextlib.contextmanager
def bot_with_page(
    tmp: Path, env: dict[str, str], timeout: float, config: dict[str, Any] | None = None
) -> Iterator[BotAndPage]:
    """``clusterbot serve`` (its log ``tmp/bot.log``), the Playground against it, and the page open in Chromium.

    ``config``: the Playground's mock team and users (by default ``playground_config()``).
    """
    port = free_port()
    bot_log = tmp / "bot.log"
    proc = serve(tmp, env, port, bot_log)
    try:
        endpoint = f"http://127.0.0.1:{port}/api/messages"
        with Playground(endpoint, config or playground_config()) as pg, open_browser(pg.url, timeout=timeout) as ui:
            running = BotAndPage(ui, pg, bot_log)
            ui.page.on("pageerror", lambda error: running.page_errors.append(str(error)))
            yield running
    finally:
        stop(proc)

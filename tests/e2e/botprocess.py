"""Running the bot as a user runs it, for the end-to-end tests: ``python -m bot ...`` in its own process."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from pathlib import Path

from sqlmodel import Session, select

from store.db import make_engine
from store.models import ConversationRef, Outbox


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

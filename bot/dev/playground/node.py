"""The Agents Playground's node server: found, installed (pinned) and started, and stopped with its children.

From a checkout it comes from ``tests/node`` (``npm ci``); from an installed package it comes from
``CLUSTERBOT_PLAYGROUND_BIN``, PATH or a per-user cache (``npm install`` of :data:`PLAYGROUND_VERSION`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.dev.playground.config import CONFIG_FILE_NAME

REPO_ROOT = Path(__file__).resolve().parents[3]
NODE_DIR = REPO_ROOT / "tests" / "node"
PLAYGROUND_BIN = NODE_DIR / "node_modules" / ".bin" / "agentsplayground"
# The pinned version (its HTTP interface is internal): the same as tests/node/package.json, which a test checks.
PLAYGROUND_PACKAGE = "@microsoft/m365agentsplayground"
PLAYGROUND_VERSION = "0.2.28"
# A path to an ``agentsplayground`` binary to use instead of looking for one (read here, not in Settings:
# only this command uses it).
PLAYGROUND_BIN_ENV = "CLUSTERBOT_PLAYGROUND_BIN"


class PlaygroundSetupError(RuntimeError):
    """The playground cannot be installed or started; the message says why."""


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

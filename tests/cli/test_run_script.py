"""``scripts/run`` installs the project only when it changed, and the scheduler's own lines stay quiet by default.

The setup script is run for real in a copy of the checkout's ``scripts`` folder, with a ``.venv/bin/python``
that only records how it was called (so no network and no pip): what it is asked to do is what a person waits for.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main as cli

REPO = Path(__file__).resolve().parents[2]
FAKE_PYTHON = '#!/bin/sh\necho "$*" >> "$(dirname "$0")/../calls.log"\n'


def project(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "scripts", root / "scripts")
    (root / "pyproject.toml").write_text('[project]\nname = "clusterbot"\nversion = "1"\n')
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return root


def setup(root: Path, extras: str = "") -> list[str]:
    """Source the setup script as scripts/run does; returns the pip installs it asked for."""
    log = root / ".venv" / "calls.log"
    before = log.read_text().splitlines() if log.exists() else []
    subprocess.run(
        ["bash", "-c", f'EXTRAS="{extras}" source scripts/_venv.sh'], cwd=root, check=True, capture_output=True
    )
    after = log.read_text().splitlines() if log.exists() else []
    return [call for call in after[len(before) :] if "install --quiet -e" in call]


def test_the_project_is_installed_once_and_again_only_when_pyproject_changes(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert setup(root) == ["-m pip install --quiet -e ."], "a new .venv gets the project"
    assert setup(root) == [], "nothing changed: nothing to install (it took 12 s on every start)"
    (root / "bot.py").write_text("# code changes need no install: it is editable\n")
    assert setup(root) == []

    with (root / "pyproject.toml").open("a") as f:
        f.write('dependencies = ["aiohttp"]\n')
    assert setup(root) == ["-m pip install --quiet -e ."], "a changed pyproject.toml is installed again"
    assert setup(root) == []


def test_the_test_extras_count_for_a_plain_run_but_not_the_other_way_round(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert setup(root) == ["-m pip install --quiet -e ."]
    assert setup(root, "[test]") == ["-m pip install --quiet -e .[test]"]
    assert setup(root, "[test]") == []
    assert setup(root) == []


def test_a_removed_venv_is_made_and_installed_again(tmp_path: Path) -> None:
    root = project(tmp_path)
    setup(root)
    (root / ".venv" / ".clusterbot-installed").unlink()  # as a fresh .venv has no record
    assert setup(root) == ["-m pip install --quiet -e ."]


@pytest.fixture
def apscheduler_level() -> object:
    logger = logging.getLogger("apscheduler")
    level = logger.level
    yield logger
    logger.setLevel(level)


def test_the_scheduler_logs_warnings_only_unless_asked(
    apscheduler_level: logging.Logger, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CLUSTERBOT_SCHEDULER_LOG_LEVEL", raising=False)
    apscheduler_level.setLevel(logging.NOTSET)
    assert cli.run(["playground", "--check"]) in (0, 2)
    assert apscheduler_level.level == logging.WARNING
    assert not apscheduler_level.isEnabledFor(logging.INFO), "no 'Running job ...' line every minute"

    monkeypatch.setenv("CLUSTERBOT_SCHEDULER_LOG_LEVEL", "info")
    cli.run(["playground", "--check"])
    assert apscheduler_level.isEnabledFor(logging.INFO)

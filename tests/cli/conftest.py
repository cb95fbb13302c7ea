"""What the command-line tests share: an empty SQLite database the ``clusterbot`` command is pointed at."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a fresh database in ``DATABASE_URL``, without the Azure app id (no-auth, as at a terminal)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    return url

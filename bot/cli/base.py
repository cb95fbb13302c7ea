"""What every group of ``clusterbot`` commands shares.

The error the person at the terminal can fix, and the shape a group of commands takes so ``bot.cli.main`` can add
it without knowing its insides.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.config import Settings
from cluster.clock import Clock
from store.db import make_engine, upgrade


class CliError(Exception):
    """A problem the person at the terminal can fix; printed without a traceback."""


@dataclass(frozen=True)
class CommandGroup:
    """Some top-level commands: ``add`` puts their parsers on the subparsers; ``run`` runs one of ``names``.

    ``run`` gets the parsed arguments, the settings and the clock, and returns the exit code; it applies
    migrations itself when it needs the database (a restore must not open the database first).
    """

    names: frozenset[str]
    add: Callable[[Any], None]
    run: Callable[[argparse.Namespace, Settings, Clock], int]


def database(settings: Settings) -> Engine:
    """Apply every migration not yet applied, then open the database (the commands that need it call this)."""
    upgrade(settings.database_url)
    return make_engine(settings.database_url)

"""``clusterbot what-worked reindex``: index the whole record of what worked afresh.

For records made before the index existed (migration 0017), or after restoring a backup taken before it.
The use cases keep the index in step from then on (``usecases.what_worked``).
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.base import CommandGroup, database
from bot.config import Settings
from cluster.clock import Clock
from usecases.what_worked import rebuild


def _add(sub: Any) -> None:
    made = sub.add_parser("what-worked", help="the search index of what worked")
    made_sub = made.add_subparsers(dest="action", required=True)
    made_sub.add_parser("reindex", help="index every reviewed provision and every discussion's advice afresh")


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    provisions, advice = rebuild(database(settings), clock.now())
    print(f"indexed {provisions} funded provisions with their ratings and {advice} discussions' advice")
    return 0


WHAT_WORKED = CommandGroup(frozenset({"what-worked"}), _add, _run)

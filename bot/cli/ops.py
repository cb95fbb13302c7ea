"""``clusterbot backup FILE`` and ``restore FILE`` (the SQLite database copied and put back), ``playground --check``.

The work is in ``store.backup``; PostgreSQL is refused with the ``pg_dump`` / ``pg_restore`` commands to use
instead. A restore never opens (or migrates) the database before it has checked the backup.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.base import CliError, CommandGroup
from bot.config import Settings
from cluster.clock import Clock
from store.backup import BackupError, backup, restore


def _add(sub: Any) -> None:
    made = sub.add_parser(
        "backup", help="copy the SQLite database to FILE, safely while the bot runs (PostgreSQL: pg_dump)"
    )
    made.add_argument("file", type=Path)
    made.add_argument("--force", action="store_true", help="replace FILE if it exists")
    back = sub.add_parser(
        "restore",
        help="put a backup made by clusterbot backup in place of the SQLite database (stop the bot first)",
    )
    back.add_argument("file", type=Path)
    back.add_argument("--yes", action="store_true", help="the bot is stopped: replace the database")


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    try:
        if args.command == "backup":
            made = backup(settings.database_url, args.file, force=args.force)
            print(f"wrote {made.path}: {made.describe()}")
            return 0
        if not args.yes:
            raise CliError(
                "a restore replaces the whole database: stop the bot first (every replica), then run this "
                "again with --yes"
            )
        done = restore(settings.database_url, args.file, clock.now())
    except BackupError as exc:
        raise CliError(str(exc)) from None
    if done.kept is not None:
        print(f"kept the database as it was in {done.kept}")
    print(f"restored {args.file}: {done.restored.describe()}")
    if done.now_at != done.restored.revision:
        print(f"migrated from {done.restored.revision} to {done.now_at}")
    print("start the bot again")
    return 0


OPS = CommandGroup(frozenset({"backup", "restore"}), _add, _run)

"""``clusterbot manifest build`` and ``playground``: the Teams app package, and the bot in the Agents Playground.

The work is in ``bot.dev``; neither command opens the database here (the playground prepares its own).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.base import CliError, CommandGroup
from bot.config import Settings
from cluster.clock import Clock


def _add(sub: Any) -> None:
    manifest = sub.add_parser("manifest", help="the Teams app package")
    manifest_sub = manifest.add_subparsers(dest="manifest_command", required=True)
    build = manifest_sub.add_parser("build", help="write the app zip to upload to Teams")
    build.add_argument("--out", type=Path, required=True)
    build.add_argument("--app-id", help="the bot's Microsoft App ID (default: MicrosoftAppId)")

    playground = sub.add_parser(
        "playground", help="run the bot with a demo roster in Microsoft's Agents Playground (local only)"
    )
    playground.add_argument("--port", type=int, default=3978)
    playground.add_argument(
        "--check", action="store_true", help="say where the Agents Playground is (or how it would be installed)"
    )


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    if args.command == "playground":
        from bot.dev.playground import check_playground, run_playground

        return check_playground() if args.check else run_playground(settings, args.port, clock)
    from bot.dev.manifest import build_app_package

    app_id = args.app_id or settings.app_id
    if not app_id:
        raise CliError("give the bot's app id with --app-id or MicrosoftAppId")
    path = build_app_package(app_id, args.out)
    print(f"wrote {path}")
    return 0


DEV = CommandGroup(frozenset({"manifest", "playground"}), _add, _run)

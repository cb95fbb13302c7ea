"""``clusterbot serve``, ``db upgrade`` and ``seed``: run the bot, bring the database up to date, load a cluster.

``serve`` refuses to listen beyond loopback without authentication; ``seed`` loads a cluster file (Central's by
default) idempotently, and says when the school terms it added are the shipped, indicative ones.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
from pathlib import Path
from typing import Any

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings, UnsafeConfiguration, check_auth_choice
from cluster.clock import Clock
from store.seed import CENTRAL, seed_file
from usecases.clusters import load_file

log = logging.getLogger("clusterbot")


def _add(sub: Any) -> None:
    serve = sub.add_parser("serve", help="apply migrations and run the bot")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3978)
    serve.add_argument("--seed", action="store_true", help="also load the Central cluster (idempotent)")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every migration not yet applied")

    seed = sub.add_parser(
        "seed", help="load a cluster's settings, meetings and people (default: Central), idempotently"
    )
    seed.add_argument("--file", type=Path, default=CENTRAL)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace, settings: Settings, clock: Clock) -> None:
    from aiohttp import web

    from bot.http.app import SHUTDOWN_TIMEOUT, create_app

    try:
        check_auth_choice(settings)
    except UnsafeConfiguration as exc:
        raise CliError(str(exc)) from None
    if not settings.auth_enabled and not _is_loopback(args.host):
        raise CliError(
            f"refusing to listen on {args.host} without authentication; "
            "without MicrosoftAppId the bot listens on loopback (127.0.0.1) only."
        )
    engine = database(settings)
    if args.seed:
        result = seed_file(engine, CENTRAL, clock.now())
        log.info(
            "seeded %s: %d settings, %d meetings and %d school terms added",
            result.cluster,
            result.settings_added,
            result.meetings_added,
            result.terms_added,
        )
    app = create_app(settings, clock=clock, engine=engine)
    log.info("clusterbot listening on http://%s:%d/api/messages", args.host, args.port)
    # aiohttp closes a connection still waiting for a complete request head when its keep-alive time is up
    # (counted from the connection's start or the previous answer), which makes that time the header timeout.
    web.run_app(
        app,
        host=args.host,
        port=args.port,
        print=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        keepalive_timeout=settings.header_timeout,
    )


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    if args.command == "serve":
        _serve(args, settings, clock)
        return 0
    engine = database(settings)
    now = clock.now()
    if args.command == "db":
        print("database is up to date")
        return 0
    result = load_file(engine, args.file, now)
    print(
        f"{result.cluster}: {result.settings_added} settings, {result.meetings_added} meetings, "
        f"{result.people_added} people and {result.roles_added} roles added"
    )
    if result.terms_added:
        print(
            f"{result.terms_added} school terms added from the shipped, indicative dates: confirm them against "
            "the council's published dates (clusterbot terms list; clusterbot terms import FILE)"
        )
    return 0


RUNNING = CommandGroup(frozenset({"serve", "db", "seed"}), _add, _run)

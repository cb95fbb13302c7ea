"""The ``clusterbot`` command: its parser, assembled from the groups of commands, and how a command is run.

Each group of commands is a module of ``bot.cli`` (a :class:`~bot.cli.base.CommandGroup`): ``running`` (serve,
db, seed), ``people`` (cluster, roster, people, settings), ``meetings`` (meetings, citywide), ``money``
(budget, capital-window, terms, payments, finance, capital-round), ``funding`` (the funding formula),
``provision`` (the Costed Provision Document), ``dev`` (manifest, playground), ``reads`` (audit,
subject-access), ``privacy`` (retention, erase) and ``ops`` (backup, restore).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli.base import CliError, CommandGroup
from bot.cli.dev import DEV
from bot.cli.funding import FUNDING
from bot.cli.meetings import MEETINGS
from bot.cli.money import MONEY
from bot.cli.ops import OPS
from bot.cli.people import PEOPLE
from bot.cli.privacy import PRIVACY
from bot.cli.provision import PROVISION
from bot.cli.reads import READS
from bot.cli.running import RUNNING
from bot.cli.what_worked import WHAT_WORKED
from bot.config import Settings
from bot.http import log_text
from cluster.clock import Clock
from cluster.text import clean_all
from store.seed import SeedError
from usecases.clusters import ClusterError
from usecases.roster import RosterError

# In the order ``clusterbot --help`` lists them.
GROUPS: tuple[CommandGroup, ...] = (
    RUNNING,
    PEOPLE,
    MEETINGS,
    MONEY,
    FUNDING,
    PROVISION,
    DEV,
    READS,
    PRIVACY,
    OPS,
    WHAT_WORKED,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clusterbot", description="SEND cluster funding in Microsoft Teams.")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add(sub)
    return parser


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CliError(f"bad configuration in the environment: {problems}") from None


def run(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    """Run one CLI command; returns the exit code. Problems are printed as one clear message.

    The arguments are text a person typed (a cluster's or a setting's name, a reason), cleaned as Teams'
    text is (``cluster.text``); file names are left as the file system has them.
    """
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    for name, value in vars(args).items():
        if isinstance(value, str | list):
            setattr(args, name, clean_all(value))
    clock = clock or Clock()
    log_text.install()
    try:
        settings = _settings()
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # apscheduler says "Running job ..." at INFO for every job, every minute: it would bury the bot's own lines.
        logging.getLogger("apscheduler").setLevel(settings.scheduler_log_level.upper())
        if settings.log_format == "json":  # from the first line: migrations and seeding log before the app exists
            from bot.http.observe import use_json_logs

            use_json_logs()
        return _dispatch(args, settings, clock)
    except CliError as exc:
        print(f"clusterbot: {exc}", file=sys.stderr)
        return 2
    except (RosterError, ClusterError) as exc:
        print("clusterbot: nothing was imported or changed:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except (SeedError, ValueError) as exc:
        print(f"clusterbot: {exc}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    for group in GROUPS:
        if args.command in group.names:
            return group.run(args, settings, clock)
    raise AssertionError(f"no group runs {args.command}")  # the parser admits only the groups' commands


def main() -> None:
    """Console entry point."""
    sys.exit(run())

"""``clusterbot provision``: the council's Costed Provision Document, loaded as a new version or listed.

``provision load FILE --year 2026-27`` loads a CSV or XLSX file as the year's next version (all or nothing: a
bad row loads nothing and is named by its line); ``provision list`` lists every version, newest first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.clock import Clock


def _add(sub: Any) -> None:
    provision = sub.add_parser("provision", help="the council's Costed Provision Document (its prices)")
    provision_sub = provision.add_subparsers(dest="provision_command", required=True)
    load = provision_sub.add_parser(
        "load",
        help="load a CSV or XLSX file as a new version of a financial year's document (all or nothing); columns: "
        "area of need, provision, delivered by, unit, unit cost (or hourly rate), group size, notes",
    )
    load.add_argument("file", type=Path)
    load.add_argument("--year", required=True, help="the financial year, e.g. 2026-27")
    provision_sub.add_parser("list", help="list every version, newest first")


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    from cluster.provision_document import parse_financial_year
    from usecases.provision_documents import DocumentRefused, all_versions, load_document

    now = clock.now()
    if args.provision_command == "load":
        try:
            year = parse_financial_year(args.year)
        except ValueError as wrong:
            raise CliError(f"--year: {wrong}") from None
        engine = database(settings)
        try:
            loaded = load_document(engine, args.file, year, now, "cli")
        except DocumentRefused as refused:
            print(f"clusterbot: nothing was loaded from {args.file.name}:", file=sys.stderr)
            for problem in refused.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        print(loaded.notice)
        return 0
    engine = database(settings)
    for v in all_versions(engine, now):
        marks = " (current)" * v.current + " (made-up example)" * v.example
        print(
            f"{v.financial_year}\tversion {v.version}\t{v.rows} provisions\t{v.source_name}\t"
            f"{v.loaded_at:%Y-%m-%d %H:%M} by {v.loaded_by}{marks}"
        )
    return 0


PROVISION = CommandGroup(frozenset({"provision"}), _add, _run)

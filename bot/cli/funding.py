"""``clusterbot funding``: the council's funding formula for a financial year, and every change to it.

``funding set`` records (or changes) a year's formula: the three parts of the city's allocation in pounds,
how each is shared (``ehcp``, ``settings`` or ``fixed``), a reason (always: the yearly review reads it),
and optionally a CSV of each cluster's counts (``cluster,ehcp_pupils,fixed_share``); settings are counted
from the roster. Every cluster's budget for the year is worked out from it. ``funding show`` prints a year's
formula, each cluster's budget and every change with who and why; ``funding list`` the years recorded.
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.clock import LONDON, Clock
from cluster.errors import Refusal
from cluster.funding import BASIS_TITLES, PART_TITLES, REMAINDER_RULE, Basis, Part, PartRule, YearView
from cluster.provision import NotAnAmount, format_pence, parse_money

_BASES = [b.value for b in Basis]


def _add(sub: Any) -> None:
    funding = sub.add_parser("funding", help="the council's funding formula for a financial year (amounts in pounds)")
    funding_sub = funding.add_subparsers(dest="funding_command", required=True)
    funding_set = funding_sub.add_parser(
        "set", help="record or change a year's formula; every cluster's budget for the year follows it"
    )
    funding_set.add_argument("--year", required=True, help="the financial year's name, e.g. 2026/27")
    funding_set.add_argument("--starts", type=date.fromisoformat, required=True, help="YYYY-MM-DD, e.g. 2026-04-01")
    funding_set.add_argument("--ends", type=date.fromisoformat, required=True, help="YYYY-MM-DD, e.g. 2027-03-31")
    for part, flag in ((Part.BASELINE, "baseline"), (Part.UPLIFT, "uplift"), (Part.SPECIALIST, "specialist")):
        funding_set.add_argument(f"--{flag}", default="0", help=f"{PART_TITLES[part].lower()} (pounds)")
        funding_set.add_argument(f"--{flag}-by", choices=_BASES, default="ehcp", help="how it is shared")
    funding_set.add_argument("--counts", type=Path, help="CSV: cluster,ehcp_pupils,fixed_share (default: as last)")
    funding_set.add_argument("--reason", required=True, help="why the formula is set or changed")
    funding_show = funding_sub.add_parser("show", help="a year's formula, each cluster's budget and every change")
    funding_show.add_argument("--year", help="the financial year's name (default: the one covering today)")
    funding_sub.add_parser("list", help="the years recorded, newest first")


def _counts(path: Path) -> dict[str, tuple[int, int]]:
    """Each cluster's pupils with EHCPs and fixed share from the CSV, refusing a bad line by its number."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from None
    out: dict[str, tuple[int, int]] = {}
    for line, row in enumerate(rows, start=2):
        try:
            name = (row.get("cluster") or "").strip()
            out[name] = (int((row.get("ehcp_pupils") or "0").strip()), int((row.get("fixed_share") or "0").strip()))
        except ValueError:
            raise CliError(f"{path} line {line}: ehcp_pupils and fixed_share must be whole numbers") from None
        if not name:
            raise CliError(f"{path} line {line}: name the cluster")
    return out


def _print(view: YearView) -> None:
    formula = view.formula
    print(f"{view.label} ({view.starts:%-d %b %Y} to {view.ends:%-d %b %Y}): {format_pence(formula.total_pence)}")
    for rule in formula.parts:
        print(f"  {PART_TITLES[rule.part]}: {format_pence(rule.amount_pence)}, shared {BASIS_TITLES[rule.basis]}")
    for funding, counts in zip(view.funding, formula.counts, strict=True):
        shares = ", ".join(format_pence(funding.pence(rule.part)) for rule in formula.parts)
        print(
            f"  {funding.cluster}: {format_pence(funding.total_pence)} ({shares}); pupils with EHCPs "
            f"{counts.ehcp_pupils}, settings {counts.settings}, fixed share {counts.fixed_share}"
        )
    print(f"  {REMAINDER_RULE}")
    for change in view.changes:
        print(
            f"  changed {change.at.astimezone(LONDON):%-d %b %Y %H:%M} by {change.by}: {change.reason} "
            f"({format_pence(change.total_pence)})"
        )


def _run_with(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from usecases.funding import formula_for, set_formula, years

    if args.funding_command == "list":
        for view in years(engine):
            print(f"{view.label} ({view.starts:%-d %b %Y} to {view.ends:%-d %b %Y}): {len(view.changes)} changes")
        return 0
    if args.funding_command == "show":
        found = formula_for(engine, args.year, now.astimezone(LONDON).date())
        if found is None:
            raise CliError(f"no formula is recorded for {args.year or 'the year covering today'}")
        _print(found)
        return 0
    parts = []
    for part, flag in ((Part.BASELINE, "baseline"), (Part.UPLIFT, "uplift"), (Part.SPECIALIST, "specialist")):
        try:
            pence = parse_money(getattr(args, flag))
        except NotAnAmount as wrong:
            raise CliError(f"--{flag}: {wrong.message}") from None
        parts.append(PartRule(part, pence, Basis(getattr(args, f"{flag}_by"))))
    given = _counts(args.counts) if args.counts else None
    try:
        view = set_formula(
            engine, "clusterbot", "cli", args.year, args.starts, args.ends, parts, given, args.reason, now
        )
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    _print(view)
    return 0


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    return _run_with(args, database(settings), clock.now())


FUNDING = CommandGroup(frozenset({"funding"}), _add, _run)

"""``clusterbot budget``, ``terms``, ``payments``, ``finance``, ``capital-window`` and ``capital-round``: the money.

A cluster's budget for a period; the council's term dates, on which instalments fall due; instalments the
finance system paid; the finance exports; the Capital Fund's application window and rounds. Amounts are typed
in pounds and kept in pence.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.clock import LONDON, Clock
from cluster.errors import Refusal


def _add(sub: Any) -> None:
    budget = sub.add_parser("budget", help="a cluster's budget for a funding period (amounts in pounds)")
    budget_sub = budget.add_subparsers(dest="budget_command", required=True)
    budget_set = budget_sub.add_parser("set", help="set or correct the budget for a period")
    budget_set.add_argument("--cluster", required=True)
    budget_set.add_argument("--label", required=True, help="e.g. 2025/26")
    budget_set.add_argument("--starts", type=date.fromisoformat, required=True)
    budget_set.add_argument("--ends", type=date.fromisoformat, required=True)
    budget_set.add_argument("--baseline", required=True, help="the high-needs baseline, e.g. 250000")
    budget_set.add_argument("--uplift", default="0", help="the uplift for projected growth")
    budget_set.add_argument("--specialist", default="0", help="allocation from reduced independent specialist spend")
    budget_set.add_argument("--reserve", default="0", help="the ring-fenced emergency reserve (part of the total)")
    budget_show = budget_sub.add_parser("show", help="the budget covering a day, with commitments")
    budget_show.add_argument("--cluster", required=True)
    budget_show.add_argument("--on", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")

    window = sub.add_parser("capital-window", help="set the Capital Fund's application window for a school year")
    window.add_argument("--year", type=int, required=True, help="the year the school year starts, e.g. 2026")
    window.add_argument("--opens", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    window.add_argument("--closes", type=date.fromisoformat, required=True, help="YYYY-MM-DD")

    terms = sub.add_parser("terms", help="the council's school term dates, on which instalments fall due")
    terms_sub = terms.add_subparsers(dest="terms_command", required=True)
    terms_import = terms_sub.add_parser(
        "import", help="load term dates from JSON or CSV (year,term,starts,ends), replacing the terms it names"
    )
    terms_import.add_argument("file", type=Path)
    terms_sub.add_parser("list", help="list the loaded term dates")

    payments = sub.add_parser("payments", help="instalments paid by the finance system")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    payments_import = payments_sub.add_parser(
        "import",
        help="mark instalments paid from the finance system's CSV (all or nothing): instalment id, or reference "
        "and due date; amount; paid date; payment reference",
    )
    payments_import.add_argument("file", type=Path)

    finance = sub.add_parser("finance", help="the finance exports: allocations, instalments due per term, capital")
    finance_sub = finance.add_subparsers(dest="finance_command", required=True)
    finance_export = finance_sub.add_parser("export", help="write the export for one cluster, or citywide")
    finance_export.add_argument("--cluster", help="the cluster's name (default: citywide)")
    finance_export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    finance_export.add_argument("out", type=Path, help="the file to write")

    rounds = sub.add_parser("capital-round", help="the Capital Fund's rounds: total, window and timeline")
    rounds_sub = rounds.add_subparsers(dest="round_command", required=True)
    round_set = rounds_sub.add_parser("set", help="set or correct a school year's round (dates YYYY-MM-DD)")
    round_set.add_argument("--year", type=int, required=True, help="the year the school year starts, e.g. 2025")
    round_set.add_argument("--label", required=True, help="e.g. 2025/26")
    round_set.add_argument("--total", required=True, help="the round's total in pounds, e.g. 500000")
    for flag, what in (
        ("--opens", "applications open"),
        ("--closes", "applications close"),
        ("--panel-by", "the Cluster Panel scores and recommends by"),
        ("--decisions-by", "the Board's decisions are communicated by"),
        ("--complete-by", "projects are complete and visited by"),
        ("--evaluate-by", "impact is evaluated by"),
    ):
        round_set.add_argument(flag, type=date.fromisoformat, required=True, help=what)
    rounds_sub.add_parser("list", help="list the rounds and the money each has approved and released")


def _budget(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.provision import NotAnAmount, format_pence, parse_money
    from usecases.budget import budget_for, set_budget

    try:
        if args.budget_command == "set":
            parts: list[int] = []
            for flag, typed in (
                ("--baseline", args.baseline),
                ("--uplift", args.uplift),
                ("--specialist", args.specialist),
                ("--reserve", args.reserve),
            ):
                try:
                    parts.append(parse_money(typed))
                except NotAnAmount as wrong:
                    raise CliError(f"{flag}: {wrong.message}") from None
            view = set_budget(engine, "cli", args.cluster, args.label, args.starts, args.ends, parts, now)
        else:
            found = budget_for(engine, args.cluster, args.on or now.astimezone(LONDON).date())
            if found is None:
                raise CliError(f"no budget for {args.cluster} covers that day")
            view = found
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    p = view.position
    print(f"{view.cluster} {view.label} ({view.starts:%-d %b %Y} to {view.ends:%-d %b %Y})")
    print(f"  allocated {format_pence(p.allocated)}, reserve {format_pence(p.reserve)}")
    print(
        f"  committed {format_pence(p.committed)}, paid {format_pence(p.paid)}, available {format_pence(p.available)}"
    )
    print(f"  reserve used {format_pence(p.reserve_used)}, reserve left {format_pence(p.reserve_left)}")
    return 0


def _problems(heading: str, problems: Sequence[str]) -> int:
    print(f"clusterbot: {heading}", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _terms(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.terms import terms_warning
    from store.db import transaction
    from store.terms import TermsError, loaded_terms, read_terms_file, store_terms

    if args.terms_command == "import":
        try:
            terms = read_terms_file(args.file)
            with transaction(engine) as session:
                loaded = store_terms(session, terms, now, "cli", args.file.name)
        except TermsError as exc:
            return _problems("no term dates were loaded:", exc.problems)
        print(f"term dates: {loaded.added} added, {loaded.changed} changed; {len(loaded.terms)} terms loaded")
        shown = loaded.terms
    else:
        with transaction(engine, read_only=True) as session:
            shown = loaded_terms(session)
        for term in shown:
            print(f"{term.year}/{(term.year + 1) % 100:02d}\t{term.name.value}\t{term.starts}\t{term.ends}")
    warning = terms_warning(shown, now.astimezone(LONDON).date())
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _payments(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.provision import format_pence
    from usecases.ledger import PaymentsRefused, import_payments

    try:
        done = import_payments(engine, args.file, now, "cli")
    except PaymentsRefused as refused:
        return _problems("nothing was marked paid; these lines do not match:", refused.problems)
    already = f" ({done.already} already marked paid)" if done.already else ""
    print(f"marked paid: {done.paid} instalments, {format_pence(done.paid_pence)}{already}")
    return 0


def _finance(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from reports.finance import finance_csv, finance_xlsx
    from usecases.finance import finance_export

    try:
        view = finance_export(engine, args.cluster, now)
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    data = finance_xlsx(view) if args.format == "xlsx" else finance_csv(view)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({view.scope}: {len(view.allocations)} allocations, {len(view.instalments)} instalments)")
    return 0


def _capital_window(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.referrals import Window
    from usecases.capital import set_round

    try:  # the window alone, through the one writer of the fund's rounds and windows
        set_round(engine, args.year, Window(args.opens, args.closes), now, "cli")
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    print(
        f"Capital Fund applications for {args.year}/{(args.year + 1) % 100:02d}: "
        f"{args.opens:%-d %B %Y} to {args.closes:%-d %B %Y}"
    )
    return 0


def _capital_round(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.capital_fund import Round
    from cluster.provision import NotAnAmount, format_pence, parse_money
    from usecases.capital import round_views, set_round

    if args.round_command == "list":
        for shown in round_views(engine):
            line = f"{shown.label}\twindow {shown.opens} to {shown.closes}"
            if shown.round is not None:
                r = shown.round
                line += (
                    f"\ttotal {format_pence(r.total_pence)}\tapproved {format_pence(shown.approved_pence)}"
                    f"\treleased {format_pence(shown.released_pence)}\tpanel by {r.panel_by}"
                    f"\tdecisions by {r.decisions_by}\tcomplete by {r.complete_by}\tevaluate by {r.evaluate_by}"
                )
            print(line)
        return 0
    try:
        total = parse_money(args.total)
    except NotAnAmount as wrong:
        raise CliError(f"--total: {wrong.message}") from None
    round_ = Round(
        args.label,
        total,
        args.opens,
        args.closes,
        args.panel_by,
        args.decisions_by,
        args.complete_by,
        args.evaluate_by,
    )
    try:
        saved = set_round(engine, args.year, round_, now, "cli")
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    print(
        f"Capital Fund round {saved.label}: {format_pence(total)}; applications {args.opens:%-d %B %Y} to "
        f"{args.closes:%-d %B %Y}; panel by {args.panel_by:%-d %B %Y}; decisions by {args.decisions_by:%-d %B %Y}; "
        f"complete by {args.complete_by:%-d %B %Y}; evaluated by {args.evaluate_by:%-d %B %Y}"
    )
    return 0


_COMMANDS = {
    "budget": _budget,
    "capital-window": _capital_window,
    "terms": _terms,
    "payments": _payments,
    "finance": _finance,
    "capital-round": _capital_round,
}


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    engine = database(settings)
    return _COMMANDS[args.command](args, engine, clock.now())


MONEY = CommandGroup(frozenset(_COMMANDS), _add, _run)

"""``clusterbot audit`` and ``clusterbot subject-access``: who read or changed what, and what is held about a pupil.

``audit verify`` checks the record chain (``cluster.record_chain``) and names the first entry that does not hold.
``audit`` lists audit lines newest first (London time; people by name and e-mail), filtered by a referral's
reference (its reviews, decisions and agenda items too), a person, London days and reads or changes, as a
table or as formula-safe CSV. ``subject-access`` writes everything held about one pupil of one setting as
``DIR/<pupil ref>.json`` and ``DIR/<pupil ref>.docx``, with the referrals' kept files beside them.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.audit import Kind, Line
from cluster.clock import Clock
from cluster.errors import Refusal
from reports.finance import guard
from reports.subject_access import export_name, file_name, subject_access_docx, subject_access_json
from usecases.audit_log import DEFAULT_LIMIT, Listing, Query, find
from usecases.record_chain import said, verify_chain
from usecases.subject_access import files_of, subject_access

COLUMNS = ("when", "who", "action", "kind", "subject", "detail")


def _add(sub: Any) -> None:
    audit = sub.add_parser(
        "audit",
        help="list audit lines: who read or changed what, when (newest first); 'audit verify' checks the chain",
    )
    audit.add_argument(
        "check",
        nargs="?",
        choices=("verify",),
        help="verify: check the chain of decisions, payments, releases and budgets, and that each row still matches",
    )
    audit.add_argument("--referral", metavar="REF", help="a referral's reference, e.g. CEN-2526-014")
    audit.add_argument("--person", metavar="EMAIL_OR_AAD", help="a person's e-mail or Teams (AAD) object id")
    audit.add_argument("--from", dest="since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="from this day")
    audit.add_argument("--to", dest="until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="to this day")
    audit.add_argument("--action", choices=[k.value for k in Kind], default=Kind.ALL.value)
    audit.add_argument("--format", choices=("table", "csv"), default="table")
    audit.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"at most this many lines ({DEFAULT_LIMIT})")

    access = sub.add_parser("subject-access", help="export everything held about one pupil (JSON and Word)")
    access.add_argument("--setting", required=True, help="the setting's name, as the cluster file gives it")
    access.add_argument("--pupil-ref", required=True, help="the school's own pupil reference")
    access.add_argument("--cluster", help="the setting's cluster, when more than one has a setting of that name")
    access.add_argument("--out", type=Path, default=Path("."), help="the folder to write to (made if missing)")


def _cells(line: Line) -> list[str]:
    return [
        line.at.strftime("%Y-%m-%d %H:%M:%S"),
        line.who,
        line.action,
        line.kind,
        line.about,
        line.details,
    ]


def _csv(listing: Listing) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in listing.lines:
        writer.writerow([guard(cell) for cell in _cells(line)])
    return out.getvalue()


def _table(listing: Listing) -> str:
    if not listing.lines:
        return "No audit lines match.\n"
    rows = [[c.upper() for c in COLUMNS], *(_cells(line) for line in listing.lines)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    return "".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]).rstrip() + "\n"
        for row in rows
    )


def _verify(settings: Settings) -> int:
    verified = verify_chain(database(settings))
    print(said(verified), file=sys.stdout if verified.problem is None else sys.stderr)
    return 0 if verified.problem is None else 1


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    if args.check == "verify":
        return _verify(settings)
    if args.since and args.until and args.until < args.since:
        raise CliError("--to is before --from: give the earlier day first")
    engine = database(settings)
    query = Query(args.referral, args.person, args.since, args.until, Kind(args.action), args.limit)
    try:
        listing = find(engine, query)
    except Refusal as refused:
        raise CliError(refused.message) from None
    sys.stdout.write(_csv(listing) if args.format == "csv" else _table(listing))
    if listing.more:
        print(
            f"clusterbot: showing the newest {len(listing.lines)} lines; older ones match too "
            "(narrow it with --from/--to or raise --limit)",
            file=sys.stderr,
        )
    return 0


def _subject_access(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    engine = database(settings)
    try:
        held = subject_access(engine, args.setting, args.pupil_ref, clock.now(), "cli", args.cluster)
    except Refusal as refused:
        raise CliError(refused.message) from None
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    stem = export_name(held)
    (out / f"{stem}.json").write_bytes(subject_access_json(held))
    (out / f"{stem}.docx").write_bytes(subject_access_docx(held))
    for referral, kept in files_of(held):
        (out / file_name(referral, kept)).write_bytes(kept.content)
    if not held.referrals:
        print(f"Nothing is held about that pupil of {held.setting}; wrote {out / stem}.json and .docx saying so.")
    else:
        references = ", ".join(r.view.reference or f"draft {r.view.id}" for r in held.referrals)
        print(f"Wrote {out / stem}.json and .docx: {len(held.referrals)} referral(s) ({references}).")
    return 0


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    if args.command == "audit":
        return _audit(args, settings)
    return _subject_access(args, settings, clock)


READS = CommandGroup(frozenset({"audit", "subject-access"}), _add, _run)

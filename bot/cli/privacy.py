"""``clusterbot retention`` and ``clusterbot erase``: how long pupil details are kept, and a lawful erasure.

``retention set`` changes a cluster's period (audited), ``retention list`` shows each cluster's period and how
many referrals the nightly job would remove now. ``erase`` shows what a request would remove and asks before
removing it (``--yes`` does not ask); it refuses, naming the referral, while that pupil's funding is active.
Nothing printed here holds pupil data: referrals are named by their reference.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.clock import Clock
from cluster.errors import Refusal
from cluster.privacy import DEFAULT_MONTHS, MAX_MONTHS, MIN_MONTHS
from usecases.erasure import erase_pupil, find_pupil, refusal_of, retention_list, set_retention


def _add(sub: Any) -> None:
    retention = sub.add_parser("retention", help="how long each cluster keeps pupil details")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    set_ = retention_sub.add_parser("set", help="set a cluster's retention period")
    set_.add_argument("--cluster", required=True, help="the cluster's name or code")
    months = set_.add_mutually_exclusive_group(required=True)
    months.add_argument(
        "--months", type=int, help=f"months after a referral's last activity ({MIN_MONTHS} to {MAX_MONTHS})"
    )
    months.add_argument("--default", action="store_true", help=f"back to the default ({DEFAULT_MONTHS} months)")
    retention_sub.add_parser("list", help="each cluster's period and how many referrals are due for removal now")

    erase = sub.add_parser("erase", help="remove one pupil's details on a lawful request")
    erase.add_argument("--setting", required=True, help="the setting's name or URN")
    erase.add_argument("--pupil-ref", required=True, help="the school's pupil reference")
    erase.add_argument("--reason", required=True, help="the request's reference (never the pupil's name)")
    erase.add_argument("--cluster", help="the cluster, when two have a setting of that name")
    erase.add_argument("--yes", action="store_true", help="do not ask before erasing")


def _confirmed() -> bool:
    print("Erase these pupil details? This cannot be undone. [y/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    engine = database(settings)
    now = clock.now()
    try:
        if args.command == "retention" and args.retention_command == "set":
            months = None if args.default else args.months
            old = set_retention(engine, "cli", args.cluster, months, now)
            was = "the default" if old is None else f"{old} months"
            now_is = f"the default ({DEFAULT_MONTHS} months)" if months is None else f"{months} months"
            print(f"{args.cluster}: pupil details are kept {now_is} after a referral's last activity (was {was})")
            return 0
        if args.command == "retention":
            print("cluster\tmonths\tdue for removal now")
            for row in retention_list(engine, now):
                print(f"{row.cluster}\t{row.months}{' (default)' if row.default else ''}\t{row.due}")
            return 0
        plan = find_pupil(engine, args.setting, args.pupil_ref, args.cluster)
        if not plan.found:
            raise CliError(f"no referral from {plan.setting} names that pupil reference (or it was erased already)")
        if plan.blocked:
            raise CliError(refusal_of(plan))
        print(f"From {plan.setting}, the pupil's details will be removed from:")
        for found in plan.found:
            print(f"  {found.line}")
        print("Kept: references, decisions, amounts, instalments, review ratings.")
        if not args.yes and not _confirmed():
            print("Nothing was erased.")
            return 1
        done = erase_pupil(engine, "cli", args.setting, args.pupil_ref, args.reason, now, args.cluster)
        print(f"Erased the pupil's details from {len(done.found)} referral(s); each is in the audit log.")
        return 0
    except Refusal as exc:
        raise CliError(str(exc)) from None
    finally:
        engine.dispose()


PRIVACY = CommandGroup(frozenset({"retention", "erase"}), _add, _run)

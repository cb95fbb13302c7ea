"""``clusterbot meetings`` and ``citywide``: a cluster's meetings and voting rules, and the Citywide Meetings.

``meetings`` adds and lists a cluster's meetings and sets its quorum, same-trust recusal, review nudges and
referral deadline; ``citywide`` adds, lists and cancels the Citywide Meetings, whose packs go to the citywide channel.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.clock import LONDON, Clock
from cluster.errors import Refusal
from cluster.meetings import DEFAULT_END, DEFAULT_START


def _add(sub: Any) -> None:
    meetings = sub.add_parser("meetings", help="a cluster's meetings")
    meetings_sub = meetings.add_subparsers(dest="meetings_command", required=True)
    meeting_add = meetings_sub.add_parser("add", help="add a meeting (deadline: the cluster's default)")
    meeting_add.add_argument("--cluster", required=True)
    meeting_add.add_argument("--date", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    meeting_add.add_argument("--start", type=time.fromisoformat, default=DEFAULT_START, help="HH:MM (default 09:30)")
    meeting_add.add_argument("--end", type=time.fromisoformat, default=DEFAULT_END, help="HH:MM (default 13:00)")
    meeting_add.add_argument("--title", default="")
    meeting_list = meetings_sub.add_parser("list", help="list a cluster's meetings")
    meeting_list.add_argument("--cluster", required=True)
    voting_rules = meetings_sub.add_parser("rules", help="a cluster's quorum and same-trust recusal")
    voting_rules.add_argument("--cluster", required=True)
    voting_rules.add_argument("--quorum", type=int, help="settings needed; omit for half the settings, rounded up")
    voting_rules.add_argument("--same-trust-recusal", choices=["on", "off"])
    nudges = meetings_sub.add_parser("nudges", help="a cluster's review nudge intervals, in days")
    nudges.add_argument("--cluster", required=True)
    nudges.add_argument("--before", default="30,14,7,0", help="days before the due date, e.g. 30,14,7,0")
    nudges.add_argument("--overdue-every", type=int, default=7)
    nudges.add_argument("--escalate-after", type=int, default=14, help="days overdue before the chair and admins hear")
    deadline = meetings_sub.add_parser(
        "deadline", help="how many days before its meetings a cluster's referrals close (future meetings move)"
    )
    deadline.add_argument("--cluster", required=True)
    deadline.add_argument("--days", type=int, required=True)

    citywide = sub.add_parser("citywide", help="the Citywide Meetings, whose packs go to the citywide channel")
    citywide_sub = citywide.add_subparsers(dest="citywide_command", required=True)
    citywide_add = citywide_sub.add_parser("add", help="add a Citywide Meeting (one a day)")
    citywide_add.add_argument("--day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    citywide_add.add_argument("--start", type=time.fromisoformat, default=DEFAULT_START, help="HH:MM (default 09:30)")
    citywide_add.add_argument("--end", type=time.fromisoformat, default=DEFAULT_END, help="HH:MM (default 13:00)")
    citywide_add.add_argument("--title", default="")
    citywide_add.add_argument("--link", default=None, help="the online meeting's link (https://...)")
    citywide_sub.add_parser("list", help="list the Citywide Meetings")
    citywide_cancel = citywide_sub.add_parser("cancel", help="cancel the Citywide Meeting on a day")
    citywide_cancel.add_argument("--day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")


def _meetings(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from usecases.meetings import add_meeting, list_meetings, set_deadline_days, set_nudge_plan, set_voting_rules

    try:
        if args.meetings_command == "add":
            slot = add_meeting(
                engine,
                args.cluster,
                args.date,
                now,
                start=args.start,
                end=args.end,
                title=args.title,
            )
            print(
                f"added {slot.day:%A %-d %B %Y} {slot.start:%H:%M}-{slot.end:%H:%M}; "
                f"referral deadline {slot.deadline.astimezone(LONDON):%A %-d %B %Y %H:%M}"
            )
        elif args.meetings_command == "rules":
            recusal = None if args.same_trust_recusal is None else args.same_trust_recusal == "on"
            quorum, recuse = set_voting_rules(engine, args.cluster, now, quorum=args.quorum, same_trust_recusal=recusal)
            print(
                f"quorum: {quorum if quorum is not None else 'half the settings, rounded up'}; "
                f"same-trust recusal: {'on' if recuse else 'off'}"
            )
        elif args.meetings_command == "nudges":
            try:
                before = [int(d) for d in args.before.split(",") if d.strip()]
            except ValueError:
                raise CliError("--before takes whole numbers of days separated by commas, e.g. 30,14,7,0") from None
            set_nudge_plan(
                engine,
                args.cluster,
                now,
                before=before,
                overdue_every=args.overdue_every,
                escalate_after=args.escalate_after,
            )
            print(
                f"review nudges: {', '.join(map(str, before))} days before; every {args.overdue_every} days overdue; "
                f"chair and admins after {args.escalate_after} days"
            )
        elif args.meetings_command == "deadline":
            moved = set_deadline_days(engine, args.cluster, args.days, now)
            print(f"referrals now close {args.days} days before each meeting, at 23:59; {moved} deadlines moved")
        else:
            for slot in list_meetings(engine, args.cluster):
                state = " (cancelled)" if slot.cancelled else ""
                print(
                    f"{slot.day:%Y-%m-%d}\t{slot.start:%H:%M}-{slot.end:%H:%M}\t{slot.title}\t"
                    f"deadline {slot.deadline.astimezone(LONDON):%Y-%m-%d %H:%M}{state}"
                )
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    return 0


def _citywide(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.citywide_meetings import pack_day
    from store.seed import bank_holidays
    from usecases.citywide_meetings import add_citywide_meeting, cancel_citywide_meeting, list_citywide_meetings

    try:
        if args.citywide_command == "add":
            slot = add_citywide_meeting(
                engine, args.day, now, start=args.start, end=args.end, title=args.title, link=args.link
            )
            print(
                f"added the Citywide Meeting on {slot.day:%A %-d %B %Y} {slot.start:%H:%M}-{slot.end:%H:%M}; "
                f"its pack is posted on {pack_day(slot.day, bank_holidays()):%A %-d %B %Y}"
            )
        elif args.citywide_command == "cancel":
            slot = cancel_citywide_meeting(engine, args.day, now)
            print(f"cancelled the Citywide Meeting on {slot.day:%A %-d %B %Y}; its pack will not be posted")
        else:
            slots = list_citywide_meetings(engine)
            if not slots:
                print("no Citywide Meetings yet: add one with clusterbot citywide add --day YYYY-MM-DD")
            for slot in slots:
                state = " (cancelled)" if slot.cancelled else ""
                times = f"{slot.start:%H:%M}-{slot.end:%H:%M}"
                print(f"{slot.day:%Y-%m-%d}\t{times}\t{slot.title}\t{slot.online_link or ''}{state}")
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    return 0


_COMMANDS = {"meetings": _meetings, "citywide": _citywide}


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    engine = database(settings)
    return _COMMANDS[args.command](args, engine, clock.now())


MEETINGS = CommandGroup(frozenset(_COMMANDS), _add, _run)

"""The ``clusterbot`` command: run the bot, migrate and seed the database, manage the roster, build the app."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Engine

from bot.cli.base import CliError, CommandGroup
from bot.cli.ops import OPS
from bot.cli.privacy import PRIVACY
from bot.cli.reads import READS
from bot.config import Settings, UnsafeConfiguration, check_auth_choice
from bot.http import log_text
from cluster.clock import LONDON, Clock
from cluster.errors import Refusal
from cluster.meetings import DEFAULT_END, DEFAULT_START
from cluster.roles import parse_role
from cluster.text import clean_all
from store.db import make_engine, upgrade
from store.seed import CENTRAL, SeedError, seed_file
from usecases.clusters import ClusterError, add_cluster, list_clusters, load_file
from usecases.roster import RosterError, export_csv, import_csv, remove

log = logging.getLogger("clusterbot")


# The groups of commands kept in their own modules (the privacy and operations commands).
GROUPS: tuple[CommandGroup, ...] = (READS, PRIVACY, OPS)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clusterbot", description="SEND cluster funding in Microsoft Teams.")
    sub = parser.add_subparsers(dest="command", required=True)

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

    clusters = sub.add_parser("cluster", help="add a cluster, or list every cluster with its counts")
    clusters_sub = clusters.add_subparsers(dest="cluster_command", required=True)
    cluster_add = clusters_sub.add_parser("add", help="add an empty cluster (then: seed --file, or the card)")
    cluster_add.add_argument("--name", required=True)
    cluster_add.add_argument("--code", required=True, help="2 to 8 letters or digits; prefixes its references")
    cluster_add.add_argument("--deadline-days", type=int, help="referral deadline, days before a meeting (7)")
    clusters_sub.add_parser("list", help="every cluster: code, settings, people, meetings, channel linked")

    roster = sub.add_parser("roster", help="import or export people and roles as CSV")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    roster_import = roster_sub.add_parser("import", help="add people and roles from a CSV file (all or nothing)")
    roster_import.add_argument("file", type=Path)
    roster_export = roster_sub.add_parser("export", help="write the roster as CSV")
    roster_export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    people = sub.add_parser("people", help="add, list or remove people and roles")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    add = people_sub.add_parser("add", help="give a person a role (creating the person if new)")
    add.add_argument("--name", required=True)
    add.add_argument("--email")
    add.add_argument("--aad", help="the person's Teams (Entra ID) object id")
    add.add_argument("--role", required=True, help="senco, delegate, chair, tac, admin, officer or observer")
    add.add_argument("--cluster")
    add.add_argument("--setting")
    listing = people_sub.add_parser("list", help="list people and their roles")
    listing.add_argument("--cluster")
    rm = people_sub.add_parser("remove", help="remove a role, or the person when no role is given")
    rm.add_argument("key", help="the person's Teams object id or e-mail")
    rm.add_argument("--role")

    facts = sub.add_parser("settings", help="the facts about settings the Capital Fund's eligibility rests on")
    facts_sub = facts.add_subparsers(dest="settings_command", required=True)
    facts_import = facts_sub.add_parser(
        "import", help="set facts from a CSV file: cluster,setting,mainstream,received_hncg (all or nothing)"
    )
    facts_import.add_argument("file", type=Path)
    facts_set = facts_sub.add_parser("set", help="set one setting's facts")
    facts_set.add_argument("--cluster", required=True)
    facts_set.add_argument("--setting", required=True)
    facts_set.add_argument("--mainstream", choices=["yes", "no"], help="no for special schools and PRUs")
    facts_set.add_argument(
        "--received-hncg", choices=["yes", "no"], help="already had High Needs Capital Grant funding (ERP included)"
    )
    facts_list = facts_sub.add_parser("list", help="list a cluster's settings and their facts")
    facts_list.add_argument("--cluster", required=True)

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
    for group in GROUPS:
        group.add(sub)
    return parser


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CliError(f"bad configuration in the environment: {problems}") from None


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
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
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
    command = args.command
    for group in GROUPS:
        if command in group.names:
            return group.run(args, settings, clock)
    if command == "serve":
        _serve(args, settings, clock)
        return 0
    if command == "playground":
        from bot.dev.playground import check_playground, run_playground

        return check_playground() if args.check else run_playground(settings, args.port, clock)
    if command == "manifest":
        from bot.dev.manifest import build_app_package

        app_id = args.app_id or settings.app_id
        if not app_id:
            raise CliError("give the bot's app id with --app-id or MicrosoftAppId")
        path = build_app_package(app_id, args.out)
        print(f"wrote {path}")
        return 0
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    now = clock.now()
    if command == "db":
        print("database is up to date")
    elif command == "seed":
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
    elif command == "cluster":
        return _clusters(args, engine, now)
    elif command == "roster" and args.roster_command == "import":
        imported = import_csv(engine, args.file, now)
        print(f"imported: {imported.people_added} people and {imported.roles_added} roles added")
    elif command == "roster":
        text = export_csv(engine, now)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    elif command == "people":
        return _people(args, engine, now)
    elif command == "settings":
        return _setting_facts(args, engine, now)
    elif command == "meetings":
        return _meetings(args, engine, now)
    elif command == "citywide":
        return _citywide(args, engine, now)
    elif command == "budget":
        return _budget(args, engine, now)
    elif command == "terms":
        return _terms(args, engine, now)
    elif command == "payments":
        return _payments(args, engine, now)
    elif command == "finance":
        return _finance(args, engine, now)
    elif command == "capital-round":
        return _capital_round(args, engine, now)
    elif command == "capital-window":
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


def _clusters(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    if args.cluster_command == "add":
        added = add_cluster(engine, args.name, args.code, now, args.deadline_days)
        print(f"added the {added.cluster} cluster; load its settings, meetings and people with seed --file")
        return 0
    print("name\tcode\tsettings\tpeople\tmeetings\tchannel")
    for c in list_clusters(engine):
        linked = "linked" if c.channel_linked else "not linked"
        print(f"{c.name}\t{c.code}\t{c.settings}\t{c.people}\t{c.meetings}\t{linked}")
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


def _people(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from usecases import people

    if args.people_command == "add":
        added = people.add_role(
            engine, args.name, args.email, args.aad, parse_role(args.role), args.cluster, args.setting, now
        )
        print("role added" if added else "they already hold that role")
    elif args.people_command == "list":
        for person, grants in people.people(engine, args.cluster):
            roles = "; ".join(sorted(g.describe() for g in grants)) or "no roles"
            print(f"{person.name}\t{person.email or '-'}\t{person.aad_object_id or '-'}\t{roles}")
    else:
        role = parse_role(args.role) if args.role else None
        removed = remove(engine, args.key, now, role=role)
        print(f"removed {removed} role(s)" + ("" if role else " and the person"))
    return 0


def _setting_facts(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from cluster.capital import SettingRow
    from usecases import settings as facts

    def line(row: SettingRow) -> str:
        mainstream = "mainstream" if row.mainstream else "not mainstream"
        hncg = "received HNCG funding" if row.received_hncg else "no HNCG funding"
        return f"{row.name}\t{mainstream}\t{hncg}"

    try:
        if args.settings_command == "import":
            changed = facts.import_csv(engine, args.file, now)
            print(f"imported: {changed} settings changed")
        elif args.settings_command == "set":
            if args.mainstream is None and args.received_hncg is None:
                raise CliError("say what to set: --mainstream yes|no and/or --received-hncg yes|no")
            row = facts.set_facts(
                engine,
                args.cluster,
                args.setting,
                now,
                mainstream=None if args.mainstream is None else args.mainstream == "yes",
                received_hncg=None if args.received_hncg is None else args.received_hncg == "yes",
            )
            print(line(row))
        else:
            for row in facts.list_facts(engine, args.cluster):
                print(line(row))
    except Refusal as refusal:
        raise CliError(refusal.message) from None
    return 0


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


def main() -> None:
    """Console entry point."""
    sys.exit(run())

"""``clusterbot cluster``, ``roster``, ``people`` and ``settings``: who is who, and the facts about settings.

``cluster`` adds or lists clusters; ``roster`` imports or exports people and roles as CSV (all or nothing);
``people`` gives, lists and removes roles; ``settings`` keeps the facts the Capital Fund's eligibility rests on.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.cli.base import CliError, CommandGroup, database
from bot.config import Settings
from cluster.clock import Clock
from cluster.errors import Refusal
from cluster.roles import parse_role
from usecases.clusters import add_cluster, list_clusters
from usecases.roster import add_service, export_csv, import_csv, remove, services


def _add(sub: Any) -> None:
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
    add.add_argument(
        "--service", help="an observer's service: health, social care, early help, commissioning, or added"
    )
    services = people_sub.add_parser("services", help="the services observers represent: list, or add one")
    services_sub = services.add_subparsers(dest="services_command", required=True)
    services_add = services_sub.add_parser("add", help="add a service the council's observers may name")
    services_add.add_argument("name")
    services_sub.add_parser("list", help="every service an observer may name")
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


def _roster(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    if args.roster_command == "import":
        imported = import_csv(engine, args.file, now)
        print(f"imported: {imported.people_added} people and {imported.roles_added} roles added")
        return 0
    text = export_csv(engine, now)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _people(args: argparse.Namespace, engine: Engine, now: datetime) -> int:
    from usecases import people

    if args.people_command == "add":
        added = people.add_role(
            engine,
            args.name,
            args.email,
            args.aad,
            parse_role(args.role),
            args.cluster,
            args.setting,
            now,
            service=args.service,
        )
        print("role added" if added else "they already hold that role")
    elif args.people_command == "services":
        if args.services_command == "add":
            print(f"observers may now name {add_service(engine, args.name, now)}")
        else:
            for service in services(engine):
                print(service)
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


_COMMANDS = {"cluster": _clusters, "roster": _roster, "people": _people, "settings": _setting_facts}


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    engine = database(settings)
    return _COMMANDS[args.command](args, engine, clock.now())


PEOPLE = CommandGroup(frozenset(_COMMANDS), _add, _run)

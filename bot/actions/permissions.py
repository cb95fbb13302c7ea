"""Who may do what, made from the declarations: every command and card verb and the permission it needs.

Each action declares its permission where it is declared (:mod:`bot.actions.registry`); the router checks
the permission's roles before the handler runs, and the use case checks the same permission against the
rows the card names (:func:`cluster.permissions.authorize`). The README's "Who may do what" table is
:func:`as_markdown` of this table (a test keeps them the same).

Keys: a card verb as it is (``referral.submit``); a personal-chat command as typed (``new referral``,
``export`` for ``export CEN-2526-014``); a channel command with ``@`` before it (``@agenda``), because in a
channel people mention the bot; an event Teams sends by Teams' name for it
(``application/vnd.microsoft.meetingStart``); a search dataset a card's choice asks for as a person types, with
``search:`` before it (``search:provision``).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.actions.catalogue import ACTIONS
from bot.actions.registry import CHANNEL_PREFIX, Actions, Where

__all__ = ["ACTIONS", "CHANNEL_PREFIX", "COMMANDS", "EVENTS", "SEARCHES", "TABLE", "VERBS", "as_markdown", "table"]
from cards import verbs
from cluster import permissions as p
from cluster.permissions import Permission, reach
from cluster.roles import ROLE_LABELS, Role


def table(actions: Actions = ACTIONS) -> dict[str, Permission]:
    """Every verb and command and the permission it needs, as declared."""
    return {d.key: d.permission for d in actions}


TABLE: Mapping[str, Permission] = table()
EVENTS: Mapping[str, Permission] = {d.key: d.permission for d in ACTIONS if d.where is Where.EVENT}
SEARCHES: Mapping[str, Permission] = {d.key: d.permission for d in ACTIONS if d.where is Where.SEARCH}
VERBS: Mapping[str, Permission] = {k: v for k, v in TABLE.items() if k in verbs.ALL}
COMMANDS: Mapping[str, Permission] = {
    k: v for k, v in TABLE.items() if k not in verbs.ALL and k not in EVENTS and k not in SEARCHES
}


def _who(permission: Permission) -> str:
    if permission is p.TEAMS_MEETING:  # an event: signed by the Bot Framework for the bot, sent by no person
        return "Teams itself (its meeting events in a linked channel); no person can send them"
    if permission is p.DEMO_ONLY:  # public in the demo, which a real bot never runs (bot.config refuses it)
        return "whoever uses the Playground demo's page; refused on a real bot"
    if permission.public:
        return "anyone, registered or not"
    if permission.roles is None:
        return "anyone registered"
    ordered = [r for r in Role if r in permission.roles]
    return "; ".join(f"{ROLE_LABELS[r]} ({reach(r, permission.rows)})" for r in ordered)


def as_markdown(actions: Actions = ACTIONS) -> str:
    """The table as people read it: one row per permission, with the commands and verbs that need it."""
    rows = table(actions)
    lines = [
        "| What | Who (and how far) | Pupil data | Commands and card verbs |",
        "|---|---|---|---|",
    ]
    for permission in p.ALL:
        keys = [f"`{k}`" for k, v in sorted(rows.items()) if v is permission]
        if not keys:
            continue
        pupil = "yes" if permission.pupil_data else "no"
        lines.append(f"| {permission.summary} | {_who(permission)} | {pupil} | {', '.join(keys)} |")
    return "\n".join(lines)

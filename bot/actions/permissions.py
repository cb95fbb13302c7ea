"""Who may do what, made from the declarations: every command and card verb and the permission it needs.

Each action declares its permission where it is declared (:mod:`bot.actions.registry`); the router checks
the permission's roles before the handler runs, and the use case checks the same permission against the
rows the card names (:func:`cluster.permissions.authorize`). The README's "Who may do what" table is
:func:`as_markdown` of this table (a test keeps them the same).

Keys: a card verb as it is (``referral.submit``); a personal-chat command as typed (``new referral``,
``export`` for ``export CEN-2526-014``); a channel command with ``@`` before it (``@agenda``), because in a
channel people mention the bot.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.actions.catalogue import ACTIONS
from bot.actions.registry import CHANNEL_PREFIX, Actions

__all__ = ["ACTIONS", "CHANNEL_PREFIX", "COMMANDS", "LEGACY", "TABLE", "VERBS", "as_markdown", "table"]
from cards import verbs
from cluster import permissions as p
from cluster.permissions import PERSONAL_COMMANDS, Permission, reach
from cluster.roles import ROLE_LABELS, Role

LEGACY: Mapping[str, Permission] = {
    verbs.MEETING_START: p.RUN_MEETING,
    verbs.ITEM_OPEN: p.RUN_MEETING,
    verbs.VOTE_CAST: p.VOTE,
    verbs.VOTE_INTEREST: p.DECLARE_INTEREST,
    verbs.VOTE_REFRESH: p.SEE_AGENDA,
    verbs.ITEM_CLOSE: p.RUN_MEETING,
    verbs.DECISION_FORM: p.RUN_MEETING,
    verbs.DECISION_RECORD: p.RUN_MEETING,
    verbs.MEETING_END: p.RUN_MEETING,
    verbs.AGENDA_SHOW: p.SEE_AGENDA,
    verbs.MEETINGS: p.MANAGE_MEETINGS,
    verbs.MEETING_ADD: p.MANAGE_MEETINGS,
    verbs.MEETING_MOVE: p.MANAGE_MEETINGS,
    verbs.MEETING_CANCEL: p.MANAGE_MEETINGS,
    verbs.MEETING_LINK: p.MANAGE_MEETINGS,
    verbs.SETTINGS: p.MANAGE_SETTINGS,
    verbs.SETTINGS_SAVE: p.MANAGE_SETTINGS,
    verbs.PAYMENTS: p.RECORD_PAYMENTS,
    verbs.PAYMENT_MARK: p.RECORD_PAYMENTS,
    verbs.DECISION_LETTER: p.DECISION_LETTER,
    verbs.CAPITAL: p.SEE_CAPITAL,
    verbs.CAPITAL_ROUND_SET: p.SET_CAPITAL_ROUND,
    verbs.CAPITAL_OPEN: p.OPEN_CAPITAL,
    verbs.CAPITAL_SCORE: p.SCORE_CAPITAL,
    verbs.CAPITAL_PANEL_CLOSE: p.CHAIR_PANEL,
    verbs.CAPITAL_RECOMMEND: p.CHAIR_PANEL,
    verbs.CAPITAL_PANEL: p.NAME_PANEL,
    verbs.CAPITAL_PANEL_ADD: p.NAME_PANEL,
    verbs.CAPITAL_PANEL_REMOVE: p.NAME_PANEL,
    verbs.CAPITAL_BOARD: p.BOARD_DECISION,
    verbs.CAPITAL_STARTED: p.REPORT_PROJECT,
    verbs.CAPITAL_COMPLETED: p.REPORT_PROJECT,
    verbs.CAPITAL_INVOICE: p.REPORT_PROJECT,
    verbs.CAPITAL_VISIT: p.QA_VISIT,
    verbs.CAPITAL_RELEASE: p.RELEASE_CAPITAL,
    verbs.CAPITAL_EVALUATE: p.EVALUATE_CAPITAL,
    verbs.CAPITAL_REPORT: p.CAPITAL_REPORT,
    verbs.CITYWIDE: p.CITYWIDE,
    verbs.CITYWIDE_EXPORT: p.CITYWIDE,
    verbs.CLUSTERS: p.MANAGE_CLUSTERS,
    verbs.CLUSTER_ADD: p.MANAGE_CLUSTERS,
    **{c.text: c.permission for c in PERSONAL_COMMANDS},
    CHANNEL_PREFIX + "agenda": p.POST_AGENDA,
    CHANNEL_PREFIX + "minutes": p.MINUTES,
    CHANNEL_PREFIX + "link citywide": p.LINK_CITYWIDE,
    CHANNEL_PREFIX + "citywide pack": p.POST_CITYWIDE_PACK,
}
"""Keys whose handlers are not yet declared (``bot.actions.legacy``): it shrinks as each topic moves over."""


def table(actions: Actions = ACTIONS) -> dict[str, Permission]:
    """Every verb and command and the permission it needs: the declarations (and, for the bot's, the legacy rows)."""
    declared = {d.key: d.permission for d in actions}
    if actions is not ACTIONS:
        return declared
    return {**{k: v for k, v in LEGACY.items() if k not in declared}, **declared}


TABLE: Mapping[str, Permission] = table()
VERBS: Mapping[str, Permission] = {k: v for k, v in TABLE.items() if k in verbs.ALL}
COMMANDS: Mapping[str, Permission] = {k: v for k, v in TABLE.items() if k not in verbs.ALL}


def _who(permission: Permission) -> str:
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

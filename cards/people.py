"""Cards about the person using the bot: help, who am I, not registered."""

from __future__ import annotations

from collections.abc import Iterable

from cards import verbs
from cards.common import Card, card, execute, facts, heading, text
from cards.guide import meeting_guide
from cards.menu import MenuItem
from cluster.roles import Grant, Role

COMMAND_VERBS = {
    "help": verbs.HELP,
    "whoami": verbs.WHOAMI,
    "next meeting": verbs.NEXT_MEETING,
    "new referral": verbs.REFERRAL_NEW,
    "my referrals": verbs.MY_REFERRALS,
    "referrals to check": verbs.TO_CHECK,
    "meetings": verbs.MEETINGS,
    "budget": verbs.BUDGET,
    "reviews": verbs.REVIEWS,
}


def help_card(name: str, commands: list[MenuItem], roles: Iterable[Role] = ()) -> Card:
    """What this person can ask for, and how to take part in a meeting in each role they hold.

    One line and one button per command their roles allow; then a chair's steps from agenda to minutes, an
    admin's, a member's, for the roles held.
    """
    body = [
        heading("Cluster funding"),
        text(f"Hello {name}. Type a command, or use a button below.", subtle=True),
        facts([(c.text, c.summary) for c in commands]),
        *meeting_guide(roles),
    ]
    actions = [
        execute(c.title, COMMAND_VERBS[c.text]) for c in commands if c.text in COMMAND_VERBS and c.text != "help"
    ]
    return card(body, actions)


def whoami_card(name: str, aad_object_id: str, grants: tuple[Grant, ...]) -> Card:
    """A person's roles and settings, and the id an admin knows them by."""
    roles = [(g.describe(), "") for g in grants] or [("No roles yet", "Ask your cluster admin to add one.")]
    body = [
        heading(name),
        text("Your roles", weight="Bolder"),
        facts([(label, value or "✓") for label, value in roles]),
        text(f"Teams id: {aad_object_id}", subtle=True, size="Small"),
    ]
    return card(body, [execute("Help", verbs.HELP)])


def not_registered_card(aad_object_id: str) -> Card:
    """Told to someone the bot does not know, with the id to pass to an admin."""
    return card(
        [
            heading("You are not registered yet"),
            text(
                "The cluster funding bot only works for people on a cluster's roster. "
                "Send your cluster admin this Teams id so they can add you:"
            ),
            text(aad_object_id or "(no id was sent)", fontType="Monospace", weight="Bolder"),
        ]
    )

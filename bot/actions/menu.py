"""The help card's menu for one person: the menu's items whose declared commands their roles allow."""

from __future__ import annotations

from collections.abc import Iterable

from bot.actions.registry import ACTIONS, Where
from cards.menu import MENU, MenuItem
from cluster.permissions import Permission, allows
from cluster.roles import Grant
from usecases.people import Actor


def commands_for(grants: Iterable[Grant]) -> list[MenuItem]:
    """The personal commands these grants allow, in menu order (each command's permission is its declaration's)."""
    held = frozenset(grants)
    return [item for item in MENU if allows(held, _permission(item.text), registered=True)]


def _permission(text: str) -> Permission:
    declared = ACTIONS.get(Where.PERSONAL, text)
    if declared is None:
        raise LookupError(f"the help card offers {text!r}, which no action declares")
    return declared.permission


def available_commands(actor: Actor) -> list[MenuItem]:
    """The commands the actor's roles allow (unregistered users get none)."""
    return commands_for(actor.grants) if actor.person_id else []

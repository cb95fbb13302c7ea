"""The admin's setting facts card: each setting's Capital Fund facts (mainstream, HNCG received)."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.settings import settings_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.commands.setting_facts import SaveSettingFacts
from usecases import settings as uc


def _card(turn: Turn, notice: str | None = None) -> Reply:
    cluster, rows = uc.admin_settings(turn.engine, turn.actor)
    return Reply(card=settings_card(cluster, rows, notice))


@ACTIONS.personal("settings", p.MANAGE_SETTINGS)
@ACTIONS.verb(verbs.SETTINGS, p.MANAGE_SETTINGS)
def show_setting_facts(turn: Turn, _: Nothing) -> Reply:
    """The admin's cluster's settings with their facts."""
    return _card(turn)


@ACTIONS.verb(verbs.SETTINGS_SAVE, p.MANAGE_SETTINGS, SaveSettingFacts)
def save_setting_facts(turn: Turn, command: SaveSettingFacts) -> Reply:
    """Save every toggle the card sent; a setting outside the admin's cluster refuses the whole save."""
    changed = uc.save_facts(turn.engine, turn.actor, command, turn.now())
    return _card(turn, f"Saved: {', '.join(changed)}." if changed else "Nothing had changed.")

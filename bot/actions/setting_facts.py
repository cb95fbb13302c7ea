"""Handlers for the admin's settings card: each setting's Capital Fund facts (mainstream, HNCG received)."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from bot.actions.legacy import Routes
from bot.actions.turn import Reply, Request
from cards import verbs
from cards.settings import settings_card
from cluster.clock import Clock
from cluster.errors import Refusal
from usecases import settings as uc

# The card's toggles are named after the fact and the setting's id: mainstream_12, hncg_12.
TOGGLE = re.compile(r"^(mainstream|hncg)_(\d{1,12})$")
FACT_OF = {"mainstream": "mainstream", "hncg": "received_hncg"}
TOGGLE_VALUES = {"true": True, "false": False}


class SettingRoutes:
    """The ``settings`` command and its card's verbs."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["settings"] = self.show
        routes.verbs.update({verbs.SETTINGS: self.show, verbs.SETTINGS_SAVE: self.save})

    def _card(self, request: Request, notice: str | None = None) -> Reply:
        cluster, rows = uc.admin_settings(self.engine, request.actor)
        return Reply(card=settings_card(cluster, rows, notice))

    async def show(self, request: Request) -> Reply:
        """The admin's cluster's settings with their facts."""
        return self._card(request)

    async def save(self, request: Request) -> Reply:
        """Save every toggle the card sent; a setting outside the admin's cluster refuses the whole save."""
        changes: dict[int, dict[str, bool]] = {}
        for name, value in request.data.items():
            match = TOGGLE.match(str(name))
            if match is None:
                continue
            if str(value).strip().lower() not in TOGGLE_VALUES:
                raise Refusal(uc.OUT_OF_DATE)
            fact, setting_id = FACT_OF[match.group(1)], int(match.group(2))
            changes.setdefault(setting_id, {})[fact] = TOGGLE_VALUES[str(value).strip().lower()]
        changed = uc.save_from_card(self.engine, request.actor, changes, self.clock.now())
        notice = f"Saved: {', '.join(changed)}." if changed else "Nothing had changed."
        return self._card(request, notice)

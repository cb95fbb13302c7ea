"""The ``citywide`` command and card: every cluster's figures side by side, and the same as a spreadsheet."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.actions.legacy import Routes
from bot.actions.turn import Reply, Request
from bot.teams.files import file_consent_card
from cards import verbs
from cards.citywide import citywide_card, section_of
from cluster.clock import Clock
from reports.citywide import citywide_filename, citywide_xlsx
from usecases import citywide as uc


class CitywideRoutes:
    """``citywide`` and the citywide card's verbs (show again, the spreadsheet)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["citywide"] = self.show
        routes.verbs.update({verbs.CITYWIDE: self.show, verbs.CITYWIDE_EXPORT: self.export})

    async def show(self, request: Request) -> Reply:
        """The citywide card (council officers, and the chairs and teams who attend the Citywide Meeting)."""
        section = section_of(request.data.get("section"))
        return Reply(card=citywide_card(uc.citywide(self.engine, request.actor, self.clock.now()), section))

    async def export(self, request: Request) -> Reply:
        """The same figures as a spreadsheet, offered as a file (Teams asks first)."""
        now = self.clock.now()
        city = uc.citywide(self.engine, request.actor, now)
        data = citywide_xlsx(city, now)  # the handler already runs off the event loop
        offer = file_consent_card(citywide_filename(city), len(data), {"kind": "citywide"})
        return Reply(text=f"Here are the citywide figures for {city.year} as a spreadsheet.", attachments=(offer,))

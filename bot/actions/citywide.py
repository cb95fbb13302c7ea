"""The ``citywide`` command and card: every cluster's figures side by side, and the same as a spreadsheet."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.citywide import citywide_card
from cards.files import file_offer
from cluster import permissions as p
from cluster.commands.citywide import ShowCitywide
from cluster.commands.inputs import Nothing
from reports.citywide import citywide_filename, citywide_xlsx
from usecases import citywide as uc


@ACTIONS.personal("citywide", p.CITYWIDE, ShowCitywide)
@ACTIONS.verb(verbs.CITYWIDE, p.CITYWIDE, ShowCitywide)
def show_citywide(turn: Turn, command: ShowCitywide) -> Reply:
    """The citywide card (council officers, and the chairs and teams who attend the Citywide Meeting)."""
    return Reply(card=citywide_card(uc.citywide(turn.engine, turn.actor, turn.now()), command.section))


@ACTIONS.verb(verbs.CITYWIDE_EXPORT, p.CITYWIDE)
def export_citywide(turn: Turn, _: Nothing) -> Reply:
    """The same figures as a spreadsheet, offered as a file (Teams asks first)."""
    now = turn.now()
    city = uc.citywide(turn.engine, turn.actor, now)
    data = citywide_xlsx(city, now)  # the handler runs on a worker thread, not the event loop
    offer = file_offer(citywide_filename(city), len(data), {"kind": "citywide"})
    return Reply(text=f"Here are the citywide figures for {city.year} as a spreadsheet.", attachments=(offer,))

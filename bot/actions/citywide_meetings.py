"""The Citywide Meeting in Teams: ``@link citywide`` and ``@citywide pack`` in the citywide channel."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.actions.legacy import Routes
from bot.actions.turn import DeliverSoon, Reply, Request
from cards.channel import citywide_linked_card
from cards.citywide_pack import pack_cards
from cluster.clock import Clock
from cluster.errors import Refusal
from usecases import citywide_meetings as meetings_uc
from usecases import citywide_pack as pack_uc


class CitywideMeetingRoutes:
    """Link the citywide channel, and post the next Citywide Meeting's pack there on demand."""

    def __init__(self, engine: Engine, clock: Clock, deliver_soon: DeliverSoon) -> None:
        self.engine = engine
        self.clock = clock
        self.deliver_soon = deliver_soon  # the pack is owed through the outbox; this has it delivered

    def install(self, routes: Routes) -> None:
        """Register the channel commands."""
        routes.channel.update({"link citywide": self.link, "citywide pack": self.pack})

    @staticmethod
    def _in_channel(request: Request) -> str:
        if request.kind != "channel":
            raise Refusal("The citywide channel is a team channel: mention me there.")
        return request.conversation_id

    async def link(self, request: Request) -> Reply:
        """``@link citywide``: this team channel becomes the citywide channel (council officers)."""
        channel = self._in_channel(request)
        meetings_uc.link_citywide(self.engine, channel, request.actor, self.clock.now())
        return Reply(card=citywide_linked_card(request.actor.name))

    async def pack(self, request: Request) -> Reply:
        """``@citywide pack``: post the next Citywide Meeting's pack in this channel now (council officers)."""
        channel = self._in_channel(request)
        pack_uc.post_pack_now(self.engine, request.actor, channel, self.clock.now(), pack_cards)
        self.deliver_soon()
        return Reply()

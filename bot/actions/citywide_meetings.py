"""The Citywide Meeting in Teams: ``@link citywide`` and ``@citywide pack`` in the citywide channel."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards.channel import citywide_linked_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.errors import Refusal
from usecases import citywide_meetings as meetings_uc
from usecases import citywide_pack as pack_uc


def _in_channel(turn: Turn) -> str:
    if turn.request.kind != "channel":
        raise Refusal("The citywide channel is a team channel: mention me there.")
    return turn.request.conversation_id


@ACTIONS.channel("link citywide", p.LINK_CITYWIDE)
def link_citywide(turn: Turn, _: Nothing) -> Reply:
    """``@link citywide``: this team channel becomes the citywide channel (council officers)."""
    meetings_uc.link_citywide(turn.engine, _in_channel(turn), turn.actor, turn.now())
    return Reply(card=citywide_linked_card(turn.actor.name))


@ACTIONS.channel("citywide pack", p.POST_CITYWIDE_PACK)
def post_citywide_pack(turn: Turn, _: Nothing) -> Reply:
    """``@citywide pack``: post the next Citywide Meeting's pack in this channel now (council officers)."""
    pack_uc.post_pack_now(turn.engine, turn.actor, _in_channel(turn), turn.now())
    turn.deliver_soon()  # the pack is owed through the outbox; this has it delivered
    return Reply()

"""The Agents Playground demo's ``act as``: declared here so the permission table and the README list it.

The work is done by the Teams edge before any routing (:mod:`bot.teams.act_as`): in the demo it changes who
the page's user is, which no handler could, since the router already knows who is asking. Outside the demo
the edge refuses it with :data:`NOT_IN_DEMO`; a request routed here without that edge is refused the same way.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cluster import permissions as p
from cluster.commands.demo import ActAs

NOT_IN_DEMO = (
    "'act as' works only in the Agents Playground demo (clusterbot playground). "
    "This bot is not running one, so you are acting as yourself."
)


@ACTIONS.personal("act as", p.DEMO_ONLY, ActAs, argument="who")
def act_as(turn: Turn, command: ActAs) -> Reply:
    """Refused: only the Teams edge of the Playground demo acts on ``act as``, and it answered before routing."""
    return Reply(text=NOT_IN_DEMO)

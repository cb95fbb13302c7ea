"""A cluster's channel: what the bot does there, and linking the channel to its cluster."""

from __future__ import annotations

from dataclasses import dataclass

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards.channel import channel_help_card, linked_card
from cards.guide import roles_in
from cluster import permissions as p
from cluster.commands.inputs import Nothing, text
from usecases import citywide_meetings, conversations


@ACTIONS.channel("help", p.HELP)
def channel_help(turn: Turn, _: Nothing) -> Reply:
    """What the bot does in a channel, and which cluster this channel belongs to."""
    conversation = turn.request.conversation_id
    cluster = conversations.channel_cluster(turn.engine, conversation)
    return Reply(
        card=channel_help_card(
            cluster,
            citywide_meetings.is_citywide_channel(turn.engine, conversation),
            roles_in(turn.actor.grants, cluster),
        )
    )


@dataclass(frozen=True, kw_only=True)
class LinkCluster:
    """``link cluster NAME``: the cluster whose meeting channel this becomes."""

    name: str = text("Cluster", "Say which cluster: for example “link cluster Central”.", max_length=120)


@ACTIONS.channel("link cluster", p.LINK_CHANNEL, LinkCluster, argument="name")
def link_cluster(turn: Turn, command: LinkCluster) -> Reply:
    """Make this channel the cluster's meeting channel (the cluster's admins and council officers)."""
    linked = conversations.link_channel(turn.engine, turn.request.conversation_id, turn.actor, command.name, turn.now())
    turn.deliver_soon()
    return Reply(card=linked_card(linked, turn.actor.name))

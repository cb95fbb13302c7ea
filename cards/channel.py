"""Cards posted in a cluster's team channel. They never show pupil details."""

from __future__ import annotations

from collections.abc import Iterable

from cards.common import Card, card, facts, heading, text
from cards.guide import BOT, meeting_guide
from cluster.roles import Role


def channel_help_card(linked_cluster: str | None, citywide: bool = False, roles: Iterable[Role] = ()) -> Card:
    """What the bot does in a channel, whether it is linked to a cluster, and whether it is the citywide one.

    ``roles`` are those the person asking holds in the channel's cluster: a chair is shown how to run the
    meeting, an admin how to prepare it, a member how to vote. Everyone sees the commands.
    """
    held = frozenset(roles)
    status = (
        f"This channel is linked to the {linked_cluster} cluster."
        if linked_cluster
        else "This channel is not linked to a cluster yet. A cluster admin can link it."
    )
    if citywide:
        # The citywide channel says what it is for before anything else.
        status = (
            "This is the citywide channel: before each Citywide Meeting I post its pack here (the city's "
            "figures, each cluster's decisions since the last one, overdue reviews, quality-assurance visits "
            "and impact). " + (status if linked_cluster else "")
        ).strip()
    commands = [
        (f"{BOT} agenda", "Post the next meeting's agenda here (chairs, admins, team around the cluster)."),
        (f"{BOT} minutes", "Show the latest meeting's minutes."),
        (f"{BOT} link cluster NAME", "Link this channel to a cluster (cluster admins)."),
        (f"{BOT} link citywide", "Make this the citywide channel (council officers)."),
    ]
    if citywide:
        commands.append((f"{BOT} citywide pack", "Post the next Citywide Meeting's pack now (officers)."))
    commands.append((f"{BOT} help", "Show this card."))
    return card(
        [
            heading("Cluster funding in this channel"),
            text(status),
            facts(commands),
            *meeting_guide(held),
            text("Referrals, reviews and your own details are handled in a personal chat with me.", subtle=True),
        ]
    )


def linked_card(cluster: str, by: str) -> Card:
    """Confirms a channel is now a cluster's meeting channel."""
    return card(
        [
            heading(f"Linked to the {cluster} cluster"),
            text(f"{by} linked this channel. Agendas and meeting votes for {cluster} will appear here."),
        ]
    )


def citywide_linked_card(by: str) -> Card:
    """Confirms a channel is now the citywide channel."""
    return card(
        [
            heading("This is the citywide channel"),
            text(
                f"{by} linked this channel. Before each Citywide Meeting, its pack will appear here; a council "
                "officer can post it at any time with “citywide pack”."
            ),
        ]
    )

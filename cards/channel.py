"""Cards posted in a cluster's team channel. They never show pupil details."""

from __future__ import annotations

from cards.common import Card, card, facts, heading, text


def channel_help_card(linked_cluster: str | None) -> Card:
    """What the bot does in a channel, and whether this channel is linked to a cluster."""
    status = (
        f"This channel is linked to the {linked_cluster} cluster."
        if linked_cluster
        else "This channel is not linked to a cluster yet. A cluster admin can link it."
    )
    return card(
        [
            heading("Cluster funding in this channel"),
            text(status),
            facts(
                [
                    (
                        "@Cluster Funding link cluster NAME",
                        "Link this channel to a cluster (cluster admins).",
                    ),
                    ("@Cluster Funding help", "Show this card."),
                ]
            ),
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

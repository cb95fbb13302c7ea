"""Teams' message envelope: the one place an Adaptive Card becomes the activity the Bot Connector is sent.

The outbox keeps what it owes as card content; the sender wraps it here when it sends it, and channel cards
(drawn from the database when sent) are wrapped here too. A row owed before cards were kept as cards holds
the whole activity, and is sent as it was stored.
"""

from __future__ import annotations

from typing import Any

from cards.fit import fit
from store.outbox import OwedMessage

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def card_message(card: dict[str, Any]) -> dict[str, Any]:
    """The message activity that shows ``card``, as the Bot Connector takes it."""
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": fit(card)}]}


def outgoing(message: OwedMessage) -> dict[str, Any]:
    """The activity to send for an owed message: its card in the envelope, or the activity stored long ago."""
    if message.card is not None:
        return card_message(message.card)
    return message.activity

"""The outbox: proactive messages owed to people and channels, kept until the connector accepts them.

A use case that decides a message is owed owes it inside its own transaction, under a key unique per message
and recipient (``review:12:due-14:person:7``), so deciding twice owes it once. What is kept is the Adaptive
Card itself: the sender puts it in Teams' message envelope when it sends it (``bot.teams.wire``, the one place
the envelope is built), and a row owed before cards were kept as such (a whole activity, in ``activity``) is
sent as it was stored. The sender (``bot.delivery.sender``) claims what is due, sends it, and records the
outcome here.

- ``owing``: owing messages, notices and channel cards (what use cases call);
- ``sending``: claims, leases and outcomes (what the sender calls);
- ``reach``: where a message goes, and passing it to the admins when its recipient cannot be reached.

``from store.outbox import owe_notice`` (or ``from store import outbox``) is how the rest of the code uses it.
"""

from __future__ import annotations

from store.outbox.owing import (
    DELIVERED,
    KEYS_PER_QUERY,
    MEETING_NOTIFICATION,
    OWED,
    UNDELIVERABLE,
    Owing,
    Serialised,
    owe,
    owe_all,
    owe_attachment,
    owe_card,
    owe_meeting_notification,
    owe_notice,
    owed_already,
    serialise,
)
from store.outbox.reach import bot_removed, card_place, posted_card, resolve_targets, unreachable
from store.outbox.sending import (
    ACTOR,
    ERROR_LENGTH,
    CardPlace,
    OwedMessage,
    Target,
    card_gone,
    claim,
    due,
    extend_claim,
    mark_delivered,
    mark_retry,
    mark_undeliverable,
    next_due,
    postpone,
    state_of,
)

__all__ = [
    "ACTOR",
    "DELIVERED",
    "ERROR_LENGTH",
    "KEYS_PER_QUERY",
    "MEETING_NOTIFICATION",
    "OWED",
    "UNDELIVERABLE",
    "CardPlace",
    "OwedMessage",
    "Owing",
    "Serialised",
    "Target",
    "bot_removed",
    "card_gone",
    "card_place",
    "claim",
    "due",
    "extend_claim",
    "mark_delivered",
    "mark_retry",
    "mark_undeliverable",
    "next_due",
    "owe",
    "owe_all",
    "owe_attachment",
    "owe_card",
    "owe_meeting_notification",
    "owe_notice",
    "owed_already",
    "posted_card",
    "postpone",
    "resolve_targets",
    "serialise",
    "state_of",
    "unreachable",
]

"""Offers of a file in personal chat: Teams' file consent attachment, as plain JSON.

The bot cannot push a file; it asks first, with this "Allow / Decline" card, and the person's answer comes
back as a ``fileConsent/invoke`` carrying ``context`` (``bot.teams.files`` reads it and uploads the bytes).
A decision's letter is offered so beside the referrer's notice of the decision (``usecases.meeting_day``),
and again whenever someone asks for it (``bot.actions.ledger``).
"""

from __future__ import annotations

from typing import Any

FILE_CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"


def file_offer(name: str, size: int, context: dict[str, Any], description: str = "") -> dict[str, Any]:
    """The attachment asking the user to allow a file into their OneDrive (personal chat only).

    Teams' file consent card: not an Adaptive Card, so it is named an offer, not a ``_card`` (which the card
    gallery's schema checks cover).

    ``context`` comes back in the ``fileConsent/invoke`` whichever button they press.
    """
    return {
        "contentType": FILE_CONSENT_CARD,
        "name": name,
        "content": {
            "description": description or f"{name}, from the Cluster Funding bot",
            "sizeInBytes": size,
            "acceptContext": context,
            "declineContext": context,
        },
    }


def letter_offer(decision_id: int, filename: str, size: int) -> dict[str, Any]:
    """The file offer of a decision's letter (beside the outcome notice, or when asked for again)."""
    return file_offer(filename, size, {"kind": "decision_letter", "decision_id": decision_id})

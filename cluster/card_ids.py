"""Row ids as they come back in a card's data: our cards send small positive integers, anything else is refused.

A card's data returns to us from Teams, so it is whatever the client sent: a number too big for the
database's integer columns, a negative one, a float, a list, a string of a thousand digits. Each of
these must be refused with one sentence the person can act on, before it reaches a query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NewType

from cluster.errors import OUT_OF_DATE, Refusal

# The rows a meeting-day card names, once read from its data at the edge: the use cases take these, not Any.
ItemId = NewType("ItemId", int)
MeetingId = NewType("MeetingId", int)

ITEM_GONE = "That agenda item no longer exists."
MEETING_GONE = "That meeting no longer exists."

# Ids are INTEGER columns (32-bit on PostgreSQL); a larger number could never name a row and makes the
# database driver raise instead of answering "no such row".
MAX_CARD_ID = 2**31 - 1

# The keys of card data that carry a row id (cards/ puts them there; some are Input.ChoiceSet values, so text).
CARD_ID_KEYS = frozenset(
    {
        "referral_id", "item_id", "meeting_id", "review_id", "row_id", "document_id", "setting_id",
        "instalment_id", "decision_id", "person_id", "cluster_id",
    }
)  # fmt: skip

# ASCII digits only: str.isdigit() and int() also take other scripts' digits, and int() takes spaces and "_".
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_card_id(value: object) -> int | None:
    """The id ``value`` names (an int, or its digits as text, from 1 to 2**31-1), or None if it names none."""
    if isinstance(value, bool):  # True is an int to Python, never an id to us
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_CARD_ID else None


def is_missing(value: object) -> bool:
    """True when the card sent no id at all (absent, null, or an empty choice)."""
    return value is None or value == ""


def card_id(value: object) -> int:
    """The id ``value`` names; a :class:`Refusal` saying the card is out of date when it names none."""
    number = parse_card_id(value)
    if number is None:
        raise Refusal(OUT_OF_DATE)
    return number


def check_card_ids(data: Mapping[str, object]) -> None:
    """Refuse a click whose data carries an id (under any of :data:`CARD_ID_KEYS`) that names no row.

    A missing id is left to the handler, which knows what to say (such as "Choose the setting").
    """
    for key in CARD_ID_KEYS:
        value = data.get(key)
        if not is_missing(value):
            card_id(value)


def named_id(value: object, missing: str) -> int:
    """The id a card's data names: ``missing`` (the sentence) when it names none, out of date when not an id."""
    if is_missing(value):
        raise Refusal(missing)
    return card_id(value)


def item_id_of(data: Mapping[str, object]) -> ItemId:
    """The agenda item a meeting-day card names (under ``item_id``)."""
    return ItemId(named_id(data.get("item_id"), ITEM_GONE))


def meeting_id_of(data: Mapping[str, object]) -> MeetingId:
    """The meeting a card names (under ``meeting_id``)."""
    return MeetingId(named_id(data.get("meeting_id"), MEETING_GONE))

"""Cards the bot keeps up to date in a channel: the agenda, each item's vote card, and the minutes.

A card has a stable key (``agenda:12``, ``vote:34``, ``minutes:12``, made and read by ``cluster.keys``). The
use case that changes what a card shows owes its redraw through the outbox (:func:`store.outbox.owe_card`)
in the same transaction, and the one sender delivers it: the first time as a new post (a vote card in the
agenda's thread), after that as an update of that post. So channel cards keep Teams' limits, are retried
when Teams is busy, and survive a restart like every other proactive message. The sender draws the card
here, from the database, when it sends it, in the member's view (no chair's controls): thirty votes within
a second redraw the shared card a few times, not thirty, and the last redraw shows every vote.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.teams.wire import card_message
from cards.meeting_day.agenda import agenda_card
from cards.meeting_day.minutes import minutes_card
from cards.meeting_day.votes import vote_card
from cluster import keys
from usecases.meeting_day.agenda import agenda
from usecases.meeting_day.minutes import minutes_of_meeting
from usecases.meeting_day.votes import shared_vote_view


def draw_channel_card(engine: Engine, card_key: str) -> dict[str, Any]:
    """The activity showing the channel card ``card_key`` as the database holds it now."""
    named = keys.parse_card_key(card_key)  # LookupError: no such card
    # The shared message carries the member's view: the chair's controls reach those who run the meeting by
    # the card's refresh (they are listed first in its userIds) and as the answer to their own clicks.
    if named.kind == "agenda":
        card = agenda_card(agenda(engine, named.id), for_chair=False)
    elif named.kind == "vote":
        card = vote_card(shared_vote_view(engine, named.id), for_chair=False)
    else:
        card = minutes_card(minutes_of_meeting(engine, named.id))
    return card_message(card)

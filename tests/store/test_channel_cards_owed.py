"""Meeting-day use cases owe the redraw of the channel cards they change, in the same transaction.

So a vote and the message that shows it are stored together or not at all: a refused vote owes no redraw,
and a crash after a vote cannot leave the shared card behind for good. On a real SQLite database.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import FixedClock
from cluster.commands.meetings import CastVote, OpenItem, StartMeeting
from cluster.errors import Refusal
from store.models import AgendaItem, Outbox, Vote
from tests.conftest import CHAIR, SENCO, SENCO_2
from tests.http.test_meeting_day import MEETING_DAY, meeting  # noqa: F401  (the fixture)
from tests.support.channels import CHANNEL, link_channel
from tests.support.meeting_room import everyone_present
from usecases.meeting_day.agenda import start_meeting
from usecases.meeting_day.votes import cast_vote, open_item
from usecases.people import Actor, identify


def actor(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def owed_cards(engine: Engine) -> dict[str, tuple[int, str | None, str | None]]:
    """Each owed card: (revision, channel, thread of)."""
    with Session(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.card_key.is_not(None))).all()  # type: ignore[union-attr]
        return {r.card_key or "": (r.revision, r.conversation_id, r.thread_of) for r in rows}


def open_first_item(engine: Engine, referral_id: int) -> int:
    chair = actor(engine, CHAIR)
    everyone_present(engine, 2, MEETING_DAY)
    start_meeting(engine, chair, StartMeeting(meeting_id=2), MEETING_DAY)
    with Session(engine) as session:
        item = session.exec(select(AgendaItem).where(AgendaItem.referral_id == referral_id)).one()
        assert item.id is not None
    open_item(engine, chair, OpenItem(item_id=item.id), MEETING_DAY)
    return item.id


def test_opening_an_item_owes_the_agenda_and_a_vote_card_in_the_agendas_thread(
    central: Engine,
    meeting: dict[str, int],  # noqa: F811
) -> None:
    link_channel(central, "https://smba.trafficmanager.net/uk/", MEETING_DAY)
    item = open_first_item(central, meeting["ipn"])
    cards = owed_cards(central)
    assert cards[f"vote:{item}"] == (1, CHANNEL, "agenda:2")
    assert cards["agenda:2"] == (2, CHANNEL, None), "started, then an item opened: owed twice, one row"


def test_a_vote_and_the_redraw_of_its_card_are_stored_together(
    central: Engine,
    clock: FixedClock,
    meeting: dict[str, int],  # noqa: F811
) -> None:
    link_channel(central, "https://smba.trafficmanager.net/uk/", MEETING_DAY)
    item = open_first_item(central, meeting["ipn"])  # Sam's school's referral
    cast_vote(central, actor(central, SENCO_2), CastVote(item_id=item, choice="approve"), MEETING_DAY)
    assert owed_cards(central)[f"vote:{item}"][0] == 2

    with pytest.raises(Refusal, match="own"):
        cast_vote(central, actor(central, SENCO), CastVote(item_id=item, choice="approve"), MEETING_DAY)
    assert owed_cards(central)[f"vote:{item}"][0] == 2, "a refused vote owes no redraw"
    with Session(central) as session:
        assert len(session.exec(select(Vote).where(Vote.item_id == item)).all()) == 1


def test_no_card_is_owed_for_a_cluster_whose_channel_is_not_linked(
    central: Engine,
    meeting: dict[str, int],  # noqa: F811
) -> None:
    item = open_first_item(central, meeting["ipn"])
    cast_vote(central, actor(central, SENCO_2), CastVote(item_id=item, choice="approve"), MEETING_DAY)
    assert owed_cards(central) == {}

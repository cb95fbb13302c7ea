"""Channel cards (agenda, vote cards, minutes) go through the outbox and the one sender, like every message.

The sender draws a card when it sends it: the first send posts it, later ones update that post in place, a
card that changed while it was being sent goes once more, and a channel the bot was removed from is recorded.
Against the real sender, a real SQLite database and the fake Teams connector.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.delivery.sender import DeliveryReport, RateLimiter, Sender
from bot.teams.connector import Connector
from cluster.clock import Clock
from store import outbox
from store.db import transaction
from store.models import ChannelPost, ConversationRef, Outbox
from tests.support.channels import CHANNEL, link_channel
from tests.support.fake_connector import FakeConnector


@pytest.fixture
def channel(central: Engine, connector: FakeConnector) -> str:
    return link_channel(central, connector.url, Clock().now())


class Drawings:
    """Draws cards as ``<key> drawing <n>``, so each send shows which drawing it carried."""

    def __init__(self) -> None:
        self.count = 0
        self.during_draw: list[Any] = []

    def __call__(self, card_key: str) -> dict[str, Any]:
        self.count += 1
        for action in self.during_draw:
            action()
        self.during_draw.clear()
        return {"type": "message", "text": f"{card_key} drawing {self.count}"}


def sender(engine: Engine, http: Connector, draw: Drawings) -> Sender:
    return Sender(
        engine, http, RateLimiter(), Clock(), base_backoff=0.02, max_backoff=0.1, rng=random.Random(3), draw=draw
    )


def changed(engine: Engine, card_key: str, thread_of: str | None = None) -> None:
    with transaction(engine) as session:
        outbox.owe_card(session, card_key, CHANNEL, Clock().now(), thread_of)


def row(engine: Engine, card_key: str) -> Outbox:
    with Session(engine) as session:
        found = session.exec(select(Outbox).where(Outbox.card_key == card_key)).one()
        session.expunge(found)
        return found


async def test_a_channel_card_is_posted_once_and_updated_in_place_after_that(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    draw = Drawings()
    changed(central, "agenda:2")
    assert await sender(central, http, draw).deliver_due() == DeliveryReport(delivered=1)
    changed(central, "agenda:2")
    changed(central, "agenda:2")
    assert await sender(central, http, draw).deliver_due() == DeliveryReport(delivered=1), "two changes, one update"
    post, update = connector.calls
    assert (post.method, post.conversation_id, post.text) == ("POST", channel, "agenda:2 drawing 1")
    assert (update.method, update.text) == ("PUT", "agenda:2 drawing 2")
    with Session(central) as session:
        kept = session.get(ChannelPost, "agenda:2")
        assert kept is not None and update.activity_id == kept.activity_id, "the update replaces the posted card"
    assert row(central, "agenda:2").state == "delivered"


async def test_a_new_vote_card_goes_into_the_thread_of_its_agenda_posted_just_before(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    changed(central, "agenda:2")
    changed(central, "vote:7", thread_of="agenda:2")
    assert await sender(central, http, Drawings()).deliver_due() == DeliveryReport(delivered=2)
    agenda, vote = connector.calls
    assert agenda.conversation_id == channel
    assert vote.conversation_id == f"{channel};messageid={_posted(central, 'agenda:2')}"
    assert vote.text.startswith("vote:7")


async def test_a_card_that_changes_while_it_is_being_sent_is_sent_once_more_showing_the_change(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    draw = Drawings()
    changed(central, "vote:7")
    draw.during_draw.append(lambda: changed(central, "vote:7"))  # a vote lands while the card is on its way
    assert await sender(central, http, draw).deliver_due() == DeliveryReport(delivered=2)
    assert [(c.method, c.text) for c in connector.calls] == [("POST", "vote:7 drawing 1"), ("PUT", "vote:7 drawing 2")]
    assert row(central, "vote:7").state == "delivered"


async def test_a_card_teams_throttles_is_updated_later_with_what_holds_then(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    draw = Drawings()
    changed(central, "vote:7")
    connector.script(channel, (429, 0.2))
    assert await sender(central, http, draw).deliver_due() == DeliveryReport(delivered=1, retried=1)
    assert [(c.method, c.text) for c in connector.calls] == [("POST", "vote:7 drawing 2")], "drawn again, sent once"


async def test_a_card_for_a_channel_the_bot_was_removed_from_is_given_up_and_not_passed_to_the_admins(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    changed(central, "vote:7")
    connector.refuse(channel, 403)
    assert await sender(central, http, Drawings()).deliver_due() == DeliveryReport(undeliverable=1)
    with Session(central) as session:
        assert session.exec(select(Outbox).where(Outbox.key != "card:vote:7")).all() == [], "nothing for the admins"
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == channel)).one()
        assert not ref.installed, "the removal is recorded"
    assert row(central, "vote:7").state == "undeliverable"


def _posted(engine: Engine, card_key: str) -> str:
    with Session(engine) as session:
        post = session.get(ChannelPost, card_key)
        assert post is not None
        return post.activity_id


async def test_a_card_someone_deleted_in_teams_is_posted_afresh_and_the_channel_stays_linked(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    draw = Drawings()
    changed(central, "agenda:2")
    await sender(central, http, draw).deliver_due()
    first = _posted(central, "agenda:2")
    connector.script(channel, (404, None))  # the update finds the agenda's message deleted
    changed(central, "agenda:2")
    assert await sender(central, http, draw).deliver_due() == DeliveryReport(delivered=1, retried=1)
    assert [c.method for c in connector.calls] == ["POST", "POST"], "posted again, not updated"
    assert _posted(central, "agenda:2") not in ("", first), "the new message is the one kept for updates"
    with Session(central) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == channel)).one()
        assert ref.installed, "a deleted message is not a removed bot"
    assert row(central, "agenda:2").state == "delivered"


async def test_a_vote_card_whose_agenda_was_deleted_is_posted_in_the_channel_itself(
    central: Engine, connector: FakeConnector, http: Connector, channel: str
) -> None:
    changed(central, "agenda:2")
    await sender(central, http, Drawings()).deliver_due()
    thread = f"{channel};messageid={_posted(central, 'agenda:2')}"
    connector.script(thread, (404, None))
    changed(central, "vote:7", thread_of="agenda:2")
    assert await sender(central, http, Drawings()).deliver_due() == DeliveryReport(delivered=1, retried=1)
    assert connector.calls[-1].conversation_id == channel and connector.calls[-1].text.startswith("vote:7")

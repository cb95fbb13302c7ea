"""The outbox keeps cards as card content; the sender puts them in Teams' message envelope when it sends them.

Rows owed before that (a whole activity stored) are still sent as they were stored, so an upgrade while
messages are owed loses nothing.
"""

from __future__ import annotations

from sqlalchemy import Engine, insert
from sqlmodel import Session, SQLModel, select

from bot.teams.connector import Connector
from bot.teams.wire import card_message
from cluster.clock import Clock
from store import outbox
from store.db import transaction
from store.models import Outbox
from tests.conftest import ADMIN, SENCO
from tests.http.test_sender import install, person_id, sender
from tests.support.fake_connector import FakeConnector

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Your review of CEN-2526-001 is due today.", "wrap": True}],
    "actions": [{"type": "Action.Execute", "title": "Remind me in a week", "verb": "review.snooze"}],
}


async def test_an_owed_card_reaches_teams_in_the_message_envelope(
    central: Engine, connector: FakeConnector, http: Connector
) -> None:
    sam, chat = person_id(central, SENCO), install(central, connector, SENCO)
    with transaction(central) as session:
        assert outbox.owe(session, "review:1:due:person:1", Clock().now(), person_id=sam, card=CARD)
    with Session(central) as session:
        row = session.exec(select(Outbox)).one()
    assert row.card == CARD and row.activity == {}, "the store keeps the card, not Teams' envelope"

    await sender(central, http).deliver_due()

    [call] = connector.sent_to(chat)
    assert call.body == card_message(CARD)
    assert call.body["type"] == "message" and call.cards == [CARD]


async def test_a_message_owed_before_the_upgrade_is_sent_as_it_was_stored(
    central: Engine, connector: FakeConnector, http: Connector
) -> None:
    sam, chat = person_id(central, SENCO), install(central, connector, SENCO)
    stored = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}],
    }
    now = Clock().now()
    # As the bot before migration 0009 wrote it: the whole activity, and no card column.
    columns = {"key": "review:1:due:person:1", "person_id": sam, "activity": stored, "state": "owed"}
    with transaction(central) as session:
        session.execute(
            insert(SQLModel.metadata.tables["outbox"]).values(
                **columns, attempts=0, not_before=now, created_at=now, revision=0
            )
        )

    await sender(central, http).deliver_due()

    [call] = connector.sent_to(chat)
    assert call.body == stored
    assert outbox.state_of(central, "review:1:due:person:1").state == "delivered"  # type: ignore[union-attr]


def test_a_card_rerouted_to_the_admins_says_whom_it_was_for_and_offers_no_buttons(central: Engine) -> None:
    now = Clock().now()
    sam = person_id(central, SENCO)
    with transaction(central) as session:
        outbox.owe(session, "review:1:due:person:1", now, person_id=sam, card=CARD)
    [message] = outbox.due(central, now)
    assert outbox.unreachable(central, message, now) == [person_id(central, ADMIN)]
    rerouted = outbox.state_of(central, f"review:1:due:person:1:admin:{person_id(central, ADMIN)}")
    assert rerouted is not None and rerouted.card is not None and rerouted.activity == {}
    assert "cannot reach Sam Senco" in rerouted.card["body"][0]["text"] and "actions" not in rerouted.card
    assert rerouted.card["body"][1:] == CARD["body"]

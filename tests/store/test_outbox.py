"""The outbox on SQLite and PostgreSQL alike: owing once, due order, outcomes, and rerouting to admins."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON
from store import outbox
from store.db import transaction
from store.models import AuditEvent, ConversationRef, Outbox, Person
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO
from usecases.roster import import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
SERVICE = "http://127.0.0.1:9/teams"
ACTIVITY = {"type": "message", "text": "Your review is due"}


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    return engine


def person_id(engine: Engine, who: tuple[str, str]) -> int:
    with Session(engine) as session:
        found = session.exec(select(Person.id).where(Person.aad_object_id == who[0])).one()
        assert found is not None
        return found


def chat_of(aad: str) -> str:
    return f"a:personal-{aad}"


def install_personal(engine: Engine, who: tuple[str, str]) -> str:
    conversation = chat_of(who[0])
    with transaction(engine) as session:
        session.add(
            ConversationRef(
                conversation_id=conversation,
                kind="personal",
                service_url=SERVICE,
                aad_object_id=who[0],
                reference={"serviceUrl": SERVICE, "conversation": {"id": conversation}},
                updated_at=NOW,
            )
        )
    return conversation


def owe(engine: Engine, key: str, at: datetime = NOW, **to: int | str) -> bool:
    with transaction(engine) as session:
        return outbox.owe(session, key, at, ACTIVITY, **to)  # type: ignore[arg-type]


def row(engine: Engine, key: str) -> Outbox:
    found = outbox.state_of(engine, key)
    assert found is not None
    return found


def test_owing_the_same_key_twice_owes_once(seeded: Engine) -> None:
    sam = person_id(seeded, SENCO)
    assert owe(seeded, "review:1:person:1", person_id=sam) is True
    assert owe(seeded, "review:1:person:1", person_id=sam) is False
    with Session(seeded) as session:
        assert len(session.exec(select(Outbox)).all()) == 1
    assert [m.key for m in outbox.due(seeded, NOW)] == ["review:1:person:1"]


def test_owing_rolls_back_with_the_decision_that_owed_it(seeded: Engine) -> None:
    sam = person_id(seeded, SENCO)
    with pytest.raises(RuntimeError), transaction(seeded) as session:
        outbox.owe(session, "k", NOW, ACTIVITY, person_id=sam)
        raise RuntimeError("the decision failed")
    assert outbox.due(seeded, NOW) == []


def test_a_message_is_owed_to_a_person_or_a_conversation_not_both(seeded: Engine) -> None:
    with pytest.raises(ValueError), transaction(seeded) as session:
        outbox.owe(session, "k", NOW, ACTIVITY)


def test_due_gives_owed_messages_whose_time_has_come_oldest_first(seeded: Engine) -> None:
    sam = person_id(seeded, SENCO)
    owe(seeded, "first", person_id=sam)
    owe(seeded, "later", at=NOW + timedelta(hours=1), person_id=sam)
    owe(seeded, "second", person_id=sam)
    assert [m.key for m in outbox.due(seeded, NOW)] == ["first", "second"]
    assert [m.key for m in outbox.due(seeded, NOW + timedelta(hours=1))] == ["first", "later", "second"]
    assert len(outbox.due(seeded, NOW, limit=1)) == 1
    message = outbox.due(seeded, NOW)[0]
    assert (message.person_id, message.conversation_id, message.activity, message.attempts) == (sam, None, ACTIVITY, 0)


def test_a_claimed_message_is_not_due_again_until_its_claim_lapses(seeded: Engine) -> None:
    owe(seeded, "k", person_id=person_id(seeded, SENCO))
    assert [m.key for m in outbox.claim(seeded, NOW, NOW + timedelta(minutes=5))] == ["k"]
    assert outbox.due(seeded, NOW + timedelta(minutes=4)) == []
    assert outbox.claim(seeded, NOW, NOW + timedelta(minutes=5)) == []
    assert [m.key for m in outbox.due(seeded, NOW + timedelta(minutes=5))] == ["k"]


def test_retrying_counts_attempts_and_waits_and_delivering_happens_once(seeded: Engine) -> None:
    owe(seeded, "k", person_id=person_id(seeded, SENCO))
    message = outbox.due(seeded, NOW)[0]
    assert outbox.mark_retry(seeded, message.id, NOW, NOW + timedelta(seconds=30), "connector answered 503: busy")
    assert outbox.due(seeded, NOW + timedelta(seconds=29)) == []
    again = outbox.due(seeded, NOW + timedelta(seconds=30))
    assert [m.attempts for m in again] == [1]
    assert row(seeded, "k").last_error == "connector answered 503: busy"
    assert outbox.mark_delivered(seeded, message.id, NOW + timedelta(seconds=31)) is True
    assert outbox.mark_delivered(seeded, message.id, NOW + timedelta(seconds=32)) is False
    done = row(seeded, "k")
    assert (done.state, done.delivered_at) == ("delivered", NOW + timedelta(seconds=31))
    assert outbox.mark_retry(seeded, message.id, NOW, NOW, "late") is False, "a delivered message stays delivered"
    assert outbox.due(seeded, NOW + timedelta(days=1)) == []


def test_an_undeliverable_message_keeps_its_error_and_is_audited(seeded: Engine) -> None:
    owe(seeded, "k", person_id=person_id(seeded, SENCO))
    message = outbox.due(seeded, NOW)[0]
    assert outbox.mark_undeliverable(seeded, message.id, NOW, "connector answered 400: " + "x" * 400)
    gone = row(seeded, "k")
    assert gone.state == "undeliverable" and gone.last_error is not None and len(gone.last_error) == 300
    assert outbox.due(seeded, NOW + timedelta(days=1)) == []
    with Session(seeded) as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.subject == f"outbox:{message.id}")).all()
    assert actions == ["outbox.undeliverable"]


def test_targets_are_the_persons_installed_personal_chat_or_nothing(seeded: Engine) -> None:
    sam = person_id(seeded, SENCO)
    owe(seeded, "k", person_id=sam)
    message = outbox.due(seeded, NOW)[0]
    assert outbox.resolve_targets(seeded, message) == [], "never installed: nowhere to write"
    conversation = install_personal(seeded, SENCO)
    assert outbox.resolve_targets(seeded, message) == [outbox.Target(SERVICE, conversation)]


def test_a_channel_message_goes_to_the_channels_stored_reference_and_its_threads(seeded: Engine) -> None:
    channel = "19:central@thread.tacv2"
    with transaction(seeded) as session:
        session.add(ConversationRef(conversation_id=channel, kind="channel", service_url=SERVICE, updated_at=NOW))
    owe(seeded, "agenda", conversation_id=channel)
    owe(seeded, "vote", conversation_id=f"{channel};messageid=42")
    owe(seeded, "elsewhere", conversation_id="19:unknown@thread.tacv2")
    targets = {m.key: outbox.resolve_targets(seeded, m) for m in outbox.due(seeded, NOW)}
    assert targets == {
        "agenda": [outbox.Target(SERVICE, channel)],
        "vote": [outbox.Target(SERVICE, f"{channel};messageid=42")],
        "elsewhere": [],
    }


def test_a_person_who_removed_the_bot_is_recorded_and_their_message_goes_to_the_admins(seeded: Engine) -> None:
    sam, ada = person_id(seeded, SENCO), person_id(seeded, ADMIN)
    conversation = install_personal(seeded, SENCO)
    owe(seeded, "review:3:person:sam", person_id=sam)
    message = outbox.due(seeded, NOW)[0]

    assert outbox.bot_removed(seeded, message, NOW) == [ada]

    assert row(seeded, "review:3:person:sam").state == "undeliverable"
    with Session(seeded) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation)).one()
        assert ref.installed is False
        actions = session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all()
    assert {"conversation.removed", "outbox.rerouted", "outbox.undeliverable"} <= set(actions)
    rerouted = outbox.due(seeded, NOW)
    assert [(m.key, m.person_id, m.activity) for m in rerouted] == [(f"review:3:person:sam:admin:{ada}", ada, ACTIVITY)]
    assert outbox.resolve_targets(seeded, message) == [], "the bot no longer writes to Sam"
    assert outbox.bot_removed(seeded, message, NOW) is None, "recording it again changes nothing"
    assert len(outbox.due(seeded, NOW)) == 1


def test_a_rerouted_message_is_not_passed_on_again_when_the_admin_also_removed_the_bot(seeded: Engine) -> None:
    sam = person_id(seeded, SENCO)
    install_personal(seeded, SENCO)
    install_personal(seeded, ADMIN)
    owe(seeded, "k", person_id=sam)
    outbox.bot_removed(seeded, outbox.due(seeded, NOW)[0], NOW)
    to_admin = outbox.due(seeded, NOW)[0]
    assert outbox.bot_removed(seeded, to_admin, NOW) == []
    assert outbox.due(seeded, NOW) == []
    assert row(seeded, to_admin.key).state == "undeliverable"


def test_a_message_to_someone_the_bot_cannot_reach_goes_to_the_admins_of_their_cluster(seeded: Engine) -> None:
    chris, ada = person_id(seeded, CHAIR), person_id(seeded, ADMIN)
    owe(seeded, "k", person_id=chris)
    assert outbox.unreachable(seeded, outbox.due(seeded, NOW)[0], NOW) == [ada]
    assert [m.key for m in outbox.due(seeded, NOW)] == [f"k:admin:{ada}"]
    assert row(seeded, "k").attempts == 0, "nothing was sent"


def test_postponing_moves_owed_messages_without_counting_an_attempt(seeded: Engine) -> None:
    owe(seeded, "k", person_id=person_id(seeded, SENCO))
    message = outbox.due(seeded, NOW)[0]
    outbox.postpone(seeded, [message.id], NOW + timedelta(seconds=10))
    assert outbox.due(seeded, NOW) == []
    assert outbox.next_due(seeded) == NOW + timedelta(seconds=10)
    assert [m.attempts for m in outbox.due(seeded, NOW + timedelta(seconds=10))] == [0]


def test_a_claim_is_renewed_only_while_no_outcome_was_recorded_for_the_row(seeded: Engine) -> None:
    sam = person_id(seeded, SENCO)
    owe(seeded, "sending", person_id=sam)
    owe(seeded, "refused", person_id=sam)
    lease = NOW + timedelta(seconds=20)
    ids = {m.key: m.id for m in outbox.claim(seeded, NOW, lease)}
    assert outbox.mark_retry(seeded, ids["refused"], NOW, NOW + timedelta(seconds=3), "429")

    renewed = NOW + timedelta(seconds=40)
    assert outbox.extend_claim(seeded, list(ids.values()), lease, renewed) == [ids["sending"]]
    assert [m.key for m in outbox.due(seeded, NOW + timedelta(seconds=30))] == ["refused"], "its retry time is kept"
    assert [m.key for m in outbox.due(seeded, renewed)] == ["sending", "refused"]

    assert outbox.mark_delivered(seeded, ids["sending"], NOW)
    assert outbox.extend_claim(seeded, [ids["sending"]], renewed, NOW + timedelta(seconds=60)) == []
    assert row(seeded, "sending").state == outbox.DELIVERED

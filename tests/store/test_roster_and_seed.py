"""Seeding, roster imports and conversation references on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.roles import Role
from store.models import ConversationRef, Meeting, Person, RoleAssignment, Setting
from store.seed import CENTRAL, seed_file
from usecases.conversations import ConversationInfo, remember_conversation
from usecases.people import identify
from usecases.roster import Entry, RosterError, import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


def test_seeding_twice_leaves_29_settings_and_6_meetings(engine: Engine) -> None:
    first = seed_file(engine, CENTRAL, NOW)
    second = seed_file(engine, CENTRAL, NOW)
    assert (first.settings_added, first.meetings_added) == (29, 6)
    assert (second.settings_added, second.meetings_added) == (0, 0)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Setting)).one() == 29
        deadlines = session.exec(select(Meeting.deadline).order_by(Meeting.day)).all()
    assert deadlines[1] == datetime(2025, 12, 4, 23, 59, tzinfo=LONDON)


def test_a_roster_with_one_bad_entry_imports_nothing(engine: Engine) -> None:
    seed_file(engine, CENTRAL, NOW)
    entries = [
        Entry("Good", "good@example.org", "aad-good", Role.SENCO, "Central", "Etruscan Primary School"),
        Entry("Bad", "bad@example.org", "aad-bad", Role.SENCO, "Central", "Nowhere School"),
    ]
    with pytest.raises(RosterError) as refused:
        import_entries(engine, entries, NOW, "test")
    assert refused.value.problems == ["line 3: no setting 'Nowhere School' in the Central cluster"]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 0
        assert session.exec(select(func.count()).select_from(RoleAssignment)).one() == 0


def test_a_person_is_recognised_by_their_teams_id_with_their_roles(engine: Engine) -> None:
    seed_file(engine, CENTRAL, NOW)
    import_entries(
        engine,
        [
            Entry("Sam", "sam@example.org", "aad-sam", Role.SENCO, "Central", "Etruscan Primary School"),
            Entry("Sam", "sam@example.org", "aad-sam", Role.CHAIR, "Central", None),
        ],
        NOW,
        "test",
    )
    with Session(engine) as session:
        actor = identify(session, "aad-sam", "Sam from Teams")
        stranger = identify(session, "aad-unknown", "Who")
    assert actor.person_id is not None
    assert {g.describe() for g in actor.grants} == {
        "SENCO of Etruscan Primary School (Central)",
        "Chair, Central cluster",
    }
    assert stranger.person_id is None and stranger.grants == frozenset()


def test_a_conversation_reference_survives_as_json_and_a_reinstall_counts_as_new(engine: Engine) -> None:
    info = ConversationInfo(
        conversation_id="a:1",
        kind="personal",
        service_url="https://smba.example/uk/",
        tenant_id="t",
        bot_id="28:bot",
        aad_object_id="aad-1",
        team_id=None,
        channel_id=None,
        reference={"conversation": {"id": "a:1"}, "serviceUrl": "https://smba.example/uk/"},
    )
    assert remember_conversation(engine, info, NOW, "test") is True
    assert remember_conversation(engine, info, NOW, "test") is False
    with Session(engine) as session:
        ref = session.exec(select(ConversationRef)).one()
        assert ref.reference["conversation"]["id"] == "a:1"
        assert ref.updated_at == NOW
        ref.installed = False
        session.add(ref)
        session.commit()
    assert remember_conversation(engine, info, NOW, "test") is True

"""usecases.meeting_day.register, on SQLite and PostgreSQL: one line per person, capacity from grants, the check.

And cluster.register's reading of those lines (each setting's line, the substitutes, an item's kept record).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.attendance import Attendee, AttendsAs, Presence, RecusedBecause, Standing
from cluster.register import QuorumRecord, attendance_pairs, register_of
from cluster.roles import Grant, Role
from store.db import transaction
from store.models import Attendance, Setting
from tests.support.two_clusters import NOW, build_scene
from usecases.meeting_day import register
from usecases.meeting_day.ballots import cluster_settings
from usecases.meeting_day.meeting_rows import load_item


def test_the_keys_of_a_line() -> None:
    assert register.who_person(7) == "person:7"
    assert register.who_teams_user("abc-123") == "aad:abc-123"
    assert register.who_named("  Theo   TEAM ") == register.who_named("theo team") == "name:theo team"


def test_capacity_from_grants() -> None:
    senco = Grant(Role.SENCO, cluster_id=1, setting_id=5)
    other_senco = Grant(Role.SENCO, cluster_id=1, setting_id=3)
    chair = Grant(Role.CHAIR, cluster_id=1)
    assert register.capacity([chair, senco, other_senco], 1) == (AttendsAs.SENCO, 3), "the lowest setting"
    assert register.capacity([senco], 1, substitute_for=9) == (AttendsAs.SUBSTITUTE, 9)
    assert register.capacity([chair], 1) == (AttendsAs.CHAIR, None)
    assert register.capacity([Grant(Role.DELEGATE, cluster_id=1, setting_id=4)], 1) == (AttendsAs.DELEGATE, 4)
    assert register.capacity([Grant(Role.COUNCIL_OFFICER)], 1) == (AttendsAs.OFFICER, None)
    assert register.capacity([Grant(Role.SENCO, cluster_id=2, setting_id=8)], 1) == (AttendsAs.OTHER, None)


@pytest.fixture
def meeting(engine: Engine, tmp_path: Path) -> tuple[int, int, dict[str, int], int]:
    """Central's started meeting, its open item, its settings by name, and a later meeting nobody is on yet."""
    scene = build_scene(engine, tmp_path)
    with Session(engine) as session:
        settings = {
            s.name: s.id or 0
            for s in session.exec(select(Setting).where(Setting.cluster_id == scene.central.cluster_id))
        }
    return scene.central.meeting, scene.central.item, settings, scene.central.later_meeting


def test_a_line_is_set_once_and_changed_only_by_a_different_word(
    engine: Engine, meeting: tuple[int, int, dict[str, int], int]
) -> None:
    _, _, settings, meeting_id = meeting
    setting = next(iter(settings.values()))
    line = register.Line(register.who_person(1), "Sam Senco", AttendsAs.SENCO, setting, 1)
    guest = register.Line(register.who_named("Guest"), "Guest", AttendsAs.OTHER)
    with transaction(engine) as session:
        assert register.set_presence(session, meeting_id, line, Presence.APOLOGIES, "self", NOW)
        assert not register.set_presence(session, meeting_id, line, Presence.APOLOGIES, "teams", NOW)
        assert register.set_presence(session, meeting_id, guest, Presence.PRESENT, "roll_call", NOW)
        later = NOW + timedelta(minutes=5)
        assert register.set_presence(session, meeting_id, line, Presence.PRESENT, "teams", later), "the later word"
        assert register.attendees(session, meeting_id) == [
            Attendee("Sam Senco", AttendsAs.SENCO, Presence.PRESENT, setting, 1),
            Attendee("Guest", AttendsAs.OTHER, Presence.PRESENT, None, None),
        ]
    with Session(engine) as session:
        rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        assert sorted((r.who, r.source) for r in rows) == [("name:guest", "roll_call"), ("person:1", "teams")]


def test_an_items_check_and_what_it_keeps(engine: Engine, meeting: tuple[int, int, dict[str, int], int]) -> None:
    meeting_id, item_id, settings, _ = meeting
    with transaction(engine) as session:
        for name, setting_id in sorted(settings.items()):  # one voter each, by name (a dial-in, say)
            line = register.Line(register.who_named(name), f"For {name}", AttendsAs.SENCO, setting_id)
            register.set_presence(session, meeting_id, line, Presence.PRESENT, "self", NOW)
        rows = load_item(session, item_id)
        names = cluster_settings(session, rows.meeting.cluster_id)
        referring = names.names and next(s for s, n in names.names.items() if n == "Etruscan Primary School")
        presence = register.item_presence(session, rows, names, referring, frozenset())
        kept = register.quorum_record(presence, names.names)
    assert presence.present == frozenset(settings.values())
    assert presence.recusals[referring] is RecusedBecause.OWN_REFERRAL
    assert presence.check.present == len(settings) and presence.check.recused == len(presence.recusals)
    assert kept["line"] == presence.check.line()
    assert "Etruscan Primary School" in kept["recused"]  # type: ignore[operator]
    record = QuorumRecord.read(kept)
    assert record is not None and record.line == presence.check.line()
    assert ("Etruscan Primary School", RecusedBecause.OWN_REFERRAL.value) in record.recused


def test_the_register_as_read_each_setting_its_line() -> None:
    people = [
        Attendee("Sam", AttendsAs.SENCO, Presence.PRESENT, 1, 1),
        Attendee("Wendy", AttendsAs.SENCO, Presence.APOLOGIES, 2, 2),
        Attendee("Pat", AttendsAs.SUBSTITUTE, Presence.LEFT, 3, 3),
        Attendee("Chris", AttendsAs.CHAIR, Presence.PRESENT, None, 4),
    ]
    kept = register_of({1: "Abbey", 2: "Birches", 3: "Carmountside"}, people, {3: "Pat (confirmed)"})
    assert [(s.setting, s.standing) for s in kept.settings] == [
        ("Abbey", Standing.PRESENT),
        ("Birches", Standing.APOLOGIES),
        ("Carmountside", Standing.ABSENT),
    ]
    assert kept.settings[0].line() == "Present: Sam (SENCO)"
    assert kept.others == ("Chris (Chair)",)
    assert kept.substitutes == ("Carmountside: Pat (confirmed)",)
    assert kept.summary() == "1 setting present, 1 with apologies, 1 absent"
    assert dict(attendance_pairs(kept))["Absent"] == "Carmountside"


def test_a_kept_record_of_another_shape_reads_as_what_it_holds() -> None:
    assert QuorumRecord.read(None) is None
    assert QuorumRecord.read({"present": "not a list", "line": 3}) == QuorumRecord()

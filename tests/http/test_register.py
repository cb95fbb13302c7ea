"""The meeting's register through /api/messages: apologies, "I'm here", the roll call, substitutes, the minutes.

Runs on SQLite and PostgreSQL in the meeting room (Central, its referrals accepted onto 11 December 2025).
"""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards import verbs
from cluster import keys
from cluster.roles import Role
from store.models import Attendance, AuditEvent, Cluster, Meeting, Person, Setting, Substitute
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import MEETING_DAY, MEETING_ID, VOTERS, Room, meeting_room, start_meeting
from usecases.clusters import add_cluster
from usecases.people import identify

ETRUSCAN, WATERSIDE = "Etruscan Primary School", "Waterside Primary School"


def shown(answer: dict[str, Any]) -> str:
    """What a click's answer shows: a card's JSON, or the line of text Teams shows."""
    return json.dumps(answer.get("value"))


async def say(room: Room, who: tuple[str, str], text: str, channel: bool = False) -> str:
    """Type a command (in personal chat, or mentioning the bot in the channel); everything sent back there."""
    before = len(room.connector.calls)
    if channel:
        activity = act.channel_message(room.connector.url, *who, text)
    else:
        activity = act.personal_message(room.connector.url, *who, text)
    assert (await room.bot.post(activity)).status == 200
    await room.connector.wait_for(before + 1)
    return "\n".join(json.dumps(c.body) for c in room.connector.calls[before:])


def lines(engine: Engine) -> list[tuple[str, str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Attendance).where(Attendance.meeting_id == MEETING_ID).order_by(col(Attendance.id)))
        return [(a.name, a.attends_as, a.presence, a.source) for a in rows]


def audited(engine: Engine, action: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def setting_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Setting.id).where(Setting.name == name)).first()
        assert found is not None
        return found


async def test_apologies_by_command_and_from_the_morning_post_and_refused_once_the_meeting_has_ended(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        said = await say(room, SENCO, "apologies")
        assert f"Apologies sent for {ETRUSCAN}" in said and "11 December 2025" in said
        # The meeting-morning post's button, clicked by the other SENCO (twice: one line, one audit line).
        click = room.click_activity(SENCO_2, verbs.REGISTER_APOLOGIES, {"meeting_id": MEETING_ID})
        for _ in range(2):
            assert f"Apologies sent for {WATERSIDE}" in shown(await room.post(click))
        assert lines(room.engine) == [
            ("Sam Senco", "senco", "apologies", "self"),
            ("Wendy Waterside", "senco", "apologies", "self"),
        ]
        assert audited(room.engine, "register.apologies") == 2

        roll = await say(room, CHAIR, "roll call", channel=True)
        assert "0 settings present, 2 with apologies" in roll

        await start_meeting(room, present=False)
        await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
        late = await room.click(SENCO, verbs.REGISTER_APOLOGIES, {"meeting_id": MEETING_ID})
        assert "This meeting has ended" in shown(late)


async def test_im_here_twice_is_one_line_and_the_minutes_show_the_register(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        early = await room.click(SENCO, verbs.REGISTER_HERE, {"meeting_id": MEETING_ID})
        assert "The register opens on the meeting's day." in shown(early)
        await say(room, SENCO_2, "apologies")
        await start_meeting(room, present=False)
        here = room.click_activity(SENCO, verbs.REGISTER_HERE, {"meeting_id": MEETING_ID})
        for _ in range(2):  # Teams delivers a click twice
            assert f"present, as SENCO for {ETRUSCAN}" in shown(await room.post(here))
        chair = await room.click(CHAIR, verbs.REGISTER_HERE, {"meeting_id": MEETING_ID})
        assert "present, as Chair" in shown(chair)
        assert [line[:3] for line in lines(room.engine)] == [
            ("Wendy Waterside", "senco", "apologies"),
            ("Sam Senco", "senco", "present"),
            ("Chris Chair", "chair", "present"),
        ]
        assert audited(room.engine, "register.here") == 2

        await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
        await room.settle()
        minutes = await say(room, CHAIR, "minutes", channel=True)
        assert "Attendance" in minutes
        assert f"{ETRUSCAN}: Sam Senco (SENCO)" in minutes
        assert WATERSIDE in minutes.split('"Apologies"')[1].split("}")[0]
        assert "Chris Chair (Chair)" in minutes


async def test_the_roll_call_marks_settings_and_adds_people_by_name_each_click_audited(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        await start_meeting(room, present=False)
        card = await say(room, CHAIR, "roll call", channel=True)
        assert "Roll call: Central cluster" in card and f"Mark {WATERSIDE} present" in card
        waterside = setting_id(room.engine, WATERSIDE)
        mark = {"meeting_id": MEETING_ID, "setting_id": waterside, "presence": "present"}
        for _ in range(2):
            answer = shown(await room.click(ADMIN, verbs.ROLL_CALL_MARK, mark))
            assert "Present: Wendy Waterside (SENCO)" in answer and f"Mark {WATERSIDE} absent" in answer
        add = {"meeting_id": MEETING_ID, "attendee_name": "  Theo   Team ", "attends_as": "tac"}
        answer = shown(await room.click(CHAIR, verbs.ROLL_CALL_ADD, add))
        assert "Theo Team (Team around the cluster)" in answer
        await room.click(CHAIR, verbs.ROLL_CALL_ADD, {**add, "attendee_name": "theo team"})  # the same person
        answer = shown(await room.click(CHAIR, verbs.ROLL_CALL_MARK, {**mark, "presence": "absent"}))
        assert f"Mark {WATERSIDE} present" in answer
        assert lines(room.engine) == [
            ("Wendy Waterside", "senco", "left", "roll_call"),
            ("Theo Team", "tac", "present", "roll_call"),
        ]
        assert audited(room.engine, "register.mark") == 2 and audited(room.engine, "register.add") == 1
        # An empty name comes back on the form, beside its field.
        mistake = shown(await room.click(CHAIR, verbs.ROLL_CALL_ADD, {**add, "attendee_name": " "}))
        assert "Type the attendee's name." in mistake
        # A SENCO may not take the roll call.
        refused = shown(await room.click(SENCO, verbs.ROLL_CALL_MARK, mark))
        assert "Only the chair, an acting chair or an admin can take the roll call." in refused


async def test_a_forged_meeting_of_another_cluster_is_refused(engine: Engine, connector: FakeConnector) -> None:
    async with meeting_room(engine, connector) as room:
        now = room.clock.now()
        add_cluster(room.engine, "North", "NTH", now)
        with Session(room.engine) as session:
            north_id = session.exec(select(Cluster.id).where(Cluster.name == "North")).one()
            meeting = Meeting(
                cluster_id=north_id,
                day=date(2025, 12, 11),
                start=time(9, 30),
                end=time(12, 0),
                deadline=MEETING_DAY - timedelta(days=7),
            )
            session.add(meeting)
            session.commit()
            forged = meeting.id
        before = lines(room.engine)
        for who, verb, data, refusal in (
            (SENCO, verbs.REGISTER_APOLOGIES, {}, "Only a setting's SENCO or delegate can send its apologies."),
            (CHAIR, verbs.ROLL_CALL, {}, "Only the chair, an acting chair or an admin can take the roll call."),
            (SENCO, verbs.SUBSTITUTE_FORM, {}, "Only a setting's SENCO can name a substitute for it."),
        ):
            answer = await room.click(who, verb, {"meeting_id": forged, **data})
            assert refusal in shown(answer), verb
        assert lines(room.engine) == before


async def test_substitutes_a_known_person_at_once_an_email_confirmed_by_the_admin_and_withdrawn(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        form = await say(room, SENCO, "substitute")
        assert f"Substitute for {ETRUSCAN}" in form and '"title": "Voter 0"' in form
        assert '"title": "Sam Senco"' not in form, "not the SENCO themself"
        with Session(room.engine) as session:
            voter = identify(session, *VOTERS[0])
        assert voter.person_id is not None
        name = {"meeting_id": MEETING_ID, "substitute_person": str(voter.person_id)}
        for _ in range(2):  # a doubled click names them once
            answer = shown(await room.click(SENCO, verbs.SUBSTITUTE_NAME, name))
            assert "Voter 0 (confirmed)" in answer and "Withdraw the substitute" in answer
        with Session(room.engine) as session:
            row = session.exec(select(Substitute)).one()
            grants = identify(session, *VOTERS[0]).grants
        assert any(g.role is Role.SUBSTITUTE and g.meeting_id == MEETING_ID for g in grants)
        # Owed once however often the click came (Voter 0 has no chat with the bot yet: it goes to the admins).
        assert room.notices_owed("notice:substitute:")[:1] == [
            keys.for_person(keys.substitute(row.id or 0, "named"), voter.person_id)
        ]

        # Wendy names a colleague by e-mail: the admin is asked to confirm; nobody votes until then.
        email = {
            "meeting_id": MEETING_ID,
            "substitute_email": "pat@waterside.example",
            "substitute_name": "Pat Partner",
        }
        answer = shown(await room.click(SENCO_2, verbs.SUBSTITUTE_NAME, email))
        assert "Pat Partner (awaiting the admin's confirmation)" in answer
        await room.settle()
        assert room.told(ADMIN, "A substitute to confirm", "Pat Partner (pat", "waterside.example)")
        waterside = setting_id(room.engine, WATERSIDE)
        confirm = {"meeting_id": MEETING_ID, "setting_id": waterside}
        refused = shown(await room.click(SENCO, verbs.SUBSTITUTE_CONFIRM, confirm))
        assert "Only the cluster's admin can confirm a substitute." in refused
        for _ in range(2):
            said = shown(await room.click(ADMIN, verbs.SUBSTITUTE_CONFIRM, confirm))
            assert f"Pat Partner is confirmed as the substitute for {WATERSIDE}" in said
        with Session(room.engine) as session:
            pat = session.exec(select(Person).where(Person.email == "pat@waterside.example")).one()
            confirmed = session.exec(select(Substitute).where(Substitute.person_id == pat.id)).one()
        assert pat.aad_object_id is None and confirmed.confirmed_at is not None
        assert audited(room.engine, "substitute.confirm") == 1

        # Sam withdraws Voter 0, who is told.
        answer = shown(await room.click(SENCO, verbs.SUBSTITUTE_WITHDRAW, {"meeting_id": MEETING_ID}))
        assert '"Nobody"' in answer
        with Session(room.engine) as session:
            assert session.exec(select(Substitute).where(Substitute.setting_id != waterside)).first() is None
        assert keys.for_person(keys.substitute(row.id or 0, "withdrawn"), voter.person_id) in room.notices_owed()
        assert audited(room.engine, "substitute.withdraw") == 1

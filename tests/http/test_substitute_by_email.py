"""A substitute named by e-mail address becomes someone the bot knows the first time they write to it, through
/api/messages: Teams says their address (the members call), and the person row made for it takes their Teams id.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.roles import Role
from store.models import AuditEvent, Person
from tests.conftest import ADMIN, SENCO_2
from tests.http.test_register import WATERSIDE, setting_id
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import MEETING_ID, Room, meeting_room
from usecases.people import identify

PAT = ("00000000-0000-0000-0000-00000000pa7", "Pat Partner")
STRANGER = ("00000000-0000-0000-0000-0000000057a", "Stan Stranger")


async def write(room: Room, who: tuple[str, str], text: str) -> str:
    """Type in personal chat; everything the bot sent back there."""
    before = len(room.connector.calls)
    assert (await room.bot.post(act.personal_message(room.connector.url, *who, text))).status == 200
    await room.connector.wait_for(before + 1)
    return "\n".join(json.dumps(c.body) for c in room.connector.calls[before:])


async def name_pat(room: Room, confirm: bool) -> None:
    """Wendy (Waterside's SENCO) names Pat by e-mail address; the admin confirms when asked to."""
    email = {"meeting_id": MEETING_ID, "substitute_email": "pat@waterside.example", "substitute_name": "Pat Partner"}
    await room.click(SENCO_2, verbs.SUBSTITUTE_NAME, email)
    if confirm:
        confirmed = {"meeting_id": MEETING_ID, "setting_id": setting_id(room.engine, WATERSIDE)}
        await room.click(ADMIN, verbs.SUBSTITUTE_CONFIRM, confirmed)


def linked(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.action == "person.linked")).all())


async def test_a_substitute_named_by_email_is_known_on_their_first_message_and_holds_the_substitute_role(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        # Nobody waits for a Teams id yet: a stranger's message asks Teams nothing.
        connector.add_member(*STRANGER, "stan@elsewhere.example")
        assert "not registered" in await write(room, STRANGER, "help")
        assert connector.member_asks == []

        await name_pat(room, confirm=True)
        # Teams spells the address its own way; it is the same address.
        connector.add_member(*PAT, "Pat@Waterside.example")
        answer = await write(room, PAT, "whoami")
        assert "not registered" not in answer, answer
        assert connector.member_asks == [f"29:{PAT[0]}"]
        with Session(room.engine) as session:
            pat = session.exec(select(Person).where(Person.email == "pat@waterside.example")).one()
            grants = identify(session, *PAT).grants
        assert pat.aad_object_id == PAT[0]
        waterside = setting_id(room.engine, WATERSIDE)
        assert [(g.role, g.setting_id, g.meeting_id) for g in grants if g.role is Role.SUBSTITUTE] == [
            (Role.SUBSTITUTE, waterside, MEETING_ID)
        ]
        assert linked(room.engine) == 1

        # Known from now on: Teams is not asked again; a stranger whose address is no substitute's stays one.
        await write(room, PAT, "whoami")
        assert connector.member_asks == [f"29:{PAT[0]}"]
        assert "not registered" in await write(room, STRANGER, "help")
        with Session(room.engine) as session:
            assert identify(session, *STRANGER).person_id is None
        assert linked(room.engine) == 1


async def test_teams_not_answering_leaves_them_a_stranger_until_they_write_again(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        await name_pat(room, confirm=False)
        assert "not registered" in await write(room, PAT, "help")  # Teams does not know them (404)
        connector.add_member(*PAT, "pat@waterside.example")
        answer = await write(room, PAT, "help")
        assert "not registered" not in answer, answer
        with Session(room.engine) as session:
            # Not confirmed yet: known, but not yet the substitute.
            assert not [g for g in identify(session, *PAT).grants if g.role is Role.SUBSTITUTE]
            assert identify(session, *PAT).person_id is not None

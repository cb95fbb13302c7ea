"""The wider team through /api/messages: a health representative at a cluster's meeting.

They see the agenda without any pupil's details, are on the register and in the minutes by the service they
represent, and cannot vote. Runs on SQLite and PostgreSQL in the meeting room (Central, 11 December 2025).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.roles import Role
from cluster.voting import NOT_A_VOTER
from store.models import Attendance
from tests.conftest import CHAIR, TEST_NOW
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import MEETING_ID, Room, meeting_room, start_meeting
from usecases.people import add_role
from usecases.roster import RosterError, add_service, export_csv, import_csv

HEALTH = ("aad-hana-health", "Dr Hana Health")
SOCIAL = ("aad-sol-social", "Sol Social")
PUPIL = "JS Year 4"  # the individual referral's pupil, as the agenda labels them


def shown(answer: dict[str, Any]) -> str:
    return json.dumps(answer.get("value"))


async def join(room: Room, who: tuple[str, str], service: str) -> None:
    add_role(room.engine, who[1], None, who[0], Role.OBSERVER, "Central", None, TEST_NOW, service=service)
    await room.bot.post(act.personal_install(room.connector.url, *who))


async def test_a_health_representative_sees_no_pupil_is_listed_by_service_and_cannot_vote(
    engine: Engine, connector: FakeConnector
) -> None:
    async with meeting_room(engine, connector) as room:
        await join(room, HEALTH, "health")
        add_service(room.engine, "Youth justice", TEST_NOW)
        await join(room, SOCIAL, "youth JUSTICE")
        await start_meeting(room)

        # The chair's own agenda names the pupil by initials and year; the health representative's does not.
        chair = await room.click(CHAIR, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID})
        assert PUPIL in shown(chair)
        theirs = await room.click(HEALTH, verbs.AGENDA_SHOW, {"meeting_id": MEETING_ID})
        assert theirs["type"] == "application/vnd.microsoft.card.adaptive"
        assert "CEN-2526-001" in shown(theirs) and PUPIL not in shown(theirs)

        # On the register as an observer; never a voter.
        here = await room.click(HEALTH, verbs.REGISTER_HERE, {"meeting_id": MEETING_ID})
        assert "present, as Observer" in shown(here)
        await room.click(SOCIAL, verbs.REGISTER_HERE, {"meeting_id": MEETING_ID})
        item = room.item("ipn")
        await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
        await room.settle()
        refused = await room.click(HEALTH, verbs.VOTE_CAST, {"item_id": item, "choice": "approve"})
        assert refused["value"] == NOT_A_VOTER
        vote = await room.click(HEALTH, verbs.VOTE_REFRESH, {"item_id": item})
        assert "CEN-2526-001" in shown(vote) and PUPIL not in shown(vote)
        with Session(room.engine) as session:
            attends = {a.name: a.attends_as for a in session.exec(select(Attendance))}
        assert attends[HEALTH[1]] == "observer" and attends[SOCIAL[1]] == "observer"

        # The minutes list the wider team by the service each represents.
        await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": MEETING_ID})
        await room.settle()
        minutes = await room.bot.post(act.channel_message(room.connector.url, *CHAIR, "minutes"))
        assert minutes.status == 200
        await room.settle()
        said = "\n".join(c.all_json() for c in room.connector.calls if "Wider team" in c.all_json())
        assert "Health: Dr Hana Health" in said and "Youth justice: Sol Social" in said
        also = said.split("Also present")[1].split("Wider team")[0]
        assert HEALTH[1] not in also


def test_the_roster_names_an_observers_service_and_refuses_one_on_another_role(engine: Engine, tmp_path: Any) -> None:
    from store.seed import CENTRAL, seed_file

    seed_file(engine, CENTRAL, TEST_NOW)
    good = tmp_path / "roster.csv"
    good.write_text(
        "name,email,aad_object_id,role,cluster,setting,service\n"
        "Early Eve,eve@council.example,,observer,Central,,early help\n",
        encoding="utf-8",
    )
    import_csv(engine, good, TEST_NOW)
    assert "Early Eve,eve@council.example,,observer,Central,,Early help" in export_csv(engine, TEST_NOW)

    for line, said in (
        ("Cara Chair,cara@council.example,,chair,Central,,Health", "line 2: only an observer names the service"),
        ("Una Known,una@council.example,,observer,Central,,Astrology", "line 2: unknown service 'Astrology'; use one"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(f"name,email,aad_object_id,role,cluster,setting,service\n{line}\n", encoding="utf-8")
        with pytest.raises(RosterError) as refused:
            import_csv(engine, bad, TEST_NOW)
        assert refused.value.problems[0].startswith(said), refused.value.problems

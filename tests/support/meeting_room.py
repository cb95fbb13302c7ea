"""A meeting room for HTTP tests: Central with four more voting settings, a quorum of 3, a budget, the bot
installed in the channel and in the referrers' personal chats, and referrals accepted onto 11 December 2025.

Everything is driven through the real /api/messages; the referrals are set up with the use cases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.http.app import NOTIFIER, create_app
from cards import verbs
from cluster.attendance import AttendsAs, Presence
from cluster.clock import LONDON, FixedClock
from cluster.commands.inputs import parse
from cluster.commands.referrals import OneReferral, SaveDetails, SaveRow, StartReferral
from cluster.roles import Role
from store.models import AgendaItem, Attendance, Decision, Meeting, Outbox, Person, RoleAssignment, Setting
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, SENCO_2, TEST_NOW, Bot
from tests.support import activities as act
from tests.support.fake_connector import Call, FakeConnector
from tests.support.referral_flow import GOOD_DISCUSSION, GOOD_EHCP, GOOD_INDIVIDUAL, ROW_1, ROW_2
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.budget import set_budget
from usecases.meeting_day import register
from usecases.meetings import set_voting_rules
from usecases.people import identify
from usecases.roster import Entry, import_entries

MEETING_DAY = datetime(2025, 12, 11, 10, 0, tzinfo=LONDON)
MEETING_ID = 2  # Autumn 2, 11 December 2025
VOTER_SETTINGS = ("Abbey Hulton Primary School", "Birches Head Academy", "Eaton Park Academy", "Grove Academy")
VOTERS = [(f"aad-voter-{i}", f"Voter {i}") for i in range(len(VOTER_SETTINGS))]
CHANNEL_CONVERSATION = {"conversationType": "channel", "id": act.CHANNEL_ID, "isGroup": True, "tenantId": act.TENANT}
KINDS = {"ipn": ("individual", SENCO), "ehcp": ("ehcp", SENCO), "talk": ("discussion", SENCO_2)}


def draft_referral(engine: Engine, kind: str, who: tuple[str, str], key: str, now: datetime) -> int:
    """A complete referral of ``kind`` by ``who``, submitted; returns its id."""
    with Session(engine) as session:
        person = identify(session, *who)
    answers = {"individual": GOOD_INDIVIDUAL, "ehcp": {**GOOD_EHCP, "amount": "1950"}, "discussion": GOOD_DISCUSSION}
    draft = uc.start(engine, person, StartReferral(setting_id=uc.picker(person)[0][0], kind=kind, once=key), now)
    uc.save_details(engine, person, SaveDetails(referral_id=draft.id, answers=answers[kind]), now)
    if kind == "individual":
        uc.add_row(engine, person, parse(SaveRow, {**ROW_1, "referral_id": draft.id}), now)
        uc.add_row(engine, person, parse(SaveRow, {**ROW_2, "referral_id": draft.id}), now)
    submit_shown(engine, person, draft.id, now)
    return draft.id


def accept_referrals(engine: Engine, count: int, now: datetime) -> list[int]:
    """``count`` more referrals (individual, EHCP and discussion in turn, by both referrers), accepted at ``now``."""
    with Session(engine) as session:
        admin = identify(session, *ADMIN)
    ids = []
    for number in range(count):
        kind, who = list(KINDS.values())[number % len(KINDS)]
        referral_id = draft_referral(engine, kind, who, f"more-{now:%Y%m%d}-{number}", now)
        checks.accept(engine, admin, OneReferral(referral_id=referral_id), now)
        ids.append(referral_id)
    return ids


@dataclass
class Room:
    """The bot, its database and clock, and the people clicking."""

    bot: Bot
    engine: Engine
    clock: FixedClock
    app: web.Application
    referrals: dict[str, int]

    @property
    def connector(self) -> FakeConnector:
        return self.bot.connector

    def click_activity(self, who: tuple[str, str], verb: str, data: dict[str, Any]) -> dict[str, Any]:
        """One click on a channel card, as Teams posts it (post it twice to deliver it twice)."""
        activity = act.card_click(self.connector.url, *who, verb, data, conversation=CHANNEL_CONVERSATION)
        activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
        return activity

    async def post(self, activity: dict[str, Any]) -> dict[str, Any]:
        response = await self.bot.post(activity)
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body

    async def click(self, who: tuple[str, str], verb: str, data: dict[str, Any]) -> dict[str, Any]:
        return await self.post(self.click_activity(who, verb, data))

    async def settle(self) -> None:
        """Wait until what the clicks owed has been delivered."""
        await self.app[NOTIFIER].drain()

    def item(self, name: str) -> int:
        with Session(self.engine) as session:
            item = session.exec(select(AgendaItem).where(AgendaItem.referral_id == self.referrals[name])).first()
            assert item is not None and item.id is not None
            return item.id

    def told(self, who: tuple[str, str], *texts: str) -> list[Call]:
        """What reached ``who``'s personal chat carrying every one of ``texts``."""
        calls = self.connector.sent_to(act.personal_conversation(who[0]))
        return [c for c in calls if all(t in c.all_json() for t in texts)]

    def decisions(self) -> list[Decision]:
        with Session(self.engine) as session:
            return list(session.exec(select(Decision)))

    def notices_owed(self, prefix: str = "notice:") -> list[str]:
        """Keys of the notices owed so far, in the order they were owed."""
        with Session(self.engine) as session:
            # Without ORDER BY PostgreSQL returns rows in heap order, which an UPDATE (a send) changes.
            rows = session.exec(select(Outbox).order_by(Outbox.id))  # type: ignore[arg-type]
            return [row.key for row in rows if row.key.startswith(prefix)]


@asynccontextmanager
async def meeting_room(
    engine: Engine, connector: FakeConnector, accepted: bool = True, linked: bool = True
) -> AsyncIterator[Room]:
    """The room on ``engine`` (an empty, migrated database), with the meeting not yet started.

    Without ``linked`` the bot is installed in the team but nobody has linked the channel to the cluster.
    """
    clock = FixedClock(TEST_NOW)
    now = clock.now()
    seed_file(engine, CENTRAL, now)
    import_entries(engine, ROSTER, now, "test")
    import_entries(
        engine,
        [
            Entry(name, None, aad, Role.SENCO, "Central", s)
            for (aad, name), s in zip(VOTERS, VOTER_SETTINGS, strict=True)
        ],
        now,
        "test",
    )
    set_voting_rules(engine, "Central", now, quorum=3, same_trust_recusal=None)
    set_budget(engine, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [5000000, 0, 0, 0], now)
    with Session(engine) as session:
        admin = identify(session, *ADMIN)
    ids = {name: draft_referral(engine, kind, who, f"key-{name}", now) for name, (kind, who) in KINDS.items()}
    if accepted:
        for referral_id in ids.values():
            checks.accept(engine, admin, OneReferral(referral_id=referral_id), now)
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=clock, engine=engine)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        bot = Bot(client, connector)
        room = Room(bot, engine, clock, app, ids)
        await bot.post(act.team_install(connector.url, *ADMIN))
        if linked:
            await bot.post(act.channel_message(connector.url, *ADMIN, "link cluster Central"))
        for who in (SENCO, SENCO_2, ADMIN):
            await bot.post(act.personal_install(connector.url, *who))
        await room.settle()
        yield room
        await room.settle()
    finally:
        await client.close()


def everyone_present(
    engine: Engine, meeting_id: int, now: datetime | None = None, *, but: tuple[tuple[str, str], ...] = ()
) -> None:
    """Put every setting of the meeting's cluster on its register as present, by its SENCOs and delegates.

    So an item may open (the quorum is taken from who is present) and each setting's vote counts. A setting
    with no SENCO or delegate known to the bot is present by name (as the chair's roll call adds a dial-in
    SENCO). ``but`` leaves those people (aad id, name) off. Straight through ``register.set_presence`` (as
    the Teams meeting's join events or the roll call would), not through a click.
    """
    left_off = {aad for aad, _ in but}
    at = now or TEST_NOW
    with Session(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        settings = session.exec(select(Setting).where(Setting.cluster_id == meeting.cluster_id)).all()
        voters = session.exec(
            select(Person, RoleAssignment)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)  # type: ignore[arg-type]
            .where(RoleAssignment.setting_id.in_([s.id for s in settings]))  # type: ignore[union-attr]
            .where(RoleAssignment.role.in_((Role.SENCO.value, Role.DELEGATE.value)))  # type: ignore[attr-defined]
            .order_by(Person.id)  # type: ignore[arg-type]
        ).all()
        known: set[int | None] = set()
        for person, assignment in voters:
            known.add(assignment.setting_id)
            if person.aad_object_id in left_off or person.id is None:
                continue
            attends_as = AttendsAs.SENCO if assignment.role == Role.SENCO.value else AttendsAs.DELEGATE
            who = register.who_person(person.id)
            line = register.Line(who, person.name, attends_as, assignment.setting_id, person.id)
            register.set_presence(session, meeting_id, line, Presence.PRESENT, "roll_call", at)
        for setting in settings:
            if setting.id not in known:
                name = f"SENCO of {setting.name}"
                line = register.Line(register.who_named(name), name, AttendsAs.SENCO, setting.id)
                register.set_presence(session, meeting_id, line, Presence.PRESENT, "roll_call", at)
        session.commit()


def set_present(engine: Engine, meeting_id: int, who: tuple[str, str], presence: Presence, now: datetime) -> None:
    """Change one known person's line on the register (present, left), keeping the capacity they attend in."""
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.aad_object_id == who[0])).one()
        found = session.exec(
            select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.person_id == person.id)
        ).one()
        line = register.Line(found.who, found.name, AttendsAs(found.attends_as), found.setting_id, found.person_id)
        register.set_presence(session, meeting_id, line, presence, "teams", now)
        session.commit()


def on_its_day(engine: Engine, meeting_id: int) -> datetime:
    """10:00 London time on the meeting's day: when a chair may start it (a meeting keeps to its day)."""
    with Session(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        return datetime.combine(meeting.day, time(10, 0), tzinfo=LONDON)


async def post_agenda(room: Room) -> None:
    """The chair posts the agenda (which lists the accepted referrals as items)."""
    assert (await room.bot.post(act.channel_message(room.connector.url, *CHAIR, "agenda"))).status == 200
    await room.settle()


async def start_meeting(room: Room, present: bool = True) -> None:
    """The chair posts the agenda and, on the day, starts the meeting (every setting present, unless not)."""
    await post_agenda(room)
    room.clock.set(MEETING_DAY)
    if present:
        everyone_present(room.engine, MEETING_ID, MEETING_DAY)
    await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": MEETING_ID})
    await room.settle()

"""A whole meeting run in the channel through /api/messages: agenda, votes, decisions, budget, minutes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.http.app import NOTIFIER
from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.commands.inputs import parse
from cluster.commands.referrals import OneReferral, SaveDetails, SaveRow, StartReferral, SubmitReferral
from cluster.roles import Role
from store.models import AgendaItem, AuditEvent, Decision, Referral
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, TAC, Bot
from tests.support import activities as act
from tests.support.meeting_room import everyone_present
from tests.support.referral_flow import GOOD_DISCUSSION, GOOD_EHCP, GOOD_INDIVIDUAL, ROW_1, ROW_2
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.budget import set_budget
from usecases.meetings import set_voting_rules
from usecases.people import identify
from usecases.roster import Entry, import_entries

MORE_SETTINGS = [
    "Abbey Hulton Primary School",
    "Birches Head Academy",
    "Carmountside Primary School",
    "Eaton Park Academy",
    "Forest Park Primary School",
    "Grove Academy",
    "Hamilton Academy",
]
MEMBERS = [SENCO, SENCO_2] + [(f"aad-senco-{i}", f"Senco {name.split()[0]}") for i, name in enumerate(MORE_SETTINGS)]
MEETING_DAY = datetime(2025, 12, 11, 10, 0, tzinfo=LONDON)
CHANNEL_CONVERSATION = {"conversationType": "channel", "id": act.CHANNEL_ID, "isGroup": True, "tenantId": act.TENANT}


@pytest.fixture
def meeting(central: Engine, clock: FixedClock) -> dict[str, int]:
    """Seven more SENCOs, a budget, a quorum of 6, and three referrals accepted onto 11 December 2025."""
    now = clock.now()
    import_entries(
        central,
        [
            Entry(name, None, aad, Role.SENCO, "Central", setting)
            for (aad, name), setting in zip(MEMBERS[2:], MORE_SETTINGS, strict=True)
        ],
        now,
        "test",
    )
    set_voting_rules(central, "Central", now, quorum=6, same_trust_recusal=None)
    # £20,000 spendable (reserve £5,000 on top, within the £25,000 total)
    set_budget(
        central,
        "test",
        "Central",
        "2025/26",
        date(2025, 9, 1),
        date(2026, 8, 31),
        [2000000, 300000, 200000, 500000],
        now,
    )
    ids = {}
    with Session(central) as session:
        sam = identify(session, *SENCO)
        wendy = identify(session, *SENCO_2)
        admin = identify(session, *ADMIN)
    for name, person, kind, answers in (
        ("ipn", sam, "individual", GOOD_INDIVIDUAL),
        ("talk", wendy, "discussion", GOOD_DISCUSSION),
        ("ehcp", wendy, "ehcp", {**GOOD_EHCP, "amount": "19500"}),
    ):
        setting = uc.picker(person)[0][0]
        draft = uc.start(central, person, StartReferral(setting_id=setting, kind=kind, once=f"key-{name}"), now)
        uc.save_details(central, person, SaveDetails(referral_id=draft.id, answers=answers), now)
        if kind == "individual":
            uc.add_row(central, person, parse(SaveRow, {**ROW_1, "referral_id": draft.id}), now)
            uc.add_row(central, person, parse(SaveRow, {**ROW_2, "referral_id": draft.id}), now)
        version = uc.open_for_edit(central, person, OneReferral(referral_id=draft.id), now).version
        uc.submit(central, person, SubmitReferral(referral_id=draft.id, version=version), now)
        checks.accept(central, admin, OneReferral(referral_id=draft.id), now)
        ids[name] = draft.id
    return ids


class Channel:
    """People in the channel clicking the shared cards."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def say(self, who: tuple[str, str], text: str) -> None:
        response = await self.bot.post(act.channel_message(self.bot.connector.url, *who, text))
        assert response.status == 200

    async def click(self, who: tuple[str, str], verb: str, data: dict[str, Any]) -> dict[str, Any]:
        activity = act.card_click(self.bot.connector.url, *who, verb, data, conversation=CHANNEL_CONVERSATION)
        activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
        response = await self.bot.post(activity)
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body

    async def settle(self) -> None:
        app = self.bot.client.server.app
        await app[NOTIFIER].drain()


def item_of(engine: Engine, referral_id: int) -> int:
    with Session(engine) as session:
        item = session.exec(select(AgendaItem).where(AgendaItem.referral_id == referral_id)).first()
        assert item is not None and item.id is not None
        return item.id


def text_of(body: dict[str, Any]) -> str:
    return json.dumps(body.get("value"), ensure_ascii=False)


async def test_a_whole_meeting_runs_in_the_channel(
    bot: Bot, central: Engine, clock: FixedClock, meeting: dict[str, int]
) -> None:
    room = Channel(bot)
    # The admin installs the bot in the team and links the channel; the referrers have personal chats.
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await room.say(ADMIN, "link cluster Central")
    for who in (SENCO, SENCO_2):
        await bot.post(act.personal_install(bot.connector.url, *who))
    await room.settle()
    before = len(bot.connector.calls)

    # A week before, the chair posts the agenda; posting it again later replaces it.
    await room.say(CHAIR, "agenda")
    await room.settle()
    await room.say(CHAIR, "agenda")
    await room.settle()
    posted = bot.connector.calls[before:]
    agenda_posts = [c for c in posted if c.method == "POST" and "Agenda" in c.all_json()]
    agenda_updates = [c for c in posted if c.method == "PUT" and "Agenda" in c.all_json()]
    assert len(agenda_posts) == 1 and len(agenda_updates) == 1
    agenda = agenda_posts[0].all_json()
    assert "CEN-2526-001" in agenda and "CEN-2526-003" in agenda and "JS Year 4" in agenda
    refusal = await room.click(SENCO, verbs.MEETING_START, {"meeting_id": 2})
    assert refusal["type"] == "application/vnd.microsoft.activity.message"

    # On the day the chair starts the meeting and opens the first item.
    clock.set(MEETING_DAY)
    everyone_present(central, 2, MEETING_DAY)
    started = await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": 2})
    ipn_item = item_of(central, meeting["ipn"])
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ipn_item})
    await room.settle()
    vote_posts = [c for c in bot.connector.calls if c.method == "POST" and "Vote: CEN-2526-001" in c.all_json()]
    assert len(vote_posts) == 1 and ";messageid=" in vote_posts[0].conversation_id, "in the agenda's thread"
    assert started["type"] == "application/vnd.microsoft.card.adaptive"

    # Sam cannot vote on her own school's referral; the others vote, one changes their mind.
    refused = await room.click(SENCO, verbs.VOTE_CAST, {"item_id": ipn_item, "choice": "approve"})
    assert refused["value"] == "You cannot vote on your own school's referral."
    refused = await room.click(TAC, verbs.VOTE_CAST, {"item_id": ipn_item, "choice": "approve"})
    assert "the team around the cluster, admins and observers do not" in refused["value"]
    choices = ["approve"] * 5 + ["decline"] * 3
    for who, choice in zip(MEMBERS[1:], choices, strict=True):
        mine = await room.click(who, verbs.VOTE_CAST, {"item_id": ipn_item, "choice": choice})
        assert "You voted" in text_of(mine)
    await room.click(MEMBERS[-1], verbs.VOTE_CAST, {"item_id": ipn_item, "choice": "approve"})
    await room.click(MEMBERS[2], verbs.VOTE_INTEREST, {"item_id": ipn_item})
    await room.settle()
    shared = [c for c in bot.connector.calls if c.method == "PUT" and "Vote: CEN-2526-001" in c.all_json()][-1]
    assert "Approve 5" in shared.all_json() and "Decline 2" in shared.all_json(), shared.all_json()[:3000]
    closed = await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": ipn_item})
    assert "Approved" in text_of(closed)
    again = await room.click(MEMBERS[3], verbs.VOTE_CAST, {"item_id": ipn_item, "choice": "decline"})
    assert again["value"] == "This vote is closed."
    decided = await room.click(
        CHAIR,
        verbs.DECISION_RECORD,
        {"item_id": ipn_item, "outcome": "approved", "schedule": "termly", "review_date": "2026-07-17"},
    )
    assert "£888.47" in text_of(decided) or "£988.47" in text_of(decided)

    # The discussion asks for no money and is not voted on: the chair records the advice from the agenda.
    talk_item = item_of(central, meeting["talk"])
    refused = await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": talk_item})
    assert "not voted on" in refused["value"]
    form = await room.click(CHAIR, verbs.DECISION_FORM, {"item_id": talk_item})
    assert "Advice only" in text_of(form) and "Approved" not in text_of(form)
    await room.click(
        CHAIR, verbs.DECISION_RECORD, {"item_id": talk_item, "outcome": "advice", "feedback": "Try a visual timetable."}
    )

    # The EHCP request would take commitments past the budget: refused with the figures, then deferred.
    ehcp_item = item_of(central, meeting["ehcp"])
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": ehcp_item})
    for who in [SENCO, *MEMBERS[2:8]]:
        await room.click(who, verbs.VOTE_CAST, {"item_id": ehcp_item, "choice": "approve"})
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": ehcp_item})
    over = await room.click(CHAIR, verbs.DECISION_RECORD, {"item_id": ehcp_item, "outcome": "approved"})
    assert over["type"] == "application/vnd.microsoft.activity.message"
    assert "past the £20,000.00 available" in over["value"] and "emergency reserve" in over["value"]
    await room.click(
        CHAIR,
        verbs.DECISION_RECORD,
        {"item_id": ehcp_item, "outcome": "deferred", "information_needed": "Costed Section F breakdown."},
    )

    # The chair ends the meeting: minutes in the channel; the referrers are told 1:1.
    await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": 2})
    await room.settle()
    minutes = [c for c in bot.connector.calls if c.method == "POST" and "Minutes" in c.all_json()]
    assert len(minutes) == 1 and "CEN-2526-001" in minutes[0].all_json()
    to_sam = bot.connector.sent_to(act.personal_conversation(SENCO[0]))
    to_wendy = bot.connector.sent_to(act.personal_conversation(SENCO_2[0]))
    assert any("CEN-2526-001" in c.all_json() and "2026" in c.all_json() for c in to_sam)
    assert any("Try a visual timetable." in c.all_json() for c in to_wendy)
    assert any("Costed Section F breakdown." in c.all_json() for c in to_wendy)

    with Session(central) as session:
        decisions = {d.referral_id: d for d in session.exec(select(Decision))}
        ehcp = session.get(Referral, meeting["ehcp"])
    assert decisions[meeting["ipn"]].amount_pence == 98847
    assert decisions[meeting["talk"]].outcome == "advice"
    assert ehcp is not None and ehcp.state == "accepted" and ehcp.meeting_id == 3, "deferred to 5 February"

    # A member asks for the minutes in personal chat: Markdown and a spreadsheet, each offered as a file.
    before = len(bot.connector.calls)
    await bot.post(act.personal_message(bot.connector.url, *SENCO_2, "minutes"))
    await room.settle()
    offers = [
        a
        for c in bot.connector.calls[before:]
        for a in c.body.get("attachments") or []
        if a["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    ]
    assert [o["name"] for o in offers] == ["Central minutes 2025-12-11.md", "Central minutes 2025-12-11.xlsx"]

    def exports() -> int:
        with Session(central) as session:
            return len(session.exec(select(AuditEvent).where(AuditEvent.action == "minutes.export")).all())

    assert exports() == 0, "offered, not yet handed over"
    accept = act.file_consent_answer(bot.connector.url, *SENCO_2, offers[0], "accept", "minutes.md")
    assert (await bot.post(accept)).status == 200
    assert exports() == 1, "one file accepted, one export line"
    markdown = bot.connector.uploads["minutes.md"][0].decode("utf-8")
    assert "CEN-2526-001" in markdown and "Try a visual timetable." in markdown and "ETR-0042" not in markdown

    # Nothing sent to the channel carries a pupil's school reference.
    for call in bot.connector.calls:
        if call.conversation_id.startswith(act.CHANNEL_ID):
            assert "ETR-0042" not in call.all_json() and "HAY-991" not in call.all_json()


async def test_only_the_chair_sees_the_chairs_controls_on_their_own_view_of_a_vote(
    bot: Bot, central: Engine, clock: FixedClock, meeting: dict[str, int]
) -> None:
    room = Channel(bot)
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await room.say(ADMIN, "link cluster Central")
    clock.set(MEETING_DAY)
    everyone_present(central, 2, MEETING_DAY)
    await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": 2})
    item = item_of(central, meeting["ipn"])
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    member = await room.click(SENCO_2, verbs.VOTE_REFRESH, {"item_id": item})
    chair = await room.click(CHAIR, verbs.VOTE_REFRESH, {"item_id": item})
    member_verbs = {a.get("verb") for a in find_all_actions(member["value"])}
    chair_verbs = {a.get("verb") for a in find_all_actions(chair["value"])}
    assert verbs.ITEM_CLOSE not in member_verbs and verbs.VOTE_CAST in member_verbs
    assert verbs.ITEM_CLOSE in chair_verbs
    await room.settle()


def find_all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.support.card_schema import actions_in

    return actions_in(card)

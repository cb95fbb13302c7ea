"""The Citywide Meeting in Teams: a council officer links the citywide channel and posts the pack there."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards.citywide import SECTIONS
from cluster.permissions import LINK_CITYWIDE, POST_CITYWIDE_PACK
from cluster.roles import Role
from store.models import AuditEvent, ConversationRef, Outbox
from tests.conftest import ADMIN, CHAIR, SENCO, TEST_NOW, Bot
from tests.support import activities as act
from usecases.citywide_meetings import add_citywide_meeting
from usecases.roster import Entry, import_entries

OFFICER = ("aad-officer", "Olive Officer")
CITYWIDE = "19:citywide@thread.tacv2"


@pytest.fixture
def officer(central: Engine) -> Engine:
    import_entries(central, [Entry(OFFICER[1], None, OFFICER[0], Role.COUNCIL_OFFICER, None, None)], TEST_NOW, "test")
    return central


def citywide_channels(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(ConversationRef.conversation_id).where(col(ConversationRef.citywide))))


async def _linked(bot: Bot) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN, channel_id=CITYWIDE))
    await bot.post(act.channel_message(bot.connector.url, *OFFICER, "link citywide", channel_id=CITYWIDE))
    await bot.connector.wait_for(2)


async def test_an_officer_links_the_citywide_channel_and_its_help_says_what_it_is_for(
    bot: Bot, officer: Engine
) -> None:
    await _linked(bot)
    linked = bot.connector.calls[1]
    assert linked.conversation_id.startswith(CITYWIDE) and "This is the citywide channel" in str(linked.cards)
    assert citywide_channels(officer) == [CITYWIDE]
    await bot.post(act.channel_message(bot.connector.url, *SENCO, "help", channel_id=CITYWIDE))
    [*_, help_] = await bot.connector.wait_for(3)
    assert "before each Citywide Meeting I post its pack here" in str(help_.cards)
    with Session(officer) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "channel.link_citywide")).one()


async def test_linking_another_channel_moves_the_citywide_channel_there(bot: Bot, officer: Engine) -> None:
    await _linked(bot)
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *OFFICER, "link citywide"))
    await bot.connector.wait_for(4)
    assert citywide_channels(officer) == [act.CHANNEL_ID]
    await bot.post(act.channel_message(bot.connector.url, *OFFICER, "help", channel_id=CITYWIDE))
    [*_, help_] = await bot.connector.wait_for(5)
    assert "citywide channel" not in str(help_.cards).split("facts")[0], "the old channel is no longer it"


async def test_an_admin_cannot_link_the_citywide_channel_nor_post_the_pack(bot: Bot, officer: Engine) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN, channel_id=CITYWIDE))
    await bot.post(act.channel_message(bot.connector.url, *ADMIN, "link citywide", channel_id=CITYWIDE))
    await bot.post(act.channel_message(bot.connector.url, *CHAIR, "citywide pack", channel_id=CITYWIDE))
    calls = await bot.connector.wait_for(3)
    assert [c.text for c in calls[1:]] == [LINK_CITYWIDE.refusal, POST_CITYWIDE_PACK.refusal]
    assert citywide_channels(officer) == []


async def test_an_officer_posts_the_next_citywide_meetings_pack_in_the_citywide_channel_now(
    bot: Bot, officer: Engine
) -> None:
    meeting = add_citywide_meeting(officer, date(2026, 2, 12), TEST_NOW, title="Spring <b>pack</b>")
    await _linked(bot)
    await bot.post(act.channel_message(bot.connector.url, *OFFICER, "citywide pack", channel_id=CITYWIDE))
    parts = 1 + len(SECTIONS)  # the pack card, then a card for each section of the city's figures
    calls = await bot.connector.wait_for(2 + parts)
    [posted] = [c for c in calls if "Citywide Meeting pack: Thursday 12 February 2026" in c.all_json()]
    assert posted.method == "POST" and posted.conversation_id == CITYWIDE
    assert [c.conversation_id for c in calls[-parts:]] == [CITYWIDE] * parts
    assert "<b>" not in posted.all_json(), "the title stays text"
    with Session(officer) as session:
        keys = list(session.exec(select(Outbox.key).where(col(Outbox.key).startswith("citywide-pack:"))))
    pack = f"citywide-pack:{meeting.id}"
    assert sorted(keys) == [pack, *(f"{pack}:part:{n}" for n in range(1, parts))], "the job will not post another"


async def test_the_pack_is_posted_only_in_the_citywide_channel(bot: Bot, officer: Engine) -> None:
    add_citywide_meeting(officer, date(2026, 2, 12), TEST_NOW)
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *OFFICER, "citywide pack"))
    calls = await bot.connector.wait_for(2)
    assert calls[1].text.startswith("Post the pack from the citywide channel: link this channel first")


async def test_next_meeting_names_the_next_citywide_meeting_for_a_chair_not_a_senco(bot: Bot, officer: Engine) -> None:
    add_citywide_meeting(officer, date(2026, 2, 12), TEST_NOW)
    await bot.post(act.personal_message(bot.connector.url, *CHAIR, "next meeting"))
    await bot.post(act.personal_message(bot.connector.url, *SENCO, "next meeting"))
    await bot.post(act.personal_message(bot.connector.url, *OFFICER, "next meeting"))
    chair, senco, officer_ = await bot.connector.wait_for(3)
    assert "Citywide Meeting" in str(chair.cards) and "Thursday 11 December 2025" in str(chair.cards)
    assert "Citywide Meeting" not in str(senco.cards)
    assert "Thursday 12 February 2026" in str(officer_.cards)

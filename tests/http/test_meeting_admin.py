"""The admin's meetings card, through the real endpoint: add, move, cancel, link; referrals follow."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON
from store.models import Meeting, Referral
from tests.conftest import ADMIN, SENCO, Bot
from tests.support.referral_flow import GOOD_DISCUSSION, Flow, beside, find_action, shows


async def submitted_discussion(bot: Bot) -> int:
    flow = Flow(bot)
    referral_id, _ = await flow.start("discussion")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    return referral_id


def meeting(engine: Engine, day: date) -> Meeting:
    with Session(engine) as session:
        found = session.exec(select(Meeting).where(Meeting.day == day)).one()
        return found


async def test_an_admin_moves_a_meeting_and_its_referrals_and_deadline_follow(bot: Bot, central: Engine) -> None:
    referral_id = await submitted_discussion(bot)
    admin = Flow(bot, ADMIN)
    card = await admin.card(verbs.MEETINGS)
    assert shows(card, "Thursday 11 December 2025")
    autumn_2 = meeting(central, date(2025, 12, 11))
    card = await admin.card(verbs.MEETING_MOVE, {"meeting_id": autumn_2.id, f"day_{autumn_2.id}": "2025-12-18"})
    assert shows(card, "Moved to Thursday 18 December 2025")
    moved = meeting(central, date(2025, 12, 18))
    assert moved.id == autumn_2.id
    assert moved.deadline == datetime(2025, 12, 11, 23, 59, tzinfo=LONDON)
    with Session(central) as session:
        assert session.get(Referral, referral_id).meeting_id == autumn_2.id  # type: ignore[union-attr]


async def test_cancelling_a_meeting_moves_its_referrals_to_the_next(bot: Bot, central: Engine) -> None:
    referral_id = await submitted_discussion(bot)
    autumn_2 = meeting(central, date(2025, 12, 11))
    card = await Flow(bot, ADMIN).card(verbs.MEETING_CANCEL, {"meeting_id": autumn_2.id})
    assert shows(card, "1 referral(s) moved to Thursday 5 February 2026")
    with Session(central) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        assert session.get(Meeting, referral.meeting_id).day == date(2026, 2, 5)  # type: ignore[union-attr]
    assert meeting(central, date(2025, 12, 11)).cancelled


async def test_an_admin_adds_a_meeting_and_a_bad_date_comes_back_next_to_its_field(bot: Bot, central: Engine) -> None:
    admin = Flow(bot, ADMIN)
    card = await admin.card(verbs.MEETING_ADD, {"new_day": "", "new_title": "Extra"})
    assert shows(card, "Choose the meeting's date.") and shows(card, "Extra")
    card = await admin.card(
        verbs.MEETING_ADD,
        {
            "new_day": "2026-01-15",
            "new_start": "10:00",
            "new_end": "12:00",
            "new_link": "https://teams.microsoft.com/l/meetup-join/x",
        },
    )
    added = meeting(central, date(2026, 1, 15))
    assert shows(card, "Added Thursday 15 January 2026")
    assert beside(card, f"link_{added.id}") == ("https://teams.microsoft.com/l/meetup-join/x", "")
    assert added.online_link == "https://teams.microsoft.com/l/meetup-join/x"
    card = await admin.card(verbs.MEETING_ADD, {"new_day": "2026-01-15"})
    assert shows(card, "already has a meeting on 15 January 2026")


async def test_a_meeting_link_must_be_a_https_link(bot: Bot, central: Engine) -> None:
    autumn_2 = meeting(central, date(2025, 12, 11))
    card = await Flow(bot, ADMIN).card(verbs.MEETING_LINK, {"meeting_id": autumn_2.id, f"link_{autumn_2.id}": "teams"})
    assert shows(card, "https://teams.microsoft.com/")
    assert meeting(central, date(2025, 12, 11)).online_link is None


async def test_only_the_admin_manages_meetings(bot: Bot, central: Engine) -> None:
    refusal = await Flow(bot, SENCO).refused(verbs.MEETINGS)
    assert refusal == "Only a cluster's admin can manage its meetings."
    autumn_2 = meeting(central, date(2025, 12, 11))
    refusal = await Flow(bot, SENCO).refused(verbs.MEETING_CANCEL, {"meeting_id": autumn_2.id})
    assert refusal == "Only a cluster's admin can manage its meetings."
    assert not meeting(central, date(2025, 12, 11)).cancelled


async def test_the_meetings_card_offers_a_button_for_each_action(bot: Bot) -> None:
    card = await Flow(bot, ADMIN).card(verbs.MEETINGS)
    for verb in (verbs.MEETING_MOVE, verbs.MEETING_CANCEL, verbs.MEETING_LINK, verbs.MEETING_ADD):
        assert find_action(card, verb)

"""A person talking to the bot 1:1, through the real /api/messages and the fake connector."""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import ConversationRef
from tests.conftest import ADMIN, SENCO, STRANGER, Bot
from tests.support import activities as act


async def test_help_in_personal_chat_replies_with_a_card_at_the_service_url(bot: Bot) -> None:
    response = await bot.post(act.personal_message(bot.connector.url, *SENCO, "help"))
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    assert call.conversation_id == act.personal_conversation(SENCO[0])
    [card] = call.cards
    assert card["version"] == "1.5"
    shown = str(card)
    assert "Sam Senco" in shown and "whoami" in shown and "next meeting" in shown


async def test_whoami_lists_the_senco_role_and_setting(bot: Bot) -> None:
    await bot.post(act.personal_message(bot.connector.url, *SENCO, "whoami"))
    [call] = await bot.connector.wait_for(1)
    assert "SENCO of Etruscan Primary School (Central)" in str(call.cards)


async def test_next_meeting_gives_date_time_deadline_and_days_left(bot: Bot) -> None:
    await bot.post(act.personal_message(bot.connector.url, *SENCO, "Next   Meeting"))
    [call] = await bot.connector.wait_for(1)
    shown = str(call.cards)
    assert "Thursday 11 December 2025" in shown
    assert "09:30–13:00" in shown
    assert "Thursday 4 December 2025, 23:59" in shown
    assert "14 days left" in shown


async def test_an_unknown_user_is_told_they_are_not_registered_and_given_their_id(bot: Bot) -> None:
    await bot.post(act.personal_message(bot.connector.url, *STRANGER, "help"))
    [call] = await bot.connector.wait_for(1)
    shown = str(call.cards)
    assert "not registered" in shown and STRANGER[0] in shown


async def test_text_the_bot_does_not_understand_gets_a_hint(bot: Bot) -> None:
    await bot.post(act.personal_message(bot.connector.url, *SENCO, "give me money"))
    [call] = await bot.connector.wait_for(1)
    assert "didn't understand" in call.text and "help" in call.text


async def test_installing_in_personal_scope_stores_the_reference_and_welcomes_once(bot: Bot, central) -> None:
    await bot.post(act.personal_install(bot.connector.url, *ADMIN))
    await bot.post(act.personal_conversation_update(bot.connector.url, *ADMIN))
    await bot.connector.wait_for(1)
    with Session(central) as session:
        [ref] = session.exec(select(ConversationRef)).all()
    assert ref.kind == "personal" and ref.aad_object_id == ADMIN[0]
    assert ref.service_url == bot.connector.url
    assert len(bot.connector.calls) == 1, "Teams sends both events on install; the welcome goes once"
    assert "Ada Admin" in str(bot.connector.calls[0].cards)


async def test_a_card_button_click_answers_the_invoke_with_the_next_card(bot: Bot) -> None:
    response = await bot.post(act.card_click(bot.connector.url, *SENCO, "whoami.show"))
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "SENCO of Etruscan Primary School" in str(body["value"])
    assert bot.connector.calls == []


async def test_the_submit_fallback_runs_the_same_verb_as_the_universal_action(bot: Bot) -> None:
    await bot.post(act.card_submit(bot.connector.url, *SENCO, "meeting.next"))
    [call] = await bot.connector.wait_for(1)
    assert "11 December 2025" in str(call.cards)

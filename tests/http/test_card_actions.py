"""Every verb a card can send reaches a handler through the real endpoint, as Action.Execute and as the
Action.Submit fallback."""

from __future__ import annotations

import json

import pytest

from cards import verbs
from tests.conftest import SENCO, Bot
from tests.support import activities as act
from tests.support.card_schema import schema_errors

NO_HANDLER = "no longer has"


@pytest.mark.parametrize("verb", sorted(verbs.ALL))
async def test_each_verb_clicked_as_a_universal_action_reaches_its_handler(bot: Bot, verb: str) -> None:
    # Without the data its card would carry, a handler may refuse; what matters is that one answers.
    response = await bot.post(act.card_click(bot.connector.url, *SENCO, verb))
    assert response.status == 200
    body = await response.json()
    assert NO_HANDLER not in json.dumps(body["value"])
    assert "ERR-" not in json.dumps(body["value"]), "a click without data must be refused, not crash"
    if body["type"] == "application/vnd.microsoft.card.adaptive":
        assert schema_errors(body["value"]) == []


@pytest.mark.parametrize("verb", sorted(verbs.ALL))
async def test_each_verb_sent_by_the_submit_fallback_gets_a_reply(bot: Bot, verb: str) -> None:
    await bot.post(act.card_submit(bot.connector.url, *SENCO, verb))
    [call] = await bot.connector.wait_for(1)
    assert (call.cards or call.text) and NO_HANDLER not in call.all_json() and "ERR-" not in call.all_json()


async def test_a_verb_from_an_old_card_the_bot_no_longer_knows_is_refused_politely(bot: Bot) -> None:
    response = await bot.post(act.card_click(bot.connector.url, *SENCO, "referral.frobnicate"))
    body = await response.json()
    assert response.status == 200
    assert "That button belongs to a feature this version of the bot no longer has." in json.dumps(body["value"])


async def test_an_invoke_the_bot_does_not_handle_gets_501_not_an_error(bot: Bot) -> None:
    activity = act.card_click(bot.connector.url, *SENCO, verbs.HELP)
    activity["name"] = "composeExtension/query"
    response = await bot.post(activity)
    assert response.status == 501

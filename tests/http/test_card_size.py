"""What a person types never makes a card Teams cannot show: cards go out as UTF-8 (not ``\\u`` escapes),
and a form brought back with 100,000 characters in a field comes back under 40 KB, saying what to fix."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from cards import verbs
from cluster.roles import Role
from store.outbox import Owing, serialise
from tests.conftest import ADMIN, SENCO, TEST_NOW, Bot
from tests.support import activities as act
from tests.support.referral_flow import GOOD_INDIVIDUAL, Flow, find_action, shows
from usecases.roster import Entry, import_entries

TEAMS_LIMIT = 40_000  # bytes: Teams refuses a larger message
OFFICER = ("aad-officer", "Olu Officer")


async def _raw_click(bot: Bot, who: tuple[str, str], verb: str, data: dict[str, Any]) -> bytes:
    response = await bot.post(act.card_click(bot.connector.url, *who, verb, data))
    assert response.status == 200
    raw: bytes = await response.read()
    return raw


async def test_a_field_sent_with_100000_characters_comes_back_cut_under_40kb_saying_what_to_fix(bot: Bot) -> None:
    flow = Flow(bot, SENCO)
    _, form = await flow.start("individual")
    save = find_action(form, verbs.REFERRAL_SAVE)
    typed = {**GOOD_INDIVIDUAL, "summary": "e" * 100_000, "current_provision": "x" * 100_000}
    raw = await _raw_click(bot, SENCO, verbs.REFERRAL_SAVE, {**save["data"], **typed})
    assert len(raw) < TEAMS_LIMIT, len(raw)
    card = json.loads(raw)["value"]
    assert shows(card, "Summary of need is too long: at most 3000 characters (it has 100000).")
    assert shows(card, "What was typed here (100,000 characters) was too long and was cut at 3,100 characters")
    [summary] = [e for e in card["body"] if e.get("id") == "summary"]
    assert summary["value"] == "e" * 3_100, "the form keeps the field's limit and a little more"


async def test_a_draft_at_its_field_limits_in_accented_text_is_sent_as_utf8(bot: Bot) -> None:
    flow = Flow(bot, SENCO)
    referral_id, form = await flow.start("individual")
    save = find_action(form, verbs.REFERRAL_SAVE)
    full = {"summary": "é" * 3000, "current_provision": "ü" * 3000, "outcomes": "\n".join(["ñ" * 240] * 8)}
    await flow.card(verbs.REFERRAL_SAVE, {**save["data"], **GOOD_INDIVIDUAL, **full})
    raw = await _raw_click(bot, SENCO, verbs.REVIEW, {"referral_id": referral_id})
    assert b"\\u00e9" not in raw and ("é" * 3000).encode() in raw
    assert len(raw) < TEAMS_LIMIT, len(raw)


async def test_messages_sent_through_the_connector_are_utf8(bot: Bot) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *ADMIN, "link cluster"))
    calls = await bot.connector.wait_for(2)
    assert "“link cluster Central”" in calls[1].text
    assert "“".encode() in calls[1].raw and b"\\u201c" not in calls[1].raw


def test_the_outbox_keeps_cards_as_utf8() -> None:
    [row] = serialise(datetime(2025, 11, 20), [Owing("k", {"text": "Zoë’s card"}, person_id=1)]).rows
    assert "Zoë’s card" in row["card"]


async def test_the_clusters_form_sent_with_100000_characters_comes_back_under_40kb(bot: Bot, central: Engine) -> None:
    import_entries(central, [Entry(OFFICER[1], None, OFFICER[0], Role.COUNCIL_OFFICER, None, None)], TEST_NOW, "test")
    typed = {"name": "East", "code": "EST", "deadline_days": "7", "settings": "S\n" * 50_000, "people": "p" * 100_000}
    raw = await _raw_click(bot, OFFICER, verbs.CLUSTER_ADD, typed)
    assert len(raw) < TEAMS_LIMIT, len(raw)
    assert shows(json.loads(raw)["value"], "was too long and was cut at 8,000 characters")

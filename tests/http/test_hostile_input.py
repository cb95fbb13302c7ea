"""/api/messages against hostile clients: bodies nested too deep, card ids that are not ids, invokes without
names or with garbled file consent answers, tokens without an expiry, and bodies that trickle in."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine, text

from bot.config import Settings
from bot.http.app import create_app
from bot.teams.auth import RequestAuthenticator
from cards import verbs
from cluster.clock import FixedClock
from cluster.errors import OUT_OF_DATE
from tests.conftest import ADMIN, CHAIR, SENCO, Bot
from tests.http import test_endpoint as endpoint
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector

MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"

# The signed-token machinery of test_endpoint: a loopback JWKS server and the app with an app id.
APP_ID = endpoint.APP_ID
_KeyServer = endpoint._KeyServer
keys = endpoint.keys
secured = endpoint.secured


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars().all()
        return {t: connection.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}


# --- 1. bodies nested deeper than the parser takes ------------------------------------------------------


def _deep_activity(service_url: str, depth: int) -> bytes:
    """A Teams message whose value nests ``depth`` lists (the JSON is built as text, as an attacker would)."""
    activity = act.card_submit(service_url, *SENCO, verbs.HELP)
    activity["value"] = "DEEP"
    return json.dumps(activity).replace('"DEEP"', "[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("depth", [100_000, 5_000, 900, 65])
async def test_a_body_nested_too_deep_gets_400_and_the_bot_does_nothing(bot: Bot, central: Engine, depth: int) -> None:
    before = _row_counts(central)
    response = await bot.client.post(
        "/api/messages", data=_deep_activity(bot.connector.url, depth), headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert "deep" in (await response.json())["error"]
    assert _row_counts(central) == before
    assert bot.connector.calls == []
    again = await bot.post(act.personal_message(bot.connector.url, *SENCO, "help"))
    assert again.status == 200


async def test_a_bare_run_of_brackets_gets_400(bot: Bot) -> None:
    response = await bot.client.post("/api/messages", data=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_a_body_nested_too_deep_is_refused_before_its_token_is_looked_at(
    secured: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_at: list[str] = []

    async def check(_self: RequestAuthenticator, _activity: Any, header: str) -> None:
        looked_at.append(header)

    monkeypatch.setattr(RequestAuthenticator, "check", check)
    response = await secured.client.post(
        "/api/messages",
        data=_deep_activity(secured.connector.url, 100_000),
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
    )
    assert response.status == 400
    assert looked_at == []


async def test_an_activity_nested_as_deep_as_teams_ever_sends_is_served(bot: Bot) -> None:
    activity = act.card_click(bot.connector.url, *SENCO, verbs.HELP, {"inputs": {"a": {"b": [[{"c": [1]}]]}}})
    response = await bot.post(activity)
    assert response.status == 200
    assert (await response.json())["type"] == "application/vnd.microsoft.card.adaptive"


# --- 2. card ids that are not ids -----------------------------------------------------------------------

# Each id key with verbs whose cards carry it; the clicker is one who may use the verb, so only the id is wrong.
ID_CLICKS = [
    ("referral_id", verbs.REFERRAL_OPEN, SENCO, False),
    ("referral_id", verbs.SUBMIT, SENCO, False),
    ("referral_id", verbs.EXPORT, SENCO, False),
    ("referral_id", verbs.ACCEPT, ADMIN, False),
    ("row_id", verbs.ROW_SAVE, SENCO, False),
    ("row_id", verbs.ROW_EDIT, SENCO, False),
    ("document_id", verbs.DOCUMENT_REMOVE, SENCO, False),
    ("setting_id", verbs.REFERRAL_START, SENCO, False),
    ("review_id", verbs.REVIEW_OPEN, SENCO, False),
    ("review_id", verbs.REVIEW_SNOOZE, SENCO, False),
    ("meeting_id", verbs.AGENDA_SHOW, CHAIR, True),
    ("meeting_id", verbs.MEETING_START, CHAIR, True),
    ("meeting_id", verbs.MEETING_MOVE, ADMIN, False),
    ("meeting_id", verbs.MEETING_CANCEL, ADMIN, False),
    ("item_id", verbs.VOTE_CAST, CHAIR, True),
    ("item_id", verbs.ITEM_OPEN, CHAIR, True),
    ("item_id", verbs.DECISION_FORM, CHAIR, True),
]

NOT_IDS: list[Any] = [
    2**63,
    2**31,
    -1,
    0,
    {"id": 1},
    [1],
    1.5,
    1.0,
    True,
    "abc",
    "9" * 5000,
    "1e3",
    " 1",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: str.isdigit() says yes, and int() reads it as 1
    "\u00b2",  # SUPERSCRIPT TWO: str.isdigit() says yes, int() raises
]


@pytest.mark.parametrize(("key", "verb", "who", "in_channel"), ID_CLICKS, ids=[f"{c[1]}-{c[0]}" for c in ID_CLICKS])
async def test_a_card_id_that_is_not_a_small_positive_integer_is_refused_as_out_of_date(
    bot: Bot, central: Engine, key: str, verb: str, who: tuple[str, str], in_channel: bool
) -> None:
    before = _row_counts(central)
    conversation = act.channel_conversation() if in_channel else None
    for value in NOT_IDS:
        data = {"referral_id": 1, key: value}
        response = await bot.post(act.card_click(bot.connector.url, *who, verb, data, conversation=conversation))
        assert response.status == 200
        body = await response.json()
        assert body == {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": OUT_OF_DATE}, repr(value)[:40]
    assert _row_counts(central) == before


async def test_a_card_id_that_is_not_an_id_is_refused_on_the_submit_fallback_too(bot: Bot) -> None:
    await bot.post(act.card_submit(bot.connector.url, *SENCO, verbs.REFERRAL_OPEN, {"referral_id": 2**63}))
    [call] = await bot.connector.wait_for(1)
    assert call.text == OUT_OF_DATE


@pytest.mark.parametrize("value", [2**63, "9" * 5000, [1]])
async def test_a_file_consent_whose_context_names_no_meeting_is_refused_as_out_of_date(bot: Bot, value: Any) -> None:
    activity = _consent(
        bot.connector.url,
        {
            "action": "accept",
            "context": {"kind": "minutes", "meeting_id": value},
            "uploadInfo": {"uploadUrl": "https://upload.example/x", "name": "minutes.md"},
        },
    )
    response = await bot.post(activity)
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    assert call.text == OUT_OF_DATE


async def test_a_card_id_sent_as_its_digits_still_opens_the_row(bot: Bot, central: Engine) -> None:
    with central.connect() as connection:
        meeting_id = connection.execute(text("SELECT MIN(id) FROM meeting")).scalar_one()
    for sent in (meeting_id, str(meeting_id)):
        response = await bot.post(
            act.card_click(
                bot.connector.url, *CHAIR, verbs.AGENDA_SHOW, {"meeting_id": sent}, act.channel_conversation()
            )
        )
        body = await response.json()
        assert body["type"] == "application/vnd.microsoft.card.adaptive", body


# --- 3. invokes without a name, and garbled file consent answers ----------------------------------------


@pytest.mark.parametrize("name", [None, "", 5, ["adaptiveCard/action"]], ids=["missing", "empty", "number", "list"])
async def test_an_invoke_without_a_name_gets_400(bot: Bot, central: Engine, name: Any) -> None:
    before = _row_counts(central)
    activity = act.card_click(bot.connector.url, *SENCO, verbs.HELP)
    if name is None:
        del activity["name"]
    else:
        activity["name"] = name
    response = await bot.post(activity)
    assert response.status == 400
    assert _row_counts(central) == before


async def test_an_invoke_with_a_name_the_bot_does_not_handle_still_gets_501(bot: Bot) -> None:
    activity = act.card_click(bot.connector.url, *SENCO, verbs.HELP)
    activity["name"] = "composeExtension/query"
    response = await bot.post(activity)
    assert response.status == 501


def _consent(service_url: str, value: Any) -> dict[str, Any]:
    activity = act.card_click(service_url, *SENCO, verbs.HELP)
    activity["name"] = "fileConsent/invoke"
    activity["value"] = value
    return activity


GARBLED_CONSENTS: list[Any] = [
    "accept",
    {},
    {"action": None, "context": {"kind": "minutes"}},
    {"action": "maybe"},
    {"action": ["accept"]},
    {"action": "accept", "context": {"kind": "minutes"}},
    {"action": "accept", "context": "minutes", "uploadInfo": "https://upload.example/x"},
    {"action": "accept", "uploadInfo": {"uploadUrl": 5}},
    {"action": "accept", "uploadInfo": {"uploadUrl": ""}},
]


@pytest.mark.parametrize("value", GARBLED_CONSENTS, ids=[json.dumps(v)[:40] for v in GARBLED_CONSENTS])
async def test_a_garbled_file_consent_answer_is_answered_and_does_nothing(
    bot: Bot, central: Engine, value: Any
) -> None:
    before = _row_counts(central)
    response = await bot.post(_consent(bot.connector.url, value))
    assert response.status == 200
    assert "ERR-" not in await response.text()
    await asyncio.sleep(0.1)  # anything the turn sent has reached the fake connector by now
    assert [c for c in bot.connector.calls if "ERR-" in c.all_json()] == []
    assert _row_counts(central) == before


async def test_a_declined_file_consent_whose_context_is_not_an_object_is_answered_politely(bot: Bot) -> None:
    response = await bot.post(_consent(bot.connector.url, {"action": "decline", "context": "x"}))
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    assert call.text == "OK, I have not saved the file."


# --- 4. tokens without an expiry, or made for later -----------------------------------------------------


def _signed(keys: _KeyServer, service_url: str, **changes: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 10,
        "exp": now + 600,
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, keys.key, algorithm="RS256", headers={"kid": "test-key"})


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": None},
        {"exp": None, "nbf": None},
        {"nbf": 180},  # seconds from now: inside the library's five minutes' grace
        {"nbf": 3600},
    ],
    ids=["no-exp", "no-exp-no-nbf", "nbf-in-3-minutes", "nbf-in-an-hour"],
)
async def test_a_signed_token_without_an_expiry_or_not_valid_yet_gets_401(
    secured: Bot, keys: _KeyServer, changes: dict[str, Any]
) -> None:
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    if changes.get("nbf") is not None:  # measured from when the test runs, not from when it was collected
        changes = {**changes, "nbf": int(time.time()) + changes["nbf"]}
    token = _signed(keys, secured.connector.url, **changes)
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    await asyncio.sleep(0.1)
    assert secured.connector.calls == []


async def test_a_signed_token_without_a_not_before_is_accepted(secured: Bot, keys: _KeyServer) -> None:
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    token = _signed(keys, secured.connector.url, nbf=None)
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    await secured.connector.wait_for(1)


# --- 5. a body that trickles in --------------------------------------------------------------------------


@pytest.fixture
async def impatient(central: Engine, clock: FixedClock, connector: FakeConnector) -> AsyncIterator[TestServer]:
    """The real app on a real loopback socket, waiting half a second for a request's body."""
    settings = Settings(
        CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=False, CLUSTERBOT_BODY_TIMEOUT=0.5
    )
    server = TestServer(create_app(settings, clock=clock, engine=central), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def test_a_body_that_trickles_in_is_cut_off_with_408(impatient: TestServer, connector: FakeConnector) -> None:
    body = json.dumps(act.personal_message(connector.url, *SENCO, "help")).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", impatient.port)
    writer.write(
        b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    await writer.drain()
    sent = 0

    async def trickle() -> None:
        nonlocal sent
        for byte in body:  # a byte every tenth of a second: the whole body would take a minute or more
            writer.write(bytes([byte]))
            await writer.drain()
            sent += 1
            await asyncio.sleep(0.1)

    trickling = asyncio.create_task(trickle())
    try:
        status_line = await asyncio.wait_for(reader.readline(), timeout=30)
        assert status_line.startswith(b"HTTP/1.1 408"), status_line
        assert sent < len(body), "the server waited for the whole body"
        rest = await asyncio.wait_for(reader.read(), timeout=30)  # the server closes the connection
        assert b"too long" in rest
    finally:
        trickling.cancel()
        writer.close()
    assert connector.calls == []


async def test_a_body_sent_in_one_go_is_still_served_with_a_short_body_timeout(
    impatient: TestServer, connector: FakeConnector
) -> None:
    body = json.dumps(act.personal_message(connector.url, *SENCO, "help")).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", impatient.port)
    writer.write(
        b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=30)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 200"), status_line
    await connector.wait_for(1)


def test_the_body_timeout_is_ten_seconds_unless_set() -> None:
    assert Settings(CLUSTERBOT_ALLOW_NO_AUTH=True).body_timeout == 10
    assert Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_BODY_TIMEOUT="2.5").body_timeout == 2.5


# --- found by the fuzz test (tests/http/test_fuzz.py) -----------------------------------------------------


@pytest.mark.parametrize("entities", [[None], [{"mentioned": {"id": act.BOT_ID}}], [{"type": 5}]])
async def test_a_message_with_an_entity_without_a_type_is_answered(bot: Bot, entities: list[Any]) -> None:
    activity = act.personal_message(bot.connector.url, *SENCO, "whoami")
    activity["entities"] = entities
    response = await bot.post(activity)
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    assert "ERR-" not in call.all_json() and call.cards


@pytest.mark.parametrize("field", ["membersAdded", "membersRemoved"])
async def test_a_membership_change_naming_a_null_member_changes_nothing(
    bot: Bot, central: Engine, field: str, caplog: pytest.LogCaptureFixture
) -> None:
    activity = act.personal_conversation_update(bot.connector.url, *SENCO)
    activity.pop("membersAdded")
    activity[field] = [None]
    before = _row_counts(central)
    with caplog.at_level(logging.ERROR, logger="clusterbot.errors"):
        response = await bot.post(activity)
    assert response.status == 200
    assert [r.getMessage() for r in caplog.records if r.name == "clusterbot.errors"] == []
    await asyncio.sleep(0.1)
    assert bot.connector.calls == []
    assert _row_counts(central) == before

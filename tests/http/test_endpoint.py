"""/api/messages as a client can misuse it: bad bodies, bad tokens, other tenants. Never a 5xx for those."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import ChannelValidation, JwtTokenExtractor
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import Engine, text

from bot.config import Settings
from bot.http.app import create_app
from bot.teams.auth import SigningKeys
from cluster.clock import FixedClock
from tests.conftest import SENCO, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector

APP_ID = "00000000-1111-2222-3333-444444444444"


@pytest.mark.parametrize(
    "body",
    [b"this is not json", b"[1, 2, 3]", b'"a string"', b"{}", b'{"type": 5}', b'{"type": "message"}', b"\xff\xfe"],
)
async def test_a_body_that_is_not_an_activity_gets_400_and_the_bot_keeps_serving(bot: Bot, body: bytes) -> None:
    response = await bot.client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "error" in await response.json()
    healthy = await bot.client.get("/healthz")
    assert healthy.status == 200
    again = await bot.post(act.personal_message(bot.connector.url, *SENCO, "help"))
    assert again.status == 200


async def test_a_huge_body_is_refused_without_reading_it_all(bot: Bot) -> None:
    response = await bot.client.post("/api/messages", data=b"{" + b" " * (600 * 1024) + b"}")
    assert response.status == 413


async def test_without_authentication_only_a_loopback_service_url_is_served(bot: Bot) -> None:
    response = await bot.post(act.personal_message("https://smba.trafficmanager.net/uk/", *SENCO, "help"))
    assert response.status == 400
    assert bot.connector.calls == []


async def test_an_unexpected_failure_gets_an_apology_whose_reference_is_in_the_log(
    bot: Bot, central: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with central.begin() as connection:
        connection.execute(text("DROP TABLE role_assignment"))
    with caplog.at_level(logging.ERROR, logger="clusterbot.errors"):
        response = await bot.post(act.personal_message(bot.connector.url, *SENCO, "whoami"))
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    reference = re.search(r"ERR-[0-9A-F]{8}", call.text)
    assert reference, call.text
    assert "role_assignment" not in call.text and "Error" not in call.text.replace("ERR-", "")
    [record] = [r for r in caplog.records if reference.group(0) in r.getMessage()]
    assert record.exc_info is not None


async def test_an_unexpected_failure_on_a_card_click_answers_the_invoke_with_an_apology(
    bot: Bot, central: Engine
) -> None:
    with central.begin() as connection:
        connection.execute(text("DROP TABLE role_assignment"))
    response = await bot.post(act.card_click(bot.connector.url, *SENCO, "whoami.show"))
    assert response.status == 200
    body = await response.json()
    assert re.search(r"ERR-[0-9A-F]{8}", json.dumps(body["value"]))


# --- with an app id: real Bot Framework token validation -------------------------------------------------


class _KeyServer:
    """Serves an OpenID configuration and a JWKS on loopback, as login.botframework.com does."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": "test-key", "use": "sig", "endorsements": ["msteams"]})
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                base = f"http://127.0.0.1:{outer.port}"
                payload: dict[str, Any] = (
                    {"issuer": "https://api.botframework.com", "jwks_uri": f"{base}/keys"}
                    if self.path.startswith("/openid")
                    else {"keys": [jwk]}
                )
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, service_url: str, audience: str = APP_ID, issuer: str = "https://api.botframework.com") -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 10, "exp": now + 600}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "test-key"})


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[_KeyServer]:
    server = _KeyServer()
    # A fresh URL per test: botbuilder caches metadata per URL for a day.
    monkeypatch.setattr(
        ChannelValidation, "open_id_metadata_endpoint", f"http://127.0.0.1:{server.port}/openid/{id(server)}"
    )
    yield server
    server.server.shutdown()


@pytest.fixture
async def secured(central: Engine, clock: FixedClock, connector: FakeConnector) -> AsyncIterator[Bot]:
    settings = Settings(
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="secret",
        CLUSTERBOT_ALLOWED_TENANTS=act.TENANT,
        CLUSTERBOT_SCHEDULER=False,
    )

    class Tokenless:
        async def token(self) -> str | None:
            return None

    from bot.teams.connector import Connector

    app = create_app(settings, clock=clock, engine=central, connector=Connector(Tokenless()))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector)
    await client.close()


async def test_a_request_without_a_token_gets_401_when_an_app_id_is_set(secured: Bot) -> None:
    response = await secured.post(act.personal_message(secured.connector.url, *SENCO, "help"))
    assert response.status == 401
    assert secured.connector.calls == []


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c"])
async def test_a_malformed_token_gets_401(secured: Bot, header: str) -> None:
    response = await secured.post(
        act.personal_message(secured.connector.url, *SENCO, "help"), headers={"Authorization": header}
    )
    assert response.status == 401


async def test_a_token_signed_by_the_bot_framework_is_accepted(secured: Bot, keys: _KeyServer) -> None:
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    token = keys.token(secured.connector.url)
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    await secured.connector.wait_for(1)


async def test_a_token_for_another_bot_is_refused(secured: Bot, keys: _KeyServer) -> None:
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    token = keys.token(secured.connector.url, audience="99999999-0000-0000-0000-000000000000")
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_a_token_for_another_service_url_is_refused(secured: Bot, keys: _KeyServer) -> None:
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    token = keys.token("https://evil.example/")
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_a_token_signed_by_someone_else_is_refused(secured: Bot, keys: _KeyServer) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": secured.connector.url,
        "nbf": now - 10,
        "exp": now + 600,
    }
    token = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": "test-key"})
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_a_tenant_outside_the_allow_list_is_refused(secured: Bot, keys: _KeyServer) -> None:
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    activity["channelData"]["tenant"]["id"] = "other-tenant"
    activity["conversation"]["tenantId"] = "other-tenant"
    token = keys.token(secured.connector.url)
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 403
    assert secured.connector.calls == []


async def test_an_unreachable_service_url_is_logged_not_answered_with_a_server_error(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = await bot.post(act.personal_message("http://127.0.0.1:9/", *SENCO, "help"))
    assert response.status == 200
    assert any("could not send the apology" in r.getMessage() for r in caplog.records)
    again = await bot.post(act.personal_message(bot.connector.url, *SENCO, "help"))
    assert again.status == 200
    await bot.connector.wait_for(1)


@pytest.fixture
def keys_first(keys: _KeyServer, secured: Bot) -> tuple[_KeyServer, Bot]:
    """The key server is in place before the bot starts (as login.botframework.com is in production)."""
    return keys, secured


async def test_signing_keys_are_fetched_in_the_background_so_validation_never_fetches_them_in_a_request(
    keys_first: tuple[_KeyServer, Bot], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys, secured = keys_first
    url = SigningKeys.metadata_url()
    deadline = time.monotonic() + 10
    while not getattr(JwtTokenExtractor.metadataCache.get(url), "keys", None):
        assert time.monotonic() < deadline, "the bot did not fetch the signing keys when it started"
        await asyncio.sleep(0.02)

    async def blocking_fetch(_self: Any) -> None:
        raise AssertionError("botframework fetched the keys inside a request, blocking every other one")

    # The library's own fetch (a blocking call in the event loop) must not be needed.
    monkeypatch.setattr(_OpenIdMetadata, "_refresh", blocking_fetch)
    activity = act.personal_message(secured.connector.url, *SENCO, "help")
    response = await secured.post(activity, headers={"Authorization": f"Bearer {keys.token(secured.connector.url)}"})
    assert response.status == 200
    await secured.connector.wait_for(1)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain;charset=UTF-8",  # what a web page's fetch() sends without a preflight
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,  # no Content-Type at all: aiohttp's client says application/octet-stream
    ],
)
async def test_without_authentication_a_post_not_declared_as_json_gets_415_and_the_bot_does_nothing(
    bot: Bot, content_type: str | None
) -> None:
    activity = act.personal_message(bot.connector.url, *SENCO, "help")
    headers = {"Content-Type": content_type} if content_type else {}
    response = await bot.client.post("/api/messages", data=json.dumps(activity).encode(), headers=headers)
    assert response.status == 415
    assert "application/json" in (await response.json())["error"]
    await asyncio.sleep(0.1)
    assert bot.connector.calls == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])
async def test_without_authentication_a_json_post_is_served_whatever_its_parameters(
    bot: Bot, content_type: str
) -> None:
    activity = act.personal_message(bot.connector.url, *SENCO, "help")
    response = await bot.client.post(
        "/api/messages", data=json.dumps(activity).encode(), headers={"Content-Type": content_type}
    )
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    assert call.conversation_id == activity["conversation"]["id"]

"""The bot's own token for the Bot Connector, fetched by msal from a token server on this machine.

In production the token comes from Microsoft Entra (client credentials with the app's password) or, for a
user-assigned managed identity, from the hosting platform's identity endpoint. Here a small server plays
both, over HTTPS with a certificate made for the test (msal insists on HTTPS for a login authority), so
msal's real requests are made and checked; the messages then go to the fake Teams connector.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.teams.connector import AppToken, Connector, ConnectorError
from tests.support.fake_connector import FakeConnector

APP_ID, PASSWORD, TENANT = "00000000-0000-0000-0000-0000000000a1", "s3cret-of-the-app", "tenant-1"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "clusterbot test token server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "token-server.pem", directory / "token-server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class TokenServer:
    """Answers msal as Entra's token endpoint and as App Service's managed identity endpoint do."""

    base: str = ""
    cert: Path = Path()
    token_requests: list[dict[str, str]] = field(default_factory=list)
    identity_requests: list[tuple[dict[str, str], str]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self.openid_configuration)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        app.router.add_get("/msi/token", self.identity)
        return app

    async def openid_configuration(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response(
            {
                "issuer": f"{self.base}/{tenant}/v2.0",
                "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.token_requests.append(form)
        if form.get("client_secret") != PASSWORD:
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
                status=401,
            )
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": f"entra-token-{len(self.token_requests)}"}
        )

    async def identity(self, request: web.Request) -> web.Response:
        self.identity_requests.append((dict(request.query), request.headers.get("X-IDENTITY-HEADER", "")))
        return web.json_response(
            {
                "access_token": "identity-token",
                "expires_on": str(int(time.time()) + 3600),
                "resource": request.query.get("resource", ""),
                "token_type": "Bearer",
            }
        )


@pytest.fixture
async def token_server(tmp_path: Path) -> AsyncIterator[TokenServer]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = TokenServer(cert=cert)
    runner = web.AppRunner(server.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base = f"https://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


def trusting(server: TokenServer) -> requests.Session:
    """msal's HTTP client, trusting the test server's certificate (and nothing else new)."""
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, where set, replaces the certificate given here
    session.verify = str(server.cert)
    return session


def app_token(server: TokenServer, password: str = PASSWORD) -> AppToken:
    return AppToken(APP_ID, password, TENANT, authority=f"{server.base}/{TENANT}", http_client=trusting(server))


async def test_the_bot_signs_what_it_sends_with_its_app_registrations_token_fetched_once(
    token_server: TokenServer, connector: FakeConnector
) -> None:
    client = Connector(app_token(token_server))
    try:
        for text in ("one", "two"):
            await client.send(connector.url, "a:personal-chat", {"type": "message", "text": text})
    finally:
        await client.close()
    assert [c.authorization for c in connector.calls] == ["Bearer entra-token-1", "Bearer entra-token-1"]
    [asked] = token_server.token_requests
    assert asked["grant_type"] == "client_credentials" and asked["client_id"] == APP_ID
    assert asked["scope"] == "https://api.botframework.com/.default"


async def test_a_wrong_password_is_a_connector_error_naming_entras_answer_but_not_the_password(
    token_server: TokenServer, connector: FakeConnector
) -> None:
    client = Connector(app_token(token_server, password="not-the-password"))
    try:
        with pytest.raises(ConnectorError) as refused:
            await client.send(connector.url, "a:personal-chat", {"type": "message", "text": "hello"})
    finally:
        await client.close()
    assert "invalid_client" in str(refused.value) and "not-the-password" not in str(refused.value)
    assert refused.value.status == 0, "the sender treats it as no answer, and tries again later"
    assert connector.calls == [], "nothing goes out unsigned"


async def test_a_managed_identity_gets_its_token_from_the_platforms_identity_endpoint(
    token_server: TokenServer, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    # App Service tells an app where its identity endpoint is (plain HTTP, on the host) through two variables.
    identity = web.Application()
    identity.router.add_get("/msi/token", token_server.identity)
    runner = web.AppRunner(identity)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"http://127.0.0.1:{port}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "header-from-the-platform")
    client = Connector(AppToken(APP_ID, "", managed_identity=True))
    try:
        await client.send(connector.url, "a:personal-chat", {"type": "message", "text": "hello"})
    finally:
        await client.close()
        await runner.cleanup()
    [call] = connector.calls
    assert call.authorization == "Bearer identity-token"
    [(query, header)] = token_server.identity_requests
    assert query["resource"] == "https://api.botframework.com" and query["client_id"] == APP_ID
    assert header == "header-from-the-platform"

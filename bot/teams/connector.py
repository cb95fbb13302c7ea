"""Outbound calls to the Bot Connector service: replies, updates, proactive messages.

botbuilder 4.17 builds a new connector client (and a new msrest retry configuration) on every turn,
which costs most of an echo bot's CPU. We keep one aiohttp session for the process and one token per
credential, refreshed a few minutes before it expires, and talk to the REST API directly.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import aiohttp

from cluster.text import to_json

log = logging.getLogger("clusterbot.connector")

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
MULTI_TENANT_AUTHORITY = "https://login.microsoftonline.com/botframework.com"
REFRESH_MARGIN_SECONDS = 300


class TokenSource(Protocol):
    """Something that hands out a bearer token for the Bot Connector service."""

    async def token(self) -> str | None:
        """A current access token, or None when calls go unauthenticated (local use)."""
        ...


class NoToken:
    """For local use without an app id: calls carry no Authorization header."""

    async def token(self) -> str | None:
        """No token."""
        return None


class AppToken:
    """Client-credentials token for the bot's app registration, cached until shortly before it expires.

    ``authority`` replaces Microsoft Entra's public login authority (another cloud, or a test's token
    server) and ``http_client`` the ``requests`` session msal talks through; production passes neither.
    A user-assigned managed identity (``managed_identity``) gets its token from the platform's identity
    endpoint instead, without a password.
    """

    def __init__(
        self,
        app_id: str,
        password: str,
        tenant_id: str = "",
        managed_identity: bool = False,
        *,
        authority: str | None = None,
        http_client: Any = None,
    ) -> None:
        self._app_id = app_id
        self._password = password
        self._authority = authority or (
            f"https://login.microsoftonline.com/{tenant_id}" if tenant_id else MULTI_TENANT_AUTHORITY
        )
        self._managed_identity = managed_identity
        self._http_client = http_client
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._client: Any = None

    def _acquire(self) -> dict[str, Any]:
        import msal  # imported here: msal is heavy and unused without an app id
        import requests

        if self._client is None:
            http = self._http_client or requests.Session()
            if self._managed_identity:
                # msal needs an HTTP client for managed identities (it has no default for them).
                self._client = msal.ManagedIdentityClient(
                    msal.UserAssignedManagedIdentity(client_id=self._app_id), http_client=http
                )
            else:
                self._client = msal.ConfidentialClientApplication(
                    self._app_id,
                    client_credential=self._password,
                    authority=self._authority,
                    http_client=http,
                    # Entra's own login hosts are known to msal and need no discovery; another authority is
                    # taken as configured rather than checked against the public cloud's list.
                    instance_discovery=False,
                )
        if self._managed_identity:
            result: dict[str, Any] = self._client.acquire_token_for_client(resource="https://api.botframework.com")
        else:
            result = self._client.acquire_token_for_client(scopes=[BOT_FRAMEWORK_SCOPE])
        return result

    async def token(self) -> str | None:
        """A cached token, fetched again (off the event loop) when it is about to expire."""
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            result = await asyncio.to_thread(self._acquire)
            if "access_token" not in result:
                raise ConnectorError(0, f"token request failed: {result.get('error', 'unknown error')}")
            self._token = str(result["access_token"])
            lifetime = float(result.get("expires_in", 3600))
            self._expires_at = time.monotonic() + max(lifetime - REFRESH_MARGIN_SECONDS, 60)
            return self._token


class ConnectorError(Exception):
    """The connector refused a call; ``status`` is its HTTP status (0 when there was no answer)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"connector answered {status}: {message}")
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    """What the connector said about a message it accepted."""

    id: str


def _conversation_path(service_url: str, conversation_id: str) -> str:
    return f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}"


class Connector:
    """A Bot Connector REST client that reuses one HTTP session for every call."""

    def __init__(self, tokens: TokenSource, timeout_seconds: float = 15.0) -> None:
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self.watch: Callable[[int], None] | None = None
        """Told the status of every answer the connector gives (the app counts its 429s: ``bot.http.metrics``)."""

    def http(self) -> aiohttp.ClientSession:
        """The shared HTTP session (also used to fetch files users send)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=100, limit_per_host=50),
                json_serialize=to_json,  # cards as UTF-8, not \u escapes (a third of the size in accented text)
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (on app shutdown)."""
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, url: str, body: dict[str, Any] | None) -> dict[str, Any]:
        headers = {}
        token = await self._tokens.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http().request(method, url, json=body, headers=headers) as response:
            if self.watch is not None:
                self.watch(response.status)
            text = await response.text()
            if response.status >= 400:
                raise ConnectorError(
                    response.status, text[:300], retry_after_seconds(response.headers.get("Retry-After"))
                )
            if not text:
                return {}
            try:
                parsed = await response.json(content_type=None)
            except ValueError:
                return {}
            return parsed if isinstance(parsed, dict) else {}

    async def send(
        self, service_url: str, conversation_id: str, activity: dict[str, Any], reply_to_id: str | None = None
    ) -> Sent:
        """Post an activity to a conversation (as a reply when ``reply_to_id`` is given)."""
        url = _conversation_path(service_url, conversation_id) + "/activities"
        if reply_to_id:
            url += "/" + quote(reply_to_id, safe="")
        answer = await self._call("POST", url, activity)
        return Sent(id=str(answer.get("id", "")))

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> None:
        """Replace a message the bot sent earlier (counts as a send for Teams' rate limits)."""
        url = _conversation_path(service_url, conversation_id) + "/activities/" + quote(activity_id, safe="")
        await self._call("PUT", url, activity)

    async def notify_meeting(self, service_url: str, meeting_id: str, notification: dict[str, Any]) -> None:
        """Send a targeted in-meeting notification to a Teams meeting (``TeamsInfo.send_meeting_notification``)."""
        url = f"{service_url.rstrip('/')}/v1/meetings/{quote(meeting_id, safe='')}/notification"
        await self._call("POST", url, notification)

    async def member(self, service_url: str, conversation_id: str, member_id: str) -> dict[str, Any]:
        """One member of a conversation or team, as Teams describes them (their e-mail address among it)."""
        url = _conversation_path(service_url, conversation_id) + "/members/" + quote(member_id, safe="")
        return await self._call("GET", url, None)

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        """Delete a message the bot sent earlier."""
        url = _conversation_path(service_url, conversation_id) + "/activities/" + quote(activity_id, safe="")
        await self._call("DELETE", url, None)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # float() also reads "nan" and "inf", which no schedule can wait for.
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # "-0000" (or no zone) leaves the date naive; HTTP dates are always GMT.
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on this machine: the only serviceUrls allowed when auth is off.

    Only a literal loopback address or exactly ``localhost`` counts: a name such as ``127.0.0.1.nip.io``
    merely looks local and can resolve anywhere.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # a malformed URL, e.g. an unclosed IPv6 bracket
        return False
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":  # urlsplit has already lowercased it
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

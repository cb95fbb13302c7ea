"""Checking that a request really comes from the Bot Framework (or, when chosen, from anywhere local)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Any

import requests
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticationConfiguration,
    AuthenticationConstants,
    ChannelValidation,
    JwtTokenExtractor,
    JwtTokenValidation,
    SimpleCredentialProvider,
)

from bot.config import Settings

log = logging.getLogger("clusterbot.auth")


class Unauthorized(Exception):
    """The request carries no valid Bot Framework token."""


# How far ahead of our clock a token's "not before" may be: NTP-synced clocks differ by far less, and the
# Bot Framework dates its tokens' nbf minutes before it issues them.
NBF_SKEW_SECONDS = 60


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_lifetime(claims: object, now: float) -> None:
    """Raise :class:`Unauthorized` unless the verified claims give an expiry and do not start in the future.

    botframework-connector checks ``exp`` only when the token has one, and ``nbf`` with five minutes' grace;
    a token without ``exp`` would be good for ever, and one whose ``nbf`` is ahead of us was made for later.
    """
    if not isinstance(claims, dict) or not _is_number(claims.get("exp")):
        raise Unauthorized("the token has no expiry")
    not_before = claims.get("nbf")
    if not_before is not None and (not _is_number(not_before) or not_before > now + NBF_SKEW_SECONDS):
        raise Unauthorized("the token is not valid yet")


class RequestAuthenticator:
    """Validates the bearer token on an incoming activity against our app id."""

    def __init__(self, settings: Settings) -> None:
        self._enabled = settings.auth_enabled
        self._credentials = SimpleCredentialProvider(settings.app_id, settings.app_password.get_secret_value())
        self._configuration = AuthenticationConfiguration()
        self._tenants = frozenset(settings.allowed_tenants)

    async def check(self, activity: Activity, auth_header: str) -> None:
        """Raise :class:`Unauthorized` unless the token is valid for this bot (skipped when auth is off)."""
        if not self._enabled:
            return
        if not auth_header:
            raise Unauthorized("no Authorization header")
        try:
            identity = await JwtTokenValidation.authenticate_request(
                activity, auth_header, self._credentials, "", self._configuration
            )
        except PermissionError as exc:
            raise Unauthorized(str(exc)) from None
        except Exception as exc:  # a malformed token makes the JWT library raise all sorts
            log.info("token rejected: %s", type(exc).__name__)
            raise Unauthorized(type(exc).__name__) from None
        check_lifetime(getattr(identity, "claims", None), time.time())

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        """With an allow-list set, only its tenants may use the bot."""
        return not self._tenants or (tenant_id is not None and tenant_id in self._tenants)


class SigningKeys:
    """Keeps the Bot Framework's token-signing keys fresh from a worker thread, never from the event loop.

    botframework-connector validates tokens against keys it caches for a day and, when they are older,
    fetches them again inside the request with ``requests`` and no timeout: the whole bot waits, for as long
    as Microsoft's key endpoint takes (for ever, if it hangs). This fills that same cache every few hours
    in a thread, with a timeout, so the library always finds keys younger than a day and never fetches.
    Should the endpoint stay away for more than a day, the library's own fetch is still there.
    """

    def __init__(self, every_seconds: float = 6 * 3600, retry_seconds: float = 60, timeout_seconds: float = 10) -> None:
        self._every = every_seconds
        self._retry = retry_seconds
        self._timeout = timeout_seconds
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def metadata_url() -> str:
        """Where Teams' tokens' keys are published (the library's setting, so tests may point it elsewhere)."""
        return str(
            ChannelValidation.open_id_metadata_endpoint
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        )

    def _fetch(self, url: str) -> list[dict[str, Any]]:
        configuration = requests.get(url, timeout=self._timeout)
        configuration.raise_for_status()
        keys = requests.get(configuration.json()["jwks_uri"], timeout=self._timeout)
        keys.raise_for_status()
        found = keys.json()["keys"]
        if not isinstance(found, list) or not found:
            raise ValueError(f"no signing keys at {url}")
        return found

    async def refresh(self) -> int:
        """Fetch the keys now (in a thread) into the library's cache; returns how many there are."""
        url = self.metadata_url()
        keys = await asyncio.to_thread(self._fetch, url)
        cached = JwtTokenExtractor.get_open_id_metadata(url)
        cached.keys = keys
        # The library ages its cache with naive local time; it is its clock we keep happy here.
        cached.last_updated = datetime.now()
        return len(keys)

    async def _keep_fresh(self) -> None:
        while True:
            try:
                count = await self.refresh()
            except Exception as exc:  # offline, or an odd answer: the library's own fetch still works
                log.warning("could not refresh the Bot Framework signing keys (%s); trying again soon", exc)
                await asyncio.sleep(self._retry)
                continue
            log.info("refreshed %d Bot Framework signing keys", count)
            await asyncio.sleep(self._every)

    def start(self) -> None:
        """Refresh now and every few hours, in the background."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._keep_fresh())

    async def stop(self) -> None:
        """Stop refreshing (on shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

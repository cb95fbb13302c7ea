"""Checking that a request really comes from the Bot Framework (or, when chosen, from anywhere local)."""

from __future__ import annotations

import logging

from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticationConfiguration,
    JwtTokenValidation,
    SimpleCredentialProvider,
)

from bot.settings import Settings

log = logging.getLogger("clusterbot.auth")


class Unauthorized(Exception):
    """The request carries no valid Bot Framework token."""


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
            await JwtTokenValidation.authenticate_request(
                activity, auth_header, self._credentials, "", self._configuration
            )
        except PermissionError as exc:
            raise Unauthorized(str(exc)) from None
        except Exception as exc:  # a malformed token makes the JWT library raise all sorts
            log.info("token rejected: %s", type(exc).__name__)
            raise Unauthorized(type(exc).__name__) from None

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        """With an allow-list set, only its tenants may use the bot."""
        return not self._tenants or (tenant_id is not None and tenant_id in self._tenants)

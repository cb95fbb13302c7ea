"""Settings from the environment, under the Bot Framework's usual names."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AppType = Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"]
LogFormat = Literal["text", "json"]


class Settings(BaseSettings):
    """Everything the bot reads from its environment (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_id: str = Field(default="", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"))
    app_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    app_type: AppType = Field(
        default="MultiTenant", validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    app_tenant_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    )
    database_url: str = Field(default="sqlite:///clusterbot.db", validation_alias="DATABASE_URL")
    allow_no_auth: bool = Field(default=False, validation_alias="CLUSTERBOT_ALLOW_NO_AUTH")
    allowed_tenants: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="CLUSTERBOT_ALLOWED_TENANTS"
    )
    scheduler: bool = Field(default=True, validation_alias="CLUSTERBOT_SCHEDULER")
    log_level: str = Field(default="INFO", validation_alias="CLUSTERBOT_LOG_LEVEL")
    # ``json``: every log line (and the one line per turn) as a JSON object, for a log collector.
    log_format: LogFormat = Field(default="text", validation_alias="CLUSTERBOT_LOG_FORMAT")
    # Set: /metrics wants ``Authorization: Bearer <token>``; unset: only clients on this machine may read it.
    metrics_token: SecretStr = Field(default=SecretStr(""), validation_alias="CLUSTERBOT_METRICS_TOKEN")
    # Threads that run use cases; the database gets a few more connections than this (see bot.http.app).
    workers: int = Field(default=8, ge=1, le=64, validation_alias="CLUSTERBOT_WORKERS")
    # Seconds a request's whole body may take to arrive; a client trickling it in holds a connection open.
    body_timeout: float = Field(default=10.0, gt=0, validation_alias="CLUSTERBOT_BODY_TIMEOUT")
    # The Agents Playground demo (``clusterbot playground`` turns it on): ``act as <person>`` lets whoever types
    # at the Playground's page act as any demo person. Never with MicrosoftAppId (check_auth_choice refuses).
    playground_demo: bool = Field(default=False, validation_alias="CLUSTERBOT_PLAYGROUND_DEMO")
    # The level of apscheduler's own lines ("Running job ...", one a minute per job), apart from the bot's.
    scheduler_log_level: str = Field(default="WARNING", validation_alias="CLUSTERBOT_SCHEDULER_LOG_LEVEL")
    # Seconds a connection may wait for a request's headers to be complete (idle between requests included):
    # a client sending its headers a byte at a time would otherwise hold a connection for ever.
    header_timeout: float = Field(default=15.0, gt=0, validation_alias="CLUSTERBOT_HEADER_TIMEOUT")

    @field_validator("app_id", "app_tenant_id", mode="before")
    @classmethod
    def _trimmed(cls, value: object) -> object:
        # A stray space or newline from a secrets store must not turn authentication on for a blank id.
        return value.strip() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_name(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or "text"  # set but empty, as a template leaves it: the default
        return value

    @field_validator("allowed_tenants", mode="before")
    @classmethod
    def _split_tenants(cls, value: object) -> object:
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value

    @field_validator("app_type", mode="before")
    @classmethod
    def _canonical_app_type(cls, value: object) -> object:
        # Microsoft's samples ship ``MicrosoftAppType=`` empty for a multi-tenant bot, and people write the
        # type in any case; the rest of the bot compares against the canonical spelling.
        if isinstance(value, str):
            if not value.strip():
                return "MultiTenant"
            for canonical in get_args(AppType):
                if value.strip().lower() == canonical.lower():
                    return canonical
        return value

    @field_validator("scheduler", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return True  # set but empty, as a template leaves it: the default
        if isinstance(value, str) and value.strip().lower() in ("on", "off"):
            return value.strip().lower() == "on"
        return value

    @property
    def auth_enabled(self) -> bool:
        """True when requests must carry a valid Bot Framework token."""
        return bool(self.app_id)


class UnsafeConfiguration(RuntimeError):
    """The settings would expose the bot, or could never authenticate it; the message says what to set."""


NO_AUTH_REFUSAL = (
    "MicrosoftAppId is empty, so the bot would accept anyone's requests and post to any serviceUrl. "
    "Set MicrosoftAppId and MicrosoftAppPassword, or for local use only set CLUSTERBOT_ALLOW_NO_AUTH=1."
)


EMPTY_CREDENTIAL_REFUSAL = (
    "MicrosoftAppId is set but MicrosoftAppPassword is empty, so the bot could never get a token to reply with. "
    "Set MicrosoftAppPassword to the app registration's client secret, "
    "or set MicrosoftAppType=UserAssignedMSI if the bot runs as a managed identity."
)

NO_TENANT_REFUSAL = (
    "MicrosoftAppType is SingleTenant but MicrosoftAppTenantId is empty, so no token could ever be issued. "
    "Set MicrosoftAppTenantId to the ID of the tenant the app registration belongs to."
)


DEMO_WITH_AUTH_REFUSAL = (
    "CLUSTERBOT_PLAYGROUND_DEMO is on and MicrosoftAppId is set: the demo lets anyone act as anyone "
    "('act as <person>'), so it never runs with Bot Framework authentication. Unset CLUSTERBOT_PLAYGROUND_DEMO."
)


def check_auth_choice(settings: Settings) -> None:
    """Refuse to run without authentication unless chosen explicitly, or with credentials that cannot work.

    Also refuse the Playground demo (``act as``) with authentication: it is for the local Playground only.
    """
    if settings.playground_demo and settings.auth_enabled:
        raise UnsafeConfiguration(DEMO_WITH_AUTH_REFUSAL)
    if not settings.auth_enabled:
        if not settings.allow_no_auth:
            raise UnsafeConfiguration(NO_AUTH_REFUSAL)
        return
    # Without these the bot would start, pass its health check, and fail every reply it sends.
    if settings.app_type != "UserAssignedMSI" and not settings.app_password.get_secret_value().strip():
        raise UnsafeConfiguration(EMPTY_CREDENTIAL_REFUSAL)
    if settings.app_type == "SingleTenant" and not settings.app_tenant_id.strip():
        raise UnsafeConfiguration(NO_TENANT_REFUSAL)

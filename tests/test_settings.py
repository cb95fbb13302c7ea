"""The settings read from the environment, under the names Microsoft's samples and docs use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, UnsafeConfiguration, check_auth_choice

APP_ID = "00000000-1111-2222-3333-444444444444"


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment with none of the bot's settings in it, and no ``.env`` file to read."""
    monkeypatch.chdir(tmp_path)
    for name in os.environ:
        if name.startswith(("Microsoft", "MICROSOFT_", "CLUSTERBOT_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_an_empty_app_type_as_in_microsofts_samples_means_multi_tenant(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("MicrosoftAppType", "")
    assert Settings().app_type == "MultiTenant"


@pytest.mark.parametrize(
    ("name", "written", "meant"),
    [
        ("MicrosoftAppType", "singletenant", "SingleTenant"),
        ("MicrosoftAppType", "SINGLETENANT", "SingleTenant"),
        ("MicrosoftAppType", " SingleTenant ", "SingleTenant"),
        ("MICROSOFT_APP_TYPE", "multitenant", "MultiTenant"),
        ("MICROSOFT_APP_TYPE", "userassignedmsi", "UserAssignedMSI"),
    ],
)
def test_the_app_type_is_understood_whatever_its_case(
    environment: pytest.MonkeyPatch, name: str, written: str, meant: str
) -> None:
    environment.setenv(name, written)
    assert Settings().app_type == meant


def test_an_app_type_that_is_not_one_of_the_three_is_still_refused(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("MicrosoftAppType", "AnyTenant")
    with pytest.raises(ValidationError, match="MultiTenant"):
        Settings()


@pytest.mark.parametrize("written", ["", "  "])
def test_an_empty_scheduler_setting_leaves_the_scheduler_on(environment: pytest.MonkeyPatch, written: str) -> None:
    environment.setenv("CLUSTERBOT_SCHEDULER", written)
    assert Settings().scheduler is True


def test_the_scheduler_can_still_be_turned_off(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CLUSTERBOT_SCHEDULER", "off")
    assert Settings().scheduler is False


def test_a_single_tenant_app_with_its_tenant_id_and_password_is_accepted(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppPassword", "secret")
    environment.setenv("MicrosoftAppType", "singletenant")
    environment.setenv("MicrosoftAppTenantId", "11111111-2222-3333-4444-555555555555")
    check_auth_choice(Settings())


def test_a_managed_identity_needs_no_password(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppType", "UserAssignedMSI")
    check_auth_choice(Settings())


@pytest.mark.parametrize("password", ["", "   "])
def test_a_client_secret_app_without_a_password_is_refused_naming_the_setting(
    environment: pytest.MonkeyPatch, password: str
) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppPassword", password)
    with pytest.raises(UnsafeConfiguration, match="MicrosoftAppPassword is empty"):
        check_auth_choice(Settings())


def test_a_single_tenant_app_without_a_tenant_id_is_refused_naming_the_setting(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppPassword", "secret")
    environment.setenv("MicrosoftAppType", "SingleTenant")
    with pytest.raises(UnsafeConfiguration, match="MicrosoftAppTenantId is empty"):
        check_auth_choice(Settings())


def test_an_app_id_of_only_spaces_is_no_app_id_and_ids_lose_stray_spaces() -> None:
    blank = Settings(MicrosoftAppId="  \n", CLUSTERBOT_ALLOW_NO_AUTH=True)
    assert not blank.auth_enabled
    padded = Settings(MicrosoftAppId=" app-1\n", MicrosoftAppTenantId=" tenant-1 ", MicrosoftAppPassword="s")
    assert (padded.app_id, padded.app_tenant_id) == ("app-1", "tenant-1")

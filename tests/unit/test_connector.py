"""Reading the Bot Connector's answers and deciding which serviceUrls are this machine: no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.teams.connector import is_loopback_url, retry_after_seconds


def test_a_retry_after_date_without_a_time_zone_is_read_as_utc() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 -0000") == 0.0, "long past: retry now"
    soon = (datetime.now(UTC) + timedelta(seconds=30)).replace(tzinfo=None)
    written = format_datetime(soon)
    assert written.endswith("-0000")
    assert 25 < (retry_after_seconds(written) or 0) <= 30


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
def test_a_retry_after_that_is_not_a_finite_number_is_ignored(value: str) -> None:
    assert retry_after_seconds(value) is None


def test_a_retry_after_in_seconds_is_read_and_a_negative_one_means_now() -> None:
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds("-4") == 0.0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3978/",
        "http://127.8.9.10/",
        "https://localhost:56150/",
        "http://LOCALHOST/",
        "http://[::1]:3978/api",
    ],
)
def test_a_loopback_service_url_is_recognised(url: str) -> None:
    assert is_loopback_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.attacker.example/",
        "https://127.0.0.1.nip.io/",
        "http://localhost.attacker.example/",
        "http://attacker.example/127.0.0.1",
        "https://smba.trafficmanager.net/uk/",
        "http://0.0.0.0:3978/",
        "http://10.0.0.5/",
        "ftp://127.0.0.1/",
        "http://[::1/",
        "",
    ],
)
def test_a_host_that_only_looks_like_loopback_is_not(url: str) -> None:
    assert not is_loopback_url(url)

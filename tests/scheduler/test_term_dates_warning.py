"""Officers hear in time that the loaded school term dates are running out: the log, and the payments card."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import select

from bot.config import Settings
from bot.http.app import create_app
from cluster.clock import LONDON, FixedClock
from scheduler.jobs import term_dates_warning
from store.db import transaction
from store.models import TermDate


def test_the_check_is_quiet_while_the_dates_run_more_than_six_months(central: Engine) -> None:
    assert term_dates_warning(central, datetime(2027, 12, 1, 9, 0, tzinfo=LONDON)) is None


def test_the_check_warns_within_six_months_of_the_last_loaded_day_and_when_none_are_loaded(central: Engine) -> None:
    warning = term_dates_warning(central, datetime(2028, 2, 1, 9, 0, tzinfo=LONDON))
    assert warning is not None and "21 July 2028" in warning
    with transaction(central) as session:
        for row in session.exec(select(TermDate)):
            session.delete(row)
    assert "No school term dates are loaded" in (term_dates_warning(central, datetime(2026, 1, 1, tzinfo=LONDON)) or "")


async def test_the_running_bot_logs_the_warning_when_it_starts(
    central: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="clusterbot.scheduler")
    clock = FixedClock(datetime(2028, 2, 1, 9, 0, tzinfo=LONDON))
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True), clock=clock, engine=central)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        for _ in range(100):  # the check runs on the scheduler's first tick, just after the start
            if any("school term dates" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        await client.close()
    [record] = [r for r in caplog.records if "school term dates" in r.getMessage()]
    assert record.levelno == logging.WARNING and "end on 21 July 2028" in record.getMessage()

"""Runs the jobs on APScheduler 3's AsyncIOScheduler, started and stopped with the aiohttp app.

APScheduler only says *when* to look; the jobs work out what is owed from our tables, so its in-memory job
store holds nothing that a restart could lose.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from cluster.clock import Clock
from scheduler.jobs import ChannelPoster, Deliverer, post_due_agendas, remind_and_deliver

log = logging.getLogger("clusterbot.scheduler")


def attach_scheduler(
    app: web.Application,
    engine: Engine,
    poster: ChannelPoster,
    sender: Deliverer,
    clock: Clock,
    every_seconds: int = 300,
    deliver_every_seconds: int = 60,
) -> Callable[[], Awaitable[list[int]]]:
    """Start the jobs when the app starts and stop them when it stops; returns the agenda job, for tests."""
    scheduler = AsyncIOScheduler(timezone="Europe/London")

    async def agendas() -> list[int]:
        posted = await post_due_agendas(engine, poster, clock.now())
        if posted:
            log.info("posted agendas for meetings %s", posted)
        return posted

    # APScheduler keeps real time; the job itself reads the injected clock, so tests can set the date.
    scheduler.add_job(
        agendas,
        "interval",
        seconds=every_seconds,
        id="agendas",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )

    async def reminders() -> None:
        owed, report = await remind_and_deliver(engine, sender, clock.now())
        if any((owed.review_nudges, owed.deadline_reminders, owed.meeting_posts)):
            log.info("owed %s; delivery %s", owed, report)

    scheduler.add_job(
        reminders,
        "interval",
        seconds=deliver_every_seconds,
        id="reminders",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )

    async def start(_app: web.Application) -> None:
        scheduler.start()

    async def stop(_app: web.Application) -> None:
        scheduler.shutdown(wait=False)

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return agendas

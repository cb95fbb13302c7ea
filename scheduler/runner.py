"""Runs the jobs on APScheduler 3's AsyncIOScheduler, started and stopped with the aiohttp app.

APScheduler only says *when* to look; the jobs work out what is owed from our tables, so its in-memory job
store holds nothing that a restart could lose.

With several replicas on one PostgreSQL database, only the leader runs the jobs (``scheduler.leader``): each
job first checks leadership and does nothing elsewhere, and a small leadership job checks at least every
15 seconds, so when the leader stops another replica takes over (and runs the jobs at once) within a minute.
``CLUSTERBOT_SCHEDULER=off`` runs a replica that only serves the web endpoint.

Every night at 02:30 London time, when nobody is using the bot, the leader removes the pupil details of the
referrals past their cluster's retention period (``remove_expired_pupil_details``).

On starting and then daily, every replica checks the loaded school term dates and logs a warning when they
end within six months (the officer's payments card says the same): instalments fall on term dates.

Two environment variables shorten the timings, for tests and demos (production keeps the defaults):

* ``CLUSTERBOT_SCHEDULER_INTERVAL``: seconds between delivery runs (default 60); the agenda job runs as often
  if that is shorter than its 5 minutes, and the leadership check at least as often.
* ``CLUSTERBOT_SENDER_LEASE_SECONDS``: how long the sender's claim on the messages it is sending lasts before
  it is renewed (default 20); what a process killed mid-batch had claimed is owed again after this.

After a restart, what a killed process had claimed falls due when its lease runs out, which is sooner than
the next delivery run: on starting, the scheduler runs one delivery at that moment (so a vote card the dead
process was redrawing is redrawn within the lease, about 20 seconds, of the restart).

On a graceful stop (SIGTERM), no job starts any more (``pause``, when the app starts shutting down), and the
sender is stopped by the app (``bot.http.app``); a job still running is given up to ``drain_seconds`` more to
finish before the scheduler is shut down, so the stop is bounded.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from cluster.clock import LONDON, Clock
from scheduler.jobs import (
    Deliverer,
    capital_and_deliver,
    citywide_packs_and_deliver,
    post_due_agendas,
    qa_nudges_and_deliver,
    remind_and_deliver,
    remove_expired_pupil_details,
    term_dates_warning,
)
from scheduler.leader import Leadership
from store import outbox
from store.bank_holidays import bank_holidays_warning

log = logging.getLogger("clusterbot.scheduler")

INTERVAL_ENV = "CLUSTERBOT_SCHEDULER_INTERVAL"
LEASE_ENV = "CLUSTERBOT_SENDER_LEASE_SECONDS"
AGENDA_EVERY = 300.0
DELIVER_EVERY = 60.0
LEADERSHIP_EVERY = 15.0
TERM_DATES_EVERY = 24 * 3600.0  # the term dates check: on starting, then daily
SENDER_LEASE = 20.0
DRAIN_SECONDS = 3.0
RETENTION_AT = (2, 30)  # London time: the quiet hour the retention job runs at
# The app's scheduler, for tests that look at what is wired.
SCHEDULER: web.AppKey[AsyncIOScheduler] = web.AppKey("scheduler", AsyncIOScheduler)

T = TypeVar("T")


def _seconds_from_env(name: str) -> float | None:
    """The positive number of seconds in environment variable ``name``; None when it is unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be more than 0 seconds, not {raw!r}")
    return value


def sender_lease() -> float:
    """How long the sender's claim on messages lasts unrenewed: ``CLUSTERBOT_SENDER_LEASE_SECONDS``, default 20."""
    return _seconds_from_env(LEASE_ENV) or SENDER_LEASE


def attach_scheduler(
    app: web.Application,
    engine: Engine,
    sender: Deliverer,
    clock: Clock,
    every_seconds: float | None = None,
    deliver_every_seconds: float | None = None,
    *,
    leadership: Leadership | None = None,
    leadership_every_seconds: float | None = None,
    drain_seconds: float = DRAIN_SECONDS,
) -> Callable[[], Awaitable[list[int]]]:
    """Start the jobs when the app starts and stop them when it stops; returns the agenda job, for tests.

    Intervals left as None come from ``CLUSTERBOT_SCHEDULER_INTERVAL`` or the defaults (agendas every 5
    minutes, delivery every minute, leadership at least every 15 seconds).
    """
    interval = _seconds_from_env(INTERVAL_ENV)
    deliver_every = deliver_every_seconds or interval or DELIVER_EVERY
    agenda_every = every_seconds or min(AGENDA_EVERY, interval or AGENDA_EVERY)
    leadership_every = leadership_every_seconds or min(LEADERSHIP_EVERY, deliver_every)
    leader = leadership or Leadership(engine)
    scheduler = AsyncIOScheduler(timezone="Europe/London")
    running: dict[str, asyncio.Task[object]] = {}

    async def tracked(job_id: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` as job ``job_id``, known to be running meanwhile (a stop waits for it)."""
        task = asyncio.current_task()
        if task is not None:
            running[job_id] = task
        try:
            return await work()
        finally:
            running.pop(job_id, None)

    async def led(job_id: str, work: Callable[[], Awaitable[T]], idle: T) -> T:
        """``work`` if this process leads; ``idle`` (and nothing done) otherwise."""
        if not await leader.ensure():
            log.debug("another process runs the scheduler; %s skipped", job_id)
            return idle
        return await work()

    async def post_agendas() -> list[int]:
        posted = await post_due_agendas(engine, sender, clock.now())
        if posted:
            log.info("owed the agendas of meetings %s", posted)
        return posted

    async def agendas() -> list[int]:
        return await tracked("agendas", lambda: led("agendas", post_agendas, []))

    async def remind() -> None:
        owed, report = await remind_and_deliver(engine, sender, clock.now())
        if any((owed.review_nudges, owed.deadline_reminders, owed.meeting_posts)):
            log.info("owed %s; delivery %s", owed, report)

    async def reminders() -> None:
        await tracked("reminders", lambda: led("reminders", remind, None))

    async def owe_capital() -> None:
        owed = await capital_and_deliver(engine, sender, clock.now())
        if owed:
            log.info("owed %d Capital Fund card(s) and nudge(s)", len(owed))

    async def capital() -> None:
        await tracked("capital", lambda: led("capital", owe_capital, None))

    async def owe_qa() -> None:
        owed = await qa_nudges_and_deliver(engine, sender, clock.now())
        if owed:
            log.info("owed %d quality-assurance visit nudge(s)", len(owed))

    async def qa_visits() -> None:
        await tracked("qa_visits", lambda: led("qa_visits", owe_qa, None))

    async def owe_packs() -> None:
        owed = await citywide_packs_and_deliver(engine, sender, clock.now())
        if owed.packs or owed.officer_notes:
            notes = len(owed.officer_notes)
            log.info("owed the citywide packs of meetings %s and %d note(s) to officers", owed.packs, notes)

    async def citywide() -> None:
        await tracked("citywide", lambda: led("citywide", owe_packs, None))

    async def take_over() -> None:
        terms = leader.terms
        if await leader.ensure() and leader.terms != terms:  # just took over: do the work now, not next interval
            for job_id in ("agendas", "reminders", "capital", "qa_visits", "citywide"):
                if job_id not in running:
                    scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    async def leadership_check() -> None:
        await tracked("leadership", take_over)

    # APScheduler keeps real time; the job itself reads the injected clock, so tests can set the date.
    # The Capital Fund's job runs as often as the reminders: with nothing due it is one indexed query.
    jobs = (
        (agendas, "agendas", agenda_every),
        (reminders, "reminders", deliver_every),
        (capital, "capital", deliver_every),
        (qa_visits, "qa_visits", deliver_every),  # quality-assurance visits' nudges, as often as the reminders
        # The Citywide Meeting's packs fall due as agendas do: as often as the agenda job looks.
        (citywide, "citywide", agenda_every),
    )
    for job, job_id, seconds in jobs:
        scheduler.add_job(
            job,
            "interval",
            seconds=seconds,
            id=job_id,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
    scheduler.add_job(
        leadership_check, "interval", seconds=leadership_every, id="leadership", max_instances=1, coalesce=True
    )

    async def remove_expired() -> None:
        erased = await remove_expired_pupil_details(engine, clock.now())
        if erased:
            log.info("removed the pupil details of %d referral(s) past their retention period", len(erased))

    async def retention() -> None:
        await tracked("retention", lambda: led("retention", remove_expired, None))

    # Daily at a quiet hour. A night missed (the app down at 02:30) waits for the next: a day later changes
    # nothing, as the job finds everything past its period whenever it runs.
    hour, minute = RETENTION_AT
    scheduler.add_job(
        retention,
        "cron",
        hour=hour,
        minute=minute,
        id="retention",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )

    async def check_term_dates() -> None:
        # Every replica logs it (a log line, not a message): whoever reads the logs of any replica sees it.
        try:
            warning = await asyncio.to_thread(term_dates_warning, engine, clock.now())
        except Exception:  # the database is away: the next check says it
            log.exception("could not read the school term dates")
            return
        if warning:
            log.warning("school term dates: %s", warning)
        holidays = bank_holidays_warning(clock.now().astimezone(LONDON).date())
        if holidays:
            log.warning("bank holidays: %s", holidays)

    scheduler.add_job(
        check_term_dates,
        "interval",
        seconds=TERM_DATES_EVERY,
        id="term-dates",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )

    async def catch_up() -> None:
        await tracked("catch-up", sender.deliver_due)

    async def start(_app: web.Application) -> None:
        scheduler.start()
        # What a killed process had claimed is owed again when its lease runs out: deliver it then, not at
        # the next run a minute later. (Any replica may deliver: claims keep a message to one sender.)
        try:
            upcoming = await asyncio.to_thread(outbox.next_due, engine)
        except Exception:  # the database is away: the delivery runs find what is owed later
            log.exception("could not read the outbox on starting")
            return
        if upcoming is not None:
            wait = (upcoming - clock.now()).total_seconds()
            if 0 < wait <= sender_lease() + 1:
                run_at = datetime.now(UTC) + timedelta(seconds=wait + 0.1)
                scheduler.add_job(catch_up, "date", run_date=run_at, id="catch-up", misfire_grace_time=None)

    async def pause(_app: web.Application) -> None:
        if scheduler.running:
            scheduler.pause()  # no new runs while the app stops

    async def stop(_app: web.Application) -> None:
        if not scheduler.running:
            await asyncio.to_thread(leader.release)
            return
        scheduler.pause()  # no new runs; let a batch in progress finish and record what it sent
        busy = [task for task in running.values() if not task.done()]
        if busy:
            _done, unfinished = await asyncio.wait(busy, timeout=drain_seconds)
            if unfinished:
                log.warning(
                    "stopping with %d scheduled job(s) unfinished after %.0fs more; what they claimed is owed "
                    "again when the sender's lease runs out",
                    len(unfinished),
                    drain_seconds,
                )
        scheduler.shutdown(wait=False)
        await asyncio.to_thread(leader.release)

    app[SCHEDULER] = scheduler
    app.on_startup.append(start)
    app.on_shutdown.append(pause)
    app.on_cleanup.append(stop)
    return agendas

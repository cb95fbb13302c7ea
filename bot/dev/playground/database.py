"""The demo's database: Central seeded, with term dates, meetings to come, a meeting today, a quorum and a budget.

:func:`prepare_demo` makes it ready for the tour on any date, idempotently, and only in the playground's own
database (:func:`playground_database_url`); the ``seed`` command never calls any of this.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from bot.config import Settings
from bot.dev.playground.people import DEMO_CLUSTER, demo_entries
from cluster.clock import LONDON, Clock
from cluster.meetings import MeetingSlot
from cluster.terms import Term, TermName, years_covered
from store.db import make_engine, transaction, upgrade
from store.seed import CENTRAL, bank_holidays, seed_file
from store.terms import loaded_terms, store_terms
from usecases import demo, provision_documents
from usecases.meetings import add_meeting, list_meetings
from usecases.roster import ImportResult, import_entries

log = logging.getLogger("clusterbot.playground")
DEFAULT_DATABASE_URL = "sqlite:///clusterbot.db"
PLAYGROUND_DATABASE_URL = "sqlite:///playground.db"
DEMO_MEETINGS = 6
DEMO_FIRST_MEETING_AFTER = timedelta(weeks=3)
DEMO_MEETING_EVERY = timedelta(weeks=7)  # about half-termly, as the shipped meetings are
DEMO_MEETING_WEEKDAY = 3  # Thursday, as the shipped meetings are
# Settings that must vote (or abstain) for an item to be quorate, in the demo only: the referrer's setting does
# not vote on its own referral, which leaves three demo voters (Megan Bowen, Lee Gu, Nestor Wilke).
DEMO_QUORUM = 2
DEMO_BUDGET_PENCE = 60_000_00  # the demo's baseline for this school year: £60,000


def _demo_day(day: date, taken: set[date]) -> date:
    """``day``, or the first working day after it that is no bank holiday and has no meeting yet."""
    holidays = bank_holidays()
    while day.weekday() >= 5 or day in holidays or day in taken:
        day += timedelta(days=1)
    return day


def ensure_demo_meetings(engine: Engine, now: datetime, actor: str = "playground") -> list[MeetingSlot]:
    """Give the demo cluster meetings to come, relative to ``now``, when none still takes referrals.

    The shipped Central meetings are one school year's; the demo must work on any date (a new referral is
    placed on a meeting, ``next meeting`` names one, the chair posts its agenda). So when no meeting of the
    demo cluster has an open referral deadline, this adds :data:`DEMO_MEETINGS` meetings, the first about
    three weeks from today and then about every seven weeks, each with the cluster's usual deadline.
    Idempotent: once one deadline is open it adds nothing. Only for the playground's own database (the
    ``seed`` command never calls it). Returns the meetings added.
    """
    slots = list_meetings(engine, DEMO_CLUSTER)
    if any(not slot.cancelled and slot.deadline > now for slot in slots):
        return []
    taken = {slot.day for slot in slots}
    first = now.astimezone(LONDON).date() + DEMO_FIRST_MEETING_AFTER
    first += timedelta(days=(DEMO_MEETING_WEEKDAY - first.weekday()) % 7)
    added: list[MeetingSlot] = []
    for number in range(DEMO_MEETINGS):
        day = _demo_day(first + number * DEMO_MEETING_EVERY, taken)
        added.append(add_meeting(engine, DEMO_CLUSTER, day, now, title=f"Demo meeting {number + 1}", actor=actor))
        taken.add(day)
    return added


def demo_school_year(year: int) -> list[Term]:
    """A made-up but plausible school year starting in September ``year``, for the demo only.

    Autumn from the first weekday on or after 3 September to the Friday before 20 December, spring from the
    first Monday on or after 4 January to the last Friday of March, summer from the second Monday of April
    to 21 July (Easter is ignored: these are not the council's dates).
    """

    def on_or_after(day: date, weekday: int) -> date:
        return day + timedelta(days=(weekday - day.weekday()) % 7)

    def on_or_before(day: date, weekday: int) -> date:
        return day - timedelta(days=(day.weekday() - weekday) % 7)

    autumn_start = date(year, 9, 3) if date(year, 9, 3).weekday() < 5 else on_or_after(date(year, 9, 3), 0)
    return [
        Term(autumn_start, on_or_before(date(year, 12, 19), 4), TermName.AUTUMN, year),
        Term(on_or_after(date(year + 1, 1, 4), 0), on_or_before(date(year + 1, 3, 31), 4), TermName.SPRING, year),
        Term(on_or_after(date(year + 1, 4, 8), 0), date(year + 1, 7, 21), TermName.SUMMER, year),
    ]


def ensure_demo_terms(engine: Engine, now: datetime, actor: str = "playground") -> list[int]:
    """Give the demo term dates for this school year and the next two, where none are loaded.

    Instalments fall on term dates and a decision past the loaded ones is refused, so on a date beyond the
    shipped (indicative) years the demo would refuse every approval. Only for the playground's own database;
    never replaces loaded terms. Returns the school years added.
    """
    today = now.astimezone(LONDON).date()
    current = today.year if today.month >= 9 else today.year - 1
    with transaction(engine) as session:
        have = set(years_covered(loaded_terms(session)))
        wanted = [year for year in range(current, current + 3) if year not in have]
        for year in wanted:
            store_terms(session, demo_school_year(year), now, actor, "playground demo")
    return wanted


def prepare_demo(database_url: str, clock: Clock, actor: str = "playground") -> ImportResult:
    """Migrate the database, seed the Central cluster, give it what the tour needs and import the demo roster.

    What the tour needs, in the demo's database only: meetings to come (:func:`ensure_demo_meetings`), a
    meeting today that takes referrals until 23:59 (so a referral submitted now is on it and the chair can
    start it), a quorum the demo voters reach (:data:`DEMO_QUORUM`) and a budget for this school year
    (:data:`DEMO_BUDGET_PENCE`), and the made-up example Costed Provision Document. All idempotent and
    relative to the clock's today.
    """
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        now: datetime = clock.now()
        seed_file(engine, CENTRAL, now, actor)
        years = ensure_demo_terms(engine, now, actor)
        if years:
            log.info("added demo school term dates for %s", ", ".join(f"{y}/{(y + 1) % 100:02d}" for y in years))
        added = ensure_demo_meetings(engine, now, actor)
        if added:
            log.info("added %d demo meetings from %s", len(added), f"{added[0].day:%-d %B %Y}")
        today = demo.ensure_meeting_today(engine, DEMO_CLUSTER, now, actor)
        log.info("today's demo meeting: %s, taking referrals until %s", today.day, f"{today.deadline:%H:%M}")
        if demo.ensure_quorum(engine, DEMO_CLUSTER, DEMO_QUORUM, now, actor):
            log.info("demo quorum: %d settings", DEMO_QUORUM)
        label = demo.ensure_budget(engine, DEMO_CLUSTER, DEMO_BUDGET_PENCE, now, actor)
        if label:
            log.info("added the demo budget %s", label)
        if provision_documents.ensure_example(engine, now, actor):
            log.info("loaded the made-up example Costed Provision Document")
        return import_entries(engine, demo_entries(), now, actor)
    finally:
        engine.dispose()


def playground_database_url(settings: Settings) -> str:
    """The demo's database: ``settings.database_url``, except that the default file becomes ``playground.db``."""
    if settings.database_url == DEFAULT_DATABASE_URL:
        return PLAYGROUND_DATABASE_URL
    return settings.database_url

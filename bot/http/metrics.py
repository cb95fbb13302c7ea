"""``/metrics`` in Prometheus' text format, one registry per app.

Counted as things happen: turns by verb and outcome (the labels of ``bot.http.observe.TurnRecord``, all from a
fixed vocabulary, so a hostile client cannot invent label values), each turn's duration, the sender's sends
by outcome and how many of them were retries, and the connector's 429 answers (replies and proactive sends
alike). Read when scraped: the outbox's owed rows and the age of the oldest one (one query on the
``state, not_before`` index's leading column), and whether this replica leads the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.http.observe import TurnRecord
from cluster.clock import Clock
from store.db import transaction
from store.models import Outbox
from store.outbox import OWED

log = logging.getLogger("clusterbot.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""What Prometheus' text format is served as."""

# A turn is mostly database work on a worker and one reply to the connector: tens of milliseconds when all is
# well, seconds when the database or Teams is slow.
TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _StateCollector(Collector):
    """The gauges computed when scraped: the outbox's backlog and the scheduler's leadership."""

    def __init__(self, engine: Engine, clock: Clock, leading: Callable[[], bool]) -> None:
        self._engine = engine
        self._clock = clock
        self._leading = leading

    def collect(self) -> Iterator[Metric]:
        """The gauges, read now; the outbox's are left out when the database does not answer."""
        leading = GaugeMetricFamily(
            "clusterbot_scheduler_leading", "1 when this replica runs the scheduled jobs, else 0."
        )
        leading.add_metric([], 1.0 if self._leading() else 0.0)
        yield leading
        try:
            owed, oldest = self._backlog()
        except Exception as exc:  # the database is away: /readyz says so; the other metrics still count
            log.warning("could not read the outbox for /metrics: %s", type(exc).__name__)
            return
        count = GaugeMetricFamily("clusterbot_outbox_owed", "Outbox messages owed and not yet delivered.")
        count.add_metric([], float(owed))
        yield count
        age = GaugeMetricFamily(
            "clusterbot_outbox_oldest_owed_age_seconds", "Seconds since the oldest owed message was owed (0: none)."
        )
        age.add_metric([], max((self._clock.now() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0)
        yield age

    def _backlog(self) -> tuple[int, datetime | None]:
        with transaction(self._engine, read_only=True) as session:
            owed, oldest = session.exec(
                select(func.count(), func.min(Outbox.created_at)).where(Outbox.state == OWED)
            ).one()
        return int(owed), oldest


class Metrics:
    """The app's metrics and the hooks that move them; its registry is its own (never the process's)."""

    def __init__(self, engine: Engine, clock: Clock, leading: Callable[[], bool]) -> None:
        self.registry = CollectorRegistry()
        self._turns = Counter(
            "clusterbot_turns",
            "Turns (POST /api/messages) by verb or command and outcome.",
            ["verb", "outcome"],
            registry=self.registry,
        )
        self._turn_seconds = Histogram(
            "clusterbot_turn_duration_seconds",
            "How long a turn took, from its request to its answer.",
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self._sends = Counter(
            "clusterbot_sends", "Outbox messages sent to Teams, by outcome.", ["outcome"], registry=self.registry
        )
        self._retries = Counter(
            "clusterbot_send_retries", "Sends of an outbox message that had been tried before.", registry=self.registry
        )
        self._throttled = Counter(
            "clusterbot_connector_throttled",
            "Answers 429 (too many requests) from the Bot Connector.",
            registry=self.registry,
        )
        self.registry.register(_StateCollector(engine, clock, leading))

    def turn(self, record: TurnRecord, seconds: float) -> None:
        """Count a finished turn."""
        self._turns.labels(record.name, record.outcome or "unknown").inc()
        self._turn_seconds.observe(seconds)

    def sent(self, outcome: str, tried_before: int) -> None:
        """Count one send of an outbox message (``bot.delivery.sender``): its outcome, and whether it was a retry."""
        self._sends.labels(outcome).inc()
        if tried_before:
            self._retries.inc()

    def connector_answered(self, status: int) -> None:
        """Count the Bot Connector's answers that matter here (``bot.teams.connector``): 429s."""
        if status == 429:
            self._throttled.inc()

    def render(self) -> bytes:
        """Every metric in Prometheus' text format (queries the database: call it off the event loop)."""
        return generate_latest(self.registry)

"""The one way proactive messages leave the bot: from the outbox, within Teams' limits, retried until accepted.

Teams throttles a bot at 7 messages a second in one conversation, and at about 50 a second across a
tenant. :class:`~bot.delivery.rate_limit.RateLimiter` keeps every send under both (7 per conversation and
40 in all, in any one second). :class:`Sender` takes what the outbox says is due, sends it, and records the outcome:

* accepted by the connector: delivered (only then);
* 429, 412, 5xx, 401 (our token refused: a wrong app id or password, fixable within the day) or no answer:
  owed again after the connector's ``Retry-After``, or else after an exponential
  backoff with full jitter (at most ten minutes); undeliverable only once it has been tried ``max_attempts``
  times and owed for ``retry_for`` (a day), so an outage of Teams or of the bot's login loses nothing;
* 403 or 404: the recipient removed the bot; that is recorded and the message is owed to the admins;
* any other refusal: undeliverable, with the connector's answer kept.

Rows are claimed on a short lease before sending, renewed while the batch is in hand, so a second sender
(another replica) does not take them, and a sender that dies midway leaves them owed again within the lease
(``store.outbox.sending`` explains the leases). One bad message never stops the others.

Stopping (SIGTERM) is bounded: :meth:`Sender.stop` takes no new work (no new claims, no waiting for a
retry, and a batch's messages not yet started are handed back to the outbox, owed now), and
:meth:`Sender.close` gives the sends already in flight ``grace`` seconds from the stop to finish and be
recorded, then abandons the rest. So a clean stop sends nothing twice, unless the connector takes longer
than the grace to answer, and then only what was in flight, as after a kill.

Channel cards (the agenda, vote cards, the minutes) are drawn by ``draw`` when they are sent: the first send
posts the card (in the thread of another card when asked) and later ones update it in place. An in-meeting
notification goes to the Teams meeting held in the channel (``/v1/meetings/{id}/notification``); a meeting
that refuses it (ended, or without the bot) leaves it undeliverable, passed to nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiohttp
from sqlalchemy import Engine

from bot.delivery.rate_limit import RateLimiter
from bot.teams.connector import ConnectorError
from bot.teams.wire import outgoing
from cluster.clock import Clock
from store import outbox
from store.outbox import CardPlace, OwedMessage, Target

log = logging.getLogger("clusterbot.sender")

STOP_GRACE_SECONDS = 5.0
"""On a stop, how long the sends in flight have to finish and be recorded before they are abandoned."""

RETRYABLE = frozenset({0, 401, 412, 429, 502, 503, 504})
REMOVED = frozenset({403, 404})


class SendsActivities(Protocol):
    """The part of :class:`bot.teams.connector.Connector` the sender uses."""

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> Any:
        """Post an activity to a conversation; raise ConnectorError when refused."""
        ...

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> Any:
        """Replace an activity posted earlier; raise ConnectorError when refused."""
        ...


SendWatch = Callable[[str, int], None]
"""Told of each send the sender makes: its outcome (``delivered``, ``retry``, ``undeliverable``, ``removed``,
``gone``, ``refused``) and how many times the message had been tried before (``bot.http.metrics`` counts them)."""


def _unwatched(_outcome: str, _tried_before: int) -> None:
    return None


Draw = Callable[[str], dict[str, Any]]
"""Draws a channel card's activity from the database, by the card's key (``vote:34``)."""


def _no_cards(card_key: str) -> dict[str, Any]:
    raise LookupError(f"this sender draws no channel cards ({card_key})")


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`Sender.deliver_due` did, counted per outbox message."""

    delivered: int = 0
    retried: int = 0
    undeliverable: int = 0
    rerouted: int = 0


@dataclass
class _Tally:
    delivered: int = 0
    retried: int = 0
    undeliverable: int = 0
    rerouted: int = 0

    def report(self) -> DeliveryReport:
        return DeliveryReport(self.delivered, self.retried, self.undeliverable, self.rerouted)


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str
    retry_after: float | None = None


class Sender:
    """Delivers what the outbox owes, within the limiter's limits, recording every outcome in the outbox."""

    def __init__(
        self,
        engine: Engine,
        connector: SendsActivities,
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        max_attempts: int = 8,
        base_backoff: float = 0.5,
        max_backoff: float = 600.0,
        *,
        retry_for: timedelta = timedelta(days=1),
        batch_size: int = 200,
        max_rounds: int = 20,
        wait_within: float = 5.0,
        lease_seconds: float = 20.0,
        concurrency: int = 16,
        rng: random.Random | None = None,
        draw: Draw = _no_cards,
        watch: SendWatch = _unwatched,
    ) -> None:
        self._engine = engine
        self._watch = watch
        self._connector = connector
        self._limiter = limiter or RateLimiter()
        self._clock = clock or Clock()
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.retry_for = retry_for
        self._batch_size = batch_size
        self._max_rounds = max_rounds
        self._wait_within = wait_within
        self._lease = timedelta(seconds=lease_seconds)
        self._concurrency = concurrency
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._draw = draw
        # Two deliveries in one process (a notice, the scheduler) take turns batch by batch, so one
        # conversation's messages, and each card's updates, leave in the order they were owed.
        self._turn = asyncio.Lock()
        self._stopping = False
        self._stopped_at: float | None = None
        self._woken = asyncio.Event()  # set on stop: a wait for a retry ends at once
        self._active: set[asyncio.Task[None]] = set()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called: no new work is taken."""
        return self._stopping

    def stop(self) -> None:
        """Take no new work: no more claims, no waiting for retries; a batch's unstarted messages go back.

        Sends already in flight carry on; :meth:`close` waits for them. Safe to call twice.
        """
        if not self._stopping:
            self._stopping = True
            self._stopped_at = time.monotonic()
        self._woken.set()

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop, give the sends in flight until ``grace`` seconds after the stop, then abandon what is left.

        An abandoned send stays owed in the outbox (claimed until its lease runs out); it may have reached
        Teams, so it can arrive twice, as after a kill.
        """
        self.stop()
        assert self._stopped_at is not None
        busy = {task for task in self._active if not task.done()}
        if not busy:
            return
        left = max(0.0, self._stopped_at + grace - time.monotonic())
        _done, unfinished = await asyncio.wait(busy, timeout=left)
        if unfinished:
            log.warning(
                "stopping with %d delivery(ies) still sending after %.0fs; what they hold stays owed",
                len(unfinished),
                grace,
            )
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts + 1``-th failure: full jitter over an exponential ceiling."""
        ceiling = min(self.max_backoff, self.base_backoff * 2 ** min(attempts, 62))
        return self._rng.uniform(0, ceiling)

    async def deliver_due(self) -> DeliveryReport:
        """Send everything due now, and what falls due within a few seconds (retries); never raises per message.

        Works in rounds: claim what is due, send it, and when nothing is due, sleep until the earliest owed
        message if that is within ``wait_within`` seconds; at most ``max_rounds`` rounds.
        """
        tally = _Tally()
        if self._stopping:
            return tally.report()
        # The rounds run in a task of the sender's own, so that a stop can abandon them after its grace.
        work = asyncio.ensure_future(self._rounds(tally))
        self._active.add(work)
        try:
            await work
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not work.cancelled() or (current is not None and current.cancelling()):
                raise  # our caller was cancelled, not the sender closed
        finally:
            self._active.discard(work)
        return tally.report()

    async def _rounds(self, tally: _Tally) -> None:
        for _ in range(self._max_rounds):
            if self._stopping:
                return
            now = self._clock.now()
            # One batch at a time in a process, but not held while waiting for a retry: a notice owed
            # meanwhile goes out with the next batch, not after someone else's backoff.
            async with self._turn:
                if self._stopping:
                    return
                until = now + self._lease
                batch = await asyncio.to_thread(outbox.claim, self._engine, now, until, self._batch_size)
                if batch:
                    renewing = asyncio.ensure_future(self._keep_claimed([m.id for m in batch], until))
                    try:
                        await self._deliver(batch, tally)
                    finally:
                        renewing.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await renewing
                    continue
            upcoming = await asyncio.to_thread(outbox.next_due, self._engine)
            if upcoming is None:
                return
            wait = (upcoming - now).total_seconds()
            if wait > self._wait_within:
                return
            await self._pause(max(wait, 0.0) + 0.005)
            if self._clock.now() <= now:  # a clock that does not move (tests, demos): nothing more falls due
                return

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when the sender is stopped meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), seconds)

    async def _keep_claimed(self, ids: list[int], until: datetime) -> None:
        """Renew the lease on the batch's rows not yet settled, every third of the lease, until cancelled."""
        every = self._lease.total_seconds() / 3
        while ids:
            await asyncio.sleep(every)
            renewed = self._clock.now() + self._lease
            if renewed <= until:  # a clock that does not move: the lease cannot be pushed further
                continue
            try:
                ids = await asyncio.to_thread(outbox.extend_claim, self._engine, ids, until, renewed)
            except Exception:  # the database is away: the lease may lapse; a second send is the worst case
                log.exception("could not renew the claim on %d outbox message(s)", len(ids))
                continue
            until = renewed

    async def _deliver(self, batch: list[OwedMessage], tally: _Tally) -> None:
        groups: dict[str, list[tuple[OwedMessage, Target]]] = {}
        for message in batch:
            try:
                targets = await asyncio.to_thread(outbox.resolve_targets, self._engine, message)
                if not targets:
                    await self._unreachable(message, tally)
                    continue
                groups.setdefault(_throttled_as(targets[0].conversation_id), []).append((message, targets[0]))
            except Exception:
                log.exception("could not prepare outbox message %s; it is tried again later", message.key)
        gate = asyncio.Semaphore(self._concurrency)

        async def run(group: list[tuple[OwedMessage, Target]]) -> None:
            async with gate:
                await self._deliver_conversation(group, tally)

        await asyncio.gather(*(run(group) for group in groups.values()))

    async def _deliver_conversation(self, group: list[tuple[OwedMessage, Target]], tally: _Tally) -> None:
        """Send one conversation's messages in order; a throttled or removed conversation stops the rest."""
        for index, (message, target) in enumerate(group):
            rest = [m for m, _ in group[index + 1 :]]
            if self._stopping:  # not started: hand it back, owed now, for the next process or replica
                await self._hand_back([message, *rest])
                return
            try:
                outcome = await self._deliver_one(message, target, tally)
                if isinstance(outcome, datetime):  # throttled or unavailable: the rest wait as long
                    await asyncio.to_thread(outbox.postpone, self._engine, [m.id for m in rest], outcome)
                    return
                if outcome == "stopped":  # stopped while it waited its turn under the rate limits
                    await self._hand_back([message, *rest])
                    return
                if outcome == "removed":
                    for later in rest:
                        await self._unreachable(later, tally)
                    return
            except Exception:
                log.exception("could not deliver outbox message %s; it is tried again later", message.key)

    async def _hand_back(self, messages: list[OwedMessage]) -> None:
        try:
            await asyncio.to_thread(outbox.postpone, self._engine, [m.id for m in messages], self._clock.now())
        except Exception:  # the database is away: they are owed again when the lease runs out
            log.exception("could not hand back %d outbox message(s)", len(messages))

    async def _deliver_one(self, message: OwedMessage, target: Target, tally: _Tally) -> datetime | str | None:
        stamp = await self._limiter.acquire(_throttled_as(target.conversation_id))
        if self._stopping:
            self._limiter.sent(stamp)
            return "stopped"
        failure: _Failure | None = None
        posted: CardPlace | None = None
        place: CardPlace | None = None
        notification = _meeting_notification(message)
        try:
            if notification is not None:
                await self._notify_meeting(target, *notification)
            elif message.card_key is None:
                await self._connector.send(target.service_url, target.conversation_id, outgoing(message))
            else:
                place = await asyncio.to_thread(outbox.card_place, self._engine, message)
                posted = await self._send_card(message, target, place)
        except ConnectorError as exc:
            failure = _Failure(exc.status, str(exc), exc.retry_after)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            failure = _Failure(0, f"no answer from the connector: {exc!r}")
        except Exception as exc:  # e.g. a Retry-After the connector could not read: try again later
            log.exception("unexpected error sending outbox message %s", message.key)
            failure = _Failure(0, f"unexpected error: {exc!r}")
        finally:
            self._limiter.sent(stamp)
        now = self._clock.now()
        if failure is None:
            self._watch("delivered", message.attempts)
            delivered = await asyncio.to_thread(
                outbox.mark_delivered, self._engine, message.id, now, revision=message.revision, posted=posted
            )
            if delivered:
                tally.delivered += 1
            return None
        if failure.status in RETRYABLE or failure.status >= 500:
            if message.attempts + 1 >= self.max_attempts and now - message.created_at >= self.retry_for:
                log.warning("giving up on %s after %d attempts: %s", message.key, message.attempts + 1, failure.error)
                self._watch("undeliverable", message.attempts)
                if await asyncio.to_thread(outbox.mark_undeliverable, self._engine, message.id, now, failure.error):
                    tally.undeliverable += 1
                return None
            self._watch("retry", message.attempts)
            delay = failure.retry_after if failure.retry_after is not None else self.backoff(message.attempts)
            # A Retry-After is honoured, but not past the retry window (a huge one would overflow the date).
            longest = max(self.retry_for.total_seconds(), self.max_backoff)
            not_before = now + timedelta(seconds=min(max(delay, 0.0), longest))
            if await asyncio.to_thread(outbox.mark_retry, self._engine, message.id, now, not_before, failure.error):
                tally.retried += 1
            return not_before
        gone = _gone_card(message, place) if failure.status == 404 else None
        if gone is not None:
            log.info("the message of %s is gone from the channel; posting it afresh", gone)
            self._watch("gone", message.attempts)
            await asyncio.to_thread(outbox.card_gone, self._engine, message, gone, now, failure.error)
            tally.retried += 1
            return None
        if failure.status in REMOVED and notification is not None:
            # The meeting is over or the bot is not in it: nothing to pass to the admins, who were in the room.
            log.info("the Teams meeting refused %s (%d): not sent", message.key, failure.status)
            self._watch("refused", message.attempts)
            if await asyncio.to_thread(outbox.mark_undeliverable, self._engine, message.id, now, failure.error):
                tally.undeliverable += 1
            return None
        if failure.status in REMOVED:
            log.info(
                "%s removed the bot (%d); owing %s to the admins", target.conversation_id, failure.status, message.key
            )
            self._watch("removed", message.attempts)
            admins = await asyncio.to_thread(outbox.bot_removed, self._engine, message, now, failure.error)
            self._count_reroute(admins, tally)
            return "removed"
        log.warning("connector refused %s for good: %s", message.key, failure.error)
        self._watch("refused", message.attempts)
        if await asyncio.to_thread(outbox.mark_undeliverable, self._engine, message.id, now, failure.error):
            tally.undeliverable += 1
        return None

    async def _notify_meeting(self, target: Target, meeting_id: str, body: dict[str, Any]) -> None:
        """Post an in-meeting notification; a connector that cannot (a test's double) was given none to send."""
        notify = getattr(self._connector, "notify_meeting", None)
        if notify is None:
            raise ConnectorError(501, "this connector sends no in-meeting notifications")
        await notify(target.service_url, meeting_id, body)

    async def _send_card(self, message: OwedMessage, target: Target, place: CardPlace) -> CardPlace | None:
        """Post a channel card, or update it where it was posted; returns where a new post went."""
        assert message.card_key is not None
        activity = await asyncio.to_thread(self._draw, message.card_key)
        if place.activity_id is not None:
            await self._connector.update(target.service_url, place.conversation_id, place.activity_id, activity)
            return None
        sent = await self._connector.send(target.service_url, place.conversation_id, activity)
        return CardPlace(place.conversation_id, str(getattr(sent, "id", "") or ""))

    async def _unreachable(self, message: OwedMessage, tally: _Tally) -> None:
        admins = await asyncio.to_thread(outbox.unreachable, self._engine, message, self._clock.now())
        self._count_reroute(admins, tally)

    @staticmethod
    def _count_reroute(admins: list[int] | None, tally: _Tally) -> None:
        if admins is None:  # someone else settled it meanwhile
            return
        if admins:
            tally.rerouted += 1
        else:
            tally.undeliverable += 1


def _meeting_notification(message: OwedMessage) -> tuple[str, dict[str, Any]] | None:
    """The Teams meeting and body of an owed in-meeting notification (``outbox.owe_meeting_notification``)."""
    activity = message.activity
    if message.card_key is not None or message.card is not None or activity.get("type") != outbox.MEETING_NOTIFICATION:
        return None
    body = activity.get("notification")
    return str(activity.get("meetingId") or ""), body if isinstance(body, dict) else {}


def _gone_card(message: OwedMessage, place: CardPlace | None) -> str | None:
    """After a 404 on a channel card: the card whose message is gone (updated, or replied under), if any.

    A 404 then means that message was deleted, not that the bot left the channel; a plain post that gets a
    404 is the channel itself gone.
    """
    if message.card_key is None or place is None:
        return None
    if place.activity_id is not None:
        return message.card_key
    if message.thread_of is not None and place.conversation_id != message.conversation_id:
        return message.thread_of
    return None


def _throttled_as(conversation_id: str) -> str:
    """The conversation Teams counts a send against: a channel thread counts as its channel."""
    return conversation_id.split(";messageid=")[0]

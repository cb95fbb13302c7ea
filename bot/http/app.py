"""The aiohttp application: ``POST /api/messages``, ``/healthz``, ``/readyz`` and ``/metrics``, wired in one place.

``/healthz`` is liveness: it answers 200 while the process serves requests and asks the database nothing,
so an orchestrator restarts a replica that is stuck, not every replica whenever the database is away
(restarting would not bring the database back). ``/readyz`` is readiness: 200 only when the database answers
and holds this code's migrations, else 503 with the reason, so a load balancer sends turns only to replicas
that can serve them (``bot.http.observe``). ``/metrics`` is Prometheus' text format (``bot.http.metrics``).

A stop (SIGTERM) is bounded. When the app starts shutting down (the listening socket is already closed), the
sender stops taking work and the scheduler starts no job; turns still being handled get aiohttp's
``SHUTDOWN_TIMEOUT``; the sends in flight get the sender's grace (five seconds from the stop) to finish
and be recorded; then everything is closed. What was not delivered stays owed in the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy import Engine

from bot.actions.catalogue import ACTIONS
from bot.actions.router import Router
from bot.actions.turn import DeliverSoon, Services
from bot.actions.workers import Workers
from bot.config import DEMO_WITH_AUTH_REFUSAL, Settings, UnsafeConfiguration
from bot.delivery.channel_cards import draw_channel_card
from bot.delivery.notify import Notifier
from bot.delivery.sender import Sender
from bot.http import log_text, observe
from bot.http.errors import report_unexpected
from bot.http.metrics import CONTENT_TYPE, Metrics
from bot.teams.act_as import ActAs
from bot.teams.activities import NotAnActivity, describe_turn, read_activity, tenant_of
from bot.teams.adapter import ClusterAdapter
from bot.teams.auth import RequestAuthenticator, SigningKeys, Unauthorized
from bot.teams.cluster_bot import ClusterBot
from bot.teams.connector import AppToken, Connector, NoToken, TokenSource, is_loopback_url
from bot.teams.file_desk import Export, FileDesk
from cluster.clock import Clock
from cluster.text import to_json
from reports.referral_pack import referral_pack_docx
from scheduler.leader import Leadership
from scheduler.runner import attach_scheduler, sender_lease
from store.db import make_engine

log = logging.getLogger("clusterbot.app")

ENGINE: web.AppKey[Engine] = web.AppKey("engine", Engine)
CONNECTOR: web.AppKey[Connector] = web.AppKey("connector", Connector)
BOT: web.AppKey[ClusterBot] = web.AppKey("bot", ClusterBot)
NOTIFIER: web.AppKey[Notifier] = web.AppKey("notifier", Notifier)
MAX_BODY_BYTES = 512 * 1024
SHUTDOWN_TIMEOUT = 5.0
"""Seconds a stop waits for requests still being handled (``web.run_app``'s own default is 60)."""
# An activity nests a handful of levels (a card's data a few more); deeper bodies are refused before any
# other work, so nothing after the parser (botbuilder's deserializer, json.dumps) can run out of stack on them.
MAX_JSON_DEPTH = 64
METRICS_TIMEOUT = 5.0
"""Seconds a scrape of /metrics waits for the outbox's figures before it answers 503."""


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


def _deeper_than(raw: bytes, body: Any, limit: int) -> bool:
    """True when ``body`` (parsed from ``raw``) nests lists and objects more than ``limit`` deep."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual small activity: no walk needed
        return False
    level: list[Any] = [body]
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node if isinstance(node, list) else ())
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


async def _read_body(request: web.Request, seconds: float) -> bytes | web.Response:
    """The request's body, or the answer refusing it: too large (413) or too slow to arrive (408)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    try:
        async with asyncio.timeout(seconds):
            raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        # A chunked body (no Content-Length) is only found too large while it is read.
        return web.json_response({"error": "body too large"}, status=413)
    except TimeoutError:
        # A client sending its body a byte at a time would hold this connection (and its memory) for ever.
        response = web.json_response({"error": "the body took too long to arrive"}, status=408)
        response.force_close()
        return response
    if len(raw) > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    return raw


def _token_source(settings: Settings) -> TokenSource:
    if not settings.auth_enabled:
        return NoToken()
    return AppToken(
        settings.app_id,
        settings.app_password.get_secret_value(),
        settings.app_tenant_id if settings.app_type == "SingleTenant" else "",
        managed_identity=settings.app_type == "UserAssignedMSI",
    )


def build_routes(
    engine: Engine, clock: Clock, deliver_soon: DeliverSoon, export: Export = referral_pack_docx
) -> Router:
    """Every command and card verb the bot handles, wired to its use cases."""
    return Router(Services(engine, clock, deliver_soon, export), ACTIONS)


def vocabulary_of(router: Router) -> observe.Vocabulary:
    """The verbs and commands a turn may be logged and counted under: the ones the router handles."""
    return observe.Vocabulary.of(router.verbs, [*router.personal, *router.channel])


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    connector: Connector | None = None,
    signing_keys: SigningKeys | None = None,
    export: Export = referral_pack_docx,
) -> web.Application:
    """Build the web app; production passes settings only.

    Tests pass a clock, an engine, a connector, signing keys or the referral pack's builder (``export``).
    """
    clock = clock or Clock()
    log_text.install()  # every log line one line, whatever text it quotes
    if settings.log_format == "json":
        observe.use_json_logs()
    # Every worker can hold a connection while the sender, the scheduler and its leader lock hold theirs, so
    # a burst of clicks waits in the workers' queue rather than for a connection.
    engine = engine or make_engine(settings.database_url, connections=settings.workers + 4)
    connector = connector or Connector(_token_source(settings))
    adapter = ClusterAdapter(connector, settings.app_id)
    leadership = Leadership(engine) if settings.scheduler else None
    metrics = Metrics(engine, clock, lambda: leadership is not None and leadership.leading)
    connector.watch = metrics.connector_answered
    readiness = observe.Readiness(engine)  # reads the migrations' head now, once
    sender = Sender(
        engine,
        connector,
        clock=clock,
        lease_seconds=sender_lease(),
        draw=partial(draw_channel_card, engine),
        watch=metrics.sent,
    )
    notifier = Notifier(engine, sender, clock)
    routes = build_routes(engine, clock, notifier.deliver_soon, export)
    vocabulary = vocabulary_of(routes)
    workers = Workers(settings.workers)
    if settings.playground_demo and settings.auth_enabled:
        raise UnsafeConfiguration(DEMO_WITH_AUTH_REFUSAL)  # the CLI refuses it too; this is for every caller
    act_as = ActAs() if settings.playground_demo else None
    bot = ClusterBot(routes, clock, FileDesk(engine, clock, connector, export), workers, act_as)
    authenticator = RequestAuthenticator(settings)
    keys = (signing_keys or SigningKeys()) if settings.auth_enabled else None
    if not settings.auth_enabled:
        log.warning(
            "AUTHENTICATION IS OFF (CLUSTERBOT_ALLOW_NO_AUTH=1): any local process can act as any user. "
            "Only for local use; replies go only to loopback serviceUrls."
        )

    async def messages(request: web.Request) -> web.StreamResponse:
        """One turn: answered by :func:`turn`, then logged as one line and counted."""
        record, token = observe.begin_turn()
        started = time.perf_counter()
        status = 500  # unless an answer comes back
        try:
            response = await turn(request, record)
            status = response.status
            return response
        except web.HTTPException as answered:  # aiohttp answers these itself: log and count what it sends
            status = answered.status
            raise
        finally:
            seconds = time.perf_counter() - started
            record.finish(status, seconds)
            observe.end_turn(token)
            observe.log_turn(record)
            metrics.turn(record, seconds)

    async def turn(request: web.Request, record: observe.TurnRecord) -> web.StreamResponse:
        raw = await _read_body(request, settings.body_timeout)
        if isinstance(raw, web.Response):
            return raw
        if not settings.auth_enabled and request.content_type != "application/json":
            # With no token to check, a web page open in the developer's browser could post a text/plain
            # "simple request" here (no CORS preflight); requiring JSON makes the browser ask first, and we
            # never answer a preflight.
            return web.json_response({"error": "the body must be sent as application/json"}, status=415)
        try:
            body: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return _bad_request("the body is not JSON")
        except RecursionError:  # nested deeper than the parser's stack
            return _bad_request("the body nests too deeply")
        if _deeper_than(raw, body, MAX_JSON_DEPTH):
            return _bad_request("the body nests too deeply")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return _bad_request("the body is not an activity (it needs a 'type')")
        try:
            activity = read_activity(body)
        except NotAnActivity:
            return _bad_request("the body is not a valid activity")
        try:
            describe_turn(record, activity, vocabulary)
        except Exception:  # an odd activity the checks below refuse; its log line just says less
            log.debug("could not describe an activity for its log line", exc_info=True)
        if not activity.service_url or activity.conversation is None or not activity.conversation.id:
            return _bad_request("an activity needs a serviceUrl and a conversation id")
        if body["type"] == "invoke" and not (isinstance(body.get("name"), str) and body["name"]):
            return _bad_request("an invoke activity needs a name")
        try:
            await authenticator.check(activity, request.headers.get("Authorization", ""))
        except Unauthorized:
            return web.json_response({"error": "unauthorized"}, status=401)
        if not settings.auth_enabled and not is_loopback_url(activity.service_url):
            return _bad_request("without authentication, only a loopback serviceUrl is accepted")
        if not authenticator.tenant_allowed(tenant_of(activity)):
            return web.json_response({"error": "tenant not allowed"}, status=403)
        try:
            answer = await adapter.process(activity, bot.on_turn)
        except Exception as exc:
            report_unexpected(exc, "processing an activity")
            return web.json_response({"error": "internal error"}, status=500)
        if answer is None:
            return web.Response(status=200)
        if answer.body is None:
            return web.Response(status=answer.status)
        return web.json_response(answer.body, status=answer.status, dumps=to_json)

    async def healthz(_request: web.Request) -> web.Response:
        # Liveness only: the event loop answers. The database is /readyz's question (see the module's docstring).
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        ready = await readiness.check()
        body = {
            "status": "ready" if ready.ok else "not ready",
            "reason": ready.reason,
            "migrations": {"database": list(ready.revision), "expected": sorted(readiness.heads)},
        }
        return web.json_response(body, status=200 if ready.ok else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        refusal = observe.metrics_refusal(settings.metrics_token.get_secret_value(), request.remote, request.headers)
        if refusal == 401:
            return web.json_response({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})
        if refusal is not None:
            return web.json_response({"error": "only this machine may read the metrics"}, status=refusal)
        try:
            async with asyncio.timeout(METRICS_TIMEOUT):
                text = await asyncio.to_thread(metrics.render)  # the outbox's gauges query the database
        except TimeoutError:
            return web.json_response({"error": "the database did not answer in time"}, status=503)
        return web.Response(body=text, headers={"Content-Type": CONTENT_TYPE})

    async def open_(_app: web.Application) -> None:
        notifier.bind(asyncio.get_running_loop())
        if keys is not None:
            keys.start()

    async def stop_taking_work(_app: web.Application) -> None:
        sender.stop()

    async def settle(_app: web.Application) -> None:
        if keys is not None:
            await keys.stop()
        await asyncio.to_thread(workers.close)  # the turns under way finish; their messages are owed
        await sender.close()  # the sends in flight finish within the grace; the rest stays owed
        await notifier.drain()

    async def close(_app: web.Application) -> None:
        await connector.close()

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[ENGINE] = engine
    app[CONNECTOR] = connector
    app[BOT] = bot
    app[NOTIFIER] = notifier
    app.on_startup.append(open_)
    app.on_shutdown.append(stop_taking_work)
    app.on_cleanup.append(settle)  # before the scheduler's own cleanup, which waits for its jobs
    if settings.scheduler:
        attach_scheduler(app, engine, sender, clock, leadership=leadership)
    app.on_cleanup.append(close)  # last: the scheduler's jobs may still be using the connector
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app

"""A minimal fake Bot Connector for the benchmarks, run as its own process.

``POST /v3/conversations/{conversation}/activities/{activity}`` is a reply: it answers ``{"id": "..."}`` and
records, under the activity id in the path (the ``replyToId``: the id of the message being answered), the
time the reply arrived (``time.monotonic()``, which on Linux is the system-wide CLOCK_MONOTONIC and so
comparable with the load generator's clock) and what kind of reply it was.

Everything else the bots send is recorded in order as an *event*: a new post
(``POST /v3/conversations/{conversation}/activities``: a channel card, a proactive nudge) or an update of a
posted card (``PUT /v3/conversations/{conversation}/activities/{activity}``), each as
``[time, method, conversation, kind, bytes]``.

``GET /stats`` returns both (``?since=N``: only the events from the N-th on; ``?arrivals=0``: no replies)
and ``POST /reset`` clears them. ``GET /wait?reply=ID`` answers once the reply to ``ID`` has arrived, and
``GET /wait?events=N`` once there are more than N events (with the new ones), so a benchmark waiting for
one answer need not poll (``&timeout=S``, default 300; 504 when it passes). With ``--keep-bodies`` the
bodies are kept too (``GET /body/{key}``: a reply's activity id, or ``event-N``), for checking what a bot
answered; without it nothing is parsed or kept, to stay cheap.

Run: ``python bench/fake_connector.py --port 8111 [--keep-bodies]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time

from aiohttp import web

CARD = b"application/vnd.microsoft.card.adaptive"
ECHO = b'"Echo: '

ARRIVALS: web.AppKey[dict[str, list[float | str]]] = web.AppKey("arrivals", dict)
EVENTS: web.AppKey[list[list[float | str | int]]] = web.AppKey("events", list)
BODIES: web.AppKey[dict[str, bytes]] = web.AppKey("bodies", dict)
KEEP: web.AppKey[bool] = web.AppKey("keep", bool)
CHANGED: web.AppKey[asyncio.Condition] = web.AppKey("changed", asyncio.Condition)


def _kind(body: bytes) -> str:
    if CARD in body:
        return "card"
    if ECHO in body:
        return "echo"
    return "other"


async def _reply(request: web.Request) -> web.Response:
    body = await request.read()
    arrived = time.monotonic()
    key = request.match_info["activity"]
    request.app[ARRIVALS][key] = [arrived, _kind(body)]
    if request.app[KEEP]:
        request.app[BODIES][key] = body
    await _notify(request.app)
    return web.json_response({"id": f"sent-{next(_IDS)}"})


async def _event(request: web.Request) -> web.Response:
    body = await request.read()
    arrived = time.monotonic()
    events = request.app[EVENTS]
    if request.app[KEEP]:
        request.app[BODIES][f"event-{len(events)}"] = body
    events.append([arrived, request.method, request.match_info["conversation"], _kind(body), len(body)])
    await _notify(request.app)
    sent = request.match_info.get("activity") or f"sent-{next(_IDS)}"
    return web.json_response({"id": sent})


async def _stats(request: web.Request) -> web.Response:
    since = int(request.query.get("since", "0"))
    arrivals = request.app[ARRIVALS] if request.query.get("arrivals", "1") == "1" else {}
    return web.json_response({"arrivals": arrivals, "events": request.app[EVENTS][since:]})


async def _notify(app: web.Application) -> None:
    async with app[CHANGED]:  # uncontended: no suspension, so this costs next to nothing
        app[CHANGED].notify_all()


async def _wait(request: web.Request) -> web.Response:
    app = request.app
    reply = request.query.get("reply")
    events = int(request.query.get("events", "-1"))

    def ready() -> bool:
        return reply in app[ARRIVALS] if reply is not None else len(app[EVENTS]) > events

    try:
        async with asyncio.timeout(float(request.query.get("timeout", "300"))):
            async with app[CHANGED]:
                await app[CHANGED].wait_for(ready)
    except TimeoutError:
        raise web.HTTPGatewayTimeout() from None
    if reply is not None:
        return web.json_response({"arrival": app[ARRIVALS][reply]})
    return web.json_response({"events": app[EVENTS][events:]})


async def _body(request: web.Request) -> web.Response:
    body = request.app[BODIES].get(request.match_info["key"])
    if body is None:
        raise web.HTTPNotFound()
    return web.Response(body=body, content_type="application/json")


async def _reset(request: web.Request) -> web.Response:
    request.app[ARRIVALS].clear()
    request.app[EVENTS].clear()
    request.app[BODIES].clear()
    return web.json_response({"ok": True})


_IDS = itertools.count(1)


def make_app(keep_bodies: bool = False) -> web.Application:
    """The connector's routes; ``keep_bodies`` keeps what was sent, for ``GET /body/{key}``."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[ARRIVALS] = {}
    app[EVENTS] = []
    app[BODIES] = {}
    app[KEEP] = keep_bodies
    app[CHANGED] = asyncio.Condition()
    app.router.add_post("/v3/conversations/{conversation}/activities", _event)
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", _reply)
    app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", _event)
    app.router.add_get("/stats", _stats)
    app.router.add_get("/body/{key}", _body)
    app.router.add_get("/wait", _wait)
    app.router.add_post("/reset", _reset)
    return app


def main() -> None:
    """Serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keep-bodies", action="store_true", help="keep what the bots sent, for GET /body/{key}")
    args = parser.parse_args()
    web.run_app(make_app(args.keep_bodies), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

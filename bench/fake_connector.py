"""A minimal fake Bot Connector for the benchmark, run as its own process.

``POST /v3/conversations/{conversation}/activities[/{activity}]`` answers ``{"id": "..."}`` and records,
under the activity id in the path (the ``replyToId``: the id of the message being answered), the time the
reply arrived (``time.monotonic()``, which on Linux is the system-wide CLOCK_MONOTONIC and so comparable
with the load generator's clock) and what kind of reply it was. ``GET /stats`` returns the records and
``POST /reset`` clears them. It does no JSON parsing, to stay cheap.

Run: ``python bench/fake_connector.py --port 8111``.
"""

from __future__ import annotations

import argparse
import itertools
import time

from aiohttp import web

CARD = b"application/vnd.microsoft.card.adaptive"
ECHO = b'"Echo: '

ARRIVALS: web.AppKey[dict[str, list[float | str]]] = web.AppKey("arrivals", dict)


def _kind(body: bytes) -> str:
    if CARD in body:
        return "card"
    if ECHO in body:
        return "echo"
    return "other"


async def _reply(request: web.Request) -> web.Response:
    body = await request.read()
    arrived = time.monotonic()
    key = request.match_info.get("activity") or f"no-reply-to-{len(request.app[ARRIVALS])}"
    request.app[ARRIVALS][key] = [arrived, _kind(body)]
    return web.json_response({"id": f"sent-{next(_IDS)}"})


async def _stats(request: web.Request) -> web.Response:
    return web.json_response({"arrivals": request.app[ARRIVALS]})


async def _reset(request: web.Request) -> web.Response:
    request.app[ARRIVALS].clear()
    return web.json_response({"ok": True})


_IDS = itertools.count(1)


def make_app() -> web.Application:
    app = web.Application()
    app[ARRIVALS] = {}
    app.router.add_post("/v3/conversations/{conversation}/activities", _reply)
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", _reply)
    app.router.add_get("/stats", _stats)
    app.router.add_post("/reset", _reset)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(make_app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

"""Handlers not yet declared the new way (:mod:`bot.actions.registry`), while topics move over.

A legacy topic installs ``async`` handlers into these tables; the router runs one when no declaration
matches, with the permission ``bot.actions.permissions.LEGACY`` names. This module goes when the last
topic is declared.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import Engine

from bot.actions.turn import DeliverSoon, Reply, Request, _no_delivery
from cluster.clock import Clock
from cluster.errors import Refusal

Handler = Callable[[Request], Awaitable[Reply]]
_local = threading.local()


def text_input(data: Mapping[str, Any], name: str) -> str:
    """A card input's value as trimmed text ('' when absent)."""
    value = data.get(name)
    return "" if value is None else str(value).strip()


class Routes:
    """The legacy tables: commands, commands with an argument, channel commands, and card verbs."""

    def __init__(self, engine: Engine, clock: Clock, deliver_soon: DeliverSoon | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.deliver_soon = deliver_soon or _no_delivery
        self.personal: dict[str, Handler] = {}
        self.prefixed: dict[str, Handler] = {}
        self.channel: dict[str, Handler] = {}
        self.channel_prefixed: tuple[str, ...] = ()
        self.verbs: dict[str, Handler] = {}

    def find(self, request: Request, prefix: str) -> tuple[str, Handler] | None:
        """The permission key and handler for a request, or None."""
        if request.action is not None:
            verb = request.action.verb
            handler = self.verbs.get(verb)
            if handler is None:
                raise Refusal("That button belongs to a feature this version of the bot no longer has.")
            return verb, handler
        text = request.text
        if request.kind == "personal":
            if text in self.personal:
                return text, self.personal[text]
            for name, handler in self.prefixed.items():
                if text.startswith(name + " "):
                    return name, handler
            return None
        for name in self.channel_prefixed:
            if (text == name or text.startswith(name + " ")) and name in self.channel:
                return prefix + name, self.channel[name]
        if text in self.channel:
            return prefix + text, self.channel[text]
        return None


def run_async(handler: Handler, request: Request) -> Reply:
    """Run a legacy ``async`` handler to the end on this (worker) thread's own event loop."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
    return loop.run_until_complete(handler(request))

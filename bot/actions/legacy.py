"""Handlers not yet declared the new way (:mod:`bot.actions.registry`), while topics move over.

A legacy topic installs ``async`` handlers into these tables; the router runs one when no declaration
matches, with the permission :data:`LEGACY` names. This module goes when the last
topic is declared.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import Engine

from bot.actions.turn import DeliverSoon, Reply, Request, _no_delivery
from cards import verbs
from cluster import permissions as p
from cluster.clock import Clock
from cluster.errors import Refusal
from cluster.permissions import Permission

Handler = Callable[[Request], Awaitable[Reply]]

LEGACY: Mapping[str, Permission] = {
    verbs.REFERRAL_NEW: p.START_REFERRAL,
    verbs.REFERRAL_START: p.START_REFERRAL,
    verbs.REFERRAL_OPEN: p.READ_REFERRAL,
    verbs.REFERRAL_SAVE: p.EDIT_REFERRAL,
    verbs.REFERRAL_ROWS: p.EDIT_REFERRAL,
    verbs.ROW_ADD: p.EDIT_REFERRAL,
    verbs.ROW_EDIT: p.EDIT_REFERRAL,
    verbs.ROW_SAVE: p.EDIT_REFERRAL,
    verbs.ROW_REMOVE: p.EDIT_REFERRAL,
    verbs.CONTRIBUTION_SAVE: p.EDIT_REFERRAL,
    verbs.DOCUMENTS: p.EDIT_REFERRAL,
    verbs.LINK_ADD: p.EDIT_REFERRAL,
    verbs.DOCUMENT_REMOVE: p.EDIT_REFERRAL,
    verbs.REVIEW: p.EDIT_REFERRAL,
    verbs.SUBMIT: p.EDIT_REFERRAL,
    verbs.WITHDRAW: p.EDIT_REFERRAL,
    verbs.MY_REFERRALS: p.MY_REFERRALS,
    verbs.TO_CHECK: p.CHECK_REFERRALS,
    verbs.ACCEPT: p.CHECK_REFERRALS,
    verbs.RETURN: p.CHECK_REFERRALS,
    verbs.EXPORT: p.READ_REFERRAL,
    verbs.REVIEWS: p.MY_REVIEWS,
    verbs.REVIEW_OPEN: p.DO_REVIEW,
    verbs.REVIEW_SUBMIT: p.DO_REVIEW,
    verbs.REVIEW_SNOOZE: p.SNOOZE_REVIEW,
    "new referral": p.START_REFERRAL,
    "my referrals": p.MY_REFERRALS,
    "reviews": p.MY_REVIEWS,
    "reviews due": p.REVIEWS_DUE,
    "referrals to check": p.CHECK_REFERRALS,
    "export": p.READ_REFERRAL,
}
"""Keys whose handlers are not yet declared (``bot.actions.legacy``): it shrinks as each topic moves over."""
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

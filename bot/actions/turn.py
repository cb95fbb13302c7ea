"""What a handler is given and gives back: the request as plain data, the services it may use, its reply."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from cluster.clock import LONDON, Clock
from cluster.errors import InvalidInput
from usecases.people import Actor


@dataclass(frozen=True)
class CardAction:
    """A card button press: its verb and the data and inputs it carried."""

    verb: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One thing a person asked for, as plain data."""

    actor: Actor
    kind: str  # personal | channel | groupChat
    conversation_id: str
    text: str
    action: CardAction | None = None
    event: CardAction | None = None  # an event Teams sent (its name, and what it carries as plain data)
    search: CardAction | None = None  # a search a card's choice asked for (its dataset, the text and argument)

    @property
    def data(self) -> Mapping[str, Any]:
        """What the clicked card sent, or what the event carries ({} for a typed message)."""
        if self.event is not None:
            return self.event.data
        if self.search is not None:
            return self.search.data
        return self.action.data if self.action is not None else {}


@dataclass(frozen=True)
class Reply:
    """What to answer: a card, or a line of text; then any extra attachments to send in the same chat.

    Notices to other people (a referral accepted, a decision) are not part of the answer: the use case that
    makes the change owes them in its own transaction (``store.outbox.owe_notice``), and the handler has
    them delivered (``turn.deliver_soon``).
    """

    card: dict[str, Any] | None = None
    text: str | None = None
    attachments: tuple[dict[str, Any], ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # a search's answer: (title, value) pairs, at most 15


class DeliverSoon(Protocol):
    """Has what is owed delivered in the background (``bot.delivery.notify.Notifier.deliver_soon``)."""

    def __call__(self, after_seconds: float = 0.0) -> None:
        """Deliver soon; ``after_seconds`` lets a burst of changes go out together."""
        ...


def _no_delivery(after_seconds: float = 0.0) -> None:
    """No sender (a test or a tool with no app): what is owed stays owed."""


# Writes a referral's pack for export (the Word document's bytes); tests may give a failing one.
Export = Callable[..., bytes]


@dataclass(frozen=True)
class Services:
    """What every handler may use, made once per app: the database, the clock, delivery."""

    engine: Engine
    clock: Clock
    deliver_soon: DeliverSoon = _no_delivery
    export: Export | None = None


@dataclass(frozen=True)
class Turn:
    """One request being handled: the services, the request, and any mistakes to show on a form again."""

    services: Services
    request: Request
    mistakes: InvalidInput | None = None

    @property
    def engine(self) -> Engine:
        """The database."""
        return self.services.engine

    @property
    def actor(self) -> Actor:
        """Who is asking."""
        return self.request.actor

    def now(self) -> datetime:
        """The time now, from the app's one clock."""
        return self.services.clock.now()

    def today(self) -> date:
        """Today in London."""
        return self.now().astimezone(LONDON).date()

    def deliver_soon(self, after_seconds: float = 0.0) -> None:
        """Have what the use case owed delivered in the background."""
        self.services.deliver_soon(after_seconds)

    @property
    def values(self) -> dict[str, str]:
        """What the person typed, to show the form again (empty unless the form comes back with mistakes)."""
        return dict(self.mistakes.values) if self.mistakes else {}

    @property
    def errors(self) -> dict[str, str]:
        """Each mistake beside its field (empty unless the form comes back with mistakes)."""
        return dict(self.mistakes.errors) if self.mistakes else {}

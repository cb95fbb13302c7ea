"""Commands and card verbs, each mapped to one handler that calls a use case and picks a card."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.turns import CardAction
from cards import verbs
from cards.channel import channel_help_card, linked_card
from cards.common import Card
from cards.meetings import next_meeting_card
from cards.people import help_card, not_registered_card, whoami_card
from cluster.clock import Clock
from cluster.errors import Refusal
from store import usecases
from store.usecases import Actor


@dataclass(frozen=True)
class Request:
    """One thing a person asked for, as plain data."""

    actor: Actor
    kind: str  # personal | channel | groupChat
    conversation_id: str
    text: str
    action: CardAction | None = None

    @property
    def data(self) -> Mapping[str, Any]:
        """What the clicked card sent ({} for a typed message)."""
        return self.action.data if self.action is not None else {}


@dataclass(frozen=True)
class Reply:
    """What to answer: a card, or a line of text; then any extra attachments to send in the same chat.

    Notices to other people (a referral accepted, a decision) are not part of the answer: the use case that
    makes the change owes them in its own transaction (``store.outbox.owe_notice``), and the handler has
    them delivered (``deliver_soon``).
    """

    card: Card | None = None
    text: str | None = None
    attachments: tuple[dict[str, Any], ...] = ()


Handler = Callable[[Request], Awaitable[Reply]]

UNKNOWN_PERSONAL = "I didn't understand “{text}”. Type **help** to see what I can do for you."
UNKNOWN_CHANNEL = "I didn't understand “{text}”. Mention me with **help** to see what I do in a channel."


class Routes:
    """The handlers, with what they need, and the tables that map commands and verbs to them."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.personal: dict[str, Handler] = {
            "help": self.help,
            "whoami": self.whoami,
            "next meeting": self.next_meeting,
        }
        self.channel: dict[str, Handler] = {"help": self.channel_help}
        # Personal commands that take an argument, such as "export CEN-2526-014".
        self.prefixed: dict[str, Handler] = {}
        self.verbs: dict[str, Handler] = {
            verbs.HELP: self.help,
            verbs.WHOAMI: self.whoami,
            verbs.NEXT_MEETING: self.next_meeting,
        }

    async def dispatch(self, request: Request) -> Reply:
        """Find and run the handler for a request; unknown text gets a hint, not silence."""
        if request.action is not None:
            handler = self.verbs.get(request.action.verb)
            if handler is None:
                raise Refusal("That button belongs to a feature this version of the bot no longer has.")
            return await handler(request)
        if request.kind == "personal":
            handler = self.personal.get(request.text)
            if handler is None:
                handler = next(
                    (h for prefix, h in self.prefixed.items() if request.text.startswith(prefix + " ")), None
                )
            if handler is None:
                return Reply(text=UNKNOWN_PERSONAL.format(text=request.text[:80]))
            return await handler(request)
        if request.text.startswith("link cluster"):
            return await self.link_cluster(request)
        handler = self.channel.get(request.text)
        if handler is None:
            return Reply(text=UNKNOWN_CHANNEL.format(text=request.text[:80]))
        return await handler(request)

    async def help(self, request: Request) -> Reply:
        """Personal help: only the commands this person's roles allow."""
        if request.actor.person_id is None:
            return Reply(card=not_registered_card(request.actor.aad_object_id))
        return Reply(card=help_card(request.actor.name, usecases.available_commands(request.actor)))

    async def whoami(self, request: Request) -> Reply:
        """The person's roles and settings."""
        if request.actor.person_id is None:
            return Reply(card=not_registered_card(request.actor.aad_object_id))
        me = usecases.whoami(request.actor)
        return Reply(card=whoami_card(me.name, me.aad_object_id, me.grants))

    async def next_meeting(self, request: Request) -> Reply:
        """The next meeting of each of the person's clusters."""
        if request.actor.person_id is None:
            return Reply(card=not_registered_card(request.actor.aad_object_id))
        now = self.clock.now()
        return Reply(card=next_meeting_card(usecases.next_meetings(self.engine, request.actor, now), now))

    async def channel_help(self, request: Request) -> Reply:
        """What the bot does in a channel, and which cluster this channel belongs to."""
        return Reply(card=channel_help_card(usecases.channel_cluster(self.engine, request.conversation_id)))

    async def link_cluster(self, request: Request) -> Reply:
        """``link cluster NAME``: make this channel the cluster's meeting channel (cluster admins)."""
        name = request.text[len("link cluster") :].strip()
        if not name:
            raise Refusal("Say which cluster: for example “link cluster Central”.")
        linked = usecases.link_channel(self.engine, request.conversation_id, request.actor, name, self.clock.now())
        return Reply(card=linked_card(linked, request.actor.name))


def text_input(data: Mapping[str, Any], name: str) -> str:
    """A card input's value as trimmed text ('' when absent)."""
    value = data.get(name)
    return "" if value is None else str(value).strip()

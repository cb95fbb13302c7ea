"""Commands and card verbs, each mapped to one handler that calls a use case and picks a card."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.actions.permissions import CHANNEL_PREFIX, permission_for
from bot.teams.activities import CardAction
from cards import verbs
from cards.channel import channel_help_card, linked_card
from cards.common import Card, plain
from cards.guide import roles_in
from cards.meetings import next_meeting_card
from cards.people import help_card, not_registered_card, whoami_card
from cluster.clock import Clock
from cluster.errors import Refusal
from cluster.permissions import Forbidden, allows
from usecases import citywide_meetings, conversations, people
from usecases.people import NOT_REGISTERED, Actor


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


class Handlers(dict[str, Handler]):
    """Commands or verbs and their handlers; a key without a row in the permission table cannot be added."""

    def __init__(self, prefix: str = "") -> None:
        super().__init__()
        self.prefix = prefix  # how the permission table spells these keys (``@`` for channel commands)

    def __setitem__(self, key: str, handler: Handler) -> None:
        permission_for(self.prefix + key)
        super().__setitem__(key, handler)

    def update(self, *others: Mapping[str, Handler], **more: Handler) -> None:  # type: ignore[override]
        """Add handlers one by one, so each key is checked against the permission table."""
        for other in (*others, more):
            for key, handler in other.items():
                self[key] = handler


class Routes:
    """The handlers, with what they need, and the tables that map commands and verbs to them.

    Before a handler runs, the person must hold one of the roles its permission names
    (``bot.actions.permissions.TABLE``); the use case then checks the rows the card names.
    """

    def __init__(self, engine: Engine, clock: Clock, deliver_soon: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.clock = clock
        # Linking a channel may owe it an agenda that fell due; this has it delivered.
        self.deliver_soon = deliver_soon or (lambda: None)
        self.personal = Handlers()
        self.personal.update({"help": self.help, "whoami": self.whoami, "next meeting": self.next_meeting})
        self.channel = Handlers(CHANNEL_PREFIX)
        self.channel.update({"help": self.channel_help, "link cluster": self.link_cluster})
        # Personal commands that take an argument, such as "export CEN-2526-014".
        self.prefixed = Handlers()
        # Channel commands that take one, such as "link cluster Central".
        self.channel_prefixed = ("link cluster",)
        self.verbs = Handlers()
        self.verbs.update({verbs.HELP: self.help, verbs.WHOAMI: self.whoami, verbs.NEXT_MEETING: self.next_meeting})

    def _find(self, request: Request) -> tuple[str, Handler] | None:
        """The permission table's key and the handler for a request, or None when nothing matches."""
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
            for prefix, handler in self.prefixed.items():
                if text.startswith(prefix + " "):
                    return prefix, handler
            return None
        for prefix in self.channel_prefixed:
            if text == prefix or text.startswith(prefix + " "):
                return CHANNEL_PREFIX + prefix, self.channel[prefix]
        if text in self.channel:
            return CHANNEL_PREFIX + text, self.channel[text]
        return None

    async def dispatch(self, request: Request) -> Reply:
        """Find the handler, check the person may use it at all, and run it; unknown text gets a hint."""
        found = self._find(request)
        if found is None:
            template = UNKNOWN_PERSONAL if request.kind == "personal" else UNKNOWN_CHANNEL
            return Reply(text=template.format(text=plain(request.text[:80])))
        key, handler = found
        permission = permission_for(key)
        registered = request.actor.person_id is not None
        if not allows(request.actor.grants, permission, registered):
            if not registered:
                raise Forbidden(NOT_REGISTERED.format(aad=request.actor.aad_object_id or "(unknown)"))
            raise Forbidden(permission.refusal)
        return await handler(request)

    async def help(self, request: Request) -> Reply:
        """Personal help: only the commands this person's roles allow."""
        if request.actor.person_id is None:
            return Reply(card=not_registered_card(request.actor.aad_object_id))
        actor = request.actor
        return Reply(card=help_card(actor.name, people.available_commands(actor), roles_in(actor.grants, None)))

    async def whoami(self, request: Request) -> Reply:
        """The person's roles and settings."""
        if request.actor.person_id is None:
            return Reply(card=not_registered_card(request.actor.aad_object_id))
        me = people.whoami(request.actor)
        return Reply(card=whoami_card(me.name, me.aad_object_id, me.grants))

    async def next_meeting(self, request: Request) -> Reply:
        """The next meeting of each of the person's clusters."""
        if request.actor.person_id is None:
            return Reply(card=not_registered_card(request.actor.aad_object_id))
        now = self.clock.now()
        citywide = citywide_meetings.next_citywide_meeting(self.engine, request.actor, now)
        return Reply(card=next_meeting_card(people.next_meetings(self.engine, request.actor, now), now, citywide))

    async def channel_help(self, request: Request) -> Reply:
        """What the bot does in a channel, and which cluster this channel belongs to."""
        conversation = request.conversation_id
        cluster = conversations.channel_cluster(self.engine, conversation)
        return Reply(
            card=channel_help_card(
                cluster,
                citywide_meetings.is_citywide_channel(self.engine, conversation),
                roles_in(request.actor.grants, cluster),
            )
        )

    async def link_cluster(self, request: Request) -> Reply:
        """``link cluster NAME``: make this channel the cluster's meeting channel (cluster admins)."""
        name = request.text[len("link cluster") :].strip()
        if not name:
            raise Refusal("Say which cluster: for example “link cluster Central”.")
        linked = conversations.link_channel(self.engine, request.conversation_id, request.actor, name, self.clock.now())
        self.deliver_soon()
        return Reply(card=linked_card(linked, request.actor.name))


def text_input(data: Mapping[str, Any], name: str) -> str:
    """A card input's value as trimmed text ('' when absent)."""
    value = data.get(name)
    return "" if value is None else str(value).strip()

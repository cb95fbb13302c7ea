"""Every action declared once: its verb or chat command, its permission, its typed command and its handler.

A topic module declares its actions with the decorators of :data:`ACTIONS`, beside the handler::

    @ACTIONS.verb(verbs.REVIEW_OPEN, p.DO_REVIEW, OpenReview)
    def open_review(turn: Turn, command: OpenReview) -> Reply: ...

    @ACTIONS.verb(verbs.REVIEW_SUBMIT, p.DO_REVIEW, SubmitReview, form=open_review)
    def submit_review(turn: Turn, command: SubmitReview) -> Reply: ...

From these declarations alone come the router (:class:`bot.actions.router.Router`), the permission table
(:mod:`bot.actions.permissions`), the help card's list of commands and the README's "Who may do what".
A form's action names the handler that shows the form (``form=``): when what was typed needs fixing, the
router shows that form again with every input kept and each mistake beside its field.

Handlers are plain functions; the router runs them on a worker thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from bot.actions.turn import Reply, Turn
from cluster.commands.inputs import Nothing, specs
from cluster.permissions import Permission

C = TypeVar("C")
Handler = Callable[[Turn, Any], Reply]
F = TypeVar("F", bound=Callable[..., Reply])

CHANNEL_PREFIX = "@"  # how the permission table spells a channel command: people mention the bot there
SEARCH_PREFIX = "search:"  # how it spells a search dataset, as a card's ``Data.Query`` names it


class Where(StrEnum):
    """How an action is asked for."""

    VERB = "verb"  # a card's button
    PERSONAL = "personal"  # typed in the 1:1 chat
    CHANNEL = "channel"  # typed in a channel, mentioning the bot
    EVENT = "event"  # told by Teams itself (an event activity, such as the channel's Teams meeting starting)
    SEARCH = "search"  # a card's choice asking for choices as the person types (Teams' ``application/search``)


@dataclass(frozen=True)
class MenuEntry:
    """How a personal chat command is offered on the help card."""

    title: str
    summary: str


@dataclass(frozen=True)
class Declaration:
    """One action: how it is asked for, who may, what it reads, and what handles it."""

    where: Where
    name: str  # the verb, or the command as typed (without its argument)
    permission: Permission
    command: type[Any]
    handler: Handler
    argument: str = ""  # a typed command's text after its name goes to the command under this key
    form: Handler | None = None  # shows this action's form again when what was typed needs fixing
    menu: MenuEntry | None = None  # offered on the personal help card

    @property
    def key(self) -> str:
        """The permission table's key: the verb, the command, or ``@`` and the channel command."""
        if self.where is Where.SEARCH:
            return SEARCH_PREFIX + self.name
        return CHANNEL_PREFIX + self.name if self.where is Where.CHANNEL else self.name


class Duplicate(ValueError):
    """An action declared twice: one of the two would never run."""


class Actions:
    """The declarations of one app (the bot's is :data:`ACTIONS`; a test may make its own)."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[Where, str], Declaration] = {}
        self._by_handler: dict[Handler, Declaration] = {}

    def add(self, declaration: Declaration) -> None:
        """Add one declaration; a second for the same verb or command is refused."""
        where = (declaration.where, declaration.name)
        if where in self._by_key:
            raise Duplicate(f"{declaration.where} {declaration.name!r} is declared twice")
        specs(declaration.command)  # every field of the command is declared with cluster.commands.inputs
        self._by_key[where] = declaration
        self._by_handler.setdefault(declaration.handler, declaration)

    def verb(
        self, verb: str, permission: Permission, command: type[Any] = Nothing, *, form: Handler | None = None
    ) -> Callable[[F], F]:
        """Declare the handler of a card verb."""

        def declare(handler: F) -> F:
            self.add(Declaration(Where.VERB, verb, permission, command, handler, form=form))
            return handler

        return declare

    def personal(
        self,
        text: str,
        permission: Permission,
        command: type[Any] = Nothing,
        *,
        argument: str = "",
        menu: MenuEntry | None = None,
    ) -> Callable[[F], F]:
        """Declare the handler of a command typed in the 1:1 chat (``argument``: the key for the text after it)."""

        def declare(handler: F) -> F:
            self.add(Declaration(Where.PERSONAL, text, permission, command, handler, argument, menu=menu))
            return handler

        return declare

    def channel(
        self, text: str, permission: Permission, command: type[Any] = Nothing, *, argument: str = ""
    ) -> Callable[[F], F]:
        """Declare the handler of a command typed in a channel with the bot mentioned."""

        def declare(handler: F) -> F:
            self.add(Declaration(Where.CHANNEL, text, permission, command, handler, argument))
            return handler

        return declare

    def event(self, name: str, permission: Permission, command: type[Any]) -> Callable[[F], F]:
        """Declare the handler of an event activity Teams sends (``name`` as Teams names it).

        No person asks for it, so its permission says Teams tells the bot; its command is read from what the
        event carries (``bot.teams.activities.meeting_events``), as a card's data is.
        """

        def declare(handler: F) -> F:
            self.add(Declaration(Where.EVENT, name, permission, command, handler))
            return handler

        return declare

    def search(
        self, dataset: str, permission: Permission, command: type[Any], *, argument: str = ""
    ) -> Callable[[F], F]:
        """Declare the handler of a search dataset: a card's filtered choice asks it for choices as the person types.

        The card names it in ``choices.data`` (``{"type": "Data.Query", "dataset": ...}``); what follows a colon
        in the dataset (``provision:12``) goes to the command under ``argument``, and the typed text under
        ``query``. The handler answers with :attr:`Reply.choices`, at most 15 (Teams shows no more).
        """

        def declare(handler: F) -> F:
            self.add(Declaration(Where.SEARCH, dataset, permission, command, handler, argument))
            return handler

        return declare

    def get(self, where: Where, name: str) -> Declaration | None:
        """The declaration of this verb or command, if there is one."""
        return self._by_key.get((where, name))

    def of_handler(self, handler: Handler) -> Declaration:
        """The (first) declaration of a handler: a form's own command type comes from it."""
        return self._by_handler[handler]

    def names(self, where: Where) -> frozenset[str]:
        """Every verb, or every command, declared for ``where``."""
        return frozenset(name for w, name in self._by_key if w is where)

    def __iter__(self) -> Iterator[Declaration]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)


ACTIONS = Actions()
"""The bot's actions. :mod:`bot.actions.catalogue` imports every topic module, so all are declared."""

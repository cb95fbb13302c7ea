"""Finding the declared action for a request, checking the person may use it, and running its handler.

The order is the same for every action (:mod:`bot.actions.registry` holds the declarations):

1. find the declaration of the card's verb, or of the typed command;
2. refuse anyone whose roles the declaration's permission does not name (the use case then checks the rows
   the card names, ``cluster.permissions.authorize``);
3. parse the card's data into the declared command (``cluster.commands.inputs.parse``);
4. run the handler, a plain function, on the calling (worker) thread.

When what a person typed needs fixing, from the parser or from the use case (:class:`InvalidInput`), the
declared form is shown again: every input as typed, each mistake beside its field. That is the one way back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.actions.registry import ACTIONS, Actions, Declaration, Where
from bot.actions.turn import Reply, Request, Services, Turn
from cards.common import plain
from cluster.commands.inputs import kept, parse
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import Forbidden, allows
from usecases.people import NOT_REGISTERED

UNKNOWN_PERSONAL = "I didn't understand “{text}”. Type **help** to see what I can do for you."
UNKNOWN_CHANNEL = "I didn't understand “{text}”. Mention me with **help** to see what I do in a channel."
UNKNOWN_BUTTON = "That button belongs to a feature this version of the bot no longer has."


class Router:
    """Runs the declared actions with the app's services."""

    def __init__(self, services: Services, actions: Actions = ACTIONS) -> None:
        self.services = services
        self.actions = actions
        # Typed commands that take an argument, longest first: "reviews due" is not "reviews" with "due".
        self._with_argument = {
            where: sorted(
                (d for d in actions if d.where is where and d.argument), key=lambda d: len(d.name), reverse=True
            )
            for where in (Where.PERSONAL, Where.CHANNEL)
        }

    @property
    def verbs(self) -> frozenset[str]:
        """Every card verb with a handler."""
        return self.actions.names(Where.VERB)

    @property
    def personal(self) -> frozenset[str]:
        """Every command typed in the 1:1 chat."""
        return self.actions.names(Where.PERSONAL)

    @property
    def channel(self) -> frozenset[str]:
        """Every command typed in a channel."""
        return self.actions.names(Where.CHANNEL)

    @property
    def events(self) -> frozenset[str]:
        """Every event activity (by Teams' name for it) with a handler."""
        return self.actions.names(Where.EVENT)

    def find(self, request: Request) -> tuple[Declaration, Mapping[str, Any]] | None:
        """The declaration a request asks for and the data its command is read from (None: unknown text)."""
        if request.event is not None:
            declaration = self.actions.get(Where.EVENT, request.event.verb)
            return None if declaration is None else (declaration, request.event.data)
        if request.search is not None:
            dataset, _, argument = request.search.verb.partition(":")
            declaration = self.actions.get(Where.SEARCH, dataset)
            if declaration is None:
                return None
            return declaration, {**request.search.data, declaration.argument: argument}
        if request.action is not None:
            declaration = self.actions.get(Where.VERB, request.action.verb)
            if declaration is None:
                raise Refusal(UNKNOWN_BUTTON)
            return declaration, request.action.data
        where = Where.PERSONAL if request.kind == "personal" else Where.CHANNEL
        text = request.text
        declaration = self.actions.get(where, text)
        if declaration is not None:
            return declaration, {}
        for declaration in self._with_argument[where]:
            if text.startswith(declaration.name + " "):
                return declaration, {declaration.argument: text[len(declaration.name) :].strip()}
        return None

    def dispatch(self, request: Request) -> Reply:
        """Find the action, check the person may use it at all, read its command and run it."""
        found = self.find(request)
        if found is None:
            if request.event is not None or request.search is not None:
                return Reply()  # an event the bot does not handle, or a search it has not: nothing to answer
            template = UNKNOWN_PERSONAL if request.kind == "personal" else UNKNOWN_CHANNEL
            return Reply(text=template.format(text=plain(request.text[:80])))
        declaration, data = found
        permission = declaration.permission
        registered = request.actor.person_id is not None
        if not allows(request.actor.grants, permission, registered):
            if not registered:
                raise Forbidden(NOT_REGISTERED.format(aad=request.actor.aad_object_id or "(unknown)"))
            raise Forbidden(permission.refusal)
        try:
            command = parse(declaration.command, data)
            return declaration.handler(Turn(self.services, request), command)
        except InvalidInput as mistakes:
            return self._form_again(declaration, request, data, mistakes)

    def _form_again(
        self, declaration: Declaration, request: Request, data: Mapping[str, Any], mistakes: InvalidInput
    ) -> Reply:
        """The declared form, drawn again with what was typed and each mistake beside its field."""
        if declaration.where is not Where.VERB:
            # A typed command (or a search) has no form: its argument's mistake is the answer.
            raise Refusal(" ".join(mistakes.errors.values()))
        if declaration.form is None:
            raise AssertionError(f"{declaration.key} took typed input but declares no form to show it again")
        form = self.actions.of_handler(declaration.form)
        values = {**kept(declaration.command, data), **mistakes.values}
        turn = Turn(self.services, request, InvalidInput(dict(mistakes.errors), values))
        return declaration.form(turn, parse(form.command, data))

"""The bot's turn: installs, messages and card clicks, with refusals and apologies handled in one place."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.actions.menu import available_commands
from bot.actions.router import Router
from bot.actions.turn import Reply, Request
from bot.actions.workers import Workers
from bot.http import observe
from bot.http.errors import report_unexpected
from bot.teams.act_as import ActAs, act_as_wanted, refuse_outside_demo
from bot.teams.activities import (
    card_action,
    command_text,
    conversation_info,
    conversation_key,
    conversation_kind,
    meeting_events,
    search_request,
    sender,
)
from bot.teams.file_desk import FileDesk
from cards.channel import channel_help_card
from cards.common import Card, plain
from cards.fit import fit
from cards.guide import roles_in
from cards.people import help_card, not_registered_card
from cluster.card_ids import check_card_ids
from cluster.clock import Clock
from cluster.errors import Refusal
from cluster.permissions import Forbidden
from store.db import transaction
from usecases import conversations, people
from usecases.meeting_day import substitutes

log = logging.getLogger("clusterbot.turn")

# Who "asks" for what Teams itself tells the bot (a meeting's events): nobody the bot knows.
TEAMS = people.Actor(aad_object_id="", name="Microsoft Teams")

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SEARCH_CONTENT_TYPE = "application/vnd.microsoft.search.searchResponse"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
UNRECOGNISED_BUTTON = "That button sent nothing I recognise."


def card_activity(card: Card) -> Activity:
    """A message carrying one Adaptive Card and nothing else, so its id is the card's and it can be updated."""
    return MessageFactory.attachment(Attachment(content_type=CARD_CONTENT_TYPE, content=fit(card)))


def _refused(refusal: Refusal) -> None:
    """Note on the turn's record that it ended in a refusal (one for who is asking: ``forbidden``)."""
    observe.note_outcome("forbidden" if isinstance(refusal, Forbidden) else "refused")


class ClusterBot:
    """Handles one activity at a time; all state lives in the database."""

    def __init__(
        self, routes: Router, clock: Clock, files: FileDesk, workers: Workers, act_as: ActAs | None = None
    ) -> None:
        self.routes = routes
        self.act_as = act_as  # only in the Playground demo (bot.teams.act_as)
        self.engine = routes.services.engine
        self.clock = clock
        self.files = files
        self.workers = workers

    async def on_turn(self, context: TurnContext) -> None:
        """Route the activity by type; nothing that goes wrong here reaches the user as internals."""
        activity = context.activity
        try:
            wanted = act_as_wanted(activity)
            if wanted is not None:
                answer = self.act_as.command(activity, wanted) if self.act_as else refuse_outside_demo(activity)
                await context.send_activity(MessageFactory.text(answer))
                return
            if self.act_as is not None:
                self.act_as.apply(activity)
            if activity.type == ActivityTypes.message:
                await self._on_message(context)
            elif activity.type == ActivityTypes.invoke:
                await self._on_invoke(context)
            elif activity.type == ActivityTypes.conversation_update:
                await self._on_conversation_update(context)
            elif activity.type == ActivityTypes.installation_update:
                await self._on_installation_update(context)
            elif activity.type == ActivityTypes.event:
                await self._on_event(context)
        except Exception as exc:
            apology = report_unexpected(exc, f"{activity.type} turn")
            try:
                if activity.type == ActivityTypes.invoke:
                    await self._answer_invoke_message(context, apology)
                elif activity.type == ActivityTypes.message:
                    await context.send_activity(MessageFactory.text(apology))
            except Exception as again:  # the connector itself is unreachable: the log line is all we can leave
                log.warning("could not send the apology (%s): %s", apology.rsplit(" ", 1)[-1], type(again).__name__)

    def _actor(self, activity: Activity) -> people.Actor:
        aad, name = sender(activity)
        with transaction(self.engine, read_only=True) as session:
            return people.identify(session, aad, name)

    def _request(self, activity: Activity, actor: people.Actor) -> Request:
        return Request(
            actor=actor,
            kind=conversation_kind(activity),
            conversation_id=conversation_key(activity),
            text=command_text(activity),
            action=card_action(activity),
        )

    def _start_message(self, activity: Activity) -> people.Actor:
        """Who sent a message; a conversation we hold no reference for is learnt now (a missed install)."""
        aad, name = sender(activity)
        actor, known = people.start_turn(self.engine, aad, name, conversation_key(activity))
        if not known:
            conversations.remember_conversation(self.engine, conversation_info(activity), self.clock.now(), actor.tag)
        return actor

    async def _on_message(self, context: TurnContext) -> None:
        activity = context.activity
        with_files = conversation_kind(activity) == "personal" and self.files.has_files(activity)

        def turn(actor: people.Actor) -> Reply | None:
            # On a worker from the first query to the last: the event loop never waits for the database.
            request = self._request(activity, actor)
            if with_files or (not request.text and request.action is None):
                return None
            return self._handle(request)

        try:
            actor = await self.workers.call(lambda: self._start_message(activity))
            if actor.person_id is None:
                actor = await self._known_by_email(context, actor)
            reply = await self.workers.call(lambda: turn(actor))
            if with_files:
                reply = await self.files.receive(activity, actor)
        except Refusal as refusal:
            _refused(refusal)
            reply = Reply(text=plain(refusal.message))  # may quote what was typed
        if reply is None:
            return
        if reply.card is not None:
            await context.send_activity(card_activity(reply.card))
        elif reply.text:
            await context.send_activity(MessageFactory.text(reply.text))
        await self._follow_up(context, reply)

    async def _known_by_email(self, context: TurnContext, actor: people.Actor) -> people.Actor:
        """A stranger may be a substitute named by e-mail address, writing for the first time.

        Teams says their address, and the person row made for it becomes theirs. Asked only while such a row waits.
        """
        if not actor.aad_object_id or not await self.workers.call(lambda: substitutes.awaiting_teams_id(self.engine)):
            return actor
        try:
            member = await TeamsInfo.get_member(context, context.activity.from_property.id)
        except Exception as exc:  # Teams could not say: they stay a stranger this time, and may write again
            log.warning("could not read a new member's e-mail address from Teams: %s %s", type(exc).__name__, exc)
            return actor
        email = member.email or member.user_principal_name or ""
        return await self.workers.call(lambda: substitutes.known_by_email(self.engine, actor, email, self.clock.now()))

    def _handle(self, request: Request) -> Reply:
        """Run the request's handler, once the ids in its card's data are ids at all (else out of date)."""
        check_card_ids(request.data)
        return self.routes.dispatch(request)

    async def _follow_up(self, context: TurnContext, reply: Reply) -> None:
        """Extra messages (such as a file offer) in this chat, after the answer."""
        for attachment in reply.attachments:
            await context.send_activity(MessageFactory.attachment(Attachment().deserialize(attachment)))

    async def _on_event(self, context: TurnContext) -> None:
        """A Teams meeting's event, to its declared handler (one unit of work per participant); no answer."""
        activity = context.activity
        events = meeting_events(activity)
        if not events:
            return
        kind, conversation = conversation_kind(activity), conversation_key(activity)

        def run() -> None:
            for event in events:
                request = Request(actor=TEAMS, kind=kind, conversation_id=conversation, text="", event=event)
                try:
                    self.routes.dispatch(request)
                except Refusal as refusal:  # an event naming nothing we know: nobody to tell
                    _refused(refusal)
                    log.info("%s not taken: %s", event.verb, refusal.message)

        await self.workers.call(run)

    async def _on_invoke(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.name == "fileConsent/invoke":
            actor = await self.workers.call(lambda: self._actor(activity))
            try:
                reply = await self.files.consent(activity, actor)
            except Refusal as refusal:
                _refused(refusal)
                reply = Reply(text=plain(refusal.message))  # may quote what was typed
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200)))
            if reply.text:
                await context.send_activity(MessageFactory.text(reply.text))
            await self._follow_up(context, reply)
            return
        if activity.name == "application/search":
            await self._on_search(context)
            return
        if activity.name != "adaptiveCard/action":
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=501)))
            return

        def click() -> Reply | None:
            request = self._request(activity, self._actor(activity))
            return None if request.action is None else self._handle(request)

        try:
            found = await self.workers.call(click)
        except Refusal as refusal:
            _refused(refusal)
            # The card the person is working in stays as it is; Teams shows the sentence with it.
            await self._answer_invoke_message(context, refusal.message)
            return
        if found is None:
            observe.note_outcome("unrecognised")
            await self._answer_invoke_message(context, UNRECOGNISED_BUTTON)
            return
        reply = found
        if reply.card is not None:
            await self._answer_invoke(context, reply.card)
        else:
            await self._answer_invoke_message(context, reply.text or "Done.")
        await self._follow_up(context, reply)

    async def _on_search(self, context: TurnContext) -> None:
        """A card's filtered choice asking for choices as the person types: its declared search answers them."""
        activity = context.activity
        wanted = search_request(activity)

        def search() -> Reply:
            actor = self._actor(activity)
            return self.routes.dispatch(replace(self._request(activity, actor), search=wanted))

        status, body = 200, {"type": SEARCH_CONTENT_TYPE, "value": {"results": []}}
        if wanted is not None:
            try:
                reply = await self.workers.call(search)
                results = [{"title": title, "value": value} for title, value in reply.choices[:15]]
                body = {"type": SEARCH_CONTENT_TYPE, "value": {"results": results}}
            except Refusal as refusal:
                _refused(refusal)
                code = 403 if isinstance(refusal, Forbidden) else 400
                status, body = (
                    code,
                    {"type": ERROR_CONTENT_TYPE, "value": {"code": str(code), "message": refusal.message}},
                )
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body))
        )

    async def _answer_invoke(self, context: TurnContext, card: Card) -> None:
        body: dict[str, Any] = {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": fit(card)}
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
        )

    async def _answer_invoke_message(self, context: TurnContext, message: str) -> None:
        """Answer a card click with a sentence, leaving the card unchanged (Universal Actions' message response)."""
        body: dict[str, Any] = {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": message}
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
        )

    def _bot_was_added(self, activity: Activity) -> bool:
        bot_id = activity.recipient.id if activity.recipient else None
        return any(getattr(m, "id", None) == bot_id for m in activity.members_added or [])

    def _bot_was_removed(self, activity: Activity) -> bool:
        bot_id = activity.recipient.id if activity.recipient else None
        return any(getattr(m, "id", None) == bot_id for m in activity.members_removed or [])

    async def _on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        if self._bot_was_added(activity):
            await self._installed(context)
        elif self._bot_was_removed(activity):
            await self._forget(activity)

    async def _on_installation_update(self, context: TurnContext) -> None:
        activity = context.activity
        action = (activity.action or "").lower()
        if action.startswith("add"):
            await self._installed(context)
        elif action.startswith("remove"):
            await self._forget(activity)

    async def _forget(self, activity: Activity) -> None:
        key = conversation_key(activity)
        await self.workers.call(lambda: conversations.forget_conversation(self.engine, key, self.clock.now(), "teams"))

    async def _installed(self, context: TurnContext) -> None:
        """Keep the conversation reference; welcome once per install."""
        activity = context.activity
        info = conversation_info(activity)

        def welcome() -> Card | None:
            actor = self._actor(activity)
            if not conversations.remember_conversation(self.engine, info, self.clock.now(), actor.tag):
                return None
            if info.kind == "personal":
                return (
                    help_card(actor.name, available_commands(actor), roles_in(actor.grants, None))
                    if actor.person_id
                    else not_registered_card(actor.aad_object_id)
                )
            cluster = conversations.channel_cluster(self.engine, info.conversation_id)
            return channel_help_card(cluster, roles=roles_in(actor.grants, cluster))

        card = await self.workers.call(welcome)
        if card is None:
            return
        await context.send_activity(card_activity(card))

"""A Bot Framework adapter that sends through our reusable :class:`~bot.teams.connector.Connector`.

botbuilder's CloudAdapter builds fresh HTTP clients each turn and answers 500 to several client mistakes
(see the README); this adapter keeps botbuilder's TurnContext and middleware pipeline but does its own I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationReference,
    ResourceResponse,
)

from bot.teams.connector import Connector

INVOKE_RESPONSE_KEY = "BotFrameworkAdapter.InvokeResponse"
TurnHandler = Callable[[TurnContext], Awaitable[None]]


def to_json(activity: Activity) -> dict[str, Any]:
    """An activity as the JSON the connector expects.

    Card contents are already plain JSON; msrest would walk every node of them again, which cost a
    sixth of a reply's CPU, so they are set aside while the envelope is serialised.
    """
    attachments = activity.attachments or []
    contents = [attachment.content for attachment in attachments]
    for attachment in attachments:
        attachment.content = None
    try:
        body: dict[str, Any] = activity.serialize()
    finally:
        for attachment, content in zip(attachments, contents, strict=True):
            attachment.content = content
    for serialised, content in zip(body.get("attachments", []), contents, strict=True):
        if content is not None:
            serialised["content"] = content
    return body


class MembersClient:
    """What ``TeamsInfo.get_member`` asks of a connector client, over our own connector.

    TeamsInfo calls ``conversations.get_conversation_member``; this answers it through
    :class:`~bot.teams.connector.Connector` rather than botbuilder's per-turn client.
    """

    def __init__(self, connector: Connector, service_url: str) -> None:
        self._connector = connector
        self._service_url = service_url

    @property
    def conversations(self) -> MembersClient:
        """TeamsInfo calls ``client.conversations.get_conversation_member``: this object answers it."""
        return self

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> ChannelAccount:
        """One member of a conversation or team; what the schema does not name is kept in additional_properties."""
        found = await self._connector.member(self._service_url, conversation_id, member_id)
        member: ChannelAccount = ChannelAccount.deserialize(found)
        return member


class ClusterAdapter(BotAdapter):  # type: ignore[misc]
    """Runs turns and carries their replies, updates and deletions to the connector."""

    def __init__(self, connector: Connector, bot_id: str) -> None:
        super().__init__()
        self._connector = connector
        self._bot_id = bot_id

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        """Send each activity; an invoke response is kept for the HTTP answer instead."""
        responses: list[ResourceResponse] = []
        for activity in activities:
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
                continue
            if activity.type == "delay":
                await asyncio.sleep(float(activity.value or 1000) / 1000)
                responses.append(ResourceResponse(id=""))
                continue
            sent = await self._connector.send(
                activity.service_url, activity.conversation.id, to_json(activity), activity.reply_to_id
            )
            responses.append(ResourceResponse(id=sent.id))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        """Replace a message sent earlier."""
        await self._connector.update(activity.service_url, activity.conversation.id, activity.id, to_json(activity))
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Delete a message sent earlier."""
        await self._connector.delete(reference.service_url, reference.conversation.id, reference.activity_id)

    async def continue_conversation(
        self,
        reference: ConversationReference,
        callback: TurnHandler,
        bot_id: str | None = None,
        claims_identity: Any = None,
        audience: str | None = None,
    ) -> None:
        """Run ``callback`` in a stored conversation, for proactive messages."""
        context = TurnContext(self, TurnContext.apply_conversation_reference(Activity(type="event"), reference, True))
        await self.run_pipeline(context, callback)

    async def process(self, activity: Activity, handler: TurnHandler) -> InvokeResponse | None:
        """Run one turn; for an invoke return the response the bot gave (501 if it gave none)."""
        context = TurnContext(self, activity)
        # botbuilder's TeamsInfo reads members through the turn's connector client: ours, for that one call.
        context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = MembersClient(self._connector, activity.service_url)
        await self.run_pipeline(context, handler)
        if activity.type != ActivityTypes.invoke:
            return None
        answer = context.turn_state.get(INVOKE_RESPONSE_KEY)
        if answer is None:
            return InvokeResponse(status=501)
        value: InvokeResponse = answer.value
        return value

"""Turning a Teams activity into plain data: who, where, which command or card verb, which inputs.

This is where text from Teams comes in, so it is cleaned here (``cluster.text.clean_text``): the message's
text, every string a card click carries, and the sender's display name. Use cases never see control
characters or bidi overrides from Teams.
"""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.actions.turn import CardAction
from bot.http.observe import (
    ACTIVITY_TYPES,
    CONVERSATION_TYPES,
    ID_LENGTH,
    INVOKE_NAMES,
    TEXT,
    UNKNOWN,
    TurnRecord,
    Vocabulary,
)
from cluster.commands.teams_meeting import MEETING_END, MEETING_EVENTS, MEETING_START
from cluster.text import clean_all, clean_text
from usecases.conversations import ConversationInfo

_SPACES = re.compile(r"\s+")
_AT_TAGS = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


class NotAnActivity(ValueError):
    """A JSON object the Bot Framework's schema cannot read as an activity."""


def read_activity(body: dict[str, Any]) -> Activity:
    """The activity a request's JSON body holds (``bot.http.app`` has checked it is an object with a type).

    The HTTP edge handles the activity only through this package, so that it imports no botbuilder itself.
    """
    try:
        return Activity().deserialize(body)
    except Exception as exc:  # the schema's deserializer raises all sorts on odd input
        raise NotAnActivity(type(exc).__name__) from None


def _get(obj: Any, *path: str) -> Any:
    """Follow keys through nested dicts (channelData arrives as a dict); None where one is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def conversation_key(activity: Activity) -> str:
    """The conversation's id without a thread suffix: a channel is one conversation, whatever thread.

    Teams gives a message in a channel thread the id ``19:...;messageid=123``; the channel itself is ``19:...``.
    """
    return str(activity.conversation.id).split(";messageid=", 1)[0]


def conversation_kind(activity: Activity) -> str:
    """personal, channel or groupChat."""
    kind = getattr(activity.conversation, "conversation_type", None) or ""
    if kind:
        return str(kind)
    return "channel" if _get(activity.channel_data, "channel", "id") else "personal"


def command_text(activity: Activity) -> str:
    """The message text with the bot's @mention removed, tags stripped, spaces folded, lower-cased."""
    raw = activity.text or ""
    # botbuilder reads every entity's type as text; one without a type (Teams never sends one) would crash it.
    # The <at> tags are removed below anyway, so such a message just keeps the mention's name in its text.
    entities = activity.entities or []
    if activity.recipient is not None and entities and all(isinstance(getattr(e, "type", None), str) for e in entities):
        raw = TurnContext.remove_mention_text(activity, activity.recipient.id) or raw
    raw = _AT_TAGS.sub(" ", clean_text(raw))
    raw = _TAGS.sub(" ", raw).replace("&nbsp;", " ")
    return _SPACES.sub(" ", raw).strip().lower()


def card_action(activity: Activity) -> CardAction | None:
    """The verb of an Action.Execute invoke or an Action.Submit message, if this is one.

    Every string in the data (inputs and the card's own data, however nested) is cleaned.
    """
    if activity.type == "invoke" and activity.name == "adaptiveCard/action":
        action = _get(activity.value, "action")
        if not isinstance(action, dict):
            return None
        data: dict[str, Any] = action["data"] if isinstance(action.get("data"), dict) else {}
        verb = action.get("verb") or data.get("verb")
        return CardAction(clean_text(str(verb)), clean_all(dict(data))) if verb else None
    if activity.type == "message" and isinstance(activity.value, dict) and activity.value.get("verb"):
        return CardAction(clean_text(str(activity.value["verb"])), clean_all(dict(activity.value)))
    return None


SEARCH_INVOKE = "application/search"


def search_request(activity: Activity) -> CardAction | None:
    """What a card's filtered choice asks as the person types: its dataset, and the text so far (cleaned).

    Teams sends ``{"dataset": ..., "queryText": ..., "queryOptions": {"skip", "top"}}``; the bot answers at most
    15 choices whatever ``top`` says, so only the dataset and the text are read. Anything else is no search.
    """
    if activity.type != "invoke" or activity.name != SEARCH_INVOKE or not isinstance(activity.value, dict):
        return None
    dataset = activity.value.get("dataset")
    query = activity.value.get("queryText")
    if not isinstance(dataset, str) or not dataset:
        return None
    return CardAction(clean_text(dataset), {"query": clean_text(query) if isinstance(query, str) else ""})


def meeting_events(activity: Activity) -> list[CardAction]:
    """A Teams meeting event as plain data: its name and what it says, one per participant who joined or left.

    Teams names the meeting in ``channelData.meeting.id`` (the start and end events also in their value's
    ``Id``) and the participants in ``value.members[].user``; the channel is the conversation's, without the
    meeting thread's ``;messageid=``. Every string is cleaned. Anything else is no meeting event ([]).
    """
    name = str(activity.name or "")
    if activity.type != "event" or name not in MEETING_EVENTS:
        return []
    value = activity.value if isinstance(activity.value, dict) else {}
    meeting = _get(activity.channel_data, "meeting", "id") or value.get("Id") or value.get("id") or ""
    channel = _get(activity.channel_data, "channel", "id") or conversation_key(activity)
    said = {"channel": clean_text(str(channel)), "teams_meeting": clean_text(str(meeting))}
    if name in (MEETING_START, MEETING_END):
        return [CardAction(name, said)]
    members = value.get("members")
    events = []
    for member in members if isinstance(members, list) else []:
        user = _get(member, "user")
        if not isinstance(user, dict):
            continue
        aad = user.get("aadObjectId") or user.get("objectId") or ""
        who = {"aad": clean_text(str(aad)), "name": clean_text(str(user.get("name") or ""))}
        events.append(CardAction(name, {**said, **who}))
    return events


def conversation_info(activity: Activity) -> ConversationInfo:
    """What to store to write to this conversation later."""
    reference = TurnContext.get_conversation_reference(activity).serialize()
    key = conversation_key(activity)
    reference.setdefault("conversation", {})["id"] = key  # proactive posts start a new thread
    kind = conversation_kind(activity)
    from_ = activity.from_property
    tenant = _get(activity.channel_data, "tenant", "id") or getattr(activity.conversation, "tenant_id", None)
    return ConversationInfo(
        conversation_id=key,
        kind=kind,
        service_url=activity.service_url,
        tenant_id=tenant,
        bot_id=activity.recipient.id if activity.recipient else None,
        aad_object_id=getattr(from_, "aad_object_id", None) if kind == "personal" else None,
        team_id=_get(activity.channel_data, "team", "id"),
        channel_id=_get(activity.channel_data, "channel", "id"),
        reference=reference,
    )


def sender(activity: Activity) -> tuple[str, str]:
    """The sender's Teams object id and display name (cleaned: a name is text a person typed)."""
    from_ = activity.from_property
    if from_ is None:
        return "", ""
    return str(getattr(from_, "aad_object_id", None) or ""), clean_text(str(from_.name or ""))


def tenant_of(activity: Activity) -> str | None:
    """The tenant the activity came from, where Teams says."""
    tenant = _get(activity.channel_data, "tenant", "id") or getattr(activity.conversation, "tenant_id", None)
    return str(tenant) if tenant else None


def describe_turn(record: TurnRecord, activity: Activity, vocabulary: Vocabulary) -> None:
    """Fill in what the activity says about the turn's log line, in the vocabulary's words only."""
    record.activity_id = str(activity.id)[:ID_LENGTH] if activity.id else None
    kind = str(activity.type or "")
    record.activity_type = kind if kind in ACTIVITY_TYPES else UNKNOWN
    conversation = conversation_kind(activity)
    record.conversation = conversation if conversation in CONVERSATION_TYPES else UNKNOWN
    action = card_action(activity)
    if action is not None:
        record.verb = action.verb if action.verb in vocabulary.verbs else UNKNOWN
    elif kind == "invoke":
        record.verb = activity.name if activity.name in INVOKE_NAMES else UNKNOWN
    elif kind == "message":
        words = command_text(activity).split(" ", 1)
        record.command = words[0] if words[0] in vocabulary.command_words else TEXT
    elif kind in ACTIVITY_TYPES:
        record.verb = kind

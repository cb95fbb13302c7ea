"""Teams-shaped activities, as Teams posts them to /api/messages."""

from __future__ import annotations

import itertools
from typing import Any

BOT_ID = "28:clusterbot-test-app-id"
BOT_NAME = "Cluster Funding"
TENANT = "72f988bf-0000-0000-0000-000000000001"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:team-general@thread.tacv2"

_ids = itertools.count(1)


def _user(aad: str, name: str) -> dict[str, Any]:
    return {"id": f"29:{aad}", "name": name, "aadObjectId": aad}


def personal_conversation(aad: str) -> str:
    return f"a:personal-{aad}"


def _base(service_url: str, aad: str, user_name: str, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "id": f"act-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2025-11-20T10:00:00.000Z",
        "from": _user(aad, user_name),
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    activity.update(extra)
    return activity


def personal(service_url: str, aad: str, name: str) -> dict[str, Any]:
    return {"conversationType": "personal", "id": personal_conversation(aad), "tenantId": TENANT}


def personal_message(service_url: str, aad: str, name: str, text: str) -> dict[str, Any]:
    return _base(service_url, aad, name, personal(service_url, aad, name), type="message", text=text)


def channel_conversation(channel_id: str = CHANNEL_ID) -> dict[str, Any]:
    return {
        "conversationType": "channel",
        "id": f"{channel_id};messageid=1",
        "isGroup": True,
        "tenantId": TENANT,
    }


def channel_message(service_url: str, aad: str, name: str, text: str, channel_id: str = CHANNEL_ID) -> dict[str, Any]:
    """A channel message @mentioning the bot, as Teams sends it: the mention is part of the text."""
    mention = f"<at>{BOT_NAME}</at>"
    activity = _base(
        service_url,
        aad,
        name,
        channel_conversation(channel_id),
        type="message",
        text=f"{mention} {text}",
        entities=[{"type": "mention", "mentioned": {"id": BOT_ID, "name": BOT_NAME}, "text": mention}],
    )
    activity["channelData"].update({"team": {"id": TEAM_ID}, "channel": {"id": channel_id}})
    return activity


def personal_install(service_url: str, aad: str, name: str) -> dict[str, Any]:
    return _base(service_url, aad, name, personal(service_url, aad, name), type="installationUpdate", action="add")


def personal_conversation_update(service_url: str, aad: str, name: str) -> dict[str, Any]:
    return _base(
        service_url,
        aad,
        name,
        personal(service_url, aad, name),
        type="conversationUpdate",
        membersAdded=[{"id": BOT_ID}],
    )


def team_install(service_url: str, aad: str, name: str, channel_id: str = CHANNEL_ID) -> dict[str, Any]:
    activity = _base(
        service_url,
        aad,
        name,
        {"conversationType": "channel", "id": channel_id, "isGroup": True, "tenantId": TENANT},
        type="conversationUpdate",
        membersAdded=[{"id": BOT_ID}],
    )
    activity["channelData"].update(
        {
            "team": {"id": TEAM_ID, "name": "Central Cluster"},
            "channel": {"id": channel_id},
            "eventType": "teamMemberAdded",
        }
    )
    return activity


def card_click(
    service_url: str,
    aad: str,
    name: str,
    verb: str,
    data: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An Action.Execute click: an adaptiveCard/action invoke."""
    return _base(
        service_url,
        aad,
        name,
        conversation or personal(service_url, aad, name),
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **(data or {})}},
            "trigger": "manual",
        },
    )


def card_submit(service_url: str, aad: str, name: str, verb: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """An Action.Submit click (the fallback on clients without Universal Actions): a message with a value."""
    return _base(
        service_url,
        aad,
        name,
        personal(service_url, aad, name),
        type="message",
        value={"verb": verb, **(data or {})},
    )


def file_message(service_url: str, aad: str, name: str, file_name: str) -> dict[str, Any]:
    """A message in personal chat carrying one file the person sent (its download URL on the fake connector)."""
    message = personal_message(service_url, aad, name, "")
    message["attachments"] = [
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": file_name,
            "content": {
                "downloadUrl": f"{service_url}/files/{file_name}",
                "uniqueId": file_name,
                "fileType": file_name.rsplit(".", 1)[-1],
            },
        }
    ]
    return message


def file_consent_answer(
    service_url: str, aad: str, name: str, offer: dict[str, Any], action: str = "accept", file_name: str = "file"
) -> dict[str, Any]:
    """The person's answer to a file ``offer`` (a file consent card): accept (with where to upload) or decline."""
    value: dict[str, Any] = {"type": "fileUpload", "action": action, "context": offer["content"]["acceptContext"]}
    if action == "accept":
        value["uploadInfo"] = {
            "contentUrl": f"https://stoke-my.sharepoint.com/{file_name}",
            "name": file_name,
            "uploadUrl": f"{service_url}/upload/{file_name}",
            "uniqueId": file_name,
            "fileType": file_name.rsplit(".", 1)[-1],
        }
    return _base(
        service_url, aad, name, personal(service_url, aad, name), type="invoke", name="fileConsent/invoke", value=value
    )


TEAMS_MEETING_ID = "MCMxOTptZWV0aW5nX2NoYW5uZWxAdGhyZWFkLnRhY3YyIzA="  # how Teams spells a meeting's id (base64)


def _meeting_event(
    service_url: str, name: str, value: dict[str, Any], channel_id: str, meeting_id: str, organiser: tuple[str, str]
) -> dict[str, Any]:
    """An event activity about the Teams meeting held in a channel, as Teams posts it (in the meeting's thread)."""
    conversation = {
        "conversationType": "channel",
        "id": f"{channel_id};messageid=1700000000000",
        "isGroup": True,
        "tenantId": TENANT,
    }
    activity = _base(service_url, *organiser, conversation, type="event", name=name, value=value)
    activity["channelData"].update(
        {"team": {"id": TEAM_ID}, "channel": {"id": channel_id}, "meeting": {"id": meeting_id}, "source": None}
    )
    return activity


def meeting_start(
    service_url: str,
    organiser: tuple[str, str],
    channel_id: str = CHANNEL_ID,
    meeting_id: str = TEAMS_MEETING_ID,
    *,
    ended: bool = False,
) -> dict[str, Any]:
    """``application/vnd.microsoft.meetingStart`` (or, ``ended``, ``meetingEnd``): the channel's Teams meeting."""
    value = {
        "Id": meeting_id,
        "MeetingType": "Scheduled",
        "JoinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting",
        "Title": "Central cluster meeting",
        ("EndTime" if ended else "StartTime"): "2025-12-11T10:00:00.0000000Z",
    }
    name = "application/vnd.microsoft.meeting" + ("End" if ended else "Start")
    return _meeting_event(service_url, name, value, channel_id, meeting_id, organiser)


def meeting_end(
    service_url: str,
    organiser: tuple[str, str],
    channel_id: str = CHANNEL_ID,
    meeting_id: str = TEAMS_MEETING_ID,
) -> dict[str, Any]:
    """``application/vnd.microsoft.meetingEnd``: the channel's Teams meeting ended."""
    return meeting_start(service_url, organiser, channel_id, meeting_id, ended=True)


def meeting_participants(
    service_url: str,
    joined: bool,
    *people: tuple[str, str],
    channel_id: str = CHANNEL_ID,
    meeting_id: str = TEAMS_MEETING_ID,
) -> dict[str, Any]:
    """``...meetingParticipantJoin`` (or ``Leave``): these people joined (or left) the channel's Teams meeting."""
    members = [
        {
            "user": {**_user(aad, name), "tenantId": TENANT, "objectId": aad, "role": "user"},
            "meeting": {"inMeeting": joined, "role": "Attendee"},
        }
        for aad, name in people
    ]
    name = "application/vnd.microsoft.meetingParticipant" + ("Join" if joined else "Leave")
    return _meeting_event(service_url, name, {"members": members}, channel_id, meeting_id, people[0])


def search(service_url: str, aad: str, name: str, dataset: str, query: str) -> dict[str, Any]:
    """Teams asking for choices as a person types in a card's filtered choice: an application/search invoke."""
    return _base(
        service_url,
        aad,
        name,
        personal(service_url, aad, name),
        type="invoke",
        name="application/search",
        value={"queryText": query, "queryOptions": {"skip": 0, "top": 15}, "dataset": dataset},
    )

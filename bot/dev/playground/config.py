"""The Agents Playground's config file, and the ready-to-paste activities for each demo person.

:func:`playground_config` is the dict for ``.m365agentsplayground.yml`` (the tenant, the bot, the page's user and
five others, the personal chat, a group chat and a team); :func:`mock_activity` is a message as the Playground's
"Mock an Activity" sends it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.dev.playground.people import CURRENT_USER, DEFAULT_USERS, DEMO_PEOPLE, DemoUser, complete_user

CONFIG_FILE_NAME = ".m365agentsplayground.yml"

TENANT_ID = "00000000-0000-0000-0000-000000000001"
BOT_ID = "00000000-0000-0000-0000-000000000011"
BOT_NAME = "Clusterbot"
PERSONAL_CHAT_ID = "personal-chat-id"
GROUP_CHAT_ID = "group-chat-id"
TEAM_ID = "team-general-id"  # the team id is also the General channel's conversation id
TEAM_NAME = "Cluster Team"
EXTRA_CHANNEL_ID = "channel-second-id"


def playground_config(
    users: Sequence[Mapping[str, str]] | None = None,
    *,
    current_user: Mapping[str, str] | None = None,
    tenant_id: str = TENANT_ID,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    personal_chat_id: str = PERSONAL_CHAT_ID,
    group_chat_id: str = GROUP_CHAT_ID,
    group_chat_name: str = "Group Chat",
    team_id: str = TEAM_ID,
    team_name: str = TEAM_NAME,
    team_aad_group_id: str = "00000000-0000-0000-0000-000000000031",
    extra_channel: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The dict for ``.m365agentsplayground.yml`` (schema version 0.1.1); the defaults are the demo's.

    ``users`` are the five *other* mock users (the page itself acts as ``current_user``); each
    needs ``id`` and ``name``, missing fields are derived. Fewer than five are padded with the
    demo users (whose ids must not clash); more than five is an error, as in the playground.
    ``extra_channel`` (``{"id", "name"}``) adds the one channel allowed besides General, whose
    conversation id is ``team_id``; default ``{"id": "channel-second-id", "name": "Ops"}``;
    pass ``{}`` for none.
    """
    others = [complete_user(u) for u in (users or [])]
    if len(others) > 5:
        raise ValueError(f"the playground allows exactly five users, got {len(others)}")
    me = complete_user(current_user or CURRENT_USER)
    taken = {me["id"], *(u["id"] for u in others)}
    for filler in DEFAULT_USERS:
        if len(others) == 5:
            break
        if filler["id"] not in taken:
            others.append(copy.deepcopy(filler))
    if len(bot_name) > 42:
        raise ValueError("bot name is limited to 42 characters")
    if extra_channel is None:
        extra_channel = {"id": EXTRA_CHANNEL_ID, "name": "Ops"}
    channels = [dict(extra_channel)] if extra_channel else []
    return {
        "version": "0.1.1",
        "tenantId": tenant_id,
        "bot": {"id": bot_id, "name": bot_name},
        "currentUser": me,
        "users": others,
        "personalChat": {"id": personal_chat_id},
        "groupChat": {"id": group_chat_id, "name": group_chat_name},
        "team": {"id": team_id, "name": team_name, "aadGroupId": team_aad_group_id, "channels": channels},
    }


def write_config(workdir: Path, config: Mapping[str, Any]) -> Path:
    """Write the config as ``.m365agentsplayground.yml`` in ``workdir`` (JSON is valid YAML); returns it."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / CONFIG_FILE_NAME
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


MOCK_DIR_NAME = "mock-activities"


def mock_activity(person: DemoUser, conversation: str, text: str, service_url: str) -> dict[str, Any]:
    """A message from ``person`` as the Playground's "Mock an Activity" > "Custom activity" sends it, as-is.

    ``conversation`` is :data:`PERSONAL_CHAT_ID` or :data:`TEAM_ID` (a post in General, @mentioning the bot).
    The bot knows people by ``from.aadObjectId``: setting only ``from.id`` or the name acts as nobody else.
    """
    channel = conversation == TEAM_ID
    mention = f"<at>{BOT_NAME}</at>"
    activity: dict[str, Any] = {
        "type": "message",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": {
            "id": conversation,
            "conversationType": "channel" if channel else "personal",
            "tenantId": TENANT_ID,
            **({"isGroup": True} if channel else {}),
        },
        "from": {"id": person.id, "name": person.name, "aadObjectId": person.aad_object_id},
        "text": f"{mention} {text}" if channel else text,
        "textFormat": "plain",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    if channel:
        activity["entities"] = [{"type": "mention", "mentioned": {"id": BOT_ID, "name": BOT_NAME}, "text": mention}]
        activity["channelData"].update(team={"id": TEAM_ID}, channel={"id": TEAM_ID})
    return activity


def slug(name: str) -> str:
    """A person's name as a file name: ``isaiah-langer``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write_mock_activities(workdir: Path, playground_port: int) -> Path:
    """Write each demo person's ready-to-paste activities (``whoami`` in personal chat and in the channel).

    One file per person and place, ``<workdir>/mock-activities/<name>.<personal|channel>.json``; returns the folder.
    """
    folder = workdir / MOCK_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    service_url = f"http://localhost:{playground_port}/_connector"
    for person in DEMO_PEOPLE:
        for place, conversation in (("personal", PERSONAL_CHAT_ID), ("channel", TEAM_ID)):
            activity = mock_activity(person, conversation, "whoami", service_url)
            (folder / f"{slug(person.name)}.{place}.json").write_text(json.dumps(activity, indent=2) + "\n")
    return folder

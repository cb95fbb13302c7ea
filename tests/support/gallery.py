"""One example of every card the bot can send, built by the real card functions."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from cards.channel import channel_help_card, linked_card
from cards.common import message_card
from cards.meetings import next_meeting_card
from cards.people import help_card, not_registered_card, whoami_card
from cluster.clock import LONDON
from cluster.meetings import MeetingSlot, NextMeeting, default_deadline
from cluster.roles import PERSONAL_COMMANDS, Grant, Role

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
SLOT = MeetingSlot(
    id=2,
    day=date(2025, 12, 11),
    start=time(9, 30),
    end=time(13, 0),
    deadline=default_deadline(date(2025, 12, 11)),
    title="Autumn 2",
)
GRANTS = (
    Grant(Role.SENCO, "Central", "Etruscan Primary School"),
    Grant(Role.CHAIR, "Central"),
    Grant(Role.COUNCIL_OFFICER),
)


def gallery() -> dict[str, dict[str, Any]]:
    return {
        "help": help_card("Sam Senco", list(PERSONAL_COMMANDS)),
        "whoami": whoami_card("Sam Senco", "aad-senco", GRANTS),
        "whoami_no_roles": whoami_card("Nora New", "aad-new", ()),
        "not_registered": not_registered_card("aad-stranger"),
        "next_meeting": next_meeting_card([NextMeeting("Central", SLOT)], NOW),
        "next_meeting_none": next_meeting_card([], NOW),
        "channel_help_linked": channel_help_card("Central"),
        "channel_help_unlinked": channel_help_card(None),
        "linked": linked_card("Central", "Ada Admin"),
        "refusal": message_card("Only an admin of the Central cluster can link a channel to it.", attention=True),
    }

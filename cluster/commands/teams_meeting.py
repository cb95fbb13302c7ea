"""What Teams tells the bot about the Teams meeting held in a cluster's channel, as typed commands.

Teams sends an event activity when the channel's meeting starts or ends and when people join or leave it.
``bot.teams.activities.meeting_events`` reads each into plain data (one participant per command, so each is
one small unit of work); the fields here say what that data must hold. Nothing here is typed by a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from cluster.commands.inputs import Source, text

# What Teams calls its meeting events (the event activity's ``name``).
MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
PARTICIPANT_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"
MEETING_EVENTS = (MEETING_START, MEETING_END, PARTICIPANT_JOIN, PARTICIPANT_LEAVE)

NOT_A_MEETING = "That event names no Teams meeting."


@dataclass(frozen=True, kw_only=True)
class TeamsMeetingEvent:
    """The channel's Teams meeting started or ended: the channel it is held in, and the meeting's Teams id."""

    channel: str = text(missing=NOT_A_MEETING, max_length=512, source=Source.DATA)
    teams_meeting: str = text(missing=NOT_A_MEETING, max_length=512, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class ParticipantEvent:
    """One person joined or left the channel's Teams meeting: their Entra object id and display name."""

    channel: str = text(missing=NOT_A_MEETING, max_length=512, source=Source.DATA)
    teams_meeting: str = text(missing=NOT_A_MEETING, max_length=512, source=Source.DATA)
    aad: str = text(missing="That participant has no Microsoft Entra id.", max_length=64, source=Source.DATA)
    name: str = text(required=False, max_length=200, source=Source.DATA)

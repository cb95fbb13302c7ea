"""The Teams meeting in a cluster's channel: what Teams tells the bot about it, each event declared once.

Teams sends these as event activities (``bot.teams.activities.meeting_events`` reads them), signed for the
bot like every other activity. No person asks for them, so their permission says Teams tells the bot; the
use case finds the cluster and today's meeting from the channel, and an event for a channel that is not
linked changes nothing. Teams expects no answer: each handler answers with nothing.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cluster import permissions as p
from cluster.attendance import Presence
from cluster.commands.teams_meeting import (
    MEETING_END,
    MEETING_START,
    PARTICIPANT_JOIN,
    PARTICIPANT_LEAVE,
    ParticipantEvent,
    TeamsMeetingEvent,
)
from usecases.meeting_day import teams_meeting as uc


@ACTIONS.event(MEETING_START, p.TEAMS_MEETING, TeamsMeetingEvent)
def meeting_started(turn: Turn, event: TeamsMeetingEvent) -> Reply:
    """The channel's Teams meeting started: the chair is offered "Start the cluster meeting"."""
    if uc.meeting_started(turn.engine, event, turn.now()):
        turn.deliver_soon()
    return Reply()


@ACTIONS.event(MEETING_END, p.TEAMS_MEETING, TeamsMeetingEvent)
def meeting_ended(turn: Turn, event: TeamsMeetingEvent) -> Reply:
    """The channel's Teams meeting ended: with the cluster meeting still open, the chair is reminded."""
    if uc.meeting_ended(turn.engine, event, turn.now()):
        turn.deliver_soon()
    return Reply()


@ACTIONS.event(PARTICIPANT_JOIN, p.TEAMS_MEETING, ParticipantEvent)
def participant_joined(turn: Turn, event: ParticipantEvent) -> Reply:
    """Someone joined: they are on the register as present (the agenda and an open vote are redrawn)."""
    if uc.participant(turn.engine, event, Presence.PRESENT, turn.now()):
        turn.deliver_soon(1.0)  # people join in bursts: one redraw for the burst
    return Reply()


@ACTIONS.event(PARTICIPANT_LEAVE, p.TEAMS_MEETING, ParticipantEvent)
def participant_left(turn: Turn, event: ParticipantEvent) -> Reply:
    """Someone left: their register line says so, and their setting leaves the count if nobody else is there."""
    if uc.participant(turn.engine, event, Presence.LEFT, turn.now()):
        turn.deliver_soon(1.0)
    return Reply()

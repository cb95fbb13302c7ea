"""The admin's meetings card: add, move, cancel, and the online meeting link."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.meetings import meetings_admin_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.commands.meetings import AddMeeting, CancelMeeting, MoveMeeting, SetMeetingLink
from usecases import meetings as uc


def _card(turn: Turn, shown: uc.MeetingsCard, notice: str | None = None) -> Reply:
    return Reply(card=meetings_admin_card(shown.cluster, shown.slots, turn.values, turn.errors, notice))


@ACTIONS.personal("meetings", p.MANAGE_MEETINGS)
@ACTIONS.verb(verbs.MEETINGS, p.MANAGE_MEETINGS)
def show_meetings(turn: Turn, _: Nothing) -> Reply:
    """The cluster's meetings still to come; shown again with any mistake beside its input."""
    return _card(turn, uc.admin_meetings(turn.engine, turn.actor, turn.now()))


@ACTIONS.verb(verbs.MEETING_ADD, p.MANAGE_MEETINGS, AddMeeting, form=show_meetings)
def add_meeting(turn: Turn, command: AddMeeting) -> Reply:
    """Add a meeting; a bad date, time or link comes back next to its field."""
    added = uc.add_meeting_as(turn.engine, turn.actor, command, turn.now())
    # A meeting added may take what was left on an ended one: its referrers' notices are delivered soon.
    turn.deliver_soon()
    assert added.slot is not None
    return _card(turn, added.card, notice=f"Added {added.slot.day:%A %-d %B %Y}.")


@ACTIONS.verb(verbs.MEETING_MOVE, p.MANAGE_MEETINGS, MoveMeeting, form=show_meetings)
def move_meeting(turn: Turn, command: MoveMeeting) -> Reply:
    """Move a meeting; its referrals follow and its deadline moves with it."""
    moved = uc.move_meeting(turn.engine, turn.actor, command, turn.now())
    assert moved.slot is not None
    return _card(turn, moved.card, notice=f"Moved to {moved.slot.day:%A %-d %B %Y}; its referrals moved with it.")


@ACTIONS.verb(verbs.MEETING_CANCEL, p.MANAGE_MEETINGS, CancelMeeting)
def cancel_meeting(turn: Turn, command: CancelMeeting) -> Reply:
    """Cancel a meeting; its referrals go to the next one."""
    cancelled = uc.cancel_meeting(turn.engine, turn.actor, command, turn.now())
    assert cancelled.slot is not None
    target = cancelled.slot
    return _card(
        turn, cancelled.card, notice=f"Cancelled. {cancelled.moved} referral(s) moved to {target.day:%A %-d %B %Y}."
    )


@ACTIONS.verb(verbs.MEETING_LINK, p.MANAGE_MEETINGS, SetMeetingLink, form=show_meetings)
def set_meeting_link(turn: Turn, command: SetMeetingLink) -> Reply:
    """Save the online meeting link."""
    saved = uc.set_link(turn.engine, turn.actor, command, turn.now())
    return _card(turn, saved.card, notice="Link saved.")

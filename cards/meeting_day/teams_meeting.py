"""To the chair in personal chat, when the channel's Teams meeting starts or ends: start, or end, the cluster meeting.

The buttons are the agenda card's own (the same verbs and commands), so the click does what the agenda card's
button does, checked the same way.
"""

from __future__ import annotations

from datetime import date

from cards import verbs
from cards.common import Card, button, card, heading, text
from cards.meeting_day.parts import long_day
from cluster.commands.inputs import data_for
from cluster.commands.meetings import EndMeeting, StartMeeting


def _to_the_chair(title: str, paragraphs: list[str], action: dict[str, object]) -> Card:
    """A notice to the chair: what happened in Teams, and the one button that follows from it."""
    return card([heading(title), *(text(p) for p in paragraphs)], [action])


def start_offer_card(cluster: str, day: date, meeting_id: int) -> Card:
    """The channel's Teams meeting has started: the chair is offered to start the cluster meeting."""
    return _to_the_chair(
        "The Teams meeting has started",
        [
            f"The Teams meeting in the {cluster} cluster's channel has started. Start the cluster meeting "
            f"of {long_day(day)} when you are ready: its items can then be opened for voting.",
            "People who join the Teams meeting are put on the register as present.",
        ],
        button("Start the cluster meeting", verbs.MEETING_START, data_for(StartMeeting, meeting_id=meeting_id)),
    )


def end_reminder_card(cluster: str, day: date, meeting_id: int) -> Card:
    """The Teams meeting ended while the cluster meeting is still open: the chair is reminded to end it."""
    return _to_the_chair(
        "The cluster meeting is still open",
        [
            f"The Teams meeting in the {cluster} cluster's channel has ended, but the cluster meeting of "
            f"{long_day(day)} is still open. End it to post the minutes and carry what it did not reach "
            "to the next meeting."
        ],
        button("End the meeting", verbs.MEETING_END, data_for(EndMeeting, meeting_id=meeting_id)),
    )

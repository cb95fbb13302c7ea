"""Meeting day's commands (the agenda, votes, decisions, minutes) and the admin's meetings card's commands.

The meeting-day cards name their rows by ``meeting_id`` or ``item_id``; a card that names none is refused
with the sentence the old card deserves (:data:`~cluster.card_ids.MEETING_GONE`, :data:`~cluster.card_ids.ITEM_GONE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.card_ids import ITEM_GONE, MEETING_GONE, ItemId, MeetingId
from cluster.commands.inputs import Source, choice, day, flag, money, row_id, text
from cluster.decisions import Outcome, Schedule
from cluster.voting import Choice

# --- the agenda and the meeting ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShowAgenda:
    """Draw a meeting's agenda card again (the decision form's "Back" for a discussion)."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class StartMeeting:
    """The chair starts the meeting from its agenda card."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class EndMeeting:
    """The chair ends the meeting: the minutes are posted, and what it did not reach goes to the next one."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


# --- votes -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OpenItem:
    """The chair opens an item for voting."""

    item_id: ItemId = row_id(ITEM_GONE)


@dataclass(frozen=True, kw_only=True)
class CastVote:
    """A member's vote on an open item: the button pressed carries its choice."""

    item_id: ItemId = row_id(ITEM_GONE)
    choice: str = choice(
        "Vote", tuple(c.value for c in Choice), "Choose Approve, Decline or Abstain.", source=Source.DATA
    )


@dataclass(frozen=True, kw_only=True)
class DeclareInterest:
    """A member declares an interest in an item, and so does not vote on it."""

    item_id: ItemId = row_id(ITEM_GONE)


@dataclass(frozen=True, kw_only=True)
class ShowVote:
    """A member's own view of an item's vote card (Teams' refresh; the decision form's "Back")."""

    item_id: ItemId = row_id(ITEM_GONE)


# The casting vote is an expanded choice of our two values: anything else is an altered card, not a mistake.
CASTING_CHOICES = (Choice.APPROVE.value, Choice.DECLINE.value)


@dataclass(frozen=True, kw_only=True)
class CloseVote:
    """The chair closes the vote, with the casting vote on a tie ("" when none was given)."""

    item_id: ItemId = row_id(ITEM_GONE)
    casting: str = choice("Casting vote", CASTING_CHOICES, required=False, source=Source.DATA)


# --- decisions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShowDecisionForm:
    """The chair's decision form for a closed item, or for a discussion."""

    item_id: ItemId = row_id(ITEM_GONE)


NOTES_LENGTH = 2000  # the decision form's text areas hold as much (cards.meeting_day.decision_form)


@dataclass(frozen=True, kw_only=True)
class RecordDecision:
    """The chair's decision on an item: the outcome, and the money, review date and words it needs.

    Whether these fit the vote and the budget is the use case's to say (``usecases.meeting_day.decisions``).
    """

    item_id: ItemId = row_id(ITEM_GONE)
    outcome: str = choice("Outcome", tuple(o.value for o in Outcome), "Choose the outcome.")
    amount: int | None = money("Amount approved", required=False)
    review_date: date | None = day("Review date", required=False, wrong="The review date must be a date.")
    schedule: str = choice("Payment", tuple(s.value for s in Schedule), required=False)
    conditions: str = text("Conditions", required=False, max_length=NOTES_LENGTH)
    feedback: str = text("Feedback", required=False, max_length=NOTES_LENGTH)
    information_needed: str = text("Information needed", required=False, max_length=NOTES_LENGTH)
    draw_on_reserve: bool = flag("Emergency reserve")


# --- the admin's meetings card -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddMeeting:
    """Add a meeting to the admin's cluster: its day, its times (09:30 to 13:00 unless given), title and link."""

    new_day: date = day("Date", "Choose the meeting's date.", wrong="Choose the meeting's date.")
    new_start: str = text("Starts", required=False, max_length=8)
    new_end: str = text("Ends", required=False, max_length=8)
    new_title: str = text("Title", required=False, max_length=80)
    new_link: str = text("Online meeting link", required=False, max_length=1000)


@dataclass(frozen=True, kw_only=True)
class MoveMeeting:
    """Move a meeting to another day (the card has one date input per meeting)."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    day: date = day("New date", "Choose the new date.", key="day_{meeting_id}", wrong="Choose the new date.")


@dataclass(frozen=True, kw_only=True)
class CancelMeeting:
    """Cancel a meeting; its referrals go to the next one."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class SetMeetingLink:
    """Save a meeting's online (Teams meeting) link; empty removes it."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    link: str = text("Online meeting link", required=False, max_length=1000, key="link_{meeting_id}")


# --- issue 20: who has not voted, and handing a meeting over --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RemindVoters:
    """The chair reminds the present settings that may vote and have not: each gets the vote card 1:1."""

    item_id: ItemId = row_id(ITEM_GONE)


@dataclass(frozen=True, kw_only=True)
class ShowHandOver:
    """The chair's (or admin's) card for handing one meeting to a vice-chair named for it."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class HandOver:
    """Hand one meeting to a member of the cluster, who runs it as acting chair."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    person_id: int = row_id("Choose who will chair this meeting.", source=Source.INPUT)

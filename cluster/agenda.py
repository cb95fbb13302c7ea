"""What a meeting's agenda, vote cards and minutes show: plain views built by the store, drawn by cards.

Everything here may be posted in a channel, so a pupil appears by initials and year group at most and
never by the school's pupil reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cluster.budget import Position
from cluster.decisions import CheckedDecision
from cluster.impact import Rating
from cluster.meetings import MeetingSlot
from cluster.referrals import Kind
from cluster.register import QuorumRecord, Register
from cluster.voting import Choice, Result, Tally


class ItemState:
    """Where an agenda item is on the day."""

    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"
    DECIDED = "decided"


@dataclass(frozen=True)
class DecisionView(CheckedDecision):
    """What was decided on an item: the checked decision, and whether it drew on the emergency reserve."""

    reserve_drawn: bool = False


@dataclass(frozen=True)
class AgendaEntry:
    """One referral on the agenda."""

    item_id: int
    referral_id: int
    reference: str
    kind: Kind
    setting: str
    requested_pence: int
    pupil_label: str
    state: str
    deferred: bool = False
    title: str = ""
    decision: DecisionView | None = None
    review: bool = False  # a review recommending the funding continue or change
    # How that review rated each outcome set, in order. Only the ratings: the outcomes' text is typed about a
    # pupil, and this may be posted in a channel.
    outcome_ratings: tuple[Rating, ...] = ()
    setting_id: int = 0  # the referring setting (recused on its own item)
    # Provisions the council's Costed Provision Document lacks, each with the reason the SENCO gave (issue 21).
    custom_rows: tuple[CustomRow, ...] = ()


@dataclass(frozen=True)
class CustomRow:
    """A provision map row not priced from the council's document: what it is and why it was asked for."""

    provision: str
    reason: str


@dataclass(frozen=True)
class AgendaView:
    """A meeting's agenda: deferred items first, then by kind; with the budget position."""

    meeting_id: int
    meeting: MeetingSlot
    cluster: str
    entries: tuple[AgendaEntry, ...]
    position: Position | None
    started: bool = False
    ended: bool = False
    # The quorum check of each pending item from who is present now ("9 settings present, 2 recused: 7 may
    # vote, 5 needed"), for the chair's view, by item id; and whether each would open.
    quorum_lines: tuple[tuple[int, str, bool], ...] = ()
    refresh_user_ids: tuple[str, ...] = ()  # Teams user ids who get a personal view: those who run it first
    acting_chair: str = ""  # the name of the person the meeting was handed to, if any
    cluster_id: int = 0  # whose meeting it is: what the viewer may do with it is checked against it

    def quorum_of(self, item_id: int) -> tuple[str, bool] | None:
        """An item's quorum line and whether it would open, if the view has one for it."""
        return next(((line, ok) for i, line, ok in self.quorum_lines if i == item_id), None)

    @property
    def requested_pence(self) -> int:
        """The total asked for by items not yet decided."""
        return sum(e.requested_pence for e in self.entries if e.decision is None)

    def groups(self) -> list[tuple[str, list[AgendaEntry]]]:
        """The entries as the agenda lists them: deferred from earlier meetings first, then each kind."""
        groups: list[tuple[str, list[AgendaEntry]]] = []
        deferred = [e for e in self.entries if e.deferred]
        if deferred:
            groups.append(("Deferred from earlier meetings", deferred))
        reviews = [e for e in self.entries if e.review and not e.deferred]
        if reviews:
            groups.append(("Reviews needing a decision", reviews))
        for kind in Kind:
            of_kind = [e for e in self.entries if not e.deferred and not e.review and e.kind is kind]
            if of_kind:
                groups.append((KIND_GROUP_TITLES[kind], of_kind))
        return groups


KIND_GROUP_TITLES: dict[Kind, str] = {
    Kind.INDIVIDUAL: "Individual Pupil Need",
    Kind.PROJECT: "Project-Based Work",
    Kind.EHCP: "EHCP exceptional needs",
    Kind.CAPITAL: "Inclusive Environments Capital Fund",
    Kind.DISCUSSION: "Solution-focused discussions",
}


@dataclass(frozen=True)
class VoteView:
    """A vote card's content. Who voted is shown while open; how each setting voted only once closed."""

    item_id: int
    entry: AgendaEntry
    state: str
    tally: Tally
    voted: tuple[str, ...]  # setting names that have voted or abstained
    interests: tuple[str, ...]  # names of people who declared an interest
    result: Result | None = None
    ballots: tuple[tuple[str, Choice], ...] = ()  # (setting, choice), shown once closed
    casting: Choice | None = None
    your_choice: Choice | None = None
    refresh_user_ids: tuple[str, ...] = field(default=())  # Teams user ids who get a personal view
    # From the register while the vote is open: the quorum line, how many of the present settings that
    # may vote have voted, and (for the chair) which of them have not.
    quorum_check: str = ""
    may_vote: int = 0
    present_voted: int = 0
    not_voted: tuple[str, ...] = ()


@dataclass(frozen=True)
class MinutesEntry:
    """One item in the minutes."""

    entry: AgendaEntry
    tally: Tally | None
    result: Result | None
    interests: tuple[str, ...]
    quorum_record: QuorumRecord | None = None  # who was present and recused when its vote closed (issue 20)


@dataclass(frozen=True)
class MinutesView:
    """A meeting's record: every item, its outcome, the votes, interests, amounts and review dates."""

    meeting: MeetingSlot
    cluster: str
    entries: tuple[MinutesEntry, ...]
    ended_at: datetime | None
    position: Position | None
    register: Register | None = None  # who attended (issue 20)

    @property
    def held_on(self) -> date:
        """The date the meeting was really held (London): the day it ended, else started, else its scheduled day."""
        return self.meeting.held_on or self.meeting.day

    @property
    def held_elsewhen(self) -> bool:
        """Whether it was held on another day than the one scheduled (the minutes then name both)."""
        return self.held_on != self.meeting.day


@dataclass(frozen=True)
class Moved:
    """A referral (or the review of one) moved from a meeting that ended to the next: what its referrer reads."""

    referral_id: int
    reference: str
    cluster: str
    review: bool
    ended: MeetingSlot
    to: MeetingSlot

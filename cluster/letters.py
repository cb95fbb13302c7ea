"""What a decision letter says: the plain view a letter is drawn from (``reports.decision_letter``).

Every decision the meeting records makes a letter for the setting: the outcome, the amount and how it is
paid (each instalment with its day), the conditions, the review date and the feedback; a deferral says what
the next meeting needs and when it is. The letter goes to the setting, which knows its pupil, so it names
the pupil as the agenda does (initials and year group), never by the school's own pupil reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cluster.agenda import DecisionView
from cluster.decisions import FUNDED
from cluster.ledger import Payment
from cluster.meetings import MeetingSlot
from cluster.referrals import Kind


@dataclass(frozen=True)
class LetterView:
    """Everything one decision letter shows."""

    decision_id: int
    reference: str
    kind: Kind
    title: str  # the referral's own title (a project's name), or ""
    setting: str
    cluster: str
    pupil_label: str
    requested_pence: int
    meeting: MeetingSlot
    decision: DecisionView
    payments: tuple[Payment, ...]
    decided_at: datetime
    deferred_to: MeetingSlot | None = None

    @property
    def funded(self) -> bool:
        """Whether the decision commits money."""
        return self.decision.outcome in FUNDED


def letter_filename(reference: str, meeting_day: date) -> str:
    """The name the letter is sent under, such as 'Decision letter CEN-2526-014 2025-12-11.docx'."""
    return f"Decision letter {reference or 'referral'} {meeting_day.isoformat()}.docx"

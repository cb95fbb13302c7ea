"""A referral as the rules, cards and reports see it, with its documents and its pupil as a channel may show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cluster.meetings import MeetingSlot
from cluster.provision import ProvisionRow, totals
from cluster.referrals.forms import KIND_TITLES, YEAR_GROUPS, Kind
from cluster.referrals.lifecycle import State, missing_for_submission, requested_pence


def pupil_label(details: Mapping[str, Any]) -> str:
    """The pupil as a channel may show them, from a referral's answers: initials and year group at most."""
    initials = str(details.get("pupil_initials", "")).upper()
    year = dict(YEAR_GROUPS).get(str(details.get("year_group", "")), "")
    return " ".join(part for part in (initials, year) if part)


@dataclass(frozen=True)
class Document:
    """A supporting document: a file kept by the bot, or a link to the school's SharePoint or OneDrive."""

    id: int
    name: str
    is_link: bool
    url: str | None
    content_type: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class ReferralView:
    """Everything about one referral, as the rules, cards and reports see it."""

    id: int
    reference: str | None
    kind: Kind
    state: State
    cluster: str
    setting: str
    created_by: str
    details: dict[str, Any]
    rows: tuple[ProvisionRow, ...] = ()
    contribution_pence: int = 0
    documents: tuple[Document, ...] = ()
    meeting: MeetingSlot | None = None
    returned_reason: str | None = None
    version: int = 1
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    partner_choices: tuple[tuple[str, str], ...] = field(default=())
    # The cost rows' database ids, in the order of ``rows``, for the cards' Edit and Remove buttons.
    row_ids: tuple[int, ...] = ()
    # When its pupil's details were removed (cluster.privacy); None while they are held.
    erased_at: datetime | None = None

    @property
    def title(self) -> str:
        """How the referral is named in lists: its reference (or 'Draft') and kind."""
        return f"{self.reference or 'Draft'} · {KIND_TITLES[self.kind]}"

    @property
    def total_pence(self) -> int:
        """The cost rows' total."""
        return totals(self.rows, 0).total_pence

    @property
    def requested_pence(self) -> int:
        """What is asked of the cluster."""
        return requested_pence(self.kind, self.details, self.rows, self.contribution_pence)

    @property
    def missing(self) -> list[str]:
        """What must be completed before submission."""
        return missing_for_submission(self.kind, self.details, self.rows, self.partner_choices)

    @property
    def pupil_label(self) -> str:
        """The pupil as a channel may show them: initials and year group at most."""
        return pupil_label(self.details)

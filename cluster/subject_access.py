"""What the bot holds about one pupil, as a subject access export shows it.

Gathered by ``usecases.subject_access`` and written out by ``reports.subject_access`` (JSON and Word): the view
lives here, below both, so the writer needs nothing from the use cases. Who a referral is about is decided by
:mod:`cluster.privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cluster.audit import Line
from cluster.referrals import ReferralView


@dataclass(frozen=True)
class HeldFile:
    """A supporting document kept by the bot: its name and bytes (links are in the referral's view)."""

    document_id: int
    name: str
    content_type: str | None
    content: bytes


@dataclass(frozen=True)
class HeldItem:
    """The referral on a meeting's agenda."""

    meeting_title: str
    meeting_day: date
    state: str
    deferred: bool


@dataclass(frozen=True)
class HeldInstalment:
    """One instalment of a decision's money."""

    position: int
    due_on: date
    amount_pence: int
    state: str
    paid_on: date | None
    paid_reference: str | None


@dataclass(frozen=True)
class HeldDecision:
    """A decision on the referral, with its instalments and any money released back to the budget."""

    id: int
    outcome: str
    amount_pence: int
    conditions: str
    feedback: str
    information_needed: str
    review_date: date | None
    schedule: str | None
    decided_by: str
    decided_at: datetime
    instalments: tuple[HeldInstalment, ...]
    released_pence: int | None


@dataclass(frozen=True)
class HeldReview:
    """A review of the funding: its answers and the outcomes rated."""

    id: int
    due: date
    state: str
    answers: dict[str, Any]
    submitted_at: datetime | None
    submitted_by: str | None
    ratings: tuple[tuple[str, str], ...]  # (outcome, rating)


@dataclass(frozen=True)
class HeldReferral:
    """One referral about the pupil and everything hung on it."""

    view: ReferralView
    created_at: datetime
    erased_at: datetime | None
    erased_reason: str | None
    files: tuple[HeldFile, ...]
    items: tuple[HeldItem, ...]
    decisions: tuple[HeldDecision, ...]
    reviews: tuple[HeldReview, ...]
    audit: tuple[Line, ...]


@dataclass(frozen=True)
class Held:
    """What the bot holds about one pupil of one setting (no referral: nothing held)."""

    setting: str
    setting_id: int
    cluster: str
    pupil_ref: str
    generated_at: datetime
    referrals: tuple[HeldReferral, ...]

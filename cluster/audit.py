"""The audit log as a person reads it: one line, and which lines to list.

The lines are found and named in ``usecases.audit_log``; they are shown by the command line and by the subject
access export (``reports.subject_access``), which is why the view lives here, below both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """Which lines to list."""

    READ = "read"
    CHANGE = "change"
    ALL = "all"


@dataclass(frozen=True)
class Line:
    """One audit line as a person reads it: London time, who by name, the subject with its referral's reference."""

    at: datetime  # Europe/London
    who: str
    action: str
    read: bool
    subject: str
    reference: str | None
    detail: dict[str, Any]

    @property
    def kind(self) -> str:
        """``read`` or ``change``."""
        return Kind.READ.value if self.read else Kind.CHANGE.value

    @property
    def about(self) -> str:
        """The subject, with the referral's reference when it is one of a referral's records."""
        return f"{self.subject} ({self.reference})" if self.reference else self.subject

    @property
    def details(self) -> str:
        """The detail as ``key=value`` pairs, in key order."""
        return "; ".join(f"{key}={self.detail[key]}" for key in sorted(self.detail))

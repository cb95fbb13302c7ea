"""What cards and reports show of the Capital Fund: an application, what its viewer may do, a round, a member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.capital_fund.journey import Progress, Stage
from cluster.capital_fund.panel import Averages, Score
from cluster.capital_fund.rounds import Round


@dataclass(frozen=True)
class InvoiceLine:
    """One paid invoice: its amount, and its file's name once the SENCO has sent it (None: still to come)."""

    id: int
    amount_pence: int
    name: str | None


@dataclass(frozen=True)
class ApplicationView:
    """One application as cards and the report show it: what was asked, where it stands, and its journey.

    ``averages`` are None while the panel is open: members' scores stay hidden from one another until then.
    """

    referral_id: int
    reference: str
    cluster_id: int
    cluster: str
    setting_id: int
    setting: str
    year_start: int
    round: Round | None
    window_closes: date
    category: str
    works: str
    asked_pence: int
    statements: tuple[tuple[str, str], ...]  # the applicant's answer on each criterion, by its title
    progress: Progress
    stage: Stage
    late: tuple[str, ...] = ()
    scored_by: int = 0
    panel_size: int = 0
    averages: Averages | None = None
    recommendation_reasons: str = ""
    recommendation_conditions: str = ""
    invoices: tuple[InvoiceLine, ...] = ()
    accepted_on: date | None = None
    scoring_from: date | None = None
    panel_closed_on: date | None = None
    recommended_on: date | None = None
    board_on: date | None = None
    released_on: date | None = None
    evaluated_on: date | None = None

    @property
    def title(self) -> str:
        """'CEN-2526-003 · Waterside Primary School'."""
        return f"{self.reference} · {self.setting}"

    @property
    def invoiced_pence(self) -> int:
        """The total of the invoices whose files are in."""
        return sum(i.amount_pence for i in self.invoices if i.name is not None)


@dataclass(frozen=True)
class Viewer:
    """What the person looking at an application may do on it, and their own scores (theirs alone)."""

    name: str
    own_score: Score | None = None
    may_score: bool = False  # a panel member, not from the applying setting, while the panel is open
    not_scoring: str | None = None  # why a member does not score it (they are from the applying setting)
    chairs: bool = False
    officer: bool = False
    applicant: bool = False
    team: bool = False

    @property
    def evaluates(self) -> bool:
        """The applying setting, and the cluster's chair and team, record the project's impact."""
        return self.applicant or self.chairs or self.team


@dataclass(frozen=True)
class RoundView:
    """A round (or a window only) and the money it has approved and released."""

    year_start: int
    opens: date
    closes: date
    round: Round | None
    approved_pence: int = 0
    released_pence: int = 0

    @property
    def label(self) -> str:
        """The round's name, or its school year when only a window is set."""
        return self.round.label if self.round else f"{self.year_start}/{(self.year_start + 1) % 100:02d}"

    @property
    def left_pence(self) -> int | None:
        """What the round has left to approve (None without a total)."""
        return None if self.round is None else max(self.round.total_pence - self.approved_pence, 0)


@dataclass(frozen=True)
class Member:
    """One member of a cluster's panel: by role (chair, team) or named by the admin; ``setting_ids`` theirs."""

    person_id: int
    name: str
    how: str
    setting_ids: frozenset[int] = frozenset()
    named: bool = False

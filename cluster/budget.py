"""A cluster's budget for a funding period, what is committed against it and whether an approval fits.

The budget is made of three parts - the high-needs baseline, an uplift for projected growth, and an
allocation from reduced independent specialist spend - and may ring-fence part of that total as an
emergency reserve. Approvals commit money against it. What is available is always worked out from the
commitments, never kept as a second figure that could drift. Money is whole pence.

Two figures are "available": the budget less the reserve less what is committed (what the cluster can
approve without touching the reserve), and the budget less what is committed (with the reserve). An
approval that would go past the first is refused with the figures unless the chair explicitly draws on the
reserve; one that would go past the second is refused outright.
"""

from __future__ import annotations

from dataclasses import dataclass

from cluster.errors import Refusal
from cluster.provision import format_pence


@dataclass(frozen=True)
class BudgetRule:
    """A cluster's budget for one funding period, in pence; the reserve is part of the total, not extra."""

    baseline_pence: int
    growth_uplift_pence: int
    specialist_allocation_pence: int
    reserve_pence: int = 0

    @property
    def total_pence(self) -> int:
        """The whole budget: the three parts added up (the reserve is within it)."""
        return self.baseline_pence + self.growth_uplift_pence + self.specialist_allocation_pence

    @property
    def parts(self) -> tuple[int, int, int]:
        """The three parts (baseline, uplift, specialist allocation), as the funding formula works them out."""
        return (self.baseline_pence, self.growth_uplift_pence, self.specialist_allocation_pence)

    @property
    def spendable_pence(self) -> int:
        """What can be committed without drawing on the reserve."""
        return self.total_pence - self.reserve_pence


def check_budget(
    baseline_pence: int,
    growth_uplift_pence: int,
    specialist_allocation_pence: int,
    reserve_pence: int = 0,
) -> BudgetRule:
    """A budget from its parts, refusing negative parts and a reserve larger than the total."""
    for value, name in (
        (baseline_pence, "The high-needs baseline"),
        (growth_uplift_pence, "The growth uplift"),
        (specialist_allocation_pence, "The allocation from reduced independent specialist spend"),
        (reserve_pence, "The emergency reserve"),
    ):
        if value < 0:
            raise Refusal(f"{name} cannot be negative.")
    budget = BudgetRule(baseline_pence, growth_uplift_pence, specialist_allocation_pence, reserve_pence)
    if reserve_pence > budget.total_pence:
        raise Refusal(
            f"The emergency reserve of {format_pence(reserve_pence)} cannot be more than the budget's total of "
            f"{format_pence(budget.total_pence)}: the reserve is part of the budget, not extra."
        )
    return budget


@dataclass(frozen=True)
class Position:
    """Where a budget stands: its total (what the cluster is allocated), reserve, commitments and payments.

    ``committed`` is what funded decisions commit, less what stopped reviews cancelled; ``paid`` is the part
    of it already paid out (instalments marked paid); ``requested`` is what an agenda asks for.

    What is available never goes below nothing. A draw on the emergency reserve shows as the reserve used,
    not as a negative "available": the commitments past the budget less the reserve come out of the
    reserve, so ``available + reserve_left + committed == total`` whenever the budget covers its
    commitments. (Before, available was total - reserve - committed unbounded, so after a chair drew on the
    reserve the card read "Available now: -£5,488.47" for a reserve that still held money.)
    """

    total: int
    reserve: int
    committed: int
    requested: int = 0
    paid: int = 0

    @property
    def allocated(self) -> int:
        """What the cluster is allocated for the period: the budget's total (the reserve is part of it)."""
        return self.total

    @property
    def available(self) -> int:
        """What is left to approve without touching the reserve; never below nothing."""
        return max(0, self.total - self.reserve - self.committed)

    @property
    def reserve_used(self) -> int:
        """How much of the emergency reserve the commitments have drawn on."""
        return min(self.reserve, max(0, self.committed - (self.total - self.reserve)))

    @property
    def reserve_left(self) -> int:
        """What is still in the emergency reserve."""
        return self.reserve - self.reserve_used

    @property
    def available_with_reserve(self) -> int:
        """What is left to approve if the reserve is drawn on too; never below nothing."""
        return max(0, self.total - self.committed)

    @property
    def over_budget(self) -> int:
        """How far commitments go past the whole budget (only after the budget was lowered below them)."""
        return max(0, self.committed - self.total)

    @property
    def unpaid(self) -> int:
        """What is committed but not yet paid out."""
        return self.committed - self.paid

    @property
    def available_after_requests(self) -> int:
        """What would be left, without the reserve, if every request were approved in full (negative: short)."""
        return self.available - self.requested


def position(budget: BudgetRule, committed_pence: int, requested_pence: int = 0, paid_pence: int = 0) -> Position:
    """The budget's position given what is committed and paid (and, for an agenda, what is being asked for)."""
    if committed_pence < 0 or requested_pence < 0 or paid_pence < 0:
        raise ValueError("commitments, requests and payments cannot be negative")
    return Position(budget.total_pence, budget.reserve_pence, committed_pence, requested_pence, paid_pence)


def check_affordable(budget: BudgetRule, committed_pence: int, amount_pence: int, draw_on_reserve: bool) -> bool:
    """Whether approving this amount draws on the emergency reserve; refuses, with the figures, if it cannot.

    Returns False when the amount fits without the reserve, True when it needs the reserve and the chair
    chose to draw on it. Refuses when it needs the reserve and the chair did not choose to, and when it
    would go past the budget even with the reserve.
    """
    if committed_pence < 0 or amount_pence < 0:
        raise ValueError("commitments and amounts cannot be negative")
    after = committed_pence + amount_pence
    if after <= budget.spendable_pence:
        return False
    went_past = f"Approving {format_pence(amount_pence)} would take commitments to {format_pence(after)}, past the "
    if after > budget.total_pence:
        if budget.reserve_pence:
            raise Refusal(f"{went_past}{format_pence(budget.total_pence)} available even with the emergency reserve.")
        raise Refusal(f"{went_past}{format_pence(budget.total_pence)} available.")
    if draw_on_reserve:
        return True
    reserve_left = budget.total_pence - max(committed_pence, budget.spendable_pence)
    raise Refusal(
        f"{went_past}{format_pence(budget.spendable_pence)} available. The emergency reserve holds "
        f"{format_pence(reserve_left)} more: the chair can choose to draw on it."
    )

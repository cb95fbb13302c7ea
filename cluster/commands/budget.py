"""The budget card's commands: showing a cluster's budget, and setting it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.commands.inputs import day, money, row_id, text


@dataclass(frozen=True, kw_only=True)
class ShowBudget:
    """Show the budget covering today: of the cluster the card names, or the one typed (``budget North``)."""

    cluster_id: int | None = row_id(required=False)
    cluster_name: str = text("Cluster", required=False, max_length=120)


@dataclass(frozen=True, kw_only=True)
class SetBudget:
    """Set a cluster's budget for a funding period (admins and council officers); amounts in pence."""

    label: str = text("Funding period", "Name the funding period, such as 2025/26.", max_length=40)
    starts: date = day("Starts", "Choose a date.", wrong="Choose a date.")
    ends: date = day("Ends", "Choose a date.", wrong="Choose a date.")
    baseline: int = money("High-needs baseline", "Enter an amount in pounds and pence, as in 1,250.00.")
    uplift: int = money("Uplift", required=False, empty_is_zero=True)
    specialist: int = money("Specialist allocation", required=False, empty_is_zero=True)
    reserve: int = money("Emergency reserve", required=False, empty_is_zero=True)
    cluster_id: int | None = row_id(required=False)

    @property
    def parts(self) -> tuple[int, int, int, int]:
        """The four parts of the total, in the order the rules take them."""
        return (self.baseline, self.uplift, self.specialist, self.reserve)

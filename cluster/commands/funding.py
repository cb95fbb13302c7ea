"""The funding formula card's commands: showing a year's formula, and recording or changing it with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.commands.inputs import Source, choice, day, money, text
from cluster.funding import Basis, Part, PartRule

BASES = tuple(b.value for b in Basis)
_WHY = "Say why the formula is being set or changed: the yearly review reads it."
_BASIS = "Choose how the part is shared: by pupils with EHCPs, by settings or by a fixed split."


@dataclass(frozen=True, kw_only=True)
class ShowFunding:
    """Show a year's formula: the one the card names or typed (``funding 2026/27``), else the one covering today."""

    year: str = text(required=False, max_length=40, source=Source.DATA)  # a card's button names the year
    label: str = text("Financial year", required=False, max_length=40)  # typed after the command


@dataclass(frozen=True, kw_only=True)
class SetFunding:
    """Record or change a year's formula (council officers); amounts in pence, a reason always."""

    label: str = text("Financial year", "Name the financial year, such as 2026/27.", max_length=40)
    starts: date = day("Starts", "Choose a date.", wrong="Choose a date.")
    ends: date = day("Ends", "Choose a date.", wrong="Choose a date.")
    baseline: int = money("Current high-needs spend", required=False, empty_is_zero=True)
    baseline_by: str = choice("Shared", BASES, _BASIS)
    uplift: int = money("Proposed additional amount", required=False, empty_is_zero=True)
    uplift_by: str = choice("Shared", BASES, _BASIS)
    specialist: int = money("Reduction in Independent Specialist growth", required=False, empty_is_zero=True)
    specialist_by: str = choice("Shared", BASES, _BASIS)
    reason: str = text(
        "Why", "Say why the formula is being set or changed: the yearly review reads it.", max_length=500
    )

    @property
    def parts(self) -> tuple[PartRule, ...]:
        """The three parts as the rules take them."""
        return (
            PartRule(Part.BASELINE, self.baseline, Basis(self.baseline_by)),
            PartRule(Part.UPLIFT, self.uplift, Basis(self.uplift_by)),
            PartRule(Part.SPECIALIST, self.specialist, Basis(self.specialist_by)),
        )

"""Funding from the council's formula: the city's allocation for a financial year, shared between clusters.

The city's allocation has three parts: the current high-needs spend the cluster approach replaces, the
proposed additional amount, and the reduction in the growth of Independent Specialist spend. Each part is
shared between the clusters on a basis the council chooses: by pupils with EHCPs, by settings, or by a fixed
split (each cluster's agreed share, in any whole units: percentages, or thousandths).

Money is whole pence and is never lost or made in the sharing: each part's shares add up to the part
exactly. The remainder rule (:data:`REMAINDER_RULE`) is the largest-remainder method: each cluster first
gets its exact share rounded down to the penny; the pennies left over go one each to the clusters whose
shares lost most in that rounding, and between equal losses to the cluster first by name. A cluster's budget
is its three shares (its baseline, uplift and specialist allocation, as the budget card names them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cluster.errors import Refusal
from cluster.provision import format_pence
from cluster.spend import shares

REMAINDER_RULE = (
    "Each cluster gets its exact share rounded down to the penny; the pennies left over go one each to the "
    "clusters whose shares lost most in rounding, and between equal losses to the cluster first by name."
)


class Part(StrEnum):
    """The parts of the city's allocation, in the order the budget card lists them."""

    BASELINE = "baseline"
    UPLIFT = "uplift"
    SPECIALIST = "specialist"


PART_TITLES: Mapping[Part, str] = {
    Part.BASELINE: "The current high-needs spend the cluster approach replaces",
    Part.UPLIFT: "The proposed additional amount",
    Part.SPECIALIST: "The reduction in the growth of Independent Specialist spend",
}


class Basis(StrEnum):
    """How a part is shared between the clusters."""

    EHCP = "ehcp"
    SETTINGS = "settings"
    FIXED = "fixed"


BASIS_TITLES: Mapping[Basis, str] = {
    Basis.EHCP: "by pupils with EHCPs",
    Basis.SETTINGS: "by settings",
    Basis.FIXED: "by a fixed split",
}
_UNITS: Mapping[Basis, tuple[str, str]] = {
    Basis.EHCP: ("pupil with an EHCP", "pupils with EHCPs"),
    Basis.SETTINGS: ("setting", "settings"),
    Basis.FIXED: ("share", "shares"),
}


@dataclass(frozen=True)
class PartRule:
    """One part of the city's allocation: how much, and how it is shared."""

    part: Part
    amount_pence: int
    basis: Basis


@dataclass(frozen=True)
class Counts:
    """What a cluster's shares rest on: its pupils with EHCPs, its settings, and its fixed share."""

    cluster: str
    ehcp_pupils: int = 0
    settings: int = 0
    fixed_share: int = 0

    def weight(self, basis: Basis) -> int:
        """The cluster's weight on a basis."""
        if basis is Basis.EHCP:
            return self.ehcp_pupils
        if basis is Basis.SETTINGS:
            return self.settings
        return self.fixed_share


@dataclass(frozen=True)
class Formula:
    """A financial year's formula: the parts (one of each at most) and every cluster's counts, by name."""

    parts: tuple[PartRule, ...]
    counts: tuple[Counts, ...]

    @property
    def total_pence(self) -> int:
        """The city's whole allocation."""
        return sum(p.amount_pence for p in self.parts)

    def rule(self, part: Part) -> PartRule | None:
        """The rule of one part (None: the year has none of it)."""
        return next((p for p in self.parts if p.part is part), None)

    def weight_total(self, basis: Basis) -> int:
        """Every cluster's weight on a basis, added up."""
        return sum(c.weight(basis) for c in self.counts)


def share_to_the_penny(amount_pence: int, weights: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Share an amount between named weights so the shares add up to it exactly (:data:`REMAINDER_RULE`).

    The spend rule's largest-remainder sharing (:func:`cluster.spend.shares`), over the names in order, so a
    tie goes to the name first in order.
    """
    if amount_pence and not any(w for _, w in weights):
        raise ValueError("an amount cannot be shared by weights that are all nothing")
    ordered = sorted(weights)
    return dict(zip((n for n, _ in ordered), shares(amount_pence, [w for _, w in ordered]), strict=True))


@dataclass(frozen=True)
class Share:
    """One cluster's share of one part: the money, and the weight it rests on out of the city's."""

    part: Part
    basis: Basis
    pence: int
    weight: int
    of: int

    def sentence(self, part_pence: int) -> str:
        """The basis as a person reads it: which part, how it is shared, and this cluster's count of the city's."""
        one, many = _UNITS[self.basis]
        unit = one if self.of == 1 else many
        return (
            f"{PART_TITLES[self.part]}: {format_pence(self.pence)} of {format_pence(part_pence)}, "
            f"{BASIS_TITLES[self.basis]} ({self.weight} of {self.of} {unit})"
        )


@dataclass(frozen=True)
class ClusterFunding:
    """A cluster's budget from the formula: its share of each part."""

    cluster: str
    shares: tuple[Share, ...]

    def pence(self, part: Part) -> int:
        """The cluster's share of one part (nothing when the year has none of it)."""
        return sum(s.pence for s in self.shares if s.part is part)

    @property
    def total_pence(self) -> int:
        """The cluster's whole budget from the formula."""
        return sum(s.pence for s in self.shares)


def check_formula(parts: Sequence[PartRule], counts: Sequence[Counts]) -> Formula:
    """A formula from its parts and counts, refusing what cannot be shared, with the sentence the officer reads."""
    if not counts:
        raise Refusal("There are no clusters to share the allocation between.")
    seen: set[Part] = set()
    for rule in parts:
        if rule.part in seen:
            raise Refusal(f"{PART_TITLES[rule.part]} is given twice.")
        seen.add(rule.part)
        if rule.amount_pence < 0:
            raise Refusal(f"{PART_TITLES[rule.part]} cannot be negative.")
    for c in counts:
        if min(c.ehcp_pupils, c.settings, c.fixed_share) < 0:
            raise Refusal(f"The {c.cluster} cluster's counts cannot be negative.")
    ordered = tuple(sorted(parts, key=lambda r: list(Part).index(r.part)))
    formula = Formula(ordered, tuple(sorted(counts, key=lambda c: c.cluster)))
    for rule in ordered:
        if rule.amount_pence and not formula.weight_total(rule.basis):
            raise Refusal(
                f"{PART_TITLES[rule.part]} is shared {BASIS_TITLES[rule.basis]}, but no cluster has any "
                f"{_UNITS[rule.basis][1]}: record the counts or share it another way."
            )
    return formula


def apportion(formula: Formula) -> tuple[ClusterFunding, ...]:
    """Each cluster's share of every part, by cluster name; each part's shares add up to the part exactly."""
    by_part = {
        rule.part: share_to_the_penny(rule.amount_pence, [(c.cluster, c.weight(rule.basis)) for c in formula.counts])
        for rule in formula.parts
    }
    return tuple(
        ClusterFunding(
            c.cluster,
            tuple(
                Share(
                    rule.part,
                    rule.basis,
                    by_part[rule.part][c.cluster],
                    c.weight(rule.basis),
                    formula.weight_total(rule.basis),
                )
                for rule in formula.parts
            ),
        )
        for c in formula.counts
    )


def funding_of(formula: Formula, cluster: str) -> ClusterFunding | None:
    """One cluster's budget from the formula (None: the formula does not name it)."""
    return next((f for f in apportion(formula) if f.cluster == cluster), None)


@dataclass(frozen=True)
class Change:
    """One line of a year's history: when, who, why, and the city's allocation after it."""

    at: datetime
    by: str
    reason: str
    total_pence: int


@dataclass(frozen=True)
class YearView:
    """A financial year's formula, each cluster's budget from it, and every change to it (oldest first)."""

    label: str
    starts: date
    ends: date
    formula: Formula
    funding: tuple[ClusterFunding, ...]
    changes: tuple[Change, ...]


# --- kept as JSON on the year and on each change: the whole formula, so a year can be read back as it was --------


def formula_to_json(formula: Formula) -> dict[str, object]:
    """The formula as plain data (kept on the year and on each change)."""
    return {
        "parts": [
            {"part": r.part.value, "amount_pence": r.amount_pence, "basis": r.basis.value} for r in formula.parts
        ],
        "counts": [
            {"cluster": c.cluster, "ehcp_pupils": c.ehcp_pupils, "settings": c.settings, "fixed_share": c.fixed_share}
            for c in formula.counts
        ],
    }


def formula_from_json(data: Mapping[str, object]) -> Formula:
    """The formula back from the data :func:`formula_to_json` wrote."""
    parts = data.get("parts") or []
    counts = data.get("counts") or []
    assert isinstance(parts, list) and isinstance(counts, list)
    return Formula(
        tuple(PartRule(Part(p["part"]), int(p["amount_pence"]), Basis(p["basis"])) for p in parts),
        tuple(
            Counts(str(c["cluster"]), int(c["ehcp_pupils"]), int(c["settings"]), int(c["fixed_share"])) for c in counts
        ),
    )

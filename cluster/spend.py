"""What the cluster money bought: spend by area of need and by provision, with care for small numbers.

Spend is the money clusters approved in the school year (funded decisions), shared across each referral's
provision map in proportion to its rows' costs, in whole pence that add up exactly to the decision (largest
remainders first), so every table here adds up to the money approved, to the penny. A referral without cost
rows (an EHCP referral, a project costed without rows) is its own line, "No provision map".

These figures are seen beyond the cluster (the citywide view), and an area of need or a provision says
something about a pupil. So they are only ever shown for the whole city, never one cluster's, and a group
resting on fewer than :data:`SMALLEST_GROUP` referrals is never shown on its own: the small groups are pooled
into one "other" line, and if that line would itself rest on too few, the next smallest group joins it, so
no group's figure can be worked out from the others and the total. A provision the Costed Provision Document
does not list is never named (its name was typed, perhaps about a pupil): those rows are one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

SMALLEST_GROUP = 5  # referrals a figure shown beyond a cluster must rest on
POOLED_AREAS = f"Other areas of need (together: groups of fewer than {SMALLEST_GROUP} referrals are not shown alone)"
POOLED_PROVISIONS = f"Other provisions (together: each rests on fewer than {SMALLEST_GROUP} referrals)"


class Source(StrEnum):
    """Where a row of a provision map came from."""

    DOCUMENT = "document"  # priced from the Costed Provision Document
    OTHER = "other"  # typed by hand: not in the document (or from before there was one)
    NO_MAP = "no_map"  # the referral has no provision map


SOURCE_TITLES: dict[Source, str] = {
    Source.DOCUMENT: "From the Costed Provision Document",
    Source.OTHER: "Not in the document",
    Source.NO_MAP: "No provision map",
}
NOT_IN_DOCUMENT = "Provisions not in the document"
NO_MAP = "No provision map (EHCP and other referrals without cost rows)"


def shares(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` pence shared in proportion to ``weights``, in whole pence adding up to ``amount`` exactly.

    Each share is rounded down, and the pence left over go one each to the largest remainders (the earlier row
    on a tie). All-zero weights share equally.
    """
    if not weights:
        return []
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights are never negative")
    used = list(weights) if any(weights) else [1] * len(weights)
    whole = sum(used)
    floors = [amount * w // whole for w in used]
    left = amount - sum(floors)
    order = sorted(range(len(used)), key=lambda i: (-(amount * used[i] % whole), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class Part:
    """One referral's spend on one group (an area of need, a provision): what a group is added up from."""

    group: str
    referral_id: int
    pence: int


@dataclass(frozen=True)
class Group:
    """A line of a spend table: its title, how many referrals it rests on, and the pence spent."""

    title: str
    referrals: int
    pence: int
    pooled: bool = False  # the "other" line of groups too small to show on their own


@dataclass
class _Building:
    referrals: set[int] = field(default_factory=set)
    pence: int = 0


def grouped(parts: Iterable[Part]) -> list[Group]:
    """Parts added up by group: each group's distinct referrals and pence, most spent first (then by title)."""
    building: dict[str, _Building] = {}
    for part in parts:
        into = building.setdefault(part.group, _Building())
        into.referrals.add(part.referral_id)
        into.pence += part.pence
    groups = [Group(title, len(b.referrals), b.pence) for title, b in building.items()]
    return sorted(groups, key=lambda g: (-g.pence, g.title))


def protected(groups: Sequence[Group], pooled_title: str, smallest: int = SMALLEST_GROUP) -> list[Group]:
    """The groups that may be shown beyond a cluster: small ones pooled, the pool never small itself.

    Groups resting on fewer than ``smallest`` referrals are pooled into one line titled ``pooled_title``; while
    the pool rests on fewer than ``smallest`` (and is not empty), the smallest group still shown joins it. A
    pool of everything is shown only if it rests on enough referrals; otherwise nothing is. A referral in two
    pooled groups counts once per group: the pool's count is the groups' sum, an upper bound.
    """
    shown = sorted(groups, key=lambda g: (g.referrals, g.pence, g.title))
    pool = [g for g in shown if g.referrals < smallest]
    shown = [g for g in shown if g.referrals >= smallest]
    while pool and sum(g.referrals for g in pool) < smallest and shown:
        pool.append(shown.pop(0))
    out = sorted(shown, key=lambda g: (-g.pence, g.title))
    if pool and sum(g.referrals for g in pool) >= smallest:
        out.append(Group(pooled_title, sum(g.referrals for g in pool), sum(g.pence for g in pool), pooled=True))
    return out


@dataclass(frozen=True)
class Spend:
    """The city's spend in a school year, already protected: safe to show to anyone who sees the citywide view.

    ``by_area`` and ``by_provision`` end with their pooled line when there is one; ``no_map`` is the money of
    referrals without a provision map; ``total_pence`` every penny, shown or pooled or withheld.
    """

    by_area: tuple[Group, ...] = ()
    by_provision: tuple[Group, ...] = ()
    no_map: Group | None = None
    total_pence: int = 0

    @property
    def withheld_pence(self) -> int:
        """The money of groups too small to show even pooled (by area): the total less what the lines show."""
        shown = sum(g.pence for g in self.by_area) + (self.no_map.pence if self.no_map else 0)
        return self.total_pence - shown

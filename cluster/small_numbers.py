"""Small numbers never identify a child: which counts a table shown beyond a cluster must hide.

The rule (the README says it too): in any breakdown shown beyond the cluster's own people (the citywide view,
its spreadsheet, the Citywide Meeting's pack), a count of one to four is hidden (primary suppression), and so
is any other count from which a hidden one could be worked out (secondary suppression): wherever figures add
up to a figure also shown (a row to its total, a column to its total, the clusters to the city), never exactly
one of them is hidden, because the total less the others would give it away, and the hidden ones never add up
to one to four between them, because the total less the others would tell that small number (the North and
South clusters' EHCP referrals together). When a sum gives something away, the smallest other count in it is
hidden too (the least lost), and the check runs again until no sum gives anything away.
The grand total is never hidden: totals stay exact. A nought is shown: it says that nothing happened, which
identifies no one.

A table here is a cube of counts, one axis per way it is broken down (such as cluster, kind, ending), with
every margin: a key holds one value per axis, or :data:`ALL` where the figure adds that axis up. So
``("Central", ALL, "approved")`` is the Central cluster's approved referrals of every kind. Plain data, no
database: the cards and the spreadsheet ask :meth:`Protected.shown` for each figure they print.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TypeVar

SMALLEST = 5  # a count shown beyond a cluster is this or more, or nought
ALL = None  # in a key: this axis added up
HIDDEN_TEXT = "hidden"  # what a table prints for a hidden count (the same for every reason, so none is told)

Key = tuple[Hashable | None, ...]
_Cell = TypeVar("_Cell", bound=tuple[Hashable, ...])  # a key naming one value on every axis


@dataclass(frozen=True)
class Protected:
    """A table's exact counts (every margin) and the keys that must not be shown."""

    counts: Mapping[Key, int]
    hidden: frozenset[Key]

    def shown(self, key: Key) -> int | None:
        """The count at a key, or None where it is hidden."""
        return None if key in self.hidden else self.counts.get(key, 0)

    def text(self, key: Key) -> str:
        """The count as a table prints it: the number, or "hidden"."""
        value = self.shown(key)
        return HIDDEN_TEXT if value is None else str(value)

    def drawn(self, key: Key) -> int:
        """The count as a chart draws it: a hidden count is drawn as nothing (its table says "hidden")."""
        return self.shown(key) or 0


def margins(counts: Mapping[_Cell, int], axes: Sequence[Sequence[Hashable]]) -> dict[Key, int]:
    """Every key of the cube (each axis a value or ALL) with its exact count, noughts included."""
    out: dict[Key, int] = {key: 0 for key in product(*((*values, ALL) for values in axes))}
    for key, count in counts.items():
        for mask in product((False, True), repeat=len(axes)):
            out[tuple(ALL if added else value for value, added in zip(key, mask, strict=True))] += count
    return out


def sums(axes: Sequence[Sequence[Hashable]]) -> Iterator[tuple[Key, ...]]:
    """Each sum the tables show: a key adding up one axis, then the keys it adds up (one per value)."""
    for total in product(*((*values, ALL) for values in axes)):
        for axis, value in enumerate(total):
            if value is ALL:
                yield (total, *((*total[:axis], part, *total[axis + 1 :]) for part in axes[axis]))


def _gives_away(
    group: tuple[Key, ...], hidden: set[Key] | frozenset[Key], exact: Mapping[Key, int], smallest: int
) -> bool:
    """Whether a sum tells something hidden: one figure alone, or hidden parts adding up to under ``smallest``."""
    missing = [key for key in group if key in hidden]
    if len(missing) == 1:
        return True
    if not missing or group[0] in hidden:
        return False  # the total is hidden too: only the parts' sum less the total is known, not theirs
    return 0 < sum(exact[key] for key in missing) < smallest


def given_away(table: Protected, axes: Sequence[Sequence[Hashable]], smallest: int = SMALLEST) -> list[tuple[Key, ...]]:
    """The sums that tell something hidden (see the module's rule): empty when the table is safe to show."""
    return [group for group in sums(axes) if _gives_away(group, table.hidden, table.counts, smallest)]


def protect(counts: Mapping[_Cell, int], axes: Sequence[Sequence[Hashable]], smallest: int = SMALLEST) -> Protected:
    """Which counts to hide: those under ``smallest`` (not nought), then enough others that none can be worked out."""
    exact = margins(counts, axes)
    grand: Key = tuple(ALL for _ in axes)
    hidden = {key for key, count in exact.items() if 0 < count < smallest and key != grand}
    groups = list(sums(axes))
    changed = True
    while changed:
        changed = False
        for group in groups:
            if not _gives_away(group, hidden, exact, smallest):
                continue
            others = [key for key in group if key not in hidden and key != grand]
            if sum(key in hidden for key in group) > 1:
                # Hidden parts adding up to a small number: hiding a nought beside them changes nothing.
                others = [key for key in others if exact[key]]
            if not others:
                continue  # only the exact total (or noughts) left: the rule can do no more, and totals stay exact
            # The smallest other count loses least; a count above nought before a nought, as a nought says little.
            hidden.add(min(others, key=lambda key: (exact[key] == 0, exact[key], repr(key))))
            changed = True
    return Protected(exact, frozenset(hidden))

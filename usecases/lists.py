"""Lists longer than a card can hold: the first page of them, and whether there is more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items a card shows, and whether more were left off (the card says so)."""

    items: tuple[T, ...] = ()
    more: bool = False


def first_page(found: Sequence[T], size: int) -> Page[T]:
    """The first ``size`` of ``found``, which a query fetched with ``LIMIT size + 1`` to learn if there is more."""
    return Page(tuple(found[:size]), len(found) > size)

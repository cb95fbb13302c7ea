"""A cluster as the council officer's list shows it.

Counted by ``usecases.clusters`` and drawn by ``cards.clusters``: the view lives here, below both. A new
cluster as the officer types it is :mod:`cluster.new_cluster`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterSummary:
    """One cluster as the list shows it."""

    name: str
    code: str
    settings: int
    people: int
    meetings: int
    channel_linked: bool

"""The citywide card's commands: showing one section of every cluster's figures."""

from __future__ import annotations

from dataclasses import dataclass

from cluster.commands.inputs import Source, text


@dataclass(frozen=True, kw_only=True)
class ShowCitywide:
    """The citywide card at a section (money when none, or one our cards never name: a forged one shows money)."""

    section: str = text(required=False, max_length=40, source=Source.DATA)

"""The Playground demo's command: ``act as <person>`` (``act as me`` to stop)."""

from __future__ import annotations

from dataclasses import dataclass

from cluster.commands.inputs import text


@dataclass(frozen=True, kw_only=True)
class ActAs:
    """Whom the page's user acts as: a demo person's name, ``me`` to stop, or nothing for the list."""

    who: str = text("Who", required=False, max_length=120)

"""The setting facts card's command: saving each setting's Capital Fund facts (mainstream, HNCG received).

The card has two toggles per setting of the admin's cluster, named after the fact and the setting's id
(``mainstream_12``, ``hncg_12``): which there are depends on the stored settings, so the command keeps
every toggle sent (:func:`~cluster.commands.inputs.answers`) and the use case checks them against the rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cluster.commands.inputs import answers
from cluster.errors import Refusal

OUT_OF_DATE = "This card is out of date. Type “settings” to see your cluster's settings again."

# The card's toggles: the fact's short name and the setting's id.
_TOGGLE = re.compile(r"^(mainstream|hncg)_(\d{1,12})$")
_FACT_OF = {"mainstream": "mainstream", "hncg": "received_hncg"}
_TOGGLE_VALUES = {"true": True, "false": False}


def toggle_key(fact: str, setting_id: int) -> str:
    """The card's input for one fact of one setting (``fact`` as the card names it: mainstream or hncg)."""
    return f"{fact}_{setting_id}"


@dataclass(frozen=True, kw_only=True)
class SaveSettingFacts:
    """Save every toggle the card sent, together."""

    toggles: dict[str, str] = answers()

    def changes(self) -> dict[int, dict[str, bool]]:
        """The facts sent, by setting id; a toggle that is neither on nor off means the card was altered."""
        return facts_from(self.toggles)


def facts_from(toggles: Mapping[str, str]) -> dict[int, dict[str, bool]]:
    """Each setting's facts as the toggles say (other inputs are not the card's and are left alone)."""
    changes: dict[int, dict[str, bool]] = {}
    for name, value in toggles.items():
        match = _TOGGLE.match(name)
        if match is None:
            continue
        on = _TOGGLE_VALUES.get(value.strip().lower())
        if on is None:
            raise Refusal(OUT_OF_DATE)
        changes.setdefault(int(match.group(2)), {})[_FACT_OF[match.group(1)]] = on
    return changes

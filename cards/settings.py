"""The cluster admin's settings card: each setting's Capital Fund facts, with toggles and Save."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.common import Card, button, card, execute, heading, text
from cluster.capital import SettingRow
from cluster.commands.setting_facts import toggle_key

EXPLAINER = (
    "The Inclusive Environments Capital Fund is for mainstream settings, once each, and not for a setting "
    "that already received High Needs Capital Grant funding (Enhanced Resource Provision projects included). "
    "What you record here decides who may apply."
)


def _toggle(input_id: str, title: str, on: bool, setting: str) -> dict[str, Any]:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        # The label names the setting, so a screen reader says which of many "Mainstream" boxes this is.
        "label": f"{setting}: {title[0].lower()}{title[1:]}",
        "title": title,
        "value": "true" if on else "false",
        "valueOn": "true",
        "valueOff": "false",
    }


def settings_card(cluster: str, settings: Sequence[SettingRow], notice: str | None = None) -> Card:
    """Every setting of the cluster with its two facts as toggles, saved together."""
    body: list[dict[str, Any]] = [heading(f"Settings: {cluster} cluster"), text(EXPLAINER, subtle=True)]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if not settings:
        body.append(text("This cluster has no settings yet. The council loads them from the command line."))
    for s in settings:
        body += [
            text(s.name, weight="Bolder", separator=True),
            {
                "type": "ColumnSet",
                "spacing": "None",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [_toggle(toggle_key("mainstream", s.id), "Mainstream", s.mainstream, s.name)],
                    },
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            _toggle(
                                toggle_key("hncg", s.id),
                                "Had High Needs Capital Grant funding",
                                s.received_hncg,
                                s.name,
                            )
                        ],
                    },
                ],
            },
        ]
    refresh = button("Refresh", verbs.SETTINGS)
    actions = [execute("Save", verbs.SETTINGS_SAVE), refresh] if settings else [refresh]
    return card(body, actions)

"""Building blocks shared by every card."""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = "1.5"
Card = dict[str, Any]


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    """An Adaptive Card at schema 1.5 that uses the full width of a Teams message."""
    result: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": SCHEMA_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        result["actions"] = actions
    return result


def heading(text: str) -> dict[str, Any]:
    """A card's title line."""
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def text(value: str, subtle: bool = False, **extra: Any) -> dict[str, Any]:
    """A wrapping paragraph."""
    block: dict[str, Any] = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    block.update(extra)
    return block


def facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A two-column list of labels and values."""
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs]}


def execute(title: str, verb: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Universal Action button, falling back to Action.Submit on clients without Action.Execute."""
    payload = {"verb": verb, **(data or {})}
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": payload,
        "fallback": {"type": "Action.Submit", "title": title, "data": payload},
    }


def message_card(message: str, title: str | None = None, attention: bool = False) -> Card:
    """A card carrying one sentence: how refusals and apologies answer a card click."""
    body: list[dict[str, Any]] = []
    if title:
        body.append(heading(title))
    body.append(text(message, color="Attention") if attention else text(message))
    return card(body)

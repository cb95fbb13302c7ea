r"""A card as it leaves the bot: JSON as UTF-8, and never grown past Teams' size by what a person typed.

Teams refuses a message over about 40 KB. Forms bring back what was typed so it can be corrected, and a
message may quote it; a field typed (or forged) at 100,000 characters would then make a card Teams
cannot show, and the person would never see what to fix. So every card the bot sends or answers with
passes :func:`fit` once: an input keeps at most its ``maxLength`` and a little more (so the length error
beside it is still true) with a note saying where it was cut, and a text block or fact longer than any
the bot writes itself is cut.

What is sent is then serialised by ``cluster.text.to_json``, as UTF-8 rather than ``\u`` escapes.
"""

from __future__ import annotations

import copy
from typing import Any

from cards.common import Card, text

INPUT_SLACK = 100  # characters a cut input keeps past its maxLength: enough to see what was over
INPUT_MAX = 8000  # an input with no maxLength (the clusters form's lists) keeps at most this
TEXT_MAX = 8000  # a text block or fact: longer than any field can be saved (3,000), so only an echo is cut


def _input_limit(node: dict[str, Any]) -> int | None:
    """How many characters an input's value may keep, or None when it is not a text value."""
    kind = node.get("type")
    if not isinstance(kind, str) or not kind.startswith("Input.") or not isinstance(node.get("value"), str):
        return None
    most = node.get("maxLength")
    return (most + INPUT_SLACK) if isinstance(most, int) and most > 0 else INPUT_MAX


def _too_long(node: Any) -> bool:
    """Whether anything in ``node`` would be cut (a walk without copying: most cards have nothing to cut)."""
    if isinstance(node, list):
        return any(_too_long(child) for child in node)
    if not isinstance(node, dict):
        return False
    limit = _input_limit(node)
    if limit is not None and len(node["value"]) > limit:
        return True
    if node.get("type") == "TextBlock" and isinstance(node.get("text"), str) and len(node["text"]) > TEXT_MAX:
        return True
    if "title" in node and "value" in node and isinstance(node["value"], str) and len(node["value"]) > TEXT_MAX:
        return True  # a fact
    return any(_too_long(child) for child in node.values() if isinstance(child, dict | list))


def _cut(node: Any) -> None:
    """Cut, in place, every over-long input, text block and fact under ``node``; notes follow cut inputs."""
    if isinstance(node, dict):
        for child in node.values():
            if isinstance(child, dict | list):
                _cut(child)
        if node.get("type") == "TextBlock" and isinstance(node.get("text"), str) and len(node["text"]) > TEXT_MAX:
            node["text"] = node["text"][:TEXT_MAX] + "…"
        if "title" in node and isinstance(node.get("value"), str) and len(node["value"]) > TEXT_MAX:
            node["value"] = node["value"][:TEXT_MAX] + "…"
        return
    if not isinstance(node, list):
        return
    at = 0
    while at < len(node):
        child = node[at]
        _cut(child)
        limit = _input_limit(child) if isinstance(child, dict) else None
        if limit is not None and len(child["value"]) > limit:
            typed = len(child["value"])
            child["value"] = child["value"][:limit]
            most = child.get("maxLength")
            keep = f"keep it to {most:,} characters" if isinstance(most, int) and most > 0 else "shorten it"
            note = text(
                f"What was typed here ({typed:,} characters) was too long and was cut at {limit:,} characters: "
                f"{keep} and send again.",
                color="Attention",
            )
            node.insert(at + 1, note)
            at += 1
        at += 1


def fit(card: Card) -> Card:
    """The card as it may be sent: itself when nothing in it is too long, else a copy with the long parts cut."""
    if not _too_long(card):
        return card
    cut = copy.deepcopy(card)
    _cut(cut)
    return cut

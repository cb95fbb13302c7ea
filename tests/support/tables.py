"""Reading a card's table as rows of text, whether it is drawn as a Table or, on a phone, as fact lists.

``cards.charts.table`` draws a table of more than three columns as one fact list per row (the row's first cell as
a heading, the other columns as facts), so that amounts never break mid-number on a narrow client. Tests read
both shapes the same way: the header row first, then each row's cells.
"""

from __future__ import annotations

import re
from typing import Any


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def is_table(element: dict[str, Any]) -> bool:
    """Whether ``element`` is a table in either shape."""
    if element.get("type") == "Table":
        return True
    items = element.get("items") or []
    return (
        element.get("type") == "Container"
        and len(items) >= 2
        and len(items) % 2 == 0
        and all(
            items[i].get("type") == "TextBlock" and items[i + 1].get("type") == "FactSet"
            for i in range(0, len(items), 2)
        )
    )


def table_rows(element: dict[str, Any]) -> list[list[str]]:
    """The header row, then every row, as the text a person reads; the fact-list shape has no first header."""
    if element["type"] == "Table":
        return [[_unescape(c["items"][0]["text"]) for c in row["cells"]] for row in element["rows"]]
    items = element["items"]
    header = ["", *(_unescape(f["title"]) for f in items[1]["facts"])]
    rows = [
        [_unescape(items[i]["text"]), *(_unescape(f["value"]) for f in items[i + 1]["facts"])]
        for i in range(0, len(items), 2)
    ]
    return [header, *rows]

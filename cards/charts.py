"""Charts and tables for cards: every chart carries a table of the same figures for clients that draw none.

Teams draws ``Chart.*`` elements in 1.5 cards on desktop and web; some mobile clients draw nothing, so each
chart here is built with its ``fallback``: a ``Table`` (Adaptive Cards 1.5) of the very figures it plots,
headed by the chart's title. A chart's numbers are pounds (charts take numbers, not "£1,234.56"); the
table shows exact money as text. Labels and cells are escaped like any other card text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards.common import plain

Element = dict[str, Any]


def table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, total_last: bool = False) -> Element:
    """A table with a header row; ``rows`` hold display text (escaped here); ``total_last`` bolds the last row."""

    def cell(value: str, bold: bool = False) -> Element:
        # Every cell wraps: a narrow client cuts "£300,000.00" to "£30…" otherwise.
        block: Element = {"type": "TextBlock", "text": plain(value, line_start=False), "wrap": True}
        if bold:
            block["weight"] = "Bolder"
        return {"type": "TableCell", "items": [block]}

    return {
        "type": "Table",
        "columns": [{"width": 2 if i == 0 else 1} for i in range(len(columns))],
        "firstRowAsHeader": True,
        "rows": [
            {"type": "TableRow", "cells": [cell(c, bold=True) for c in columns]},
            *(
                {"type": "TableRow", "cells": [cell(v, bold=total_last and i == len(rows) - 1) for v in row]}
                for i, row in enumerate(rows)
            ),
        ],
    }


def _fallback(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], total_last: bool) -> Element:
    return {
        "type": "Container",
        "items": [
            {"type": "TextBlock", "text": plain(title), "weight": "Bolder", "wrap": True},
            table(columns, rows, total_last=total_last),
        ],
    }


def pounds(pence: int) -> float:
    """A money figure as a chart plots it (pounds, two places): a chart cannot take text such as '£1.00'."""
    return round(pence / 100, 2)


def donut(
    title: str,
    slices: Sequence[tuple[str, float]],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    pie: bool = False,
    total_last: bool = False,
) -> Element:
    """A donut (or pie) of named slices, falling back to the table ``columns``/``rows`` of the same figures."""
    return {
        "type": "Chart.Pie" if pie else "Chart.Donut",
        "title": plain(title),
        "colorSet": "categorical",
        "data": [{"legend": plain(legend), "value": value} for legend, value in slices],
        "fallback": _fallback(title, columns, rows, total_last),
    }


def bars(
    title: str,
    points: Sequence[tuple[str, float]],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    y_title: str = "",
    total_last: bool = False,
) -> Element:
    """A vertical bar chart of one series, falling back to the table of the same figures."""
    chart: Element = {
        "type": "Chart.VerticalBar",
        "title": plain(title),
        "colorSet": "categorical",
        "data": [{"x": plain(x), "y": y} for x, y in points],
        "fallback": _fallback(title, columns, rows, total_last),
    }
    if y_title:
        chart["yAxisTitle"] = plain(y_title)
    return chart


def grouped_bars(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    y_title: str = "",
    total_last: bool = False,
) -> Element:
    """Bars grouped by ``groups`` (such as clusters), one bar per series in each, with the table fallback."""
    chart: Element = {
        "type": "Chart.VerticalBar.Grouped",
        "title": plain(title),
        "colorSet": "categorical",
        "data": [
            {"legend": plain(name), "values": [{"x": plain(g), "y": v} for g, v in zip(groups, values, strict=True)]}
            for name, values in series
        ],
        "fallback": _fallback(title, columns, rows, total_last),
    }
    if y_title:
        chart["yAxisTitle"] = plain(y_title)
    return chart


def with_figures(chart: Element, key: str) -> list[Element]:
    """The chart, and under it a button that shows (and hides) its table of exact figures.

    A chart shows shapes, not pence: on clients that draw it, the exact figures are one click away in the
    same table its fallback holds (hidden until asked for, so a client that draws no chart shows it once).
    """
    table_of = next(item for item in chart["fallback"]["items"] if item["type"] == "Table")
    figures_id = f"figures-{key}"
    return [
        chart,
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.ToggleVisibility",
                    "title": "Show or hide the figures",
                    "targetElements": [figures_id],
                }
            ],
        },
        {"type": "Container", "id": figures_id, "isVisible": False, "items": [table_of]},
    ]

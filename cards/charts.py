"""Charts and tables for cards: every chart carries a table of the same figures for clients that draw none.

Teams draws ``Chart.*`` elements in 1.5 cards on desktop and web; some mobile clients draw nothing, so each
chart here is built with its ``fallback``: a ``Table`` (Adaptive Cards 1.5) of the very figures it plots,
headed by the chart's title. A chart's numbers are pounds (charts take numbers, not "£1,234.56"); the
table shows exact money as text. Labels and cells are escaped like any other card text.

So that anyone can read them:
- a table of more than three columns would break "£50,000.00" mid-number on a phone, so it becomes one
  fact list per row instead (:func:`table`);
- each figure has one colour wherever it is drawn (:data:`FIGURE_COLOURS`): "Paid" is never red in one
  chart and blue in the next;
- a chart with nothing to draw is a sentence (:func:`nothing_drawn`), not an empty axis;
- counts are drawn as horizontal bars with their numbers and no axis (:func:`count_bars`,
  :func:`stacked_counts`), because Teams divides a vertical axis into four, giving steps of ¼ for a count of 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards.common import facts, plain
from cluster.referrals.forms import AREAS_OF_NEED
from cluster.spend import NO_MAP, POOLED_AREAS, SOURCE_TITLES, Source

Element = dict[str, Any]
MAX_TABLE_COLUMNS = 3  # a third of a phone's width still holds "£500,000.00" on one line

# The one colour of each figure, wherever it is drawn (Teams' chart colour names). Figures shown on the same
# card never share a colour; families never shown together (money and impact, say) may reuse one.
_MONEY_COLOURS = {
    "Allocated": "categoricalBlue",
    "Committed": "categoricalPurple",
    "Committed, not yet paid": "categoricalLavender",
    "Paid": "categoricalTeal",
    "Available": "categoricalGreen",
    "Available now": "categoricalGreen",
    "Reserve left": "categoricalMarigold",
}
_KIND_COLOURS = {
    "Individual pupil": "categoricalBlue",
    "Project": "categoricalTeal",
    "EHCP": "categoricalPurple",
    "Capital Fund": "categoricalMarigold",
    "Discussion": "categoricalLightBlue",
}
_ENDING_COLOURS = {
    "Approved": "categoricalGreen",
    "Declined": "categoricalRed",
    "Deferred": "categoricalLavender",
    "Advice given": "categoricalLime",
    "Withdrawn": "divergingGray",
    "Waiting": "divergingYellow",
}
_RATING_COLOURS = {
    "Achieved": "categoricalGreen",
    "Partly achieved": "categoricalMarigold",
    "Not achieved": "categoricalRed",
}
_REVIEW_COLOURS = {"Due": "categoricalBlue", "Overdue": "categoricalRed", "Outcomes achieved (%)": "categoricalTeal"}
_CAPITAL_COLOURS = {
    "Applications": "categoricalBlue",
    "Waiting for the admin's check": "sequential1",
    "Accepted: scored once the window closes": "sequential2",
    "With the Cluster Panel for scoring": "sequential3",
    "Scored: waiting for the panel's recommendation": "sequential4",
    "With the Board for its decision": "sequential5",
    "Declined by the Board": "categoricalRed",
    "Approved: waiting for the project to start": "sequential6",
    "Project under way": "sequential7",
    "Completed: waiting for the visit, invoices and release": "sequential8",
    "Money released: waiting for the evaluation": "categoricalTeal",
    "Evaluated": "categoricalGreen",
    "Withdrawn": "divergingGray",
}
_VISIT_COLOURS = {"Other visits": "categoricalBlue", "Concern": "categoricalRed"}
_SPEND_COLOURS = {  # the city's spend by area of need, by provision, and each cluster's by source (one card)
    **dict(
        zip(
            (title for _, title in AREAS_OF_NEED),
            ("categoricalBlue", "categoricalPurple", "categoricalTeal", "categoricalMarigold"),
            strict=True,
        )
    ),
    POOLED_AREAS: "divergingGray",
    NO_MAP: "categoricalLavender",
    "Spend by provision (£)": "categoricalLightBlue",
    SOURCE_TITLES[Source.DOCUMENT]: "categoricalGreen",
    SOURCE_TITLES[Source.OTHER]: "categoricalLime",
    SOURCE_TITLES[Source.NO_MAP]: "sequential3",
}
FIGURE_COLOURS: dict[str, str] = {
    **_SPEND_COLOURS,
    **_VISIT_COLOURS,
    **_CAPITAL_COLOURS,
    **_REVIEW_COLOURS,
    **_RATING_COLOURS,
    **_ENDING_COLOURS,
    **_KIND_COLOURS,
    **_MONEY_COLOURS,
}
UNNAMED_COLOUR = "neutral"  # a figure missing from the table above: grey, and tests/unit/test_card_access.py fails


def colour_of(figure: str) -> str:
    """The fixed colour of a figure ("Paid", "Approved", "Individual pupil"), the same on every chart."""
    return FIGURE_COLOURS.get(figure, UNNAMED_COLOUR)


def nothing_drawn(values: Sequence[float]) -> bool:
    """Whether a chart of these values would draw nothing but an axis (every value zero)."""
    return not any(values)


def table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, total_last: bool = False) -> Element:
    """A table with a header row; ``rows`` hold display text (escaped here); ``total_last`` bolds the last row.

    A table of more than :data:`MAX_TABLE_COLUMNS` columns becomes one fact list per row, headed by the row's
    first cell, so that amounts never break mid-number on a phone.
    """
    if len(columns) > MAX_TABLE_COLUMNS:
        return _fact_lists(columns, rows, total_last)

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


def _fact_lists(columns: Sequence[str], rows: Sequence[Sequence[str]], total_last: bool) -> Element:
    items: list[Element] = []
    for i, row in enumerate(rows):
        name = row[0] or columns[0]
        bold_total = total_last and i == len(rows) - 1
        items.append(
            {"type": "TextBlock", "text": plain(name), "weight": "Bolder", "wrap": True, "separator": bold_total}
        )
        items.append({**facts(list(zip(columns[1:], row[1:], strict=True))), "spacing": "None"})
    return {"type": "Container", "items": items}


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
    """A donut (or pie) of named slices, falling back to the table ``columns``/``rows`` of the same figures.

    A slice's legend may carry its amount ("Paid: £1.00"); its colour is the figure's ("Paid").
    """
    if nothing_drawn([value for _, value in slices]):
        return _nothing(title, columns, rows, total_last)
    return {
        "type": "Chart.Pie" if pie else "Chart.Donut",
        "title": plain(title),
        "colorSet": "categorical",
        "data": [
            {"legend": plain(legend), "value": value, "color": colour_of(legend.split(": £")[0])}
            for legend, value in slices
        ],
        "fallback": _fallback(title, columns, rows, total_last),
    }


def _nothing(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], total_last: bool) -> Element:
    """What stands for a chart with nothing to draw: its title, a sentence saying so, and its table."""
    figures = _fallback(title, columns, rows, total_last)
    figures["items"].insert(1, {"type": "TextBlock", "text": "Nothing to chart yet: every figure is 0.", "wrap": True})
    return figures


def bars(
    title: str,
    points: Sequence[tuple[str, float]],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    y_title: str = "",
    total_last: bool = False,
) -> Element:
    """A vertical bar chart of one series (pounds or a percentage: ``y_title`` says which), with its table."""
    if nothing_drawn([y for _, y in points]):
        return _nothing(title, columns, rows, total_last)
    colour = colour_of(y_title)
    chart: Element = {
        "type": "Chart.VerticalBar",
        "title": plain(title),
        "colorSet": "categorical",
        "data": [{"x": plain(x), "y": y, "color": colour} for x, y in points],
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
    """Bars of pounds grouped by ``groups`` (such as clusters), one bar per series in each, with its table."""
    if nothing_drawn([v for _, values in series for v in values]):
        return _nothing(title, columns, rows, total_last)
    chart: Element = {
        "type": "Chart.VerticalBar.Grouped",
        "title": plain(title),
        "colorSet": "categorical",
        "data": [
            {
                "legend": plain(name),
                "color": colour_of(name),
                "values": [{"x": plain(g), "y": v} for g, v in zip(groups, values, strict=True)],
            }
            for name, values in series
        ],
        "fallback": _fallback(title, columns, rows, total_last),
    }
    if y_title:
        chart["yAxisTitle"] = plain(y_title)
    return chart


def count_bars(
    title: str,
    figure: str,
    points: Sequence[tuple[str, int]],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    total_last: bool = False,
) -> Element:
    """Horizontal bars of one count (``figure``, such as "Applications"), each with its number and no axis."""
    if nothing_drawn([n for _, n in points]):
        return _nothing(title, columns, rows, total_last)
    colour = colour_of(figure)
    return {
        "type": "Chart.HorizontalBar",
        "title": plain(title),
        "displayMode": "AbsoluteNoAxis",
        "xAxisTitle": plain(figure),
        "data": [{"x": plain(x), "y": n, "color": colour} for x, n in points],
        "fallback": _fallback(title, columns, rows, total_last),
    }


def stacked_counts(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    total_last: bool = False,
) -> Element:
    """One horizontal bar per group (such as a cluster) split by the counts in ``series``, with no axis."""
    if nothing_drawn([n for _, counts in series for n in counts]):
        return _nothing(title, columns, rows, total_last)
    return {
        "type": "Chart.HorizontalBar.Stacked",
        "title": plain(title),
        "data": [
            {
                "title": plain(group),
                "data": [
                    {"legend": plain(name), "value": counts[i], "color": colour_of(name)} for name, counts in series
                ],
            }
            for i, group in enumerate(groups)
        ],
        "fallback": _fallback(title, columns, rows, total_last),
    }


def with_figures(chart: Element, key: str) -> list[Element]:
    """The chart, and under it a button that shows (and hides) its table of exact figures.

    A chart shows shapes, not pence: on clients that draw it, the exact figures are one click away in the
    same table its fallback holds (hidden until asked for, so a client that draws no chart shows it once).
    """
    table_of = chart["fallback"]["items"][-1]
    figures_id = f"figures-{key}"
    return [
        chart,
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.ToggleVisibility",
                    "title": f"Show or hide the figures: {chart['title']}",
                    "targetElements": [figures_id],
                }
            ],
        },
        {"type": "Container", "id": figures_id, "isVisible": False, "items": [table_of]},
    ]

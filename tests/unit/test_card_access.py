"""Cards anyone can read: walks every card in the gallery (and the longest a person can make) and checks it.

- every input has a label, unique within its card (a screen reader names an input by it);
- every button's title is unique within its card (five buttons all called "Start" say nothing);
- no text relies on colour alone: only the Default colour and Attention are used (both keep 4.5:1 in Teams'
  light, dark and high-contrast themes; Good, Warning, Accent, Light and Dark do not in every theme), and an
  Attention text says what it means in words: a sentence, never a lone status word;
- tables fit a phone: at most 3 columns, and no cell holds an amount of money that would break mid-number;
- charts: every figure has one fixed colour on every card, no colour means two figures on one card, no chart
  draws nothing, and counts are never drawn on an axis that can show fractions;
- no card is over 40 KB as UTF-8 JSON, even with every typed field at its longest in accented text.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.card_schema import CHART_TYPES, actions_in
from tests.support.gallery import gallery
from tests.support.longest_gallery import longest_gallery

CARDS = gallery()
LONGEST = longest_gallery()
MAX_BYTES = 40 * 1024
READABLE_COLOURS = {"Default", "Attention"}
MAX_COLUMNS = 3


def elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, depth first (fallbacks and show-cards included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from elements(value)


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons a person sees: every action, less the Action.Submit each Action.Execute falls back to."""
    hidden = {id(a["fallback"]) for a in actions_in(card) if isinstance(a.get("fallback"), dict)}
    hidden |= {id(a) for a in actions_in(card.get("refresh", {}))}  # Teams runs it unseen: it has no title
    return [a for a in actions_in(card) if id(a) not in hidden]


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_input_has_a_label_of_its_own(name: str) -> None:
    inputs = [e for e in elements(CARDS[name]) if str(e.get("type", "")).startswith("Input.")]
    unlabelled = [e["id"] for e in inputs if not str(e.get("label", "")).strip()]
    assert unlabelled == [], f"{name}: inputs without a label"
    repeated = [label for label, n in Counter(e["label"] for e in inputs).items() if n > 1]
    assert repeated == [], f"{name}: several inputs share these labels"


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_button_names_what_it_acts_on(name: str) -> None:
    titles = [str(a.get("title", "")).strip() for a in buttons(CARDS[name])]
    assert "" not in titles, f"{name}: a button without a title"
    repeated = [title for title, n in Counter(titles).items() if n > 1]
    assert repeated == [], f"{name}: several buttons share these titles"


# A status word on its own ("Approved.", "Declined", "Open for voting"): colour would be all that marks it.
_WORDS = re.compile(r"[^\W\d_]+")


@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_text_relies_on_colour(name: str) -> None:
    for element in elements(CARDS[name]):
        colour = element.get("color")
        if element.get("type") not in ("TextBlock", "TextRun") or colour is None:
            continue
        assert colour in READABLE_COLOURS, f"{name}: {element['text']!r} is in {colour}"
        if colour == "Attention":
            assert len(_WORDS.findall(element["text"])) >= 3, f"{name}: {element['text']!r} says little but its colour"


def tables(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in elements(card) if e.get("type") == "Table"]


@pytest.mark.parametrize("name", sorted(CARDS))
def test_tables_fit_a_phone(name: str) -> None:
    # Three columns leave each a third of a phone's width: enough for "£500,000.00" on one line.
    for table in tables(CARDS[name]):
        assert len(table["columns"]) <= MAX_COLUMNS, f"{name}: a table of {len(table['columns'])} columns"


def charts(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in elements(card) if e.get("type") in CHART_TYPES]


def figures(chart: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Each figure a chart draws, by name, with its colour."""
    if chart["type"] == "Chart.HorizontalBar.Stacked":
        return [(p["legend"], p.get("color")) for row in chart["data"] for p in row["data"]]
    if chart["type"] == "Chart.VerticalBar.Grouped":
        return [(s["legend"], s.get("color")) for s in chart["data"]]
    if chart["type"] in ("Chart.VerticalBar", "Chart.HorizontalBar"):
        return [(chart.get("yAxisTitle") or chart["title"], p.get("color")) for p in chart["data"]]
    return [(p["legend"].split(": £")[0], p.get("color")) for p in chart["data"]]


def values(chart: dict[str, Any]) -> list[float]:
    if chart["type"] == "Chart.HorizontalBar.Stacked":
        return [p["value"] for row in chart["data"] for p in row["data"]]
    if chart["type"] == "Chart.VerticalBar.Grouped":
        return [p["y"] for s in chart["data"] for p in s["values"]]
    return [p.get("value", p.get("y", 0)) for p in chart["data"]]


def test_every_figure_has_one_colour_on_every_chart() -> None:
    colour_of: dict[str, set[str | None]] = defaultdict(set)
    for name, card in CARDS.items():
        meaning: dict[str, set[str]] = defaultdict(set)
        for chart in charts(card):
            for figure, colour in figures(chart):
                assert colour, f"{name}: {figure} in {chart['title']!r} takes whatever colour comes next"
                colour_of[figure].add(colour)
                meaning[colour].add(figure)
        clashes = {colour: names for colour, names in meaning.items() if len(names) > 1}
        assert clashes == {}, f"{name}: one colour for several figures"
    assert colour_of, "the gallery draws charts"
    assert {f: c for f, c in colour_of.items() if len(c) > 1} == {}


@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_chart_of_nothing_and_counts_on_no_fractional_axis(name: str) -> None:
    for chart in charts(CARDS[name]):
        assert any(values(chart)), f"{name}: {chart['title']!r} draws nothing"
        if chart["type"].startswith("Chart.VerticalBar"):
            # Teams divides a vertical axis into four: a count of 1, 2 or 6 shows steps of ¼, ½ or 1½. Counts
            # are drawn as bars with their numbers and no axis; a vertical axis is for pounds or percentages.
            unit = chart.get("yAxisTitle", "")
            assert "£" in unit or "%" in unit, f"{name}: {chart['title']!r} counts on a fractional axis"


@pytest.mark.parametrize("name", sorted({**CARDS, **LONGEST}))
def test_no_card_is_over_40_kb(name: str) -> None:
    card = {**CARDS, **LONGEST}[name]
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    assert size <= MAX_BYTES, f"{name}: {size:,} bytes"


def test_the_longest_gallery_holds_the_longest_text_a_person_can_type() -> None:
    # The size check means something only if the long cards really carry long accented text.
    assert len(LONGEST) >= 8
    for name, card in LONGEST.items():
        assert "é" in json.dumps(card, ensure_ascii=False), name

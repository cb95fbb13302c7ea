"""Cards: valid Adaptive Cards 1.5 for Teams, pinned by golden files, and every button has a handler."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from bot.http.app import build_routes
from cards import verbs
from cluster.clock import Clock
from tests.support.card_schema import schema_errors, verbs_in
from tests.support.gallery import gallery

GOLDEN = Path(__file__).parent.parent / "golden"
CARDS = gallery()


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_is_a_valid_adaptive_card_1_5_for_teams(name: str) -> None:
    card = CARDS[name]
    assert card["version"] in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")
    assert schema_errors(card) == []


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_matches_its_golden_file(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    rendered = json.dumps(CARDS[name], indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"no golden file for {name}; run with UPDATE_GOLDEN=1 and review the diff"
    assert rendered == path.read_text(encoding="utf-8")


def test_the_schema_check_catches_a_misspelt_property() -> None:
    card = json.loads(json.dumps(CARDS["help"]))
    card["body"][0]["wrapp"] = True
    assert schema_errors(card)


def test_the_schema_check_catches_an_unknown_element() -> None:
    card = json.loads(json.dumps(CARDS["help"]))
    card["body"].append({"type": "TextBlok", "text": "hi"})
    assert schema_errors(card)


def test_the_schema_check_allows_a_teams_chart_only_with_a_fallback() -> None:
    card = json.loads(json.dumps(CARDS["help"]))
    card["body"].append({"type": "Chart.Donut", "data": []})
    assert schema_errors(card)
    card["body"][-1]["fallback"] = {"type": "TextBlock", "text": "Budget: £1,000 of £5,000 used"}
    assert schema_errors(card) == []


def test_every_verb_any_card_can_send_has_a_handler() -> None:
    routes = build_routes(create_engine("sqlite://"), Clock(), None)  # type: ignore[arg-type]
    sent = set().union(*(verbs_in(card) for card in CARDS.values()))
    assert sent, "the gallery should contain buttons"
    assert sent <= set(routes.verbs), f"verbs without a handler: {sent - set(routes.verbs)}"
    assert set(verbs.ALL) == set(routes.verbs)


def test_no_button_sends_data_named_key_which_the_playground_renderer_cannot_send() -> None:
    # The Agents Playground's Adaptive Cards renderer throws "Cannot assign to read only property 'key'"
    # for such an Action.Execute and sends nothing; see tests/e2e/test_referral_playground.py.
    from tests.support.card_schema import actions_in

    for name, card in CARDS.items():
        for action in actions_in(card):
            data = action.get("data")
            assert not (isinstance(data, dict) and "key" in data), f"{name}: {action.get('title')}"


def test_the_gallery_holds_every_card_the_bot_can_send() -> None:
    # Every public *_card function in cards/ must be drawn while the gallery is built, so the schema and
    # golden tests above cover every card the bot can send (a new card left out of the gallery fails here).
    import importlib
    import inspect
    import pkgutil
    import sys

    import cards

    folder = str(Path(cards.__file__).parent)
    defined = set()
    for module_info in pkgutil.iter_modules([folder]):
        module = importlib.import_module(f"cards.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and name.endswith("_card") and not name.startswith("_"):
                defined.add(f"{module.__name__}.{name}")
    drawn: set[str] = set()

    def watch(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(folder):
            drawn.add(f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name}")

    sys.setprofile(watch)
    try:
        gallery()
    finally:
        sys.setprofile(None)
    assert defined - drawn == set(), "cards the gallery does not draw (add an example to tests/support/gallery.py)"


def test_the_schema_check_refuses_a_chart_whose_data_teams_cannot_read() -> None:
    card = json.loads(json.dumps(CARDS["citywide_money"]))
    chart = next(e for e in card["body"] if e["type"].startswith("Chart."))
    assert schema_errors(card) == []
    chart["data"][0]["value"] = "£1,000.00"  # a chart takes numbers, not money as text
    assert schema_errors(card)


def test_every_chart_in_every_card_falls_back_to_a_table_of_its_figures() -> None:
    from tests.support.card_schema import CHART_TYPES

    def charts(node: Any) -> list[dict[str, Any]]:
        found = []
        if isinstance(node, dict):
            if node.get("type") in CHART_TYPES:
                found.append(node)
            for value in node.values():
                found += charts(value)
        elif isinstance(node, list):
            for value in node:
                found += charts(value)
        return found

    seen = 0
    for name, card in CARDS.items():
        for chart in charts(card):
            seen += 1
            fallback = json.dumps(chart["fallback"])
            # A table, or (when it would be too wide for a phone) a fact list per row.
            assert '"Table"' in fallback or '"FactSet"' in fallback, (
                f"{name}: {chart.get('title')} falls back to no table"
            )
            points = [p for row in chart["data"] for p in row.get("data", [row])]
            for point in points:
                # A legend may carry its exact amount ("Paid: £1,400.00"): the name must be in the table.
                label = str(point.get("legend") or point.get("x")).split(": £")[0]
                assert json.dumps(label)[1:-1] in fallback, f"{name}: {chart.get('title')}: {label} is not in its table"
    assert seen >= 10, "the gallery's cards draw charts"

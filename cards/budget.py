"""The budget card: where a cluster's money stands, and the form to set it (admins and council officers).

It shows what the cluster is allocated (the budget's total), what decisions commit, what of that is paid,
what is available without the reserve, and the reserve: what has been used of it and what is left. What is
available is never shown below nothing: a draw on the reserve shows as reserve used.

A donut chart splits the total into committed but unpaid, paid, available and reserve left; Teams clients
that cannot draw charts show its fallback, a table of the same figures. Someone who reaches several
clusters (a council officer) gets a button for each other cluster's budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cards import verbs
from cards.charts import donut, pounds
from cards.common import Card, card, execute, facts, heading, text
from cluster.budget import BudgetRule, Position
from cluster.commands.budget import SetBudget, ShowBudget
from cluster.commands.inputs import data_for
from cluster.provision import format_pence

PART_FIELDS = (
    ("baseline", "High-needs baseline (£)"),
    ("uplift", "Uplift for projected growth (£)"),
    ("specialist", "Allocation from reduced independent specialist spend (£)"),
    ("reserve", "Emergency reserve, ring-fenced within the total (£)"),
)


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def chart_parts(position: Position) -> list[tuple[str, int]]:
    """The parts of the budget the chart shows, in pence: together they make the total when it is covered."""
    return [
        ("Committed, not yet paid", max(0, position.unpaid)),
        ("Paid", position.paid),
        ("Available now", position.available),
        ("Reserve left", position.reserve_left),
    ]


def budget_chart(position: Position) -> dict[str, Any]:
    """A donut of the budget's parts, with a table of the same figures for clients without charts."""
    parts = chart_parts(position)
    return donut(
        f"Where the {format_pence(position.total)} stands",
        # The legend carries the exact amounts; the chart draws proportions (pounds).
        [(f"{name}: {format_pence(pence)}", pounds(pence)) for name, pence in parts],
        ("Part", "Amount"),
        [[name, format_pence(pence)] for name, pence in parts],
    )


def period_inputs(title: str, placeholder: str, values: Mapping[str, str]) -> list[dict[str, Any]]:
    """A period's name and its first and last days, as a form's first inputs (``label``, ``starts``, ``ends``)."""
    return [
        {
            "type": "Input.Text",
            "id": "label",
            "label": title,
            "placeholder": placeholder,
            "value": values.get("label", ""),
            "maxLength": 40,
        },
        {"type": "Input.Date", "id": "starts", "label": "From", "value": values.get("starts", "")},
        {"type": "Input.Date", "id": "ends", "label": "To", "value": values.get("ends", "")},
    ]


def with_errors(inputs: Sequence[dict[str, Any]], errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """The inputs, each followed by its mistake where it has one (so a screen reader reads it next)."""
    out: list[dict[str, Any]] = []
    for element in inputs:
        out.append(element)
        if errors.get(element["id"]):
            out.append(text(errors[element["id"]], color="Attention"))
    return out


def _basis(basis: Sequence[str]) -> list[dict[str, Any]]:
    """How the parts were worked out: the year's formula (cluster.funding), or that they were typed by hand."""
    if not basis:
        return [text("Basis: the parts were typed by hand, not worked out from a funding formula.", subtle=True)]
    return [text("Basis", weight="Bolder"), *(text(line, subtle=i == len(basis) - 1) for i, line in enumerate(basis))]


def _choices(cluster_id: int, choices: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    others = [(i, name) for i, name in choices if i != cluster_id]
    if not others:
        return []
    return [
        text("Other clusters' budgets", weight="Bolder", separator=True),
        {
            "type": "ActionSet",
            "actions": [execute(name, verbs.BUDGET, data_for(ShowBudget, cluster_id=i)) for i, name in others],
        },
    ]


def budget_card(
    cluster: str,
    label: str | None,
    starts: date | None,
    ends: date | None,
    rule: BudgetRule | None,
    position: Position | None,
    can_set: bool,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    cluster_id: int = 0,
    choices: Sequence[tuple[int, str]] = (),
    basis: Sequence[str] = (),
) -> Card:
    """The budget covering today, with the form to set it for those allowed, and the other clusters they see."""
    values = dict(values or {})
    errors = errors or {}
    body: list[dict[str, Any]] = [heading(f"Budget: {cluster} cluster")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if rule is None or position is None or starts is None or ends is None:
        body.append(text("No budget covers today."))
    else:
        pairs = [
            ("High-needs baseline", format_pence(rule.baseline_pence)),
            ("Growth uplift", format_pence(rule.growth_uplift_pence)),
            ("Specialist allocation", format_pence(rule.specialist_allocation_pence)),
            ("Allocated (the budget's total)", format_pence(position.allocated)),
            ("Committed", format_pence(position.committed)),
            ("Paid", format_pence(position.paid)),
            ("Available now", format_pence(position.available)),
            ("Emergency reserve", format_pence(position.reserve)),
        ]
        if position.reserve_used:
            pairs.append(("Reserve used", format_pence(position.reserve_used)))
        pairs.append(("Reserve left", format_pence(position.reserve_left)))
        body += [text(f"{label} ({starts:%-d %B %Y} to {ends:%-d %B %Y})", weight="Bolder"), facts(pairs)]
        body += _basis(basis)
        if position.total > 0:
            body.append(budget_chart(position))
        if position.over_budget:
            body.append(
                text(
                    f"Commitments are {format_pence(position.over_budget)} more than the whole budget: the "
                    "budget was set lower than what is already committed.",
                    color="Attention",
                )
            )
        for key, pence in zip(
            ("baseline", "uplift", "specialist", "reserve"),
            (rule.baseline_pence, rule.growth_uplift_pence, rule.specialist_allocation_pence, rule.reserve_pence),
            strict=True,
        ):
            values.setdefault(key, _pounds(pence))
        values.setdefault("label", label or "")
        values.setdefault("starts", starts.isoformat())
        values.setdefault("ends", ends.isoformat())
    body += _choices(cluster_id, choices)
    if not can_set:
        return card(body)
    body.append(text("Set the budget", weight="Bolder", size="Medium", separator=True))
    if errors.get("form"):
        body.append(text(errors["form"], color="Attention"))
    inputs = period_inputs("Funding period", "e.g. 2025/26", values)
    for key, title in PART_FIELDS:
        inputs.append({"type": "Input.Text", "id": key, "label": title, "value": values.get(key, "")})
    body += with_errors(inputs, errors)
    return card(
        body, [execute("Save the budget", verbs.BUDGET_SET, data_for(SetBudget, cluster_id=cluster_id or None))]
    )

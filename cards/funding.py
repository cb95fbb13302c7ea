"""The funding formula: the council officer's card of a year's formula, and the basis the other cards show.

The officer's card shows the year's allocation part by part with how each is shared, each cluster's budget
from it and the counts it rests on, the rule that places the pennies left over, and every change with who
made it and why (the yearly review); then the form to change it, which always asks why. The citywide view
shows the same basis (:func:`basis_elements`), so the budget card and the citywide view read the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards import verbs
from cards.budget import period_inputs, with_errors
from cards.common import Card, button, card, execute, facts, heading, text
from cluster.commands.funding import SetFunding, ShowFunding
from cluster.commands.inputs import data_for
from cluster.funding import BASIS_TITLES, PART_TITLES, REMAINDER_RULE, Basis, Formula, Part, YearView
from cluster.provision import format_pence

MAX_CHANGES = 10  # the newest changes the card lists; `clusterbot funding show` lists every one
_PART_INPUTS = (
    (Part.BASELINE, "baseline", "The current high-needs spend the cluster approach replaces (£)"),
    (Part.UPLIFT, "uplift", "The proposed additional amount (£)"),
    (Part.SPECIALIST, "specialist", "The reduction in the growth of Independent Specialist spend (£)"),
)
_SHORT = {Part.BASELINE: "High-needs spend", Part.UPLIFT: "Additional", Part.SPECIALIST: "Specialist"}


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def parts_facts(formula: Formula) -> dict[str, Any]:
    """Each part of the city's allocation, how it is shared, and the whole."""
    pairs = [
        (PART_TITLES[rule.part], f"{format_pence(rule.amount_pence)}, shared {BASIS_TITLES[rule.basis]}")
        for rule in formula.parts
    ]
    pairs.append(("The city's allocation", format_pence(formula.total_pence)))
    return facts(pairs)


def _split(formula: Formula, by_part: Mapping[Part, int]) -> str:
    return ", ".join(f"{_SHORT[rule.part]} {format_pence(by_part.get(rule.part, 0))}" for rule in formula.parts)


def basis_elements(label: str, formula: Formula, budgets: Sequence[tuple[str, Mapping[Part, int], int]]) -> list[Any]:
    """The year's formula and each cluster's budget from it: ``budgets`` is (cluster, pence by part, total)."""
    return [
        text(f"How each cluster's budget was worked out: the {label} formula", weight="Bolder", separator=True),
        parts_facts(formula),
        facts(
            [
                (
                    name,
                    f"{format_pence(total)} ("
                    + ", ".join(
                        f"{_SHORT[rule.part]} {format_pence(by_part.get(rule.part, 0))}" for rule in formula.parts
                    )
                    + ")",
                )
                for name, by_part, total in budgets
            ]
        ),
        text(REMAINDER_RULE, subtle=True),
    ]


def _choice(key: str, value: str, part: str) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "id": key,
        "label": f"{part}: shared between clusters",  # a label of its own, for a screen reader
        "style": "compact",
        "value": value,
        "choices": [{"title": BASIS_TITLES[b].capitalize(), "value": b.value} for b in Basis],
    }


def funding_card(
    view: YearView | None,
    labels: Sequence[str],
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    asked: str = "",
) -> Card:
    """A year's formula (None: none recorded), its changes, other years' buttons, and the form."""
    values = dict(values or {})
    errors = errors or {}
    body: list[dict[str, Any]] = [heading("Funding formula")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if view is None:
        body.append(text(f"No formula is recorded for {asked or 'the year covering today'} yet."))
    else:
        formula = view.formula
        body.append(text(f"{view.label} ({view.starts:%-d %B %Y} to {view.ends:%-d %B %Y})", weight="Bolder"))
        body += basis_elements(
            view.label, formula, [(f.cluster, {p: f.pence(p) for p in Part}, f.total_pence) for f in view.funding]
        )
        body.append(text("What the shares rest on", weight="Bolder", separator=True))
        body.append(
            facts(
                [
                    (
                        c.cluster,
                        f"pupils with EHCPs {c.ehcp_pupils}, settings {c.settings}, fixed share {c.fixed_share}",
                    )
                    for c in formula.counts
                ]
            )
        )
        body.append(text("Changes (the yearly review)", weight="Bolder", separator=True))
        shown = view.changes[-MAX_CHANGES:]
        body.append(
            facts([(f"{c.at:%-d %b %Y}, {c.by}", f"{c.reason} ({format_pence(c.total_pence)})") for c in shown])
        )
        if len(view.changes) > len(shown):
            body.append(
                text(f"And {len(view.changes) - len(shown)} earlier changes: `clusterbot funding show`.", subtle=True)
            )
        for rule in formula.parts:
            key = next(k for part, k, _ in _PART_INPUTS if part is rule.part)
            values.setdefault(key, _pounds(rule.amount_pence))
            values.setdefault(f"{key}_by", rule.basis.value)
        values.setdefault("label", view.label)
        values.setdefault("starts", view.starts.isoformat())
        values.setdefault("ends", view.ends.isoformat())
    others = [label for label in labels if view is None or label != view.label]
    if others:
        body.append(text("Other years", weight="Bolder", separator=True))
        body.append(
            {
                "type": "ActionSet",
                "actions": [button(label, verbs.FUNDING, data_for(ShowFunding, year=label)) for label in others],
            }
        )
    body.append(text("Set or change the formula", weight="Bolder", size="Medium", separator=True))
    body.append(
        text(
            "Settings are counted when the formula is saved; pupils with EHCPs and fixed shares are kept as last "
            "recorded (the command line's clusterbot funding set --counts records them).",
            subtle=True,
        )
    )
    if errors.get("form"):
        body.append(text(errors["form"], color="Attention"))
    inputs = period_inputs("Financial year", "e.g. 2026/27", values)
    for _, key, title in _PART_INPUTS:
        inputs.append({"type": "Input.Text", "id": key, "label": title, "value": values.get(key, "")})
        inputs.append(_choice(f"{key}_by", values.get(f"{key}_by", Basis.EHCP.value), title))
    inputs.append(
        {
            "type": "Input.Text",
            "id": "reason",
            "label": "Why (the yearly review reads it)",
            "isMultiline": True,
            "maxLength": 500,
            "value": values.get("reason", ""),
        }
    )
    body += with_errors(inputs, errors)
    return card(body, [execute("Save the formula", verbs.FUNDING_SET, data_for(SetFunding))])

"""The ``capital`` card: the rounds, the applications the person takes part in, and the officer's round form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cards import verbs
from cards.capital.common import Element, action_set, attention, errors_at, form_inputs, on_day, open_button, section
from cards.common import Card, button, card, facts, heading, text
from cluster.capital_fund import ROUND_DATES, STAGE_TITLES, ApplicationView, RoundView, Stage
from cluster.commands.capital import SetRound
from cluster.commands.inputs import data_for
from cluster.forms import Field, FieldType
from cluster.provision import format_pence

ROUND_FIELDS: tuple[Field, ...] = (
    Field("label", "Round", required=False, max_length=40, hint="e.g. 2025/26"),
    Field("total", "Total (£)", FieldType.MONEY, required=False, hint="e.g. 500000"),
    *(Field(name, title, FieldType.DATE, required=False) for name, title in ROUND_DATES),
)
ROUND_EXPLAINER = (
    "The Inclusive Environments Capital Fund is the council's own pot, not a cluster's budget: the Cluster "
    "Panel scores each application once the window closes, the Place, Planning and Sufficiency Board decides, "
    "and money is released after completion, a quality-assurance visit and paid invoices."
)


# --- the overview -------------------------------------------------------------------------------------


def _round_facts(view: RoundView) -> list[tuple[str, str]]:
    pairs = [("Window", f"{on_day(view.opens)} to {on_day(view.closes)}")]
    round_ = view.round
    if round_ is None:
        return [*pairs, ("Timeline", "Not set yet: a council officer sets the round")]
    pairs += [
        ("Total", format_pence(round_.total_pence)),
        ("Approved", format_pence(view.approved_pence)),
        ("Released", format_pence(view.released_pence)),
        ("Left to approve", format_pence(view.left_pence or 0)),
        ("Panel by", on_day(round_.panel_by)),
        ("Decisions by", on_day(round_.decisions_by)),
        ("Complete and visited by", on_day(round_.complete_by)),
        ("Evaluated by", on_day(round_.evaluate_by)),
    ]
    return pairs


def _round_values(rounds: Sequence[RoundView]) -> dict[str, str]:
    """The newest round, as its form would be typed (for correcting it)."""
    latest = next((r for r in rounds if r.round is not None), None)
    if latest is None or latest.round is None:
        return {}
    shown = {"label": latest.round.label, "total": f"{latest.round.total_pence / 100:.2f}"}
    return shown | {name: getattr(latest.round, name).isoformat() for name, _ in ROUND_DATES}


def capital_card(
    rounds: Sequence[RoundView],
    applications: Sequence[ApplicationView],
    *,
    officer: bool = False,
    admin: bool = False,
    to_score: frozenset[int] = frozenset(),
    more: bool = False,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """The rounds, and the applications the person takes part in by stage (late ones say so).

    A council officer's card has every cluster's applications, the round form and the capital report.
    """
    errors = errors or {}
    body: list[Element] = [heading("Inclusive Environments Capital Fund"), text(ROUND_EXPLAINER, subtle=True)]
    if notice:
        body.append(text(notice, weight="Bolder"))
    for shown in rounds[:3]:
        body += [text(f"Round {shown.label}", weight="Bolder", separator=True), facts(_round_facts(shown))]
    body.append(section("Applications"))
    if not applications:
        body.append(text("No applications to show yet."))
    stage: Stage | None = None
    for view in applications:
        if view.stage is not stage:
            stage = view.stage
            body.append(text(STAGE_TITLES[stage], weight="Bolder", spacing="Medium"))
        line = f"{view.title} · {format_pence(view.asked_pence)} asked"
        if view.referral_id in to_score:
            line += " · waiting for your scores"
        body.append(
            {
                "type": "ColumnSet",
                "spacing": "Small",
                "columns": [
                    {"type": "Column", "width": "stretch", "items": [text(line)]},
                    {"type": "Column", "width": "auto", "items": [action_set(open_button(view))]},
                ],
            }
        )
        if officer:
            body += attention([f"Late: {late}" for late in view.late])
    if more:
        body.append(text(f"These are the {len(applications)} newest; the capital report lists them all.", subtle=True))
    actions: list[Element] = [button("Refresh", verbs.CAPITAL)]
    if admin:
        actions.append(button("Panel members", verbs.CAPITAL_PANEL))
    if officer:
        body.append(section("Set a round"))
        body.append(text("Saving a round for the same school year corrects it.", subtle=True))
        body += errors_at(errors, "form")
        body += form_inputs(ROUND_FIELDS, values if values is not None else _round_values(rounds), errors)
        body.append(action_set(button("Save the round", verbs.CAPITAL_ROUND_SET, data_for(SetRound), inputs=True)))
        actions.append(button("Capital report", verbs.CAPITAL_REPORT))
    return card(body, actions)

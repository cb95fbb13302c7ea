"""What every Capital Fund card is made of: buttons, forms, sections, and an application's summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cards import verbs
from cards.common import button, facts, text
from cards.referrals import input_for
from cluster.capital_fund import STAGE_TITLES, ApplicationView
from cluster.commands.capital import OnApplication
from cluster.commands.inputs import data_for
from cluster.forms import Field
from cluster.provision import format_pence

Element = dict[str, Any]


def on_day(day: date | None) -> str:
    """A day as the cards write it ("Not yet" for none)."""
    return f"{day:%-d %B %Y}" if day is not None else "Not yet"


def open_button(view: ApplicationView, title: str | None = None) -> Element:
    """The button that opens the application."""
    return button(title or f"Open {view.reference}", verbs.CAPITAL_OPEN, application_data(OnApplication, view))


def form_inputs(fields: Sequence[Field], values: Mapping[str, str], errors: Mapping[str, str]) -> list[Element]:
    """The inputs of a form, each with what was typed and its mistake."""
    return [e for f in fields for e in input_for(f, values.get(f.name), errors.get(f.name))]


def action_set(*actions: Element) -> Element:
    """Buttons in the body of a card, under the form they send."""
    return {"type": "ActionSet", "actions": list(actions)}


def section(title: str) -> Element:
    """A section's title."""
    return text(title, weight="Bolder", size="Medium", separator=True, spacing="Large")


def attention(lines: Sequence[str]) -> list[Element]:
    """Lines in the attention colour (what is late)."""
    return [text(line, color="Attention", spacing="None") for line in lines]


def errors_at(errors: Mapping[str, str], *keys: str) -> list[Element]:
    """The mistakes about a form as a whole, above its inputs."""
    return [text(errors[k], color="Attention") for k in keys if k in errors]


def summary(view: ApplicationView) -> list[Element]:
    """An application's stage, round, amount and works."""
    pairs = [
        ("Stage", STAGE_TITLES[view.stage]),
        ("Round", view.round.label if view.round else f"{view.year_start}/{(view.year_start + 1) % 100:02d}"),
        ("Asked for", format_pence(view.asked_pence)),
    ]
    if view.category:
        pairs.append(("Kind of works", view.category))
    body: list[Element] = [facts(pairs)]
    if view.works:
        body += [text("The works", weight="Bolder"), text(view.works, spacing="None")]
    return body


def statements(view: ApplicationView) -> list[Element]:
    """What the setting says on each criterion."""
    if not view.statements:
        return []
    body: list[Element] = [text("What the setting says on each criterion", weight="Bolder")]
    body += [facts(list(view.statements))]
    return body


def application_data(command: type[Any], view: ApplicationView) -> Element:
    """The data of a button acting on this application, for ``command`` (checked against its fields)."""
    return data_for(command, referral_id=view.referral_id)

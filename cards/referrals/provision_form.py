"""The provision map's row form when the council's Costed Provision Document is loaded (issue 21).

The SENCO finds the provision by typing part of its name: an ``Input.ChoiceSet`` in Teams' ``filtered`` style
whose ``choices.data`` names the bot's search (``Data.Query``), so Teams asks the bot for at most 15 choices
as she types, however long the document. A client without that search shows the choice's static list
instead, which a "Look it up" box and button fill with the matches. Then the amounts, and, behind a
"Not in the document?" toggle, a provision the document lacks with the reason it is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cards import verbs
from cards.common import button, text
from cards.referrals.fields import input_for
from cards.referrals.parts import _action_set
from cluster.commands.inputs import data_for
from cluster.commands.referrals import FindProvision
from cluster.forms import Field
from cluster.provision_map import (
    CUSTOM_FIELDS,
    ENTRY,
    FIND,
    ProvisionSource,
)
from cluster.referrals import PROVISION_FIELDS

Element = dict[str, Any]

CUSTOM_ID = "custom-provision"  # the toggled container of a provision typed by hand
_AMOUNTS = ("minutes_per_session", "sessions_per_week", "weeks", "group_size")
_AMOUNT_LABELS = {
    "weeks": "Weeks (or terms or items, when the document prices it so)",
    "group_size": "Group size (unless the document fixes it)",
}
_BY_NAME = {f.name: f for f in PROVISION_FIELDS}


def _labelled(name: str) -> Field:
    field = _BY_NAME[name]
    return replace(field, label=_AMOUNT_LABELS.get(name, field.label), required=False)


def entry_choice(source: ProvisionSource, value: str | None, error: str | None) -> list[Element]:
    """The searchable choice of the document's provisions, with its static list for clients without the search."""
    choice: Element = {
        "type": "Input.ChoiceSet",
        "id": ENTRY,
        "label": "Provision from the council's document",
        "style": "filtered",
        "placeholder": "Type part of its name…",
        "choices": [{"title": title, "value": value} for title, value in source.choices],
        "choices.data": {"type": "Data.Query", "dataset": source.dataset},
    }
    if value:
        choice["value"] = value
    elements = [choice]
    if error:
        elements.append(text(error, color="Attention", spacing="None"))
    return elements


def look_up(view_id: int, row_id: int | None, source: ProvisionSource) -> list[Element]:
    """For a Teams client that does not search as you type: a box and a button that list the matches above."""
    found = {
        "type": "Input.Text",
        "id": FIND,
        "label": "Not searching as you type? Look it up",
        "placeholder": "e.g. speech",
        "maxLength": 100,
    }
    if source.find:
        found["value"] = source.find
    data = data_for(FindProvision, referral_id=view_id, row_id=row_id)
    return [found, _action_set([button("Look it up", verbs.ROW_FIND, data, inputs=True)])]


def document_row_inputs(
    view_id: int,
    row_id: int | None,
    source: ProvisionSource,
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> list[Element]:
    """The row form's inputs: the document's provision, the amounts, and a provision the document lacks."""
    items: list[Element] = [
        text(
            f"Costed Provision Document {source.label}: its rate and unit price the row.", subtle=True, spacing="None"
        ),
        *entry_choice(source, values.get(ENTRY), errors.get(ENTRY)),
        *look_up(view_id, row_id, source),
    ]
    for name in _AMOUNTS:
        items += input_for(_labelled(name), values.get(name), errors.get(name))
    custom_fields = [f for f in CUSTOM_FIELDS if f.name not in _AMOUNTS]
    typed_by_hand = any(values.get(f.name) or errors.get(f.name) for f in custom_fields)
    custom: list[Element] = [
        text("Describe it by the hour, and say why the document's provisions will not do.", subtle=True)
    ]
    for field in custom_fields:
        custom += input_for(field, values.get(field.name), errors.get(field.name))
    for element in custom:
        element.pop("isRequired", None)
    items.append(
        _action_set(
            [
                {
                    "type": "Action.ToggleVisibility",
                    "title": "Not in the document?",
                    "targetElements": [CUSTOM_ID],
                }
            ]
        )
    )
    items.append({"type": "Container", "id": CUSTOM_ID, "isVisible": typed_by_hand, "items": custom})
    return items

"""A referral's form inputs, and what was entered shown back: details, cost rows, document names, a summary.

Input ids are the field names, because Teams merges the inputs into the button's data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cards.common import facts, text
from cards.referrals.parts import (
    _AREAS,
    _FILE_TYPES,
    _action_set,
    _meeting_facts,
    _money,
    _pounds,
    _requested,
    _short,
    _state_title,
    _when,
)
from cluster.forms import Field, FieldType, as_typed
from cluster.privacy import removed_line
from cluster.provision import HOUR, ProvisionRow
from cluster.provision_map import NOT_IN_DOCUMENT, amount_line
from cluster.referrals import (
    COSTED,
    KIND_TITLES,
    Document,
    ReferralView,
    form_fields,
)

Element = dict[str, Any]

LINK_FIELDS: tuple[Field, ...] = (
    Field("link_name", "Document name", max_length=200, hint="e.g. Educational psychologist report"),
    Field("link_url", "Link", max_length=2000, hint="https://… (SharePoint or OneDrive)"),
)
# Inputs --------------------------------------------------------------------------------------------------


def input_values(fields: Sequence[Field], details: Mapping[str, Any]) -> dict[str, str]:
    """Stored (checked) values as the inputs show them: money in pounds, lists comma-separated."""
    return as_typed(fields, details)


def row_input_values(row: ProvisionRow) -> dict[str, str]:
    """A cost row as the row form shows it: a document row by its entry and amounts, else as typed, with its reason."""
    if row.entry_id is not None:
        amounts = {"weeks": str(row.weeks), "group_size": str(row.group_size)}
        if row.minutes_per_session:
            amounts["minutes_per_session"] = str(row.minutes_per_session)
        if row.sessions_per_week:
            amounts["sessions_per_week"] = str(row.sessions_per_week)
        return {"entry": str(row.entry_id), **amounts}
    reason = {"custom_reason": row.custom_reason} if row.custom_reason else {}
    return {
        **reason,
        "provision": row.provision,
        "area_of_need": row.area_of_need,
        "delivered_by": row.delivered_by,
        "minutes_per_session": str(row.minutes_per_session),
        "sessions_per_week": str(row.sessions_per_week),
        "group_size": str(row.group_size),
        "weeks": str(row.weeks),
        "hourly_rate": _pounds(row.hourly_rate_pence),
    }


def _choices(f: Field) -> list[Element]:
    return [{"title": title, "value": value} for value, title in f.choices]


def _input(f: Field, value: str | None) -> Element:
    base: Element = {"id": f.name, "label": f.label}
    if f.required:
        base |= {"isRequired": True, "errorMessage": f"{f.label} is required."}
    if f.hint and f.type not in (FieldType.CONFIRM, FieldType.FLAG):
        base["placeholder"] = f.hint
    if f.type in (FieldType.TEXT, FieldType.MULTILINE):
        base |= {"type": "Input.Text", "maxLength": f.max_length}
        if f.type is FieldType.MULTILINE:
            base["isMultiline"] = True
    elif f.type is FieldType.MONEY:
        base |= {"type": "Input.Text", "maxLength": 15, "placeholder": f.hint or "e.g. 1250.00"}
    elif f.type is FieldType.INTEGER:
        base["type"] = "Input.Number"
        base |= {k: v for k, v in (("min", f.minimum), ("max", f.maximum)) if v is not None}
        bounds = f" from {f.minimum} to {f.maximum}" if f.minimum is not None and f.maximum is not None else ""
        base["errorMessage"] = f.bound_message or f"{f.label}: enter a whole number{bounds}."
        value = value if value and value.lstrip("-").isdigit() else None
    elif f.type in (FieldType.CHOICE, FieldType.MULTICHOICE):
        base |= {"type": "Input.ChoiceSet", "choices": _choices(f), "style": "compact"}
        base.setdefault("placeholder", "Choose…")
        if f.type is FieldType.MULTICHOICE:
            base["isMultiSelect"] = True
    elif f.type in (FieldType.CONFIRM, FieldType.FLAG):
        title = "Yes, I confirm" if f.type is FieldType.CONFIRM else "Yes"
        base |= {"type": "Input.Toggle", "title": title, "valueOn": "true", "valueOff": "false", "wrap": True}
        value = "true" if value == "true" else "false"
    elif f.type is FieldType.DATE:
        base["type"] = "Input.Date"
    if value:
        base["value"] = int(value) if f.type is FieldType.INTEGER else value
    return base


def input_for(field: Field, value: str | None, error: str | None) -> list[dict[str, Any]]:
    """The input for one field, prefilled with ``value`` as typed; an error message right after it."""
    if field.type is FieldType.MULTICHOICE and not field.choices:
        return [text(f"{field.label}: there are no other settings to choose.", subtle=True)]
    elements = [_input(field, value)]
    if field.type in (FieldType.CONFIRM, FieldType.FLAG) and field.hint:
        elements.append(text(field.hint, subtle=True, size="Small", spacing="None"))
    if error:
        elements.append(text(error, color="Attention", spacing="None"))
    return elements


def _inputs(fields: Sequence[Field], values: Mapping[str, str], errors: Mapping[str, str]) -> list[Element]:
    return [element for f in fields for element in input_for(f, values.get(f.name), errors.get(f.name))]


def _error_summary(errors: Mapping[str, str]) -> list[Element]:
    if not errors:
        return []
    count = len(errors)
    thing = "thing" if count == 1 else "things"
    return [text(f"Please fix {count} {thing} below.", color="Attention", weight="Bolder")]


# Showing what was entered --------------------------------------------------------------------------------


def _shown(f: Field, value: Any) -> str:
    if f.type is FieldType.CONFIRM:
        return "Yes" if value is True else "Not yet"
    if f.type is FieldType.FLAG:
        return "Yes" if value is True else "No"
    if value is None or value == "" or value == []:
        return "Not given"
    if f.type is FieldType.CHOICE:
        return f.choice_title(str(value))
    if f.type is FieldType.MULTICHOICE:
        values = value if isinstance(value, list | tuple) else str(value).split(",")
        return ", ".join(f.choice_title(str(v).strip()) for v in values)
    if f.type is FieldType.MONEY and isinstance(value, int):
        return _money(value)
    if f.type is FieldType.DATE:
        try:
            return f"{date.fromisoformat(str(value)):%-d %B %Y}"
        except ValueError:
            return str(value)
    return str(value)


def _detail_elements(view: ReferralView) -> list[Element]:
    """The kind's fields: short ones as facts, long text as labelled paragraphs."""
    fields = form_fields(view.kind, view.partner_choices)
    if view.erased_at is not None:
        # Only what was kept is shown; the line says where the pupil's details were, and since when.
        fields = tuple(f for f in fields if f.name in view.details)
        removed = text(removed_line(view.erased_at), weight="Bolder", spacing="Medium")
        return [removed, *_kept_elements(view, fields)]
    return _kept_elements(view, fields)


def _kept_elements(view: ReferralView, fields: Sequence[Field]) -> list[Element]:
    short = [(f.label, _shown(f, view.details.get(f.name))) for f in fields if f.type is not FieldType.MULTILINE]
    elements: list[Element] = [facts(short)] if short else []
    for f in fields:
        if f.type is FieldType.MULTILINE and (view.details.get(f.name) or f.required):
            elements += [
                text(f.label, weight="Bolder", spacing="Medium"),
                text(_shown(f, view.details.get(f.name)), spacing="None"),
            ]
    return elements


def _summary_facts(view: ReferralView) -> Element:
    """The money, documents, state and meeting of a referral, as one FactSet."""
    pairs = [("Kind", KIND_TITLES[view.kind]), ("Setting", view.setting), ("State", _state_title(view))]
    if view.kind in COSTED:
        rows = f"{len(view.rows)} row" + ("" if len(view.rows) == 1 else "s")
        pairs += [
            ("Cost rows", f"{rows}, total {_money(view.total_pence)}"),
            ("School's contribution", _money(view.contribution_pence)),
        ]
    pairs.append(("Amount requested", _requested(view)))
    pairs.append(("Documents", _document_names(view.documents)))
    if view.meeting:
        pairs += _meeting_facts(view.meeting)
    if view.submitted_at:
        pairs.append(("Submitted", _when(view.submitted_at)))
    return facts(pairs)


def _row_line(row: ProvisionRow) -> str:
    """'30 min × 3/week × 38 weeks, group of 2 at £15.00/h' (by the session, week, term or item: its own words)."""
    if row.unit != HOUR:
        return amount_line(row)
    group = "1:1" if row.group_size == 1 else f"group of {row.group_size}"
    return (
        f"{row.minutes_per_session} min × {row.sessions_per_week}/week × {row.weeks} weeks, "
        f"{group} at {_money(row.hourly_rate_pence)}/h"
    )


# A cost row's names as a list shows them: 30 rows at their longest would take a card past 40 KB. The row's
# form (Change) and the Word pack show them in full.
ROW_NAME_SHOWN = 80


def _row(number: int, row: ProvisionRow, action: Element | None = None) -> Element:
    """One cost row in two lines, numbered as its button names it: what and its cost, then who, how much, how often.

    Two text blocks in a container (not columns of three): 30 rows at their longest then leave room on a card
    for the referral's long text, within Teams' 40 KB.
    """
    items = [
        text(f"Row {number}: {_short(row.provision, ROW_NAME_SHOWN)} · {_money(row.cost_pence)}", weight="Bolder"),
        text(
            f"{_AREAS.choice_title(row.area_of_need)} · {_short(row.delivered_by, ROW_NAME_SHOWN)} · {_row_line(row)}",
            subtle=True,
            spacing="None",
        ),
    ]
    if not row.from_document and row.custom_reason:  # the admin's check and the meeting weigh it as unusual
        items.append(text(f"{NOT_IN_DOCUMENT}: {_short(row.custom_reason, ROW_NAME_SHOWN)}", spacing="None"))
    if action:
        items.append(_action_set([action]))
    return {"type": "Container", "separator": True, "items": items}


def _file_line(doc: Document) -> str:
    if doc.is_link:
        return "Link"
    kind = _FILE_TYPES.get(doc.content_type or "", (doc.content_type or "file").split("/")[-1].upper())
    size = doc.size_bytes or 0
    shown = f"{-(-size // 1024)} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"
    return f"{shown} · {kind}"


# Documents: a referral holds up to 20, each named in up to 200 characters, a link in up to 2,000. All of them
# in full would take a card past Teams' 40 KB, so an overview names them (cut) and counts them, and the
# documents card shows them a page at a time, each in full with its Open button.
DOCUMENT_NAME_SHOWN = 40
DOCUMENTS_PER_PAGE = 8


def _document_names(documents: Sequence[Document]) -> str:
    """'2 documents: Educational psychologist report.pdf; Provision map 2025-26', or 'None'."""
    if not documents:
        return "None"
    count = f"{len(documents)} document" + ("" if len(documents) == 1 else "s")
    return f"{count}: " + "; ".join(_short(d.name, DOCUMENT_NAME_SHOWN) for d in documents)

"""Cards for referral intake (issue 3), shown only in personal chat.

A SENCO moves through a referral step by step: details, cost rows (costed kinds only), documents, review.
Each step is an Action.Execute card that the bot's answer replaces in place. Input ids are the field names,
because Teams merges the inputs into the button's data. Buttons that only move between steps send no inputs
(``associatedInputs: None``), so a half-filled form never blocks them.

These cards may show the school's own pupil reference: they go to the SENCO, the cluster's admins and the
team around the cluster in personal chat, never to a channel. Lists and notices show less.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from cards import verbs
from cards.common import Card, card, execute, facts, heading, meeting_name, plain, text
from cluster.clock import LONDON
from cluster.commands.inputs import data_for
from cluster.commands.referrals import (
    AddLink,
    ExportReferral,
    OneReferral,
    OpenReferral,
    RemoveDocument,
    RemoveRow,
    ReturnReferral,
    SaveDetails,
    SaveRow,
    SetContribution,
    ShowDocuments,
    ShowRows,
    StartReferral,
    SubmitReferral,
    WithdrawReferral,
)
from cluster.forms import Field, FieldType, as_typed
from cluster.meetings import MeetingSlot
from cluster.privacy import removed_line
from cluster.provision import ProvisionRow, format_pence
from cluster.referrals import (
    CONTRIBUTION_FIELD,
    COSTED,
    EDITABLE,
    KIND_SUMMARIES,
    KIND_TITLES,
    PROVISION_FIELDS,
    STATE_TITLES,
    WITHDRAWABLE,
    Document,
    Kind,
    ReferralView,
    State,
    form_fields,
)

Element = dict[str, Any]

PRIVACY_NOTE = "Initials and year group only; never the pupil's name or date of birth."
ROUNDING_RULE = (
    "Each row: minutes ÷ 60 × sessions per week × weeks × hourly rate ÷ group size, rounded to the nearest "
    "penny (halves up); the total adds the rounded rows."
)
ATTACH_HELP = (
    "To attach a file, send it to me in this chat while this referral is open, and I will attach it. "
    "Or add a link to the document on your school's SharePoint or OneDrive."
)
LINK_FIELDS: tuple[Field, ...] = (
    Field("link_name", "Document name", max_length=200, hint="e.g. Educational psychologist report"),
    Field("link_url", "Link", max_length=2000, hint="https://… (SharePoint or OneDrive)"),
)
SUBMITTABLE = frozenset({State.DRAFT, State.RETURNED})
_AREAS = {f.name: f for f in PROVISION_FIELDS}["area_of_need"]
_FILE_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "text/plain": "Text",
}


# Small shared pieces -------------------------------------------------------------------------------------


def _money(pence: int) -> str:
    return format_pence(pence)


def _pounds(pence: int) -> str:
    """Pence as a money input shows them: 125000 is '1250.00'."""
    return f"{pence // 100}.{pence % 100:02d}"


def _day(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = day.astimezone(LONDON).date()
    return day.strftime("%A %-d %B %Y")


def _when(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{_day(local)}, {local:%H:%M}"


def _meeting_line(slot: MeetingSlot) -> str:
    """'Autumn 2 meeting, Thursday 11 December 2025, 09:30–13:00'."""
    name = meeting_name(slot.title) if slot.title else "Meeting"
    return f"{name}, {_day(slot.day)}, {slot.start:%H:%M}–{slot.end:%H:%M}"


def _meeting_facts(slot: MeetingSlot) -> list[tuple[str, str]]:
    return [
        ("Meeting", f"{_day(slot.day)}" + (f" ({slot.title})" if slot.title else "")),
        ("Time", f"{slot.start:%H:%M}–{slot.end:%H:%M} (UK time)"),
        ("Referral deadline", _when(slot.deadline)),
    ]


def _button(title: str, verb: str, data: dict[str, Any] | None = None, inputs: bool = False) -> Element:
    """An Action.Execute button; unless it submits the card's inputs, it sends none (and validates none)."""
    action = execute(title, verb, data)
    if not inputs:
        action["associatedInputs"] = "None"
        action["fallback"]["associatedInputs"] = "None"
    return action


def _state_title(view: ReferralView) -> str:
    """Where the referral is; an accepted Capital Fund application is with the panel, not on an agenda."""
    if view.kind is Kind.CAPITAL and view.state is State.ACCEPTED:
        return "With the Cluster Panel"
    return STATE_TITLES[view.state]


def _open_data(view: ReferralView) -> dict[str, Any]:
    """Open the referral where its editor left off (or read-only, to anyone else who may read it)."""
    return data_for(OpenReferral, referral_id=view.id)


def _details_data(view: ReferralView) -> dict[str, Any]:
    return data_for(OpenReferral, referral_id=view.id, step="details")


def _documents_data(view: ReferralView, page: int | None = None) -> dict[str, Any]:
    return data_for(OpenReferral, referral_id=view.id, step="documents", page=page)


def _action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def _attention(lines: Sequence[str], title: str) -> Element:
    items = [text(title, weight="Bolder", color="Attention")]
    items += [text(f"• {line}", color="Attention", spacing="None") for line in lines]
    return {"type": "Container", "style": "attention", "items": items}


def _privacy_note() -> Element:
    """The privacy reminder: dark bold text on a warning-tinted panel (yellow text on white is hard to read)."""
    return {"type": "Container", "style": "warning", "items": [text(f"⚠ {PRIVACY_NOTE}", weight="Bolder")]}


def _subtitle(view: ReferralView) -> Element:
    parts = [*([view.reference] if view.reference else []), view.setting, _state_title(view)]
    return text(" · ".join(parts), subtle=True, spacing="None")


def _returned(view: ReferralView) -> list[Element]:
    if not view.returned_reason:
        return []
    return [
        {
            "type": "Container",
            "style": "attention",
            "items": [
                text("Returned to you by the cluster admin", weight="Bolder", color="Attention"),
                text(view.returned_reason),
            ],
        }
    ]


def _steps(kind: Kind) -> list[str]:
    return ["Details", *(["Costs"] if kind in COSTED else []), "Documents", "Review"]


def _step(kind: Kind, current: str) -> Element:
    steps = _steps(kind)
    trail = " → ".join(f"**{plain(s)}**" if s == current else plain(s) for s in steps)
    return text(f"Step {steps.index(current) + 1} of {len(steps)}: {trail}", markdown=True, subtle=True, size="Small")


def _requested(view: ReferralView) -> str:
    if view.kind is Kind.DISCUSSION:
        return "No money asked"
    return _money(view.requested_pence)


# Inputs --------------------------------------------------------------------------------------------------


def input_values(fields: Sequence[Field], details: Mapping[str, Any]) -> dict[str, str]:
    """Stored (checked) values as the inputs show them: money in pounds, lists comma-separated."""
    return as_typed(fields, details)


def row_input_values(row: ProvisionRow) -> dict[str, str]:
    """A cost row as the row form shows it."""
    return {
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
    """'30 min × 3/week × 38 weeks, group of 2 at £15.00/h'."""
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


def document_pages(view: ReferralView) -> int:
    """How many pages the referral's documents take (one, when it has none)."""
    return max(1, -(-len(view.documents) // DOCUMENTS_PER_PAGE))


def _document(view: ReferralView, number: int, doc: Document, page: int | None) -> Element:
    """One document, numbered as its buttons name it; ``page`` (when it may be removed) is where Remove returns."""
    title = f"{number}. {_short(doc.name)}"
    actions: list[Element] = []
    if doc.is_link and doc.url:
        actions.append({"type": "Action.OpenUrl", "title": f"Open {title}", "url": doc.url})
    if page is not None:
        data = data_for(RemoveDocument, referral_id=view.id, document_id=doc.id, page=page)
        actions.append(_button(f"Remove {title}", verbs.DOCUMENT_REMOVE, data))
    items = [
        text(f"{number}. {doc.name}", weight="Bolder"),
        text(_file_line(doc), subtle=True, size="Small", spacing="None"),
    ]
    if actions:
        items.append(_action_set(actions))
    return {"type": "Container", "separator": True, "items": items}


def _document_page(
    view: ReferralView, page: int, removable: bool, turn: Callable[[str, int], Element]
) -> list[Element]:
    """The documents on ``page`` (cut to the pages there are), with Previous and Next made by ``turn``."""
    page = min(max(page, 1), document_pages(view))
    first = (page - 1) * DOCUMENTS_PER_PAGE
    shown = view.documents[first : first + DOCUMENTS_PER_PAGE]
    if not shown:
        return [text("No documents yet.", subtle=True)]
    elements: list[Element] = []
    total = len(view.documents)
    if total > DOCUMENTS_PER_PAGE:
        elements.append(text(f"Documents {first + 1}–{first + len(shown)} of {total}", subtle=True))
    elements += [_document(view, n, doc, page if removable else None) for n, doc in enumerate(shown, start=first + 1)]
    turns: list[Element] = []
    if page > 1:
        before = first - DOCUMENTS_PER_PAGE
        turns.append(turn(f"Previous documents ({before + 1}–{first})", page - 1))
    if first + len(shown) < total:
        after = first + len(shown)
        turns.append(turn(f"Next documents ({after + 1}–{min(after + DOCUMENTS_PER_PAGE, total)})", page + 1))
    if turns:
        elements.append(_action_set(turns))
    return elements


def _withdraw(view: ReferralView) -> list[Element]:
    """A Withdraw button that asks first, since withdrawing cannot be undone."""
    if view.state not in WITHDRAWABLE:
        return []
    confirm = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            text(f"Withdraw {view.reference or 'this draft'}? It will not go to the cluster. This cannot be undone.")
        ],
        "actions": [_button("Yes, withdraw", verbs.WITHDRAW, data_for(WithdrawReferral, referral_id=view.id))],
    }
    return [{"type": "Action.ShowCard", "title": "Withdraw", "card": confirm}]


# The SENCO's steps ---------------------------------------------------------------------------------------


def kind_picker_card(settings: list[tuple[int, str]], key: str) -> Card:
    """Start a referral: choose the setting (when there are several) and the kind of request."""
    body: list[Element] = [heading("New referral")]
    if not settings:
        body.append(text("You are not the SENCO or delegate of a setting, so you cannot start a referral."))
        return card(body)
    setting_id: int | None = None  # several: chosen from the list below
    if len(settings) == 1:
        setting_id, name = settings[0]
        body.append(text(f"For {name}", subtle=True, spacing="None"))
    else:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "setting_id",
                "label": "Setting",
                "isRequired": True,
                "errorMessage": "Choose the setting this referral is for.",
                "style": "compact",
                "placeholder": "Choose…",
                "choices": [{"title": name, "value": str(sid)} for sid, name in settings],
            }
        )
    body.append(text("What would you like to ask the cluster for?", weight="Bolder"))
    for kind in Kind:
        body.append(
            {
                "type": "ColumnSet",
                "separator": True,
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            text(KIND_TITLES[kind], weight="Bolder"),
                            text(KIND_SUMMARIES[kind], subtle=True, spacing="None"),
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Center",
                        "items": [
                            _action_set(
                                [
                                    _button(
                                        f"Start: {KIND_TITLES[kind]}",
                                        verbs.REFERRAL_START,
                                        data_for(StartReferral, setting_id=setting_id, kind=kind.value, once=key),
                                        inputs=True,
                                    )
                                ]
                            )
                        ],
                    },
                ],
            }
        )
    return card(body, [_button("My referrals", verbs.MY_REFERRALS)])


def details_form_card(view: ReferralView, values: Mapping[str, str], errors: Mapping[str, str]) -> Card:
    """Step 1: the kind's form, showing ``values`` as typed (else what is stored), errors by their fields."""
    fields = form_fields(view.kind, view.partner_choices)
    shown = values if values else input_values(fields, view.details)
    body: list[Element] = [heading(KIND_TITLES[view.kind]), _subtitle(view), _step(view.kind, "Details")]
    body += _returned(view) + _error_summary(errors)
    if view.kind in (Kind.INDIVIDUAL, Kind.EHCP):
        body.append(_privacy_note())
    body += _inputs(fields, shown, errors)
    return card(
        body,
        [
            _button(
                "Save and continue",
                verbs.REFERRAL_SAVE,
                data_for(SaveDetails, referral_id=view.id, version=view.version),
                inputs=True,
            ),
            _button("My referrals", verbs.MY_REFERRALS),
        ],
    )


def rows_card(
    view: ReferralView,
    row_values: Mapping[str, str],
    errors: Mapping[str, str],
    editing_row_id: int | None,
    row_ids: Sequence[int],
    contribution_value: str | None = None,
) -> Card:
    """Step 2 of costed kinds: the cost rows with their costs and total, the contribution, and a row form."""
    body: list[Element] = [heading(f"Costs: {KIND_TITLES[view.kind]}"), _subtitle(view), _step(view.kind, "Costs")]
    body += _error_summary(errors)
    if not view.rows:
        body.append(text("No rows yet. Add the first one below.", subtle=True))
    for number, (row, row_id) in enumerate(zip(view.rows, row_ids, strict=True), start=1):
        # One button per row, numbered and named so that each differs for a screen reader even when two rows
        # are alike; it opens the row in the form below, which saves or removes it (two buttons per row, each
        # with its fallback, took 30 long rows past 40 KB).
        change = f"Change or remove row {number}: {_short(row.provision)}"
        body.append(
            _row(number, row, _button(change, verbs.ROW_EDIT, data_for(ShowRows, referral_id=view.id, row_id=row_id)))
        )
    contribution = contribution_value
    if contribution is None:
        contribution = _pounds(view.contribution_pence) if view.contribution_pence else ""
    body += [
        facts([("Total of rows", _money(view.total_pence))]),
        *input_for(CONTRIBUTION_FIELD, contribution, errors.get(CONTRIBUTION_FIELD.name)),
        _action_set(
            [
                _button(
                    "Save contribution",
                    verbs.CONTRIBUTION_SAVE,
                    data_for(SetContribution, referral_id=view.id),
                    inputs=True,
                )
            ]
        ),
        facts([("Amount requested", _money(view.requested_pence))]),
    ]
    body += _row_form(view, row_values, errors, editing_row_id, row_ids)
    body.append(text(ROUNDING_RULE, subtle=True, size="Small"))
    return card(
        body,
        [
            _button("Continue", verbs.DOCUMENTS, data_for(ShowDocuments, referral_id=view.id)),
            _button("Back to details", verbs.REFERRAL_OPEN, _details_data(view)),
        ],
    )


def _row_form(
    view: ReferralView,
    row_values: Mapping[str, str],
    errors: Mapping[str, str],
    editing_row_id: int | None,
    row_ids: Sequence[int],
) -> list[Element]:
    row_errors = {k: v for k, v in errors.items() if k != CONTRIBUTION_FIELD.name}
    if editing_row_id is None:
        title, actions = (
            "Add a row",
            [_button("Add row", verbs.ROW_ADD, data_for(SaveRow, referral_id=view.id), inputs=True)],
        )
    else:
        number = list(row_ids).index(editing_row_id) + 1 if editing_row_id in row_ids else None
        editing = view.rows[number - 1] if number else None
        if editing and not row_values:
            row_values = row_input_values(editing)
        which = f"row {number}" if number else "row"
        title = f"Change {which}: {editing.provision}" if editing else "Change row"
        saved = data_for(SaveRow, referral_id=view.id, row_id=editing_row_id)
        actions = [_button(f"Save {which}", verbs.ROW_SAVE, saved, inputs=True)]
        if editing:
            removed = data_for(RemoveRow, referral_id=view.id, row_id=editing_row_id)
            actions.append(_button(f"Remove {which}", verbs.ROW_REMOVE, removed))
        actions.append(_button("Cancel", verbs.REFERRAL_ROWS, data_for(ShowRows, referral_id=view.id)))
    inputs = _inputs(PROVISION_FIELDS, row_values, row_errors)
    for element in inputs:  # not required client-side, or they would block "Save contribution" on this card
        element.pop("isRequired", None)
    container = {
        "type": "Container",
        "style": "emphasis",
        "separator": True,
        "items": [
            text(title, weight="Bolder"),
            text("Every field is needed.", subtle=True, spacing="None"),
            *inputs,
        ],
    }
    return [container, _action_set(actions)]


def documents_card(view: ReferralView, values: Mapping[str, str], errors: Mapping[str, str], page: int = 1) -> Card:
    """Step 3: the referral's documents a page at a time, how to attach a file, and a form to add a link.

    The Add link button carries the page, so a mistake comes back on the page the person was looking at.
    """
    body: list[Element] = [heading(f"Documents: {KIND_TITLES[view.kind]}"), _subtitle(view)]
    body += [_step(view.kind, "Documents"), *_error_summary(errors)]
    body += _document_page(
        view,
        page,
        True,
        lambda title, n: _button(title, verbs.DOCUMENTS, data_for(ShowDocuments, referral_id=view.id, page=n)),
    )
    body += [text(ATTACH_HELP, spacing="Medium"), *_inputs(LINK_FIELDS, values, errors)]
    body.append(
        _action_set(
            [_button("Add link", verbs.LINK_ADD, data_for(AddLink, referral_id=view.id, page=page), inputs=True)]
        )
    )
    if view.kind in COSTED:
        back = _button("Back", verbs.REFERRAL_ROWS, data_for(ShowRows, referral_id=view.id))
    else:
        back = _button("Back", verbs.REFERRAL_OPEN, _details_data(view))
    return card(body, [_button("Continue", verbs.REVIEW, data_for(OneReferral, referral_id=view.id)), back])


def document_list_card(view: ReferralView, page: int) -> Card:
    """A referral's documents for someone who reads it (an admin, the team): a page at a time, to open."""
    body: list[Element] = [heading(f"Documents: {view.title}"), _subtitle(view)]
    body += _document_page(
        view, page, False, lambda title, n: _button(title, verbs.REFERRAL_OPEN, _documents_data(view, n))
    )
    return card(body, [_button("Back to the referral", verbs.REFERRAL_OPEN, _open_data(view))])


def review_card(view: ReferralView, problems: Sequence[str]) -> Card:
    """Step 4: everything in the referral; Submit only when nothing is missing."""
    body: list[Element] = [
        heading(f"Review: {KIND_TITLES[view.kind]}"),
        _subtitle(view),
        _step(view.kind, "Review"),
    ]
    body += _returned(view)
    body += [_summary_facts(view), *_detail_elements(view)]
    if view.rows:
        body.append(text("Cost rows", weight="Bolder", spacing="Medium"))
        body += [_row(n, row) for n, row in enumerate(view.rows, start=1)]
    actions: list[Element] = []
    if problems:
        body.append(_attention(problems, "Before you can submit, please complete:"))
    elif view.state in SUBMITTABLE:
        body.append(text("Everything needed is here. Submit it when you are ready.", weight="Bolder"))
        actions.append(
            _button(
                "Submit to the cluster",
                verbs.SUBMIT,
                data_for(SubmitReferral, referral_id=view.id, version=view.version),
            )
        )
    elif view.state is State.SUBMITTED:
        body.append(text("This referral is submitted. Changes you save are kept until the deadline.", subtle=True))
    if view.state in EDITABLE:
        actions.append(_button("Edit details", verbs.REFERRAL_OPEN, _details_data(view)))
        actions.append(_button("Back", verbs.DOCUMENTS, data_for(ShowDocuments, referral_id=view.id)))
    return card(body, actions + _withdraw(view) + [_button("My referrals", verbs.MY_REFERRALS)])


def submitted_card(view: ReferralView) -> Card:
    """The confirmation after submitting: the reference, the meeting and its deadline, the amount."""
    body: list[Element] = [
        heading("Referral submitted"),
        text(view.reference or "Draft", size="ExtraLarge", weight="Bolder", spacing="None"),
        text(f"{KIND_TITLES[view.kind]} · {view.setting}", subtle=True, spacing="None"),
    ]
    if view.kind is Kind.CAPITAL:
        # The Capital Fund is the council's: its applications go to the Cluster Panel, not a meeting.
        pairs = [("Goes to", "The Cluster Panel, once the application window closes")]
        edit = "You can edit it until the window closes. The cluster admin checks it is complete."
    else:
        pairs = _meeting_facts(view.meeting) if view.meeting else [("Meeting", "Not placed on a meeting yet")]
        edit = "You can edit it until the deadline. The cluster admin checks it is complete before then."
    body.append(facts([*pairs, ("Amount requested", _requested(view))]))
    body.append(text(edit))
    return card(
        body,
        [_button("My referrals", verbs.MY_REFERRALS), _button("Open", verbs.REFERRAL_OPEN, _open_data(view))],
    )


def _short(name: str, most: int = 40) -> str:
    """A name cut to fit a button's title ('Remove Educational psychologist rep…')."""
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


def _name(view: ReferralView) -> str:
    """What a button acting on this referral names: its reference, or a draft's title and pupil or project."""
    return view.reference or f"draft {_short(_label(view))}"


def _label(view: ReferralView) -> str:
    """The referral's title with what tells drafts apart: the pupil's initials and year, or the project."""
    extra = view.pupil_label or str(view.details.get("title", ""))
    return f"{view.title} · {extra}" if extra else view.title


def _withdraw_picker(views: Sequence[ReferralView]) -> list[Element]:
    """One 'Withdraw a referral' button for the whole list: pick the referral, then confirm."""
    choices = [{"title": _label(v), "value": str(v.id)} for v in views if v.state in WITHDRAWABLE]
    if not choices:
        return []
    picker = {
        "type": "Input.ChoiceSet",
        "id": "referral_id",
        "label": "Which referral?",
        "style": "compact",
        "isRequired": True,
        "errorMessage": "Choose the referral to withdraw.",
        "placeholder": "Choose…",
        "choices": choices,
    }
    confirm = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [picker, text("It will not go to the cluster. This cannot be undone.", subtle=True)],
        "actions": [execute("Withdraw it", verbs.WITHDRAW, data_for(WithdrawReferral))],
    }
    return [{"type": "Action.ShowCard", "title": "Withdraw a referral", "card": confirm}]


def my_referrals_card(views: Sequence[ReferralView], more: bool = False) -> Card:
    """The SENCO's referrals, one compact entry each with Open; one Withdraw button that asks which and confirms.

    Kept small (about 20 KB for 30 referrals): the setting is named once when all share it, and Withdraw is a
    single picker rather than a button (and a confirmation) per referral. ``more``: older ones were left off.
    """
    body: list[Element] = [heading("My referrals")]
    settings = {view.setting for view in views}
    if len(settings) == 1:
        body.append(text(f"For {views[0].setting}", subtle=True, spacing="None"))
    if not views:
        body.append(text("You have no referrals yet. Start one with New referral.", subtle=True))
    for view in views:
        line = [*([view.setting] if len(settings) > 1 else []), _state_title(view), _requested(view)]
        if view.meeting:
            line.append(f"meeting {view.meeting.day:%a %-d %b %Y}")
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(_label(view), weight="Bolder"),
                    text(" · ".join(line), subtle=True, size="Small", spacing="None"),
                    _action_set([execute(f"Open {_name(view)}", verbs.REFERRAL_OPEN, _open_data(view))]),
                ],
            }
        )
    if more:
        body.append(text(f"These are your {len(views)} newest referrals; older ones are not shown.", subtle=True))
    return card(body, [execute("New referral", verbs.REFERRAL_NEW), *_withdraw_picker(views)])


# Admins, the team around the cluster, and notices --------------------------------------------------------


def checked_line(view: ReferralView, done: str) -> str:
    """What an admin's Accept or Return did, in a sentence; ``done`` is ``usecases.referral_checks.Done``."""
    reference = view.reference or "The referral"
    if view.kind is Kind.CAPITAL:
        where = "for the Capital Fund's Cluster Panel"
    elif view.meeting is not None:
        where = f"onto the {view.meeting.day:%-d %B} meeting's agenda"
    else:
        where = "onto the agenda"
    referrer = view.created_by or "the referrer"
    return {
        "accepted": f"{reference} accepted {where}; {referrer} is told.",
        "returned": f"{reference} returned to {referrer} with your reason.",
        "already accepted": f"{reference} was already accepted {where}: nothing changed.",
        "already returned": (
            f"{reference} was already returned to {referrer}: nothing changed. "
            "It comes back to this list when they submit it again."
        ),
    }[done]


def to_check_card(views: Sequence[ReferralView], more: bool = False, notice: str | None = None) -> Card:
    """For admins: submitted referrals waiting for the completeness check, oldest first, with Accept and Return.

    ``more``: more are waiting than the card shows; they appear as these are checked. ``notice``: what the
    click that drew it did (see :func:`checked_line`), first, so the list redrawn is never the only answer.
    """
    body: list[Element] = [heading("Referrals to check")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if not views:
        body.append(text("Nothing to check.", subtle=True))
    for view in views:
        pairs = [("Kind", KIND_TITLES[view.kind]), ("Setting", view.setting), ("Amount", _requested(view))]
        if view.submitted_at:
            pairs.append(("Submitted", _when(view.submitted_at)))
        if view.meeting:
            pairs.append(("Meeting", _day(view.meeting.day)))
        items: list[Element] = [text(view.reference or "Draft", weight="Bolder"), facts(pairs)]
        if view.missing:
            items.append(_attention(view.missing, "Missing before it can go to a meeting:"))
        items += [
            {
                "type": "Input.Text",
                "id": f"reason_{view.id}",
                "label": f"Reason for returning {_name(view)}, if you return it",
                "placeholder": "Reason, if returning",
                "maxLength": 1000,
            },
            _action_set(
                [
                    _button(f"Accept {_name(view)}", verbs.ACCEPT, data_for(OneReferral, referral_id=view.id)),
                    _button(
                        f"Return {_name(view)}",
                        verbs.RETURN,
                        data_for(ReturnReferral, referral_id=view.id),
                        inputs=True,
                    ),
                    _button(f"Open {_name(view)}", verbs.REFERRAL_OPEN, _open_data(view)),
                ]
            ),
        ]
        body.append({"type": "Container", "separator": True, "items": items})
    if more:
        body.append(text(f"These are the {len(views)} oldest; more are waiting and will show as you check these."))
    return card(body)


def referral_card(view: ReferralView, editable: bool) -> Card:
    """A referral in full, read-only, with Export and (when the viewer may still change it) Edit."""
    body: list[Element] = [heading(view.title), _subtitle(view), *_returned(view), _summary_facts(view)]
    body += _detail_elements(view)
    if view.rows:
        body.append(text("Cost rows", weight="Bolder", spacing="Medium"))
        body += [_row(n, row) for n, row in enumerate(view.rows, start=1)]
        body.append(text(ROUNDING_RULE, subtle=True, size="Small"))
    actions = [_button("Export", verbs.EXPORT, data_for(ExportReferral, referral_id=view.id))]
    if view.documents:
        # The summary names them; their links open from their own card (all 20 in full would not fit here).
        shown = "the document" if len(view.documents) == 1 else f"the {len(view.documents)} documents"
        actions.append(_button(f"Show {shown}", verbs.REFERRAL_OPEN, _documents_data(view)))
    if editable:
        actions.append(_button("Edit", verbs.REFERRAL_OPEN, _open_data(view)))
    return card(body, actions)


def _notice(title: str, view: ReferralView, lines: list[Element], actions: list[Element], meeting: bool = True) -> Card:
    pairs = [("Kind", KIND_TITLES[view.kind]), ("Setting", view.setting), ("Amount requested", _requested(view))]
    if view.meeting and meeting:
        pairs.append(("Meeting", _meeting_line(view.meeting)))
    body = [heading(title), text(view.reference or "Draft", weight="Bolder", size="Medium"), *lines, facts(pairs)]
    return card(body, actions)


def admin_notice_card(view: ReferralView) -> Card:
    """To a cluster's admins: a new referral to check."""
    return _notice(
        "New referral to check",
        view,
        [],
        [_button("Open", verbs.REFERRAL_OPEN, _open_data(view)), _button("Referrals to check", verbs.TO_CHECK)],
    )


def returned_notice_card(view: ReferralView) -> Card:
    """To the SENCO: the admin returned the referral, and why."""
    return _notice(
        "Your referral was returned",
        view,
        [*_returned(view), text("Complete it and submit it again before the deadline.")],
        [_button("Open", verbs.REFERRAL_OPEN, _open_data(view))],
    )


def accepted_notice_card(view: ReferralView) -> Card:
    """To the SENCO: the referral is complete and on the agenda (a capital application: with the panel)."""
    if view.kind is Kind.CAPITAL:
        return _notice(
            "Your application is with the Cluster Panel",
            view,
            [
                text(
                    "The panel scores it once the Capital Fund's window closes and recommends it to the council's "
                    "Place, Planning and Sufficiency Board, which decides. Type “capital” to see where it stands."
                )
            ],
            [_button("Open", verbs.REFERRAL_OPEN, _open_data(view)), _button("My referrals", verbs.MY_REFERRALS)],
            meeting=False,
        )
    where = f"It is on the agenda for the {_meeting_line(view.meeting)}." if view.meeting else "It is on the agenda."
    return _notice(
        "Your referral is on the agenda",
        view,
        [text(where)],
        [_button("Open", verbs.REFERRAL_OPEN, _open_data(view)), _button("My referrals", verbs.MY_REFERRALS)],
        meeting=False,
    )


def withdrawn_card(view: ReferralView) -> Card:
    """The confirmation that a referral is withdrawn."""
    return _notice(
        "Referral withdrawn",
        view,
        [text("It will not go to the cluster. Start a new referral if you need to ask again.")],
        [_button("My referrals", verbs.MY_REFERRALS), _button("New referral", verbs.REFERRAL_NEW)],
    )

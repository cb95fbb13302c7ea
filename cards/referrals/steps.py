"""The SENCO's steps through a referral: the kind picker, details, costs, review, and the submitted card.

Each step is an Action.Execute card that the bot's answer replaces in place. Buttons that only move between
steps send no inputs (``associatedInputs: None``), so a half-filled form never blocks them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.referrals.fields import (
    _detail_elements,
    _error_summary,
    _inputs,
    _row,
    _summary_facts,
    input_for,
    input_values,
    row_input_values,
)
from cards.referrals.parts import (
    ROUNDING_RULE,
    SUBMITTABLE,
    _action_set,
    _attention,
    _details_data,
    _meeting_facts,
    _money,
    _open_data,
    _pounds,
    _privacy_note,
    _requested,
    _returned,
    _short,
    _step,
    _subtitle,
    _withdraw,
)
from cards.referrals.provision_form import document_row_inputs
from cluster.commands.inputs import data_for
from cluster.commands.referrals import (
    RemoveRow,
    SaveDetails,
    SaveRow,
    SetContribution,
    ShowDocuments,
    ShowRows,
    StartReferral,
    SubmitReferral,
)
from cluster.provision_map import ProvisionSource
from cluster.referrals import (
    CONTRIBUTION_FIELD,
    EDITABLE,
    KIND_SUMMARIES,
    KIND_TITLES,
    PROVISION_FIELDS,
    Kind,
    ReferralView,
    State,
    form_fields,
)

Element = dict[str, Any]

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
                                    button(
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
    return card(body, [button("My referrals", verbs.MY_REFERRALS)])


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
            button(
                "Save and continue",
                verbs.REFERRAL_SAVE,
                data_for(SaveDetails, referral_id=view.id, version=view.version),
                inputs=True,
            ),
            button("My referrals", verbs.MY_REFERRALS),
        ],
    )


def rows_card(
    view: ReferralView,
    row_values: Mapping[str, str],
    errors: Mapping[str, str],
    editing_row_id: int | None,
    row_ids: Sequence[int],
    contribution_value: str | None = None,
    source: ProvisionSource | None = None,
) -> Card:
    """Step 2 of costed kinds: the cost rows with their costs and total, the contribution, and a row form.

    With the council's document loaded (``source``), the row form finds the provision in it (issue 21).
    """
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
            _row(number, row, button(change, verbs.ROW_EDIT, data_for(ShowRows, referral_id=view.id, row_id=row_id)))
        )
    contribution = contribution_value
    if contribution is None:
        contribution = _pounds(view.contribution_pence) if view.contribution_pence else ""
    body += [
        facts([("Total of rows", _money(view.total_pence))]),
        *input_for(CONTRIBUTION_FIELD, contribution, errors.get(CONTRIBUTION_FIELD.name)),
        _action_set(
            [
                button(
                    "Save contribution",
                    verbs.CONTRIBUTION_SAVE,
                    data_for(SetContribution, referral_id=view.id),
                    inputs=True,
                )
            ]
        ),
        facts([("Amount requested", _money(view.requested_pence))]),
    ]
    body += _row_form(view, row_values, errors, editing_row_id, row_ids, source)
    body.append(text(ROUNDING_RULE, subtle=True, size="Small"))
    return card(
        body,
        [
            button("Continue", verbs.DOCUMENTS, data_for(ShowDocuments, referral_id=view.id)),
            button("Back to details", verbs.REFERRAL_OPEN, _details_data(view)),
        ],
    )


def _row_form(
    view: ReferralView,
    row_values: Mapping[str, str],
    errors: Mapping[str, str],
    editing_row_id: int | None,
    row_ids: Sequence[int],
    source: ProvisionSource | None = None,
) -> list[Element]:
    row_errors = {k: v for k, v in errors.items() if k != CONTRIBUTION_FIELD.name}
    if editing_row_id is None:
        title, actions = (
            "Add a row",
            [button("Add row", verbs.ROW_ADD, data_for(SaveRow, referral_id=view.id), inputs=True)],
        )
    else:
        number = list(row_ids).index(editing_row_id) + 1 if editing_row_id in row_ids else None
        editing = view.rows[number - 1] if number else None
        if editing and not row_values:
            row_values = row_input_values(editing)
        which = f"row {number}" if number else "row"
        title = f"Change {which}: {editing.provision}" if editing else "Change row"
        saved = data_for(SaveRow, referral_id=view.id, row_id=editing_row_id)
        actions = [button(f"Save {which}", verbs.ROW_SAVE, saved, inputs=True)]
        if editing:
            removed = data_for(RemoveRow, referral_id=view.id, row_id=editing_row_id)
            actions.append(button(f"Remove {which}", verbs.ROW_REMOVE, removed))
        actions.append(button("Cancel", verbs.REFERRAL_ROWS, data_for(ShowRows, referral_id=view.id)))
    if source is not None and source.document_id is not None:
        inputs = document_row_inputs(view.id, editing_row_id, source, row_values, row_errors)
        needed = "Choose the provision and give the amounts."
    else:
        inputs = _inputs(PROVISION_FIELDS, row_values, row_errors)
        needed = "Every field is needed."
    for element in inputs:  # not required client-side, or they would block "Save contribution" on this card
        element.pop("isRequired", None)
    container = {
        "type": "Container",
        "style": "emphasis",
        "separator": True,
        "items": [
            text(title, weight="Bolder"),
            text(needed, subtle=True, spacing="None"),
            *inputs,
        ],
    }
    return [container, _action_set(actions)]


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
            button(
                "Submit to the cluster",
                verbs.SUBMIT,
                data_for(SubmitReferral, referral_id=view.id, version=view.version),
            )
        )
    elif view.state is State.SUBMITTED:
        body.append(text("This referral is submitted. Changes you save are kept until the deadline.", subtle=True))
    if view.state in EDITABLE:
        actions.append(button("Edit details", verbs.REFERRAL_OPEN, _details_data(view)))
        actions.append(button("Back", verbs.DOCUMENTS, data_for(ShowDocuments, referral_id=view.id)))
    return card(body, actions + _withdraw(view) + [button("My referrals", verbs.MY_REFERRALS)])


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
        [button("My referrals", verbs.MY_REFERRALS), button("Open", verbs.REFERRAL_OPEN, _open_data(view))],
    )

"""The project's journey and impact on an application's card, and the notice that its money is released."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from cards import verbs
from cards.capital.common import Element, action_set, application_data, form_inputs, on_day, open_button, section
from cards.common import Card, button, card, facts, heading, text
from cards.referrals import input_for
from cluster.capital_fund import PROJECT_STAGES, ApplicationView, Viewer, missing_for_release
from cluster.commands.capital import AddInvoice, Evaluate, MarkCompleted, MarkStarted, OnApplication, RecordVisit
from cluster.forms import Field, FieldType
from cluster.provision import format_pence

VISIT_FIELDS: tuple[Field, ...] = (
    Field("visitor", "Visited by", required=False),
    Field("visited_on", "Date of the visit", FieldType.DATE, required=False),
    Field("passed", "Passed", FieldType.CHOICE, required=False, choices=(("true", "Passed"), ("false", "Not passed"))),
    Field("notes", "Visit notes", FieldType.MULTILINE, required=False, max_length=2000),
)
STARTED = Field("started_on", "Started on", FieldType.DATE, required=False)
COMPLETED = Field("completed_on", "Completed on", FieldType.DATE, required=False)
INVOICE = Field("invoice_amount", "Paid invoice amount (£)", FieldType.MONEY, required=False)
EVALUATION_FIELDS: tuple[Field, ...] = (
    Field("ehcp_pupils", "Pupils with EHCPs now able to use the space", required=False, max_length=6),
    Field("pupils_weekly", "Pupils using the space each week", required=False, max_length=6),
    Field(
        "attendance_change",
        "Change in their attendance (percentage points)",
        required=False,
        max_length=12,
        hint="e.g. +2.5",
    ),
    Field("what_changed", "What changed, in words", FieldType.MULTILINE, required=False, max_length=2000),
)


def _journey_facts(view: ApplicationView) -> list[Element]:
    journey = view.progress.journey
    visit = journey.visit
    visit_line = "Not yet"
    if visit is not None:
        visit_line = f"{on_day(visit.visited_on)} by {visit.visitor}: {'passed' if visit.passed else 'not passed'}"
    invoices = [i for i in view.invoices if i.name is not None]
    pairs = [
        ("Grant", format_pence(journey.grant_pence)),
        ("Started", on_day(journey.started_on)),
        ("Completed", on_day(journey.completed_on)),
        ("Quality-assurance visit", visit_line),
        ("Paid invoices", f"{len(invoices)}, {format_pence(view.invoiced_pence)}"),
        (
            "Released",
            f"{format_pence(journey.released_pence)} on {on_day(view.released_on)}"
            if journey.released_pence is not None
            else "Not yet",
        ),
    ]
    body: list[Element] = [facts(pairs)]
    if visit is not None and visit.notes:
        body.append(text(f"Visit notes: {visit.notes}", subtle=True))
    for invoice in view.invoices:
        name = invoice.name or "waiting for its file: send it in this chat"
        body.append(text(f"Invoice {format_pence(invoice.amount_pence)} · {name}", spacing="None", size="Small"))
    return body


def _date_form(
    field: Field, value: str, errors: Mapping[str, str], title: str, verb: str, data: Element
) -> list[Element]:
    return [*input_for(field, value, errors.get(field.name)), action_set(button(title, verb, data, inputs=True))]


def project_section(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str], today: date
) -> list[Element]:
    """The project's part of an approved application's card: its journey, and the forms of each role."""
    if view.stage not in PROJECT_STAGES:
        return []
    journey = view.progress.journey
    body: list[Element] = [section("The project"), *_journey_facts(view)]
    open_ = journey.released_pence is None
    if viewer.applicant and open_:
        if journey.completed_on is None:
            started = journey.started_on.isoformat() if journey.started_on else today.isoformat()
            started = values.get(STARTED.name, started)
            data = application_data(MarkStarted, view)
            body += _date_form(STARTED, started, errors, "Mark started", verbs.CAPITAL_STARTED, data)
        if journey.started_on is not None and journey.completed_on is None:
            completed = values.get(COMPLETED.name, today.isoformat())
            data = application_data(MarkCompleted, view)
            body += _date_form(COMPLETED, completed, errors, "Mark completed", verbs.CAPITAL_COMPLETED, data)
        if journey.started_on is not None:
            body += [
                text("Add each paid invoice: give its amount, then send its file in this chat.", subtle=True),
                *input_for(INVOICE, values.get(INVOICE.name), errors.get(INVOICE.name)),
                action_set(
                    button("Add an invoice", verbs.CAPITAL_INVOICE, application_data(AddInvoice, view), inputs=True)
                ),
            ]
    if viewer.team and open_ and journey.started_on is not None:
        typed = dict(values) if any(k in values for k in ("visitor", "visited_on")) else {}
        if not typed:
            visit = journey.visit
            typed = (
                {
                    "visitor": visit.visitor,
                    "visited_on": visit.visited_on.isoformat(),
                    "passed": "true" if visit.passed else "false",
                    "notes": visit.notes,
                }
                if visit is not None
                else {"visitor": viewer.name, "visited_on": today.isoformat()}
            )
        body.append(text("The quality-assurance visit", weight="Bolder"))
        body += form_inputs(VISIT_FIELDS, typed, errors)
        body.append(
            action_set(
                button("Record the visit", verbs.CAPITAL_VISIT, application_data(RecordVisit, view), inputs=True)
            )
        )
    if viewer.officer and open_:
        missing = missing_for_release(journey)
        if missing:
            body.append(text("Before the money can be released: " + "; ".join(missing) + ".", subtle=True))
        body.append(
            action_set(button("Release the money", verbs.CAPITAL_RELEASE, application_data(OnApplication, view)))
        )
    return body


def impact_section(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    """The project's impact once recorded, and its form for those who record it."""
    if view.stage not in PROJECT_STAGES:
        return []
    evaluation = view.progress.evaluation
    body: list[Element] = []
    if evaluation is not None:
        body += [
            section("Impact"),
            facts(
                [
                    ("Pupils with EHCPs now able to use the space", str(evaluation.ehcp_pupils)),
                    ("Pupils using it each week", str(evaluation.pupils_weekly)),
                    ("Change in their attendance", evaluation.attendance_change or "Not given"),
                    ("Recorded", on_day(view.evaluated_on)),
                ]
            ),
            text(evaluation.what_changed),
        ]
    if viewer.evaluates and view.progress.journey.completed_on is not None:
        if evaluation is None:
            body.append(section("Impact"))
            if view.round is not None:
                body.append(text(f"Record the project's impact by {on_day(view.round.evaluate_by)}.", subtle=True))
        typed = dict(values) if "what_changed" in values else {}
        if not typed and evaluation is not None:
            typed = {
                "ehcp_pupils": str(evaluation.ehcp_pupils),
                "pupils_weekly": str(evaluation.pupils_weekly),
                "attendance_change": evaluation.attendance_change,
                "what_changed": evaluation.what_changed,
            }
        body += form_inputs(EVALUATION_FIELDS, typed, errors)
        body.append(
            action_set(
                button("Record the impact", verbs.CAPITAL_EVALUATE, application_data(Evaluate, view), inputs=True)
            )
        )
    return body


def released_notice_card(view: ApplicationView) -> Card:
    """To the setting: the money is released."""
    journey = view.progress.journey
    amount = format_pence(journey.released_pence or 0)
    body: list[Element] = [
        heading(f"Capital Fund money released: {view.reference}"),
        text(f"{amount} has been released for your project."),
    ]
    if view.round is not None:
        body.append(text(f"Please record the project's impact by {on_day(view.round.evaluate_by)}."))
    return card(body, [open_button(view)])

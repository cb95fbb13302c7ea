"""A subject access export as files: the same content as JSON (for the record) and as a Word document (to send).

Each referral about the pupil is shown with its answers labelled as its form labels them, its cost rows and
totals in pounds and pence, its documents (a kept file by the name it is saved under beside the export, a
link by its address), the meetings it went to, decisions with their instalments, reviews with their outcomes
rated, and the audit lines about it (London time). A referral whose pupil details were removed says so and
when, with what remains. The same export gives the same bytes: the document's zip members carry the export's
moment (:func:`reports.workbook.fixed_times`).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt

from cluster.clock import LONDON
from cluster.decisions import OUTCOME_TITLES, SCHEDULE_TITLES, Outcome, Schedule
from cluster.impact import RATING_TITLES, Rating
from cluster.ledger import INSTALMENT_STATE_TITLES, InstalmentState
from cluster.provision import format_pence
from cluster.referrals import KIND_TITLES, STATE_TITLES, form_fields
from cluster.review_form import review_fields
from cluster.subject_access import Held, HeldFile, HeldReferral
from cluster.text import clean_all
from reports.referral_pack import NOT_GIVEN, PROVISION_HEADINGS, field_value, provision_cells
from reports.workbook import fixed_times

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, limit: int = 80) -> str:
    """``text`` as a file name that is safe on any system: letters, digits, ``. _ -``; no leading dot, no path."""
    cleaned = _UNSAFE.sub("_", text.strip()).strip("._") or "file"
    return cleaned[:limit]


def export_name(held: Held) -> str:
    """The export's file stem: the pupil reference, made safe (``ETR-0042`` stays ``ETR-0042``)."""
    return safe_name(held.pupil_ref.upper())


def file_name(referral: HeldReferral, kept: HeldFile) -> str:
    """The name a kept file is saved under beside the export: its referral, its id, and its own name made safe."""
    return (
        f"{safe_name(referral.view.reference or f'draft-{referral.view.id}')}-{kept.document_id}-{safe_name(kept.name)}"
    )


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LONDON).isoformat(timespec="seconds")


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _at(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{_long(local.date())} {local:%H:%M}"


def _title(titles: dict[Any, str], kind: type, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return titles[kind(value)]
    except (ValueError, KeyError):
        return value


def erased_line(referral: HeldReferral) -> str | None:
    """'Pupil details removed on 3 March 2026: retention period ended', when they were."""
    if referral.erased_at is None:
        return None
    reason = f": {referral.erased_reason}" if referral.erased_reason else ""
    return f"Pupil details removed on {_long(referral.erased_at.astimezone(LONDON).date())}{reason}"


def answers(referral: HeldReferral) -> list[tuple[str, str]]:
    """The referral's answers as (label, value), labelled as its form labels them; answers no field names last."""
    view = referral.view
    fields = form_fields(view.kind, view.partner_choices)
    named = {f.name for f in fields}
    out = [(f.label, field_value(f, view.details.get(f.name))) for f in fields if f.name in view.details]
    out += [(key, str(value)) for key, value in sorted(view.details.items()) if key not in named]
    return out


def _review_answers(answers_given: dict[str, Any]) -> list[tuple[str, str]]:
    fields = {f.name: f for f in review_fields()}
    out = []
    for key, value in answers_given.items():
        f = fields.get(key)
        out.append((f.label, field_value(f, value)) if f else (key, str(value)))
    return out


def _referral_json(referral: HeldReferral) -> dict[str, Any]:
    view = referral.view
    return {
        "reference": view.reference,
        "kind": KIND_TITLES[view.kind],
        "state": STATE_TITLES[view.state],
        "cluster": view.cluster,
        "setting": view.setting,
        "created_by": view.created_by,
        "created_at": _when(referral.created_at),
        "submitted_at": _when(view.submitted_at),
        "returned_reason": view.returned_reason,
        "pupil_details_removed": erased_line(referral),
        "answers": [{"label": label, "value": value} for label, value in answers(referral)],
        "provision": [dict(zip(PROVISION_HEADINGS, provision_cells(row), strict=True)) for row in view.rows],
        "total": format_pence(view.total_pence),
        "school_contribution": format_pence(view.contribution_pence),
        "amount_requested": format_pence(view.requested_pence),
        "documents": [
            {"name": d.name, "link": d.url}
            if d.is_link
            else {
                "name": d.name,
                "file": next((file_name(referral, f) for f in referral.files if f.document_id == d.id), None),
            }
            for d in view.documents
        ],
        "meeting": None
        if view.meeting is None
        else {"title": view.meeting.title, "day": _day(view.meeting.day), "cancelled": view.meeting.cancelled},
        "agenda": [
            {"meeting": i.meeting_title, "day": _day(i.meeting_day), "state": i.state, "deferred_here": i.deferred}
            for i in referral.items
        ],
        "decisions": [
            {
                "outcome": _title(OUTCOME_TITLES, Outcome, d.outcome),
                "amount": format_pence(d.amount_pence),
                "conditions": d.conditions,
                "feedback": d.feedback,
                "information_needed": d.information_needed,
                "review_date": _day(d.review_date),
                "schedule": _title(SCHEDULE_TITLES, Schedule, d.schedule) or None,
                "decided_by": d.decided_by,
                "decided_at": _when(d.decided_at),
                "released_to_budget": None if d.released_pence is None else format_pence(d.released_pence),
                "instalments": [
                    {
                        "number": i.position,
                        "due_on": _day(i.due_on),
                        "amount": format_pence(i.amount_pence),
                        "state": _title(INSTALMENT_STATE_TITLES, InstalmentState, i.state),
                        "paid_on": _day(i.paid_on),
                        "paid_reference": i.paid_reference,
                    }
                    for i in d.instalments
                ],
            }
            for d in referral.decisions
        ],
        "reviews": [
            {
                "due": _day(r.due),
                "state": r.state,
                "submitted_at": _when(r.submitted_at),
                "submitted_by": r.submitted_by,
                "answers": [{"label": label, "value": value} for label, value in _review_answers(r.answers)],
                "outcomes_rated": [{"outcome": o, "rating": _title(RATING_TITLES, Rating, g)} for o, g in r.ratings],
            }
            for r in referral.reviews
        ],
        "audit": [
            {
                "at": _when(line.at),
                "who": line.who,
                "action": line.action,
                "kind": line.kind,
                "subject": line.about,
                "detail": line.detail,
            }
            for line in referral.audit
        ],
    }


def subject_access_json(held: Held) -> bytes:
    """The export as JSON (UTF-8, keys in a fixed order)."""
    body = {
        "setting": held.setting,
        "cluster": held.cluster,
        "pupil_ref": held.pupil_ref,
        "generated_at": _when(held.generated_at),
        "nothing_held": not held.referrals,
        "referrals": [_referral_json(r) for r in held.referrals],
    }
    return (json.dumps(body, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _pairs(document: DocxDocument, pairs: Sequence[tuple[str, str]]) -> None:
    if not pairs:
        return
    _table(document, (), [list(p) for p in pairs], widths=(Mm(55), Mm(115)))


def _table(
    document: DocxDocument,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[Any] = (),
    size: int | None = None,
) -> None:
    columns = len(headings) or (len(rows[0]) if rows else 1)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    if headings:
        for cell, heading in zip(table.add_row().cells, headings, strict=True):
            run = cell.paragraphs[0].add_run(heading)
            run.bold = True
            if size:
                run.font.size = Pt(size)
    for row in rows:
        for index, (cell, value) in enumerate(zip(table.add_row().cells, row, strict=True)):
            run = cell.paragraphs[0].add_run(value or "")
            run.bold = not headings and index == 0
            if size:
                run.font.size = Pt(size)
    for row_ in table.rows:
        for cell, width in zip(row_.cells, widths, strict=False):
            cell.width = width
    document.add_paragraph()


def _referral_docx(document: DocxDocument, referral: HeldReferral) -> None:
    view = referral.view
    document.add_heading(f"Referral {view.reference or 'draft'}", level=1)
    removed = erased_line(referral)
    if removed:
        document.add_paragraph(removed, style="Intense Quote")
    summary = [
        ("Kind", KIND_TITLES[view.kind]),
        ("State", STATE_TITLES[view.state]),
        ("Setting", view.setting),
        ("Cluster", view.cluster),
        ("Made by", view.created_by),
        ("Started", _at(referral.created_at)),
    ]
    if view.submitted_at:
        summary.append(("Submitted", _at(view.submitted_at)))
    if view.returned_reason:
        summary.append(("Returned because", view.returned_reason))
    if view.meeting:
        summary.append(("Meeting", f"{view.meeting.title or 'Meeting'}, {_long(view.meeting.day)}"))
    _pairs(document, summary)

    document.add_heading("Answers", level=2)
    given = answers(referral)
    if given:
        _pairs(document, given)
    else:
        document.add_paragraph(NOT_GIVEN)

    if view.rows:
        document.add_heading("Costed provision", level=2)
        _table(document, PROVISION_HEADINGS, [provision_cells(r) for r in view.rows], size=8)
    _pairs(
        document,
        [
            ("Total", format_pence(view.total_pence)),
            ("School contribution", format_pence(view.contribution_pence)),
            ("Amount requested", format_pence(view.requested_pence)),
        ],
    )

    document.add_heading("Documents", level=2)
    if not view.documents:
        document.add_paragraph("No supporting documents.")
    for item in view.documents:
        kept = next((f for f in referral.files if f.document_id == item.id), None)
        shown = (
            f"{item.name}: {item.url}"
            if item.is_link
            else f"{item.name} (saved as {file_name(referral, kept)})"
            if kept
            else item.name
        )
        document.add_paragraph(shown, style="List Bullet")

    if referral.items:
        document.add_heading("Meetings", level=2)
        _table(
            document,
            ("Meeting", "Day", "Item"),
            [
                (i.meeting_title, _long(i.meeting_day), i.state + (" (deferred to it)" if i.deferred else ""))
                for i in referral.items
            ],
        )

    for d in referral.decisions:
        document.add_heading(f"Decision: {_title(OUTCOME_TITLES, Outcome, d.outcome)}", level=2)
        pairs = [
            ("Amount", format_pence(d.amount_pence)),
            ("Decided", f"{_at(d.decided_at)} by {d.decided_by}"),
        ]
        pairs += [
            (label, value)
            for label, value in (
                ("Conditions", d.conditions),
                ("Feedback", d.feedback),
                ("Information needed", d.information_needed),
                ("Review date", _long(d.review_date) if d.review_date else ""),
                ("Paid as", _title(SCHEDULE_TITLES, Schedule, d.schedule)),
                ("Released to the budget", format_pence(d.released_pence) if d.released_pence is not None else ""),
            )
            if value
        ]
        _pairs(document, pairs)
        if d.instalments:
            _table(
                document,
                ("Instalment", "Due", "Amount", "State", "Paid on", "Payment reference"),
                [
                    (
                        str(i.position),
                        _long(i.due_on),
                        format_pence(i.amount_pence),
                        _title(INSTALMENT_STATE_TITLES, InstalmentState, i.state),
                        _long(i.paid_on) if i.paid_on else "",
                        i.paid_reference or "",
                    )
                    for i in d.instalments
                ],
            )

    for r in referral.reviews:
        document.add_heading(f"Review due {_long(r.due)} ({r.state})", level=2)
        pairs = _review_answers(r.answers)
        if r.submitted_at:
            pairs = [("Submitted", f"{_at(r.submitted_at)} by {r.submitted_by or 'unknown'}"), *pairs]
        pairs += [(f"Outcome: {o}", _title(RATING_TITLES, Rating, g)) for o, g in r.ratings]
        if pairs:
            _pairs(document, pairs)
        else:
            document.add_paragraph("Not yet submitted.")

    document.add_heading("Who read or changed it", level=2)
    if not referral.audit:
        document.add_paragraph("No audit lines.")
    else:
        _table(
            document,
            ("When (London)", "Who", "Action", "About", "Detail"),
            [(_at(line.at), line.who, line.action, line.about, line.details) for line in referral.audit],
            size=8,
        )


def subject_access_docx(held: Held) -> bytes:
    """The export as a Word document (the same export gives the same bytes)."""
    held = clean_all(held)  # python-docx refuses control characters, which old rows may hold
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    document.add_heading(f"Subject access: pupil {held.pupil_ref}", level=0)
    _pairs(
        document,
        [
            ("Setting", held.setting),
            ("Cluster", held.cluster),
            ("Pupil reference", held.pupil_ref),
            ("Made", _at(held.generated_at)),
            ("Referrals held", str(len(held.referrals))),
        ],
    )
    if not held.referrals:
        document.add_paragraph("The Cluster Funding bot holds nothing about this pupil of this setting.")
    for referral in held.referrals:
        _referral_docx(document, referral)
    footer = (
        document.sections[0]
        .footer.paragraphs[0]
        .add_run(f"Subject access export made {_at(held.generated_at)}. Special category data: keep it safe.")
    )
    footer.font.size = Pt(8)
    properties = document.core_properties
    properties.title = f"Subject access {held.pupil_ref}"
    properties.author = "Cluster Funding bot"
    properties.category = "Special category data"
    properties.created = properties.modified = held.generated_at
    properties.revision = 1
    out = io.BytesIO()
    document.save(out)
    return fixed_times(out.getvalue(), held.generated_at)

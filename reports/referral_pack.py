"""The referral pack: one referral as a Word document, for the people allowed to see its pupil's details.

The pack holds everything the referrer entered - the pupil's initials, year group and the school's own
pupil reference, every field of the kind's form, the costed provision map with its totals - and the
supporting documents. It is special category data; its footer says so on every page. For an Individual
Pupil Need referral the pack can be used as the basis of a request for an EHC needs assessment.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from cluster.clock import LONDON
from cluster.forms import Field, FieldType
from cluster.provision import ProvisionRow, format_pence
from cluster.referrals import (
    COSTED,
    KIND_TITLES,
    PROVISION_FIELDS,
    STATE_TITLES,
    Document,
    Kind,
    ReferralView,
    State,
    form_fields,
)
from cluster.text import clean_all, clean_text

PUPIL_FIELD_NAMES = ("pupil_initials", "year_group", "pupil_ref")
NOT_GIVEN = "Not given"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EHC_NOTE = (
    "Individual Pupil Need referral: this pack can be used as the basis of a request for an EHC needs assessment."
)
ROUNDING_RULE = (
    "Each row costs minutes per session ÷ 60 × sessions per week × weeks × hourly rate ÷ group size, "
    "rounded once to the nearest penny (halves round up, so £12.345 becomes £12.35); the total is the sum "
    "of the rounded rows."
)
PROVISION_HEADINGS = (
    "Provision",
    "Area of need",
    "Delivered by",
    "Minutes",
    "Sessions/week",
    "Weeks",
    "Group size",
    "Hourly rate",
    "Cost",
)
_AREA_OF_NEED = next(f for f in PROVISION_FIELDS if f.name == "area_of_need")


def pack_filename(view: ReferralView) -> str:
    """The name the pack is sent under, such as 'Referral pack CEN-2526-014.docx'."""
    return f"Referral pack {view.reference or 'Draft'}.docx"


def field_value(f: Field, value: Any) -> str:
    """A stored field value as a person reads it: choice titles, pounds and pence, yes or no, dates."""
    if f.type in (FieldType.FLAG, FieldType.CONFIRM):
        return "Yes" if value is True or str(value).lower() in ("true", "1", "yes", "on") else "No"
    if value is None or value == "" or value == []:
        return NOT_GIVEN
    if f.type is FieldType.CHOICE:
        return f.choice_title(str(value))
    if f.type is FieldType.MULTICHOICE:
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        titles = [f.choice_title(str(item).strip()) for item in items if str(item).strip()]
        return ", ".join(titles) if titles else NOT_GIVEN
    if f.type is FieldType.MONEY:
        return format_pence(int(value))
    if f.type is FieldType.DATE:
        try:
            return _long_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if f.name == "pupil_initials":
        return str(value).upper()
    return str(value)


def referral_pack_docx(view: ReferralView, generated_at: datetime, generated_by: str) -> bytes:
    """The referral pack as DOCX bytes; ``generated_at`` must be timezone-aware (shown in London time)."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    # python-docx refuses control characters, which a row stored before text was cleaned may hold.
    view, generated_by = clean_all(view), clean_text(generated_by)
    document = docx.Document()
    _page_setup(document)
    _properties(document, view, generated_at, generated_by)

    document.add_heading(f"Referral pack: {view.reference or 'Draft'}", level=0)
    if view.kind is Kind.INDIVIDUAL:
        document.add_paragraph(EHC_NOTE, style="Subtitle")
    _pairs(document, _summary(view))

    fields = form_fields(view.kind, view.partner_choices)
    pupil = [f for f in fields if f.name in PUPIL_FIELD_NAMES]
    if pupil:
        document.add_heading("Pupil", level=1)
        _pairs(document, [(f.label, field_value(f, view.details.get(f.name))) for f in pupil])

    document.add_heading("Details", level=1)
    _pairs(
        document,
        [(f.label, field_value(f, view.details.get(f.name))) for f in fields if f.name not in PUPIL_FIELD_NAMES],
    )

    _money(document, view)
    _documents(document, view.documents)
    _footer(document, generated_at, generated_by)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def footer_line(generated_at: datetime, generated_by: str) -> str:
    """The line at the foot of every page: who made the pack, when, and how to treat it."""
    when = generated_at.astimezone(LONDON)
    return (
        f"Generated by {generated_by} on {_long_date(when.date())} at {when:%H:%M}. "
        "Special category data: keep it safe."
    )


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _weekday_date(day: date) -> str:
    return f"{day:%A} {_long_date(day)}"


def _summary(view: ReferralView) -> list[tuple[str, str]]:
    pairs = [
        ("Reference", view.reference or "Draft (a reference is given on submission)"),
        ("Kind", KIND_TITLES[view.kind]),
        ("Setting", view.setting),
        ("Cluster", view.cluster),
        ("State", STATE_TITLES[view.state]),
    ]
    if view.state is State.RETURNED and view.returned_reason:
        pairs.append(("Returned because", view.returned_reason))
    if view.submitted_at is not None:
        submitted = view.submitted_at.astimezone(LONDON)
        pairs.append(("Submitted", f"{_long_date(submitted.date())} at {submitted:%H:%M}"))
    meeting = view.meeting
    if meeting is None:
        pairs.append(("Meeting", "Not yet placed on a meeting"))
    else:
        title = f"{meeting.title}, " if meeting.title else ""
        pairs.append(("Meeting", f"{title}{_weekday_date(meeting.day)}, {meeting.start:%H:%M} to {meeting.end:%H:%M}"))
        deadline = meeting.deadline.astimezone(LONDON)
        pairs.append(("Referral deadline", f"{deadline:%H:%M} on {_weekday_date(deadline.date())}"))
        if meeting.cancelled:
            pairs.append(("Meeting status", "Cancelled"))
    return pairs


def _money(document: DocxDocument, view: ReferralView) -> None:
    if view.kind in COSTED or view.rows:
        title = "Project costs" if view.kind is Kind.PROJECT else "Costed provision map"
        document.add_heading(title, level=1)
        if view.rows:
            _provision_table(document, view.rows)
            document.add_paragraph(ROUNDING_RULE)
        else:
            document.add_paragraph("No rows of costs have been added yet.")
        _pairs(
            document,
            [
                ("Total", format_pence(view.total_pence)),
                ("School contribution", format_pence(view.contribution_pence)),
                ("Amount requested", format_pence(view.requested_pence)),
            ],
        )
    elif view.kind is Kind.DISCUSSION:
        document.add_heading("Money", level=1)
        document.add_paragraph("No money is asked: this is a solution-focused discussion.")
    else:
        document.add_heading("Money", level=1)
        _pairs(document, [("Amount requested", format_pence(view.requested_pence))])


def provision_cells(row: ProvisionRow) -> tuple[str, ...]:
    """One provision row as the pack's table shows it, in the order of ``PROVISION_HEADINGS``."""
    return (
        row.provision,
        _AREA_OF_NEED.choice_title(row.area_of_need),
        row.delivered_by,
        str(row.minutes_per_session),
        str(row.sessions_per_week),
        str(row.weeks),
        str(row.group_size),
        format_pence(row.hourly_rate_pence),
        format_pence(row.cost_pence),
    )


def _provision_table(document: DocxDocument, rows: Sequence[ProvisionRow]) -> None:
    table = document.add_table(rows=1, cols=len(PROVISION_HEADINGS))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, PROVISION_HEADINGS, strict=True):
        _cell_text(cell.paragraphs[0], heading, bold=True, size=8)
    _repeat_header(table)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, provision_cells(row), strict=True):
            _cell_text(cell.paragraphs[0], text, size=8)


def _documents(document: DocxDocument, documents: Iterable[Document]) -> None:
    document.add_heading("Supporting documents", level=1)
    listed = list(documents)
    if not listed:
        document.add_paragraph("No supporting documents.")
        return
    for item in listed:
        paragraph = document.add_paragraph(style="List Bullet")
        if item.is_link and item.url:
            paragraph.add_run(f"{item.name}: ")
            _hyperlink(paragraph, item.url)
        else:
            facts = [part for part in (_file_type(item), _size(item.size_bytes)) if part]
            described = f" ({', '.join(facts)})" if facts else ""
            paragraph.add_run(f"{item.name}{described}, kept by the Cluster Funding bot")


def _file_type(item: Document) -> str:
    _, dot, extension = item.name.rpartition(".")
    return extension.upper() if dot and extension else ""


def _size(size_bytes: int | None) -> str:
    if size_bytes is None:
        return ""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{round(size_bytes / 1024)} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def _pairs(document: DocxDocument, pairs: Sequence[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in pairs:
        cells = table.add_row().cells
        _cell_text(cells[0].paragraphs[0], label, bold=True)
        _cell_text(cells[1].paragraphs[0], value)
    for row in table.rows:
        row.cells[0].width = Mm(55)
        row.cells[1].width = Mm(115)
    document.add_paragraph()


def _cell_text(paragraph: Paragraph, text: str, bold: bool = False, size: int | None = None) -> None:
    run = paragraph.add_run(text)  # python-docx turns "\n" into line breaks
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)


def _repeat_header(table: Table) -> None:
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)


def _hyperlink(paragraph: Paragraph, url: str) -> None:
    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), str(RGBColor(0x05, 0x63, 0xC1)))
    properties.append(colour)
    properties.append(underline)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def _page_setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)


def _footer(document: DocxDocument, generated_at: datetime, generated_by: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    run = paragraph.add_run(footer_line(generated_at, generated_by))
    run.font.size = Pt(8)


def _properties(document: DocxDocument, view: ReferralView, generated_at: datetime, generated_by: str) -> None:
    # The file's own metadata carries no pupil details: just what the pack is and who made it.
    properties = document.core_properties
    properties.title = f"Referral pack {view.reference or 'Draft'}"
    properties.subject = KIND_TITLES[view.kind]
    properties.author = generated_by
    properties.last_modified_by = generated_by
    properties.comments = ""
    properties.keywords = ""
    properties.category = "Special category data"
    properties.created = generated_at
    properties.modified = generated_at
    properties.revision = 1

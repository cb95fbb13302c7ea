"""The decision letter: what the cluster decided on a referral, as a Word document for the setting.

Made once, in the unit of work that records the decision, and kept with it (``decision_letter``): the letter
the setting is offered with the outcome notice, and any time after, is the one made that day, whatever
later changes to the wording, the schedule's state or the setting's name. The same view and time give the
same bytes (the archive's and the document's timestamps are the decision's), so a test can compare them.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from datetime import date

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from cluster.clock import LONDON
from cluster.decisions import OUTCOME_TITLES, SCHEDULE_TITLES, Outcome
from cluster.letters import LetterView
from cluster.provision import format_pence
from cluster.referrals import KIND_TITLES
from cluster.text import clean_all
from reports.workbook import fixed_times

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The styles a letter uses (and those they are based on or linked to): python-docx's own template carries
# two copies of Word's 400 KB style sheet, which took most of the time of making a letter (in the decision's
# unit of work, holding the cluster's turn); a letter made from a template with only these is 4x faster.
_STYLES = frozenset(
    {
        "normal",
        "default paragraph font",
        "normal table",
        "no list",
        "table grid",
        "title",
        "title char",
        "heading 1",
        "heading 1 char",
        "heading 2",
        "heading 2 char",
    }
)  # as styles.xml names them (Word's built-in names are lower case there)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _weekday_date(day: date) -> str:
    return f"{day:%A} {_long_date(day)}"


def opening(view: LetterView) -> str:
    """The letter's first sentence: which meeting considered which referral."""
    pupil = f" for {view.pupil_label}" if view.pupil_label else ""
    titled = f" ({view.title})" if view.title else ""
    return (
        f"The {view.cluster} cluster's meeting on {_weekday_date(view.meeting.day)} considered "
        f"{view.setting}'s {KIND_TITLES[view.kind]} referral {view.reference}{titled}{pupil}."
    )


def outcome_line(view: LetterView) -> str:
    """The decision in one sentence."""
    decision = view.decision
    if view.funded:
        money = format_pence(decision.amount_pence)
        if decision.amount_pence < view.requested_pence:
            money += f" of the {format_pence(view.requested_pence)} requested"
        conditions = ", with the conditions below" if decision.conditions else ""
        return f"The meeting approved {money}{conditions}."
    return {
        Outcome.DEFERRED: "The meeting deferred its decision until it has the information below.",
        Outcome.DECLINED: "The meeting declined the referral, for the reasons below.",
        Outcome.ADVICE_ONLY: "The meeting gave advice, below; no money was asked for or committed.",
    }.get(decision.outcome, OUTCOME_TITLES[decision.outcome])


def summary_pairs(view: LetterView) -> list[tuple[str, str]]:
    """The decision as label and value pairs, in the order the letter's table shows them."""
    decision = view.decision
    pairs = [
        ("Reference", view.reference),
        ("Setting", view.setting),
        ("Meeting", _weekday_date(view.meeting.day)),
        ("Outcome", OUTCOME_TITLES[decision.outcome]),
    ]
    if view.requested_pence:
        pairs.append(("Amount requested", format_pence(view.requested_pence)))
    if view.funded:
        pairs.append(("Amount approved", format_pence(decision.amount_pence)))
        if decision.schedule is not None:
            pairs.append(("Payment", SCHEDULE_TITLES[decision.schedule]))
        if decision.review_date is not None:
            pairs.append(("Review by", _long_date(decision.review_date)))
    return pairs


def schedule_rows(view: LetterView) -> list[tuple[str, str, str]]:
    """Each instalment as (due on, term, amount), then the total."""
    rows = [(_long_date(p.due_on), p.term, format_pence(p.amount_pence)) for p in view.payments]
    if rows:
        rows.append(("Total", "", format_pence(sum(p.amount_pence for p in view.payments))))
    return rows


def decision_letter_docx(view: LetterView) -> bytes:
    """The letter as DOCX bytes, dated and stamped with the decision's time (London)."""
    decided = view.decided_at
    if decided.tzinfo is None:
        raise ValueError("decided_at must be timezone-aware")
    view = clean_all(view)  # python-docx refuses control characters a row stored long ago may hold
    document = docx.Document(io.BytesIO(_template()))
    _properties(document, view)

    document.add_paragraph(f"{view.cluster} cluster · Stoke-on-Trent SEND cluster funding").runs[0].bold = True
    document.add_paragraph(_long_date(decided.astimezone(LONDON).date()))
    document.add_paragraph(f"To the SENCO, {view.setting}")
    document.add_heading(f"Decision on {view.reference}", level=1)
    document.add_paragraph(opening(view))
    outcome = document.add_paragraph()
    outcome.add_run(outcome_line(view)).bold = True
    _pairs(document, summary_pairs(view))

    decision = view.decision
    if view.funded and view.payments:
        document.add_heading("When it is paid", level=2)
        document.add_paragraph(
            "The council pays the setting on the first day of each term shown, from the term after the "
            "meeting. The amounts add up to the amount approved."
        )
        _table(document, ("Due on", "Term", "Amount"), schedule_rows(view))
    if decision.conditions:
        document.add_heading("Conditions", level=2)
        document.add_paragraph(decision.conditions)
    if decision.outcome is Outcome.DEFERRED:
        document.add_heading("Information the next meeting needs", level=2)
        document.add_paragraph(decision.information_needed)
        if view.deferred_to is not None:
            slot = view.deferred_to
            document.add_paragraph(
                f"The referral goes to the next meeting, on {_weekday_date(slot.day)} at {slot.start:%H:%M}."
            )
    if decision.feedback:
        title = "The meeting's advice" if decision.outcome is Outcome.ADVICE_ONLY else "Feedback"
        document.add_heading(title, level=2)
        document.add_paragraph(decision.feedback)
    if view.funded and decision.review_date is not None:
        document.add_heading("Review", level=2)
        document.add_paragraph(
            f"Every allocation is reviewed. Please complete the review of this one by "
            f"{_long_date(decision.review_date)}: the Cluster Funding bot will remind you, and 'reviews' in "
            "its chat opens the form. A review that finds the funding is no longer needed stops the payments "
            "not yet made."
        )
    document.add_paragraph()
    document.add_paragraph(f"{view.cluster} cluster")
    _footer(document, view)

    out = io.BytesIO()
    document.save(out)
    return fixed_times(out.getvalue(), decided)


def _pairs(document: DocxDocument, pairs: Sequence[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in pairs:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(value)
    for row in table.rows:
        row.cells[0].width = Mm(50)
        row.cells[1].width = Mm(120)
    document.add_paragraph()


def _table(document: DocxDocument, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
    for number, row in enumerate(rows, start=1):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            run = cell.paragraphs[0].add_run(value)
            run.bold = number == len(rows) and row[0] == "Total"
    document.add_paragraph()


@functools.cache
def _template() -> bytes:
    """An A4 document with only the styles a letter uses, made once per process."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    styles = document.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for style in list(styles.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if name is None or str(name.get(qn("w:val"))).lower() not in _STYLES:
            styles.remove(style)
    part = document.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010's second copy of the styles
            part.drop_rel(rel_id)
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:  # a picture of python-docx's sample page
            package.rels.pop(rel_id)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def footer_line(view: LetterView) -> str:
    """The line at the foot of the page: what made the letter, and when."""
    when = view.decided_at.astimezone(LONDON)
    return (
        f"Made by the Cluster Funding bot when the decision was recorded, {_long_date(when.date())} at "
        f"{when:%H:%M}. Kept with the referral's record."
    )


def _footer(document: DocxDocument, view: LetterView) -> None:
    run = document.sections[0].footer.paragraphs[0].add_run(footer_line(view))
    run.font.size = Pt(8)


def _properties(document: DocxDocument, view: LetterView) -> None:
    # The file's own metadata names the letter and the cluster; nothing about the pupil.
    properties = document.core_properties
    properties.title = f"Decision letter {view.reference}"
    properties.subject = KIND_TITLES[view.kind]
    properties.author = f"{view.cluster} cluster"
    properties.last_modified_by = "Cluster Funding bot"
    properties.comments = ""
    properties.keywords = ""
    properties.created = view.decided_at
    properties.modified = view.decided_at
    properties.revision = 1

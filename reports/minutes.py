"""A meeting's minutes to keep and share: as a Markdown document and as an Excel spreadsheet.

The minutes are the record the bot posts to the channel when the chair ends the meeting - who attended, each
item, its outcome, the votes, who was present and recused for it, the interests declared, the amount approved
and the review date, and any provision not in the council's document - with the money
committed at the meeting and the budget position after it. They may be shared with the whole cluster, so
a pupil appears only by the agenda's pupil label (initials and year group at most), never by anything else.

Both exports are made from the same :class:`~cluster.agenda.MinutesView` and are deterministic: the same
minutes and ``generated_at`` give the same text, and the same spreadsheet bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cluster.agenda import MinutesEntry, MinutesView
from cluster.clock import LONDON
from cluster.decisions import FUNDED, OUTCOME_TITLES, SCHEDULE_TITLES
from cluster.impact import ratings_line
from cluster.markdown import plain
from cluster.provision import format_pence
from cluster.provision_map import NOT_IN_DOCUMENT, custom_line
from cluster.referrals import KIND_TITLES, Kind
from cluster.register import QuorumRecord, Register, attendance_pairs
from cluster.text import clean_all
from cluster.voting import RESULT_TITLES, Result, Tally, quorum_line
from reports.workbook import freeze_and_filter, header_row, pounds, put_cell, workbook_bytes

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"

NOT_DECIDED = "Not decided"
NOT_VOTED = "Not voted on"
NO_MONEY = "No money asked"
NONE_DECLARED = "None"
NO_BUDGET = "No budget set"


MINUTES_HEADINGS: tuple[str, ...] = (
    "Reference",
    "Setting",
    "Kind",
    "Pupil",
    "Requested (£)",
    "Outcome",
    "Approve",
    "Decline",
    "Abstain",
    "Quorate",
    "Result",
    "Interests declared",
    "Approved (£)",
    "Review date",
    "Schedule",
    "Conditions",
    "Feedback",
    "Information needed",
    "Outcomes rated at review",
    "Present for the vote",
    "Recused",
    "Quorum at the vote",
    NOT_IN_DOCUMENT,
)
# Characters wide, one for each heading above.
_WIDTHS: tuple[int, ...] = (16, 30, 24, 12, 14, 28, 9, 9, 9, 9, 26, 28, 14, 14, 18, 40, 40, 40, 30, 40, 40, 40, 40)
_MONEY_COLUMNS = frozenset({"Requested (£)", "Approved (£)"})
_DATE_COLUMNS = frozenset({"Review date"})
_WRAPPED_COLUMNS = frozenset(
    {
        "Setting",
        "Kind",
        "Outcome",
        "Result",
        "Interests declared",
        "Conditions",
        "Feedback",
        "Information needed",
        "Present for the vote",
        "Recused",
        "Quorum at the vote",
        NOT_IN_DOCUMENT,
    }
)

MONEY_FORMAT = "£#,##0.00"
DATE_FORMAT = "d mmmm yyyy"
DATETIME_FORMAT = "d mmmm yyyy hh:mm"
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")


def minutes_filename(view: MinutesView, extension: str) -> str:
    """The name the minutes are sent under, such as 'Central minutes 2025-12-11.md'.

    ``extension`` may be given with or without its dot ('md', '.xlsx'). Characters that are not allowed
    in file names are left out of the cluster's name.
    """
    cluster = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", view.cluster).strip() or "Cluster"
    return f"{cluster} minutes {view.meeting.day.isoformat()}.{extension.lstrip('.')}"


# What each item comes to, shared by both exports -----------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One item's facts as text and numbers, ready to write out."""

    reference: str
    setting: str
    kind: str
    title: str
    pupil: str
    requested_pence: int
    money_asked: bool
    outcome: str
    decided: bool
    funded: bool
    tally: Tally | None
    result: str
    casting: str
    interests: tuple[str, ...]
    approved_pence: int | None  # None while not decided
    reserve_drawn: bool
    review_date: date | None
    schedule: str
    conditions: str
    feedback: str
    information_needed: str
    outcome_ratings: str  # a review's ratings by outcome number ('' for a referral): never the outcomes' text
    kept: QuorumRecord | None = None  # who was present and recused at its vote
    custom_rows: str = ""  # provisions the council's document lacks, with why ('' when none)


def _item(minutes: MinutesEntry) -> _Item:
    entry, decision = minutes.entry, minutes.entry.decision
    funded = decision is not None and decision.outcome in FUNDED
    return _Item(
        reference=entry.reference,
        setting=entry.setting,
        kind=KIND_TITLES[entry.kind],
        title=entry.title,
        pupil=entry.pupil_label,
        requested_pence=entry.requested_pence,
        money_asked=entry.kind is not Kind.DISCUSSION,
        outcome=OUTCOME_TITLES[decision.outcome] if decision is not None else NOT_DECIDED,
        decided=decision is not None,
        funded=funded,
        tally=minutes.tally,
        result=_result(minutes),
        casting=_casting(minutes),
        interests=minutes.interests,
        approved_pence=None if decision is None else (decision.amount_pence if funded else 0),
        reserve_drawn=funded and decision is not None and decision.reserve_drawn,
        review_date=decision.review_date if decision is not None and funded else None,
        schedule=SCHEDULE_TITLES[decision.schedule] if decision is not None and funded and decision.schedule else "",
        conditions=decision.conditions if decision is not None else "",
        feedback=decision.feedback if decision is not None else "",
        information_needed=decision.information_needed if decision is not None else "",
        outcome_ratings=ratings_line(entry.outcome_ratings),
        kept=minutes.quorum_record,
        custom_rows=custom_line(entry.custom_rows),
    )


def _casting(minutes: MinutesEntry) -> str:
    """The chair's casting vote, where it decided a tie: 'Approve' or 'Decline'; otherwise ''."""
    t = minutes.tally
    if t is None or t.cast_votes == 0 or t.approve != t.decline:
        return ""
    if minutes.result is Result.APPROVED:
        return "Approve"
    if minutes.result is Result.DECLINED:
        return "Decline"
    return ""


def _result(minutes: MinutesEntry) -> str:
    if minutes.tally is None:
        return NOT_VOTED
    if minutes.result is None:
        return "No result"
    title = RESULT_TITLES[minutes.result]
    casting = _casting(minutes)
    return f"{title}, on the chair's casting vote" if casting else title


def _committed_pence(items: Sequence[_Item]) -> int:
    return sum(item.approved_pence or 0 for item in items if item.funded)


# Markdown ----------------------------------------------------------------------------------------------------


def minutes_markdown(view: MinutesView, generated_at: datetime) -> str:
    """The minutes as a Markdown document; ``generated_at`` must be timezone-aware (shown in London time).

    A title and the meeting's times; a table of every item's outcome; a section for each item with its
    votes, interests, amounts, review date, payment and what was said; the totals and the budget position
    after the meeting; and the time the document was made.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    view = clean_all(view)  # no control character or bidi override from a row stored long ago
    items = [_item(minutes) for minutes in view.entries]
    lines = [f"# {_inline(minutes_title(view))}", ""]
    lines += [f"- {_inline(label)}: {_inline(value)}" for label, value in _meeting_pairs(view)]
    lines.append("")

    if view.register is not None:
        lines += ["## Attendance", ""]
        lines += _table(("Attendance", "Who"), attendance_pairs(view.register), bold_labels=True)
        lines.append("")

    lines += ["## Decisions", ""]
    if not items:
        lines += ["Nothing was on the agenda.", ""]
    else:
        lines += _table(
            ("Reference", "Setting", "Kind", "Requested", "Outcome", "Approved"),
            [
                (item.reference, item.setting, item.kind, _requested(item), item.outcome, _approved(item))
                for item in items
            ],
        )
        lines.append("")

    for item in items:
        lines += [f"## {_inline(item.reference)}: {_inline(item.setting)}", ""]
        lines += _table(("Item", "Record"), _item_pairs(item), bold_labels=True)
        lines.append("")

    lines += ["## Totals", ""]
    lines += _table(("Total", "Amount"), _totals_pairs(view, items), bold_labels=True)
    lines += ["", "---", "", plain(generated_line(generated_at)), ""]
    return "\n".join(lines)


def minutes_title(view: MinutesView) -> str:
    """'Minutes: Central cluster, Thursday 11 December 2025': the day the meeting was held."""
    return f"Minutes: {view.cluster} cluster, {_weekday_date(view.held_on)}"


def generated_line(generated_at: datetime) -> str:
    """'Generated on 14 November 2025 at 16:05 (London time).'."""
    when = generated_at.astimezone(LONDON)
    return f"Generated on {_long_date(when.date())} at {when:%H:%M} (London time)."


def _meeting_pairs(view: MinutesView) -> list[tuple[str, str]]:
    meeting = view.meeting
    pairs = []
    if meeting.title:
        pairs.append(("Meeting", meeting.title))
    if view.held_elsewhen:
        pairs.append(("Held on", _weekday_date(view.held_on)))
    label = "Scheduled" if view.held_elsewhen else "Time"
    pairs.append((label, f"{_weekday_date(meeting.day)}, {meeting.start:%H:%M}–{meeting.end:%H:%M}"))
    pairs.append(("Ended", _ended(view)))
    return pairs


def _ended(view: MinutesView) -> str:
    if view.ended_at is None:
        return "Not recorded"
    ended = view.ended_at.astimezone(LONDON)
    if ended.date() == view.meeting.day:
        return f"{ended:%H:%M} (London time)"
    return f"{ended:%H:%M} on {_weekday_date(ended.date())} (London time)"


def _item_pairs(item: _Item) -> list[tuple[str, str]]:
    pairs = [("Reference", item.reference), ("Setting", item.setting), ("Kind", item.kind)]
    if item.title:
        pairs.append(("Title", item.title))
    if item.pupil:
        pairs.append(("Pupil", item.pupil))
    pairs += [("Amount requested", _requested(item)), ("Outcome", item.outcome)]
    if item.tally is None:
        pairs.append(("Votes", NOT_VOTED))
    else:
        t = item.tally
        pairs.append(("Votes", f"Approve {t.approve}, decline {t.decline}, abstain {t.abstain}"))
        pairs.append(("Quorum", quorum_line(t) + ("" if t.quorate else ": not met")))
        pairs.append(("Result", item.result))
        if item.casting:
            pairs.append(("Chair's casting vote", item.casting))
    pairs.append(("Interests declared", ", ".join(item.interests) or NONE_DECLARED))
    if item.kept is not None:
        pairs += item.kept.pairs()
    if item.outcome_ratings:
        pairs.append(("Outcomes rated at review", item.outcome_ratings))
    if item.custom_rows:  # issue 21: as the minutes card marks them
        pairs.append((NOT_IN_DOCUMENT, item.custom_rows))
    if item.decided:
        pairs.append(("Amount approved", _approved(item)))
    if item.reserve_drawn:
        pairs.append(("Emergency reserve", "Drawn on"))
    if item.review_date is not None:
        pairs.append(("Review date", _long_date(item.review_date)))
    if item.schedule:
        pairs.append(("Payment", item.schedule))
    for label, value in (
        ("Conditions", item.conditions),
        ("Feedback", item.feedback),
        ("Information needed", item.information_needed),
    ):
        if value:
            pairs.append((label, value))
    return pairs


def _totals_pairs(view: MinutesView, items: Sequence[_Item]) -> list[tuple[str, str]]:
    pairs = [("Committed at this meeting", format_pence(_committed_pence(items)))]
    position = view.position
    if position is None:
        pairs.append(("Budget", NO_BUDGET))
        return pairs
    pairs.append(("Available after the meeting", format_pence(position.available)))
    if position.reserve_used:
        pairs.append(("Emergency reserve used", format_pence(position.reserve_used)))
    if position.reserve:
        pairs.append(("Emergency reserve left", format_pence(position.reserve_left)))
    return pairs


def _requested(item: _Item) -> str:
    return format_pence(item.requested_pence) if item.money_asked else NO_MONEY


def _approved(item: _Item) -> str:
    if item.approved_pence is None:
        return "—"
    return format_pence(item.approved_pence)


def _table(headings: Sequence[str], rows: Sequence[Sequence[str]], bold_labels: bool = False) -> list[str]:
    """A Markdown table of text shown as typed; with ``bold_labels`` each row's first cell is bold."""
    lines = ["| " + " | ".join(_cell(h) for h in headings) + " |", "|" + "|".join("---" for _ in headings) + "|"]
    for cells in rows:
        shown = [_cell(cell) for cell in cells]
        if bold_labels and shown:
            shown[0] = f"**{shown[0]}**"
        lines.append("| " + " | ".join(shown) + " |")
    return lines


def _cell(text: str) -> str:
    """Text for one table cell, shown as typed: Markdown, HTML and pipes escaped, line breaks as <br>."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "<br>".join(plain(line, line_start=False) for line in lines)


def _inline(text: str) -> str:
    """Text within one line of the document (a heading or list item), shown as typed; line breaks as spaces."""
    return plain(" ".join(text.split()), line_start=False)


def _long_date(day: date) -> str:
    """'11 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def _weekday_date(day: date) -> str:
    """'Thursday 11 December 2025'."""
    return f"{day:%A} {_long_date(day)}"


# Spreadsheet -----------------------------------------------------------------------------------------------


def minutes_xlsx(view: MinutesView, generated_at: datetime) -> bytes:
    """The minutes as an Excel workbook; ``generated_at`` must be timezone-aware.

    Sheet 'Minutes' has a bold, frozen header row and one row per item; money is in pounds as numbers
    formatted '£#,##0.00' (exact to the penny) and review dates are Excel dates; each row also says who was
    present for its vote, who was recused and why, the quorum line, and any provision not in the council's
    document. Sheet 'Summary' has the meeting, the cluster, the totals and the budget position after the
    meeting; sheet 'Attendance', when the meeting kept a register, who attended as the Markdown shows it. The
    same minutes and ``generated_at`` give the same bytes: the workbook's and the archive's timestamps are
    ``generated_at``.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    view = clean_all(view)  # the cells are cleaned as they are written; the workbook's title is not a cell
    items = [_item(minutes) for minutes in view.entries]
    workbook = Workbook()
    _minutes_sheet(workbook.active, items)
    _summary_sheet(workbook.create_sheet("Summary"), view, items, generated_at)
    if view.register is not None:
        _attendance_sheet(workbook.create_sheet("Attendance"), view.register)
    # The file's own metadata says what the file is and when it was made; nothing about any pupil.
    return workbook_bytes(workbook, minutes_title(view), generated_at, f"{view.cluster} cluster funding meeting")


def minutes_row(item: MinutesEntry) -> tuple[object, ...]:
    """One item as the 'Minutes' sheet holds it, in the order of ``MINUTES_HEADINGS``."""
    return _row(_item(item))


def _row(item: _Item) -> tuple[object, ...]:
    t = item.tally
    return (
        item.reference,
        item.setting,
        item.kind,
        item.pupil,
        pounds(item.requested_pence) if item.money_asked else None,
        item.outcome,
        t.approve if t else None,
        t.decline if t else None,
        t.abstain if t else None,
        ("Yes" if t.quorate else "No") if t else None,
        item.result,
        ", ".join(item.interests),
        None if item.approved_pence is None else pounds(item.approved_pence),
        item.review_date,
        item.schedule,
        item.conditions,
        item.feedback,
        item.information_needed,
        item.outcome_ratings,
        *_kept_cells(item),
        item.custom_rows,
    )


def _kept_cells(item: _Item) -> tuple[str | None, str | None, str | None]:
    """Present for the vote, recused and why, the quorum line: empty for an item whose vote kept no record."""
    if item.kept is None:
        return None, None, None
    (_, present), (_, recused), (_, line) = item.kept.pairs()
    return present, recused, line


def _minutes_sheet(sheet: Any, items: Sequence[_Item]) -> None:
    sheet.title = "Minutes"
    header_row(sheet, MINUTES_HEADINGS, _HEADER_FILL)
    for row_number, item in enumerate(items, start=2):
        for column, (heading, value) in enumerate(zip(MINUTES_HEADINGS, _row(item), strict=True), start=1):
            cell = sheet.cell(row=row_number, column=column)
            put_cell(cell, value)
            if heading in _MONEY_COLUMNS:
                cell.number_format = MONEY_FORMAT
            elif heading in _DATE_COLUMNS:
                cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(vertical="top", wrap_text=heading in _WRAPPED_COLUMNS)
    for column, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    freeze_and_filter(sheet, len(MINUTES_HEADINGS), len(items))
    sheet.print_title_rows = "1:1"


def _summary_sheet(sheet: Any, view: MinutesView, items: Sequence[_Item], generated_at: datetime) -> None:
    meeting = view.meeting
    rows: list[tuple[str, object, str | None]] = [
        ("Minutes", minutes_title(view), None),
        ("Cluster", view.cluster, None),
        ("Meeting", meeting.title or "Cluster funding meeting", None),
        ("Date", view.held_on, DATE_FORMAT),
        *((("Scheduled for", meeting.day, DATE_FORMAT),) if view.held_elsewhen else ()),
        ("Time", f"{meeting.start:%H:%M}–{meeting.end:%H:%M}", None),
        ("Ended", _local(view.ended_at) if view.ended_at else "Not recorded", DATETIME_FORMAT),
        ("Items", len(items), None),
        ("Approved", sum(1 for item in items if item.funded), None),
        ("Not decided", sum(1 for item in items if not item.decided), None),
        ("Committed at this meeting (£)", pounds(_committed_pence(items)), MONEY_FORMAT),
    ]
    position = view.position
    if position is None:
        rows.append(("Budget", NO_BUDGET, None))
    else:
        rows += [
            ("Budget (£)", pounds(position.total), MONEY_FORMAT),
            ("Emergency reserve (£)", pounds(position.reserve), MONEY_FORMAT),
            ("Committed in all (£)", pounds(position.committed), MONEY_FORMAT),
            ("Available after the meeting (£)", pounds(position.available), MONEY_FORMAT),
            ("Emergency reserve used (£)", pounds(position.reserve_used), MONEY_FORMAT),
            ("Emergency reserve left (£)", pounds(position.reserve_left), MONEY_FORMAT),
        ]
    rows.append(("Generated (London time)", _local(generated_at), DATETIME_FORMAT))
    for row_number, (label, value, number_format) in enumerate(rows, start=1):
        label_cell = sheet.cell(row=row_number, column=1)
        put_cell(label_cell, label)
        label_cell.font = Font(bold=True)
        cell = sheet.cell(row=row_number, column=2)
        put_cell(cell, value)
        if number_format and not isinstance(value, str):
            cell.number_format = number_format
        cell.alignment = Alignment(horizontal="left")
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 52


def _attendance_sheet(sheet: Any, register: Register) -> None:
    """Who attended, as the Markdown minutes' attendance table: a bold label and its line on each row."""
    header_row(sheet, ("Attendance", "Who"), _HEADER_FILL)
    for row_number, (label, value) in enumerate(attendance_pairs(register), start=2):
        label_cell = sheet.cell(row=row_number, column=1)
        put_cell(label_cell, label)
        label_cell.font = Font(bold=True)
        label_cell.alignment = Alignment(vertical="top")
        cell = sheet.cell(row=row_number, column=2)
        put_cell(cell, value)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 90


def _local(moment: datetime) -> datetime:
    """An aware time as the naive London wall-clock time a spreadsheet shows."""
    return moment.astimezone(LONDON).replace(tzinfo=None)

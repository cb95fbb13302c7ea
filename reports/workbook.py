"""Workbooks of titled tables: a sheet per table, a bold frozen header row, money in pounds, text kept as text.

Shared by every spreadsheet the bot makes: :func:`tables_xlsx` makes the finance exports and the citywide
figures whole; the capital report and the minutes lay out their own sheets with :func:`header_row`,
:func:`put_cell` and :func:`freeze_and_filter`, and all are saved by :func:`workbook_bytes`. Text
cells are stored as text with Excel's quote prefix, so nothing a person typed runs as a formula; the same
tables and moment give the same bytes (every timestamp in the file is ``moment``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from cluster.clock import LONDON
from cluster.text import clean_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "d mmm yyyy"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

Cell = str | int | Decimal | date | None
Table = tuple[str, tuple[str, ...], Sequence[tuple[Cell, ...]]]


def pounds(pence: int) -> Decimal:
    """Pence as an exact number of pounds: 98847 is 988.47."""
    return Decimal(pence) / 100


def put_cell(cell: Any, value: object) -> None:
    """Write a value to a cell; text stays text, never a formula, and is cleaned (``cluster.text``).

    Every cell of every workbook the bot makes goes through here. Text is stored as a string (``data_type
    's'``), even "=HYPERLINK(…)" which openpyxl would otherwise write as a formula, and carries Excel's quote
    prefix (as if typed after an apostrophe), so that text beginning ``= + - @``, a tab or a line break stays
    text when a finance officer edits the cell or saves the file again (OWASP's CSV injection advice). Control
    characters Excel refuses (a U+000B from PowerPoint in a row stored long ago) and bidi overrides go, line
    breaks stay.
    """
    if isinstance(value, str):
        cleaned = clean_text(value)
        cell.value = cleaned or None
        if cleaned:
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value


def tables_xlsx(tables: Sequence[Table], title: str, moment: datetime) -> bytes:
    """The tables as a workbook, a sheet each (the table's title names it), stamped ``moment``."""
    workbook = Workbook()
    first = True
    for name, headings, rows in tables:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = name
        _sheet(sheet, headings, rows)
    return workbook_bytes(workbook, title, moment)


def workbook_bytes(workbook: Any, title: str, moment: datetime, subject: str | None = None) -> bytes:
    """The workbook as XLSX bytes, titled, made by the bot and dated ``moment`` inside and out.

    The same workbook and moment give the same bytes: the file's own dates and every zip member's are
    ``moment``. The title (and subject) may name a cluster, so they are cleaned as a cell is.
    """
    stamp = moment.astimezone(UTC).replace(tzinfo=None)  # openpyxl writes naive times as UTC
    properties = workbook.properties
    properties.title = clean_text(title)
    if subject is not None:
        properties.subject = clean_text(subject)
    properties.creator = properties.lastModifiedBy = "Cluster Funding bot"
    properties.created = properties.modified = stamp
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()  # not Workbook.save, which stamps the time now
    return fixed_times(out.getvalue(), moment)


def _sheet(sheet: Any, headings: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    header_row(sheet, headings)
    cell_at = sheet.cell
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = cell_at(row=number, column=column)
            put_cell(cell, value)
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
    for column, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, min(40, len(heading) + 4))
    freeze_and_filter(sheet, len(headings), len(rows))


def header_row(sheet: Any, headings: Sequence[str], fill: PatternFill = _HEADER_FILL) -> None:
    """Row 1 of a table: its headings, bold on a coloured fill, wrapped and at the top of their cells."""
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=1, column=column)
        put_cell(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def freeze_and_filter(sheet: Any, columns: int, rows: int) -> None:
    """Keep a table's header row in sight while scrolling, and give its ``columns`` a filter over ``rows`` rows."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(1, rows + 1)}"


def fixed_times(data: bytes, moment: datetime) -> bytes:
    """The archive (XLSX, DOCX) again with every member dated ``moment`` (zip files keep London wall-clock time).

    So the same content made at the same moment gives the same bytes, whichever report made it.
    """
    local = moment.astimezone(LONDON)
    stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, source.read(member.filename))
    return out.getvalue()

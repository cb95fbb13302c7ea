"""The finance exports as files: CSV for the finance system, XLSX for people, with the same figures.

Both hold five tables: the budgets (allocated, committed, paid, available, reserve used and left), the
allocations (each funded decision with its paid, due and cancelled parts), every instalment, the
instalments due per term, and the Capital Fund applications with their stage. The XLSX has a sheet for
each; the CSV has them one after another, each under a line with its title and then its header row.

Money is in pounds to the penny (``1234.56``; numbers in the XLSX, formatted £), dates are ISO dates in the
CSV and Excel dates in the XLSX. Text that came from people (references, setting names, payment references)
is guarded against formula injection: in the CSV a text cell starting with ``= + - @``, a tab or a carriage
return gets a leading ``'``; in the XLSX every text cell is stored as text with Excel's quote prefix.
The same view gives the same bytes (the workbook's timestamps are the view's ``generated_at``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from cluster.clock import LONDON
from cluster.decisions import OUTCOME_TITLES, SCHEDULE_TITLES
from cluster.finance import FinanceView
from cluster.ledger import INSTALMENT_STATE_TITLES
from cluster.referrals import KIND_TITLES

CSV_CONTENT_TYPE = "text/csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "d mmm yyyy"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# What a spreadsheet would take as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | date | None
Table = tuple[str, tuple[str, ...], Sequence[tuple[Cell, ...]]]


CAPITAL_COLUMNS = (
    "Cluster",
    "Reference",
    "Setting",
    "Requested (£)",
    "Stage",
    "Approved by the Board (£)",
    "Released (£)",
)


def pounds(pence: int) -> Decimal:
    """Pence as an exact number of pounds: 98847 is 988.47."""
    return Decimal(pence) / 100


def finance_filename(view: FinanceView, extension: str) -> str:
    """Such as 'Finance Central cluster 2026-04-20.xlsx' or 'Finance Citywide 2026-04-20.csv'."""
    return f"Finance {view.scope} {view.generated_at.astimezone(LONDON).date().isoformat()}.{extension}"


def tables(view: FinanceView) -> list[Table]:
    """The export's tables: (title, headings, rows), in order, as both formats write them."""
    budgets = [
        (
            b.cluster,
            b.label,
            b.starts,
            b.ends,
            pounds(b.position.allocated),
            pounds(b.position.committed),
            pounds(b.position.paid),
            pounds(b.position.unpaid),
            pounds(b.position.available),
            pounds(b.position.reserve),
            pounds(b.position.reserve_used),
            pounds(b.position.reserve_left),
        )
        for b in view.budgets
    ]
    allocations = [
        (
            a.cluster,
            a.reference,
            a.setting,
            KIND_TITLES[a.kind],
            a.meeting_day,
            OUTCOME_TITLES[a.outcome],
            pounds(a.amount_pence),
            "Yes" if a.reserve_drawn else "No",
            SCHEDULE_TITLES[a.schedule] if a.schedule else "",
            a.review_date,
            a.budget,
            pounds(a.ledger.paid),
            pounds(a.ledger.due),
            pounds(a.ledger.cancelled),
            a.stage,
        )
        for a in view.allocations
    ]
    instalments = [
        (
            i.id,
            i.cluster,
            i.reference,
            i.setting,
            i.term,
            i.due_on,
            pounds(i.amount_pence),
            INSTALMENT_STATE_TITLES[i.state],
            i.paid_on,
            i.paid_reference or "",
        )
        for i in view.instalments
    ]
    terms = [
        (
            t.cluster,
            t.term,
            t.starts,
            t.count,
            pounds(t.ledger.due),
            pounds(t.ledger.paid),
            pounds(t.ledger.cancelled),
        )
        for t in view.terms
    ]
    capital = [
        (
            c.cluster,
            c.reference,
            c.setting,
            pounds(c.requested_pence),
            c.stage,
            "" if c.decided_pence is None else pounds(c.decided_pence),
            "" if c.released_pence is None else pounds(c.released_pence),
        )
        for c in view.capital
    ]
    return [
        (
            "Budgets",
            (
                "Cluster",
                "Budget",
                "From",
                "To",
                "Allocated (£)",
                "Committed (£)",
                "Paid (£)",
                "Committed, not yet paid (£)",
                "Available (£)",
                "Emergency reserve (£)",
                "Reserve used (£)",
                "Reserve left (£)",
            ),
            budgets,
        ),
        (
            "Allocations",
            (
                "Cluster",
                "Reference",
                "Setting",
                "Kind",
                "Meeting",
                "Outcome",
                "Approved (£)",
                "Reserve drawn",
                "Payment",
                "Review by",
                "Budget",
                "Paid (£)",
                "Due (£)",
                "Cancelled (£)",
                "Stage",
            ),
            allocations,
        ),
        (
            "Instalments",
            (
                "Instalment id",
                "Cluster",
                "Reference",
                "Setting",
                "Term",
                "Due on",
                "Amount (£)",
                "State",
                "Paid on",
                "Payment reference",
            ),
            instalments,
        ),
        (
            "Due per term",
            ("Cluster", "Term", "Term starts", "Instalments", "Due (£)", "Paid (£)", "Cancelled (£)"),
            terms,
        ),
        (
            "Capital applications",
            CAPITAL_COLUMNS,
            capital,
        ),
    ]


# CSV --------------------------------------------------------------------------------------------------------


def guard(value: str) -> str:
    """Text for a CSV cell that no spreadsheet runs as a formula: a leading ' before = + - @ tab or CR."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def finance_csv(view: FinanceView) -> bytes:
    """The export as one CSV (UTF-8 with a byte order mark, so Excel reads £ and accents): table after table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guard(f"Finance export: {view.scope}"), _generated(view)])
    for title, headings, rows in tables(view):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(headings)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _generated(view: FinanceView) -> str:
    moment = view.generated_at.astimezone(LONDON)
    return f"Generated {moment:%Y-%m-%d %H:%M} (London time)"


def read_csv_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    """The tables of a CSV this module wrote, by title, each row a dict by heading (for tests and checks)."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    found: dict[str, list[dict[str, str]]] = {}
    index = 1
    while index < len(lines):
        if not lines[index]:
            title, headings = lines[index + 1][0], lines[index + 2]
            index += 3
            rows = []
            while index < len(lines) and lines[index]:
                rows.append(dict(zip(headings, lines[index], strict=True)))
                index += 1
            found[title] = rows
        else:
            index += 1
    return found


# XLSX -------------------------------------------------------------------------------------------------------


def _put(cell: Any, value: Cell) -> None:
    """Write a value; text stays text (never a formula) with Excel's quote prefix, as reports.minutes does."""
    if isinstance(value, str):
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = cleaned or None
        if cleaned:
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value


def finance_xlsx(view: FinanceView) -> bytes:
    """The export as a workbook: a sheet per table, with a bold frozen header row and money in pounds."""
    workbook = Workbook()
    first = True
    for title, headings, rows in tables(view):
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = title
        _sheet(sheet, headings, rows)
    stamp = view.generated_at.astimezone(UTC).replace(tzinfo=None)  # openpyxl writes naive times as UTC
    properties = workbook.properties
    properties.title = f"Finance export: {view.scope}"
    properties.creator = properties.lastModifiedBy = "Cluster Funding bot"
    properties.created = properties.modified = stamp
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()  # not Workbook.save, which stamps the time now
    return _fixed_times(out.getvalue(), view.generated_at)


def _sheet(sheet: Any, headings: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    cell_at = sheet.cell
    for column, heading in enumerate(headings, start=1):
        cell = cell_at(row=1, column=column)
        _put(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = cell_at(row=number, column=column)
            _put(cell, value)
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
    for column, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, min(40, len(heading) + 4))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(1, len(rows) + 1)}"


def _fixed_times(data: bytes, moment: datetime) -> bytes:
    """The archive again with every member dated ``moment`` (zip files keep London wall-clock time)."""
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

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
from datetime import date
from decimal import Decimal

from cluster.clock import LONDON
from cluster.decisions import OUTCOME_TITLES, SCHEDULE_TITLES
from cluster.finance import FinanceView
from cluster.ledger import INSTALMENT_STATE_TITLES
from cluster.referrals import KIND_TITLES
from cluster.text import clean_text
from reports.workbook import XLSX_CONTENT_TYPE, Cell, Table, pounds, tables_xlsx

CSV_CONTENT_TYPE = "text/csv"
# What a spreadsheet would take as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

__all__ = [
    "XLSX_CONTENT_TYPE",
    "finance_csv",
    "finance_filename",
    "finance_xlsx",
    "guard",
    "pounds",
    "read_csv_tables",
    "tables",
]

CAPITAL_COLUMNS = (
    "Cluster",
    "Reference",
    "Setting",
    "Requested (£)",
    "Stage",
    "Approved by the Board (£)",
    "Released (£)",
)


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
        return guard(clean_text(value))
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


def finance_xlsx(view: FinanceView) -> bytes:
    """The export as a workbook: a sheet per table, with a bold frozen header row and money in pounds."""
    return tables_xlsx(tables(view), f"Finance export: {view.scope}", view.generated_at)

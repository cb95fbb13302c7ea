"""The Capital Fund report: every application with its scores, recommendation, decision, journey and impact.

An Excel workbook for council officers. Sheet 'Applications' has one row per application: the panel's
averages per criterion and overall (to one decimal place, as the cards show them), the recommendation, the
Board's decision, the journey's dates, the money released and the evaluation. Sheet 'Rounds' has each round's
dates and money. Money is in pounds as exact numbers formatted '£#,##0.00'; dates are Excel dates. Every
text cell is stored as text with Excel's quote prefix (as ``reports.minutes`` does), so what a person typed
("=1+1", "+44 ...") is never taken for a formula. The same report and ``generated_at`` give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from cluster.capital_fund import (
    CRITERION_TITLES,
    RECOMMENDATION_TITLES,
    STAGE_TITLES,
    ApplicationView,
    Criterion,
    RoundView,
    one_decimal,
)
from reports.workbook import DATE_FORMAT, MONEY_FORMAT, freeze_and_filter, header_row, put_cell, workbook_bytes

SCORE_FORMAT = "0.0"

APPLICATION_HEADINGS: tuple[str, ...] = (
    "Reference",
    "Cluster",
    "Setting",
    "Round",
    "Kind of works",
    "Asked (£)",
    "Stage",
    "Scored by",
    *(f"{title} (average)" for title in CRITERION_TITLES.values()),
    "Overall (average)",
    "Recommendation",
    "Recommendation reasons",
    "Board's decision",
    "Approved (£)",
    "Board's conditions",
    "Board's reasons",
    "Board decided on",
    "Started",
    "Completed",
    "Visited on",
    "Visited by",
    "Visit passed",
    "Invoices (£)",
    "Released (£)",
    "Released on",
    "Pupils with EHCPs able to use the space",
    "Pupils using it each week",
    "Change in attendance (points)",
    "What changed",
    "Evaluated on",
    "Late",
)
ROUND_HEADINGS: tuple[str, ...] = (
    "Round",
    "Applications open",
    "Applications close",
    "Panel by",
    "Decisions by",
    "Complete and visited by",
    "Evaluated by",
    "Total (£)",
    "Approved (£)",
    "Released (£)",
    "Left to approve (£)",
)
_WRAPPED = {"Recommendation reasons", "Board's conditions", "Board's reasons", "What changed", "Late"}


def capital_filename(made_on: date) -> str:
    """'Capital Fund report 2026-09-30.xlsx'."""
    return f"Capital Fund report {made_on.isoformat()}.xlsx"


def pounds(pence: int | None) -> Decimal | None:
    """Pence as an exact number of pounds (None stays empty)."""
    return None if pence is None else Decimal(pence) / 100


def _score(value: Any) -> Decimal | None:
    return None if value is None else Decimal(one_decimal(value))


def application_row(view: ApplicationView) -> tuple[object, ...]:
    """One application as the 'Applications' sheet holds it, in the order of ``APPLICATION_HEADINGS``."""
    progress, averages = view.progress, view.averages
    board, journey, evaluation = progress.board, progress.journey, progress.evaluation
    visit = journey.visit
    per = averages.per_criterion if averages is not None else {}
    return (
        view.reference,
        view.cluster,
        view.setting,
        view.round.label if view.round else f"{view.year_start}/{(view.year_start + 1) % 100:02d}",
        view.category,
        pounds(view.asked_pence),
        STAGE_TITLES[view.stage],
        view.scored_by,
        *(_score(per.get(c)) for c in Criterion),
        _score(averages.overall) if averages is not None else None,
        RECOMMENDATION_TITLES[progress.recommendation] if progress.recommendation else None,
        view.recommendation_reasons or None,
        None if board is None else ("Approved" if board.approved else "Declined"),
        pounds(board.amount_pence) if board is not None and board.approved else None,
        board.conditions if board is not None and board.conditions else None,
        board.reasons if board is not None and board.reasons else None,
        view.board_on,
        journey.started_on,
        journey.completed_on,
        visit.visited_on if visit else None,
        visit.visitor if visit else None,
        ("Yes" if visit.passed else "No") if visit else None,
        pounds(view.invoiced_pence) if view.invoices else None,
        pounds(journey.released_pence),
        view.released_on,
        evaluation.ehcp_pupils if evaluation else None,
        evaluation.pupils_weekly if evaluation else None,
        evaluation.attendance_change if evaluation and evaluation.attendance_change else None,
        evaluation.what_changed if evaluation else None,
        view.evaluated_on,
        "; ".join(view.late) or None,
    )


def _round_row(view: RoundView) -> tuple[object, ...]:
    round_ = view.round
    return (
        view.label,
        view.opens,
        view.closes,
        round_.panel_by if round_ else None,
        round_.decisions_by if round_ else None,
        round_.complete_by if round_ else None,
        round_.evaluate_by if round_ else None,
        pounds(round_.total_pence) if round_ else None,
        pounds(view.approved_pence),
        pounds(view.released_pence),
        pounds(view.left_pence),
    )


def _sheet(sheet: Any, title: str, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    sheet.title = title
    header_row(sheet, headings)
    for row_number, row in enumerate(rows, start=2):
        for column, (heading, value) in enumerate(zip(headings, row, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=column)
            put_cell(cell, value)
            if "(£)" in heading:
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            elif "(average)" in heading:
                cell.number_format = SCORE_FORMAT
            cell.alignment = Alignment(vertical="top", wrap_text=heading in _WRAPPED)
    for column, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = 40 if heading in _WRAPPED else 16
    freeze_and_filter(sheet, len(headings), len(rows))


def capital_xlsx(rounds: Sequence[RoundView], applications: Sequence[ApplicationView], generated_at: datetime) -> bytes:
    """The capital report as an Excel workbook; ``generated_at`` must be timezone-aware."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    workbook = Workbook()
    _sheet(workbook.active, "Applications", APPLICATION_HEADINGS, [application_row(v) for v in applications])
    _sheet(workbook.create_sheet("Rounds"), "Rounds", ROUND_HEADINGS, [_round_row(r) for r in rounds])
    return workbook_bytes(workbook, "Inclusive Environments Capital Fund report", generated_at)

"""The capital report (XLSX): one row per application with its averages, decision, journey and impact;
typed text stays text; the same report and time give the same bytes."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from cluster.clock import LONDON
from reports.capital import APPLICATION_HEADINGS, ROUND_HEADINGS, application_row, capital_filename, capital_xlsx
from tests.support.capital_gallery import EVALUATED, ROUNDS, SCORING

MADE = datetime(2026, 9, 30, 12, 0, tzinfo=LONDON)


def test_each_application_is_one_row_with_its_averages_decision_journey_and_impact() -> None:
    data = capital_xlsx(ROUNDS, [SCORING, EVALUATED], MADE)
    book = load_workbook(io.BytesIO(data))
    sheet = book["Applications"]
    assert [c.value for c in sheet[1]] == list(APPLICATION_HEADINGS)
    evaluated = dict(zip(APPLICATION_HEADINGS, [c.value for c in sheet[3]], strict=True))
    assert evaluated["Deliverability (average)"] == 4.5 and evaluated["Overall (average)"] == 3.8
    assert evaluated["Approved (£)"] == 12_000 and evaluated["Released (£)"] == 12_000
    assert evaluated["Invoices (£)"] == 12_480 and evaluated["Visit passed"] == "Yes"
    assert evaluated["Pupils with EHCPs able to use the space"] == 4
    scoring = dict(zip(APPLICATION_HEADINGS, [c.value for c in sheet[2]], strict=True))
    assert scoring["Overall (average)"] is None, "scores stay hidden until the panel closes"
    assert scoring["Stage"] == "With the Cluster Panel for scoring"
    rounds = book["Rounds"]
    assert [c.value for c in rounds[1]] == list(ROUND_HEADINGS)
    assert rounds["H2"].value == 500_000 and rounds["K2"].value == 472_500


def test_typed_text_stays_text_and_money_is_exact() -> None:
    sly = replace(EVALUATED, works='=HYPERLINK("https://evil.example")', setting="+44 Academy")
    row = application_row(sly)
    assert row[APPLICATION_HEADINGS.index("Approved (£)")] == Decimal("12000")
    sheet = load_workbook(io.BytesIO(capital_xlsx(ROUNDS, [sly], MADE)))["Applications"]
    setting = sheet.cell(row=2, column=APPLICATION_HEADINGS.index("Setting") + 1)
    assert setting.value == "+44 Academy" and setting.data_type == "s" and setting.quotePrefix


def test_the_same_report_gives_the_same_bytes_and_a_dated_name() -> None:
    assert capital_xlsx(ROUNDS, [EVALUATED], MADE) == capital_xlsx(ROUNDS, [EVALUATED], MADE)
    assert capital_filename(MADE.date()) == "Capital Fund report 2026-09-30.xlsx"

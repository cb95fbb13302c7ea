"""The ledger's documents: the finance exports (CSV and XLSX, formula-guarded) and the decision letter."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import docx
import openpyxl

from cluster.agenda import DecisionView
from cluster.budget import Position
from cluster.clock import LONDON
from cluster.decisions import Outcome, Schedule
from cluster.finance import AllocationLine, BudgetLine, CapitalStage, FinanceView, by_term
from cluster.ledger import InstalmentState, InstalmentView, Payment, Totals
from cluster.letters import LetterView
from cluster.meetings import MeetingSlot, default_deadline
from cluster.referrals import Kind
from cluster.terms import Term, TermName
from reports.decision_letter import decision_letter_docx
from reports.finance import finance_csv, finance_xlsx, guard, read_csv_tables

NOW = datetime(2026, 2, 2, 9, 30, tzinfo=LONDON)
HOSTILE = '=HYPERLINK("https://evil.example","Click")'
TERMS = (
    Term(date(2026, 1, 5), date(2026, 3, 27), TermName.SPRING, 2025),
    Term(date(2026, 4, 13), date(2026, 7, 21), TermName.SUMMER, 2025),
)
INSTALMENTS = (
    InstalmentView(1, 10, "Central", "CEN-2526-001", HOSTILE, date(2026, 1, 5), 329_49, InstalmentState.PAID,
                   "Spring term 2026", date(2026, 1, 6), "BACS-0001"),
    InstalmentView(2, 10, "Central", "CEN-2526-001", HOSTILE, date(2026, 4, 13), 329_49, InstalmentState.CANCELLED,
                   "Summer term 2026"),
    InstalmentView(3, 11, "Central", "CEN-2526-002", "@Grove Academy", date(2026, 1, 1), 1_950_00,
                   InstalmentState.DUE),
)  # fmt: skip
VIEW = FinanceView(
    scope="Central cluster",
    generated_at=NOW,
    budgets=(
        BudgetLine("Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31),
                   Position(3_000_00, 1_000_00, 2_279_49, paid=329_49)),
    ),
    allocations=(
        AllocationLine(10, "Central", "CEN-2526-001", HOSTILE, Kind.INDIVIDUAL, date(2025, 12, 11), date(2025, 12, 11),
                       Outcome.APPROVED, 658_98, False, Schedule.TERMLY, date(2026, 12, 11), "2025/26",
                       Totals(due=0, paid=329_49, cancelled=329_49)),
    ),
    instalments=INSTALMENTS,
    terms=by_term(INSTALMENTS, TERMS),
    capital=(CapitalStage("Central", "CEN-2526-009", "+Sensory room school", 12_500_00, "On the agenda"),),
)  # fmt: skip


def test_a_csv_text_cell_that_a_spreadsheet_would_run_gets_a_leading_apostrophe() -> None:
    for start in ("=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert guard(start) == "'" + start
    assert guard("Grove Academy") == "Grove Academy"
    tables = read_csv_tables(finance_csv(VIEW))
    assert tables["Allocations"][0]["Setting"] == "'" + HOSTILE
    assert tables["Instalments"][2]["Setting"] == "'@Grove Academy"
    assert tables["Capital applications"][0]["Setting"] == "'+Sensory room school"
    assert tables["Instalments"][0]["Amount (£)"] == "329.49", "numbers are numbers, not guarded text"


def test_every_xlsx_text_cell_is_stored_as_text_with_the_quote_prefix() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(finance_xlsx(VIEW)))
    cell = workbook["Allocations"]["C2"]
    assert cell.value == HOSTILE and cell.data_type == "s" and cell.quotePrefix
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s" and c.quotePrefix, (sheet.title, c.coordinate)
    amount = workbook["Instalments"]["G2"]
    assert amount.value == 329.49 and amount.number_format == '"£"#,##0.00'


def test_the_tables_hold_the_ledger_and_the_budget_figures() -> None:
    tables = read_csv_tables(finance_csv(VIEW))
    [budget] = tables["Budgets"]
    assert (budget["Committed (£)"], budget["Paid (£)"], budget["Available (£)"]) == ("2279.49", "329.49", "0.00")
    assert (budget["Reserve used (£)"], budget["Reserve left (£)"]) == ("279.49", "720.51")
    assert tables["Allocations"][0]["Stage"] == "Stopped at review"
    by = {t["Term"]: t for t in tables["Due per term"]}
    assert by["Spring term 2026"]["Paid (£)"] == "329.49" and by["Spring term 2026"]["Due (£)"] == "1950.00", (
        "1 January falls in the holiday: it counts in the spring term that follows"
    )
    assert by["Summer term 2026"]["Cancelled (£)"] == "329.49"


def test_the_same_export_gives_the_same_bytes() -> None:
    assert finance_xlsx(VIEW) == finance_xlsx(VIEW)
    assert finance_csv(VIEW) == finance_csv(VIEW)


SLOT = MeetingSlot(
    2, date(2025, 12, 11), time(9, 30), time(13, 0), default_deadline(date(2025, 12, 11)), title="Autumn 2"
)
NEXT = MeetingSlot(3, date(2026, 2, 5), time(9, 30), time(13, 0), default_deadline(date(2026, 2, 5)), title="Spring 1")


def letter(
    decision: DecisionView, payments: tuple[Payment, ...] = (), deferred_to: MeetingSlot | None = None
) -> LetterView:
    return LetterView(
        decision_id=31,
        reference="CEN-2526-014",
        kind=Kind.INDIVIDUAL,
        title="",
        setting="Etruscan Primary School",
        cluster="Central",
        pupil_label="JS Year 4",
        requested_pence=1_200_00,
        meeting=SLOT,
        decision=decision,
        payments=payments,
        decided_at=datetime(2025, 12, 11, 11, 5, tzinfo=LONDON),
        deferred_to=deferred_to,
    )


def words(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    footer = [p.text for p in document.sections[0].footer.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells + footer)


def test_an_approval_letter_gives_the_amount_each_instalment_the_conditions_and_the_review() -> None:
    approved = DecisionView(
        Outcome.APPROVED_REDUCED, 900_00, conditions="Share the APDR review at Summer 1.", feedback="Well evidenced.",
        review_date=date(2026, 12, 11), schedule=Schedule.TERMLY,
    )  # fmt: skip
    payments = (
        Payment(date(2026, 1, 5), 300_00, "Spring term 2026"),
        Payment(date(2026, 4, 13), 300_00, "Summer term 2026"),
        Payment(date(2026, 9, 3), 300_00, "Autumn term 2026"),
    )
    text = words(decision_letter_docx(letter(approved, payments)))
    assert "The meeting approved £900.00 of the £1,200.00 requested, with the conditions below." in text
    assert "5 January 2026\nSpring term 2026\n£300.00" in text and "Total\n\n£900.00" in text
    assert "Share the APDR review at Summer 1." in text and "Well evidenced." in text
    assert "by 11 December 2026" in text
    assert "Thursday 11 December 2025" in text and "JS Year 4" in text


def test_a_deferral_letter_says_what_the_next_meeting_needs_and_when_it_is() -> None:
    deferred = DecisionView(Outcome.DEFERRED, 0, information_needed="The educational psychologist's report.")
    text = words(decision_letter_docx(letter(deferred, deferred_to=NEXT)))
    assert "The educational psychologist's report." in text
    assert "Thursday 5 February 2026 at 09:30" in text
    assert "When it is paid" not in text and "Review" not in text.split("Reference")[0]


def test_a_declined_letter_gives_the_feedback() -> None:
    declined = DecisionView(Outcome.DECLINED, 0, feedback="Ordinarily available provision.")
    text = words(decision_letter_docx(letter(declined)))
    assert "The meeting declined the referral" in text and "Ordinarily available provision." in text


def test_the_same_decision_gives_the_same_letter_and_its_metadata_names_no_pupil() -> None:
    declined = DecisionView(Outcome.DECLINED, 0, feedback="Ordinarily available provision.")
    first = decision_letter_docx(letter(declined))
    assert first == decision_letter_docx(letter(declined))
    properties = docx.Document(io.BytesIO(first)).core_properties
    assert properties.title == "Decision letter CEN-2526-014"
    assert "JS" not in f"{properties.title}{properties.subject}{properties.author}{properties.keywords}"

"""The revenue ledger's rules: instalments add up by state, what may be marked paid, and the finance CSV."""

from __future__ import annotations

from datetime import date

import pytest

from cluster.errors import Refusal
from cluster.ledger import InstalmentState, PaymentLine, check_paid, check_reference, parse_payment_rows, totals

DECIDED, TODAY = date(2025, 12, 11), date(2026, 2, 2)
DUE, PAID, CANCELLED = InstalmentState.DUE, InstalmentState.PAID, InstalmentState.CANCELLED


def test_instalments_add_up_by_state_and_what_is_committed_leaves_out_the_cancelled() -> None:
    added = totals([(PAID, 142_50), (DUE, 142_50), ("cancelled", 142_50), (DUE, 1)])
    assert (added.paid, added.due, added.cancelled) == (142_50, 142_51, 142_50)
    assert added.committed == 285_01 and added.amount == 427_51


def test_a_due_instalment_may_be_marked_paid_on_a_day_between_the_decision_and_today() -> None:
    assert check_paid(DUE, 142_50, DECIDED, date(2026, 1, 5), TODAY) is True
    assert check_paid(DUE, 142_50, DECIDED, DECIDED, TODAY) is True


def test_a_payment_cannot_be_dated_in_the_future_or_before_the_decision() -> None:
    with pytest.raises(Refusal, match="cannot be in the future"):
        check_paid(DUE, 142_50, DECIDED, date(2026, 2, 3), TODAY)
    with pytest.raises(Refusal, match=r"before the decision \(11 December 2025\)"):
        check_paid(DUE, 142_50, DECIDED, date(2025, 12, 10), TODAY)


def test_the_same_payment_twice_changes_nothing_but_a_different_one_is_refused() -> None:
    before = (date(2026, 1, 5), "BACS-0042")
    assert check_paid(PAID, 142_50, DECIDED, date(2026, 1, 5), TODAY, before, "BACS-0042") is False
    with pytest.raises(Refusal, match=r"already marked paid on 5 January 2026 \(payment reference BACS-0042\)"):
        check_paid(PAID, 142_50, DECIDED, date(2026, 1, 6), TODAY, before, "BACS-0042")


def test_a_cancelled_instalment_cannot_be_paid() -> None:
    with pytest.raises(Refusal, match=r"£142\.50 was cancelled when the funding stopped"):
        check_paid(CANCELLED, 142_50, DECIDED, date(2026, 1, 5), TODAY)


@pytest.mark.parametrize("typed", ["", "   ", "=HYPERLINK(1)", "+44", "@SUM", "-1", "x" * 65, "<b>ref</b>"])
def test_a_payment_reference_is_what_a_finance_system_makes(typed: str) -> None:
    with pytest.raises(Refusal):
        check_reference(typed)


def test_a_payment_reference_is_kept_as_typed_without_surrounding_spaces() -> None:
    assert check_reference("  BACS 2026/01-0042  ") == "BACS 2026/01-0042"


HEADER = ["Instalment ID", "Reference", "Due date", "Amount", "Paid date", "Payment reference"]


BLANK = dict.fromkeys(HEADER, "")


def test_payment_lines_name_an_instalment_by_id_or_by_reference_and_due_date() -> None:
    lines, problems = parse_payment_rows(
        HEADER,
        [
            {**BLANK, "Instalment ID": "7", "Amount": "£142.50", "Paid date": "05/01/2026", "Payment reference": "B1"},
            {
                **BLANK,
                "Reference": "CEN-2526-001",
                "Due date": "2026-04-13",
                "Amount": "1,142.5",
                "Paid date": "2026-04-14",
                "Payment reference": "B2",
            },
            BLANK,  # the blank line a spreadsheet leaves at the end
        ],
    )
    assert problems == []
    assert lines == [
        PaymentLine(2, 7, "", None, 142_50, date(2026, 1, 5), "B1"),
        PaymentLine(3, None, "CEN-2526-001", date(2026, 4, 13), 1_142_50, date(2026, 4, 14), "B2"),
    ]


def test_each_bad_payment_line_is_named_by_its_line_number_in_the_spreadsheet() -> None:
    _, problems = parse_payment_rows(
        HEADER,
        [
            {**BLANK, "Instalment ID": "seven", "Amount": "lots", "Paid date": "yesterday", "Payment reference": ""},
            {**BLANK, "Reference": "CEN-2526-001", "Amount": "1", "Paid date": "2026-01-05", "Payment reference": "X"},
        ],
    )
    assert problems == [
        "line 2: the instalment id must be a whole number; “lots” is not an amount: type pounds and pence in figures, "
        "as in 1,250.00; "
        "the paid date must be YYYY-MM-DD or DD/MM/YYYY; give the finance system's payment reference",
        "line 3: give the instalment id, or the reference and the due date",
    ]


def test_a_file_without_the_columns_needed_is_refused_whole() -> None:
    lines, problems = parse_payment_rows(["Reference", "Amount"], [{"Reference": "CEN-2526-001", "Amount": "1"}])
    assert lines == []
    assert problems == [
        "the file needs an instalment id column, or a reference and a due date column",
        "the file needs a column for paid on",
        "the file needs a column for payment reference",
    ]

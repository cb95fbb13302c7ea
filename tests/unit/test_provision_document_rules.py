"""The Costed Provision Document's rules: headings, each row's checks, financial years, search words, XLSX reader."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from cluster.provision_document import (
    DocumentRow,
    financial_year_of,
    header_problems,
    looks_like_document,
    parse_financial_year,
    read_document,
    search_words,
    year_in_name,
)
from usecases.csv_files import FileProblems
from usecases.provision_documents import EXAMPLE, DocumentRefused, read_file
from usecases.sheet_files import cell_text, read_sheet

HEADER = ["Area of need", "Provision", "Delivered by", "Unit", "Unit cost", "Group size", "Notes"]


def lines(*rows: tuple[str, ...], header: list[str] = HEADER) -> list[tuple[int, dict[str, str]]]:
    return [(n, dict(zip(header, row, strict=False))) for n, row in enumerate(rows, start=2)]


def test_a_financial_year_runs_from_april_to_march() -> None:
    assert financial_year_of(date(2026, 3, 31)) == "2025-26"
    assert financial_year_of(date(2026, 4, 1)) == "2026-27"
    assert financial_year_of(date(2099, 12, 31)) == "2099-00"
    assert financial_year_of(date(2099, 12, 1)) == "2099-00"


def test_a_search_looks_for_each_word_typed_ignoring_case_and_spaces() -> None:
    assert search_words("  Speech   LANGUAGE ") == ["speech", "language"]
    assert search_words("") == []
    assert len(search_words("a b c d e f g h")) == 6


def test_a_financial_year_is_typed_as_2026_27_or_2026_slash_27_and_nothing_else() -> None:
    assert parse_financial_year(" 2026/27 ") == "2026-27"
    for wrong in ("2026-28", "2026", "26-27", "2026-27-28", ""):
        with pytest.raises(ValueError, match="write it as 2026-27"):
            parse_financial_year(wrong)


def test_a_file_s_name_gives_its_year_only_when_the_two_years_follow_each_other() -> None:
    assert year_in_name("Costed Provision 2027-28 final.xlsx") == "2027-28"
    assert year_in_name("prices_2026_27.csv") is None
    assert year_in_name("prices 2026-2027.csv") is None
    assert year_in_name("prices.csv") is None


def test_headings_are_read_whatever_their_case_and_punctuation() -> None:
    assert (
        header_problems(["AREA OF NEED", "Provision name", "Who delivers it?", "Hourly rate (£)", "Group-size"]) == []
    )


def test_a_heading_line_without_the_needed_columns_names_them_all() -> None:
    [problem] = header_problems(["Provision", "Cost"])
    assert problem.startswith("line 1: no column for area of need, delivered by, unit (the headings are:")
    assert header_problems([*HEADER, "Hourly rate"]) == ["line 1: give the unit cost or the hourly rate, not both"]


def test_only_a_file_with_a_provision_and_a_cost_column_looks_like_a_document() -> None:
    assert looks_like_document(HEADER)
    assert not looks_like_document(["Name", "Date of birth", "Year group"])
    assert not looks_like_document(["Provision", "Notes"])


def test_a_good_row_is_read_with_its_area_unit_and_pence() -> None:
    rows, problems = read_document(
        HEADER,
        lines(
            (
                "Communication and interaction",
                " Speech  and language group ",
                "SALT assistant",
                "Hours",
                "£1,024.5",
                "4",
                "",
            ),
            ("semh", "Play therapy", "Play therapist", "per session", "55", "", "Weekly"),
        ),
    )
    assert problems == []
    assert rows == [
        DocumentRow(
            line=2,
            area_of_need="CI",
            provision="Speech and language group",
            delivered_by="SALT assistant",
            unit="hour",
            unit_cost_pence=102450,
            group_size=4,
            notes="",
        ),
        DocumentRow(
            line=3,
            area_of_need="SEMH",
            provision="Play therapy",
            delivered_by="Play therapist",
            unit="session",
            unit_cost_pence=5500,
            group_size=None,
            notes="Weekly",
        ),
    ]


def test_every_reason_a_row_is_refused_is_named_on_its_line() -> None:
    _, problems = read_document(HEADER, lines(("XX", "", "TA", "fortnight", "4,2500.25", "0", "")))
    [problem] = problems
    assert problem.startswith("line 2: ")
    for reason in ("the area of need “XX” is not one of CI, CL, SEMH, SP", "no provision", "“fortnight” is not one of"):
        assert reason in problem
    assert "“4,2500.25” is not an amount" in problem and "group size “0” is not a whole number from 1 to 100" in problem


def test_a_free_provision_and_a_missing_cost_are_refused() -> None:
    _, problems = read_document(
        HEADER, lines(("CI", "Group", "TA", "hour", "0", "", ""), ("CI", "Pairs", "TA", "hour", "", "", ""))
    )
    assert problems == [
        "line 2: the cost is £0.00: a provision the council pays for has a price",
        "line 3: no cost",
    ]


def test_an_hourly_rate_document_prices_by_the_hour_and_refuses_another_unit() -> None:
    header = ["Area of need", "Provision", "Delivered by", "Unit", "Hourly rate"]
    rows, problems = read_document(
        header, lines(("CI", "Group", "TA", "", "18.50"), ("CL", "Pairs", "TA", "session", "20"), header=header)
    )
    assert [r.unit for r in rows] == ["hour"]
    assert problems == ["line 3: the file gives hourly rates, so the unit must be hour, not session"]


def test_the_same_provision_twice_is_refused_on_its_second_line_and_blank_lines_are_skipped() -> None:
    rows, problems = read_document(
        HEADER,
        lines(
            ("CI", "Group", "TA", "hour", "18", "", ""),
            ("", "", "", "", "", "", ""),
            ("CI", "group", "ta", "hours", "19", "", ""),
        ),
    )
    assert len(rows) == 1 and problems == ["line 4: the same provision, deliverer and unit as line 2"]


def test_headings_with_no_rows_are_not_a_document() -> None:
    assert read_document(HEADER, []) == ([], ["the file has headings but no provisions"])


def test_the_shipped_example_is_a_valid_document_and_says_it_is_made_up() -> None:
    rows = read_file(EXAMPLE.name, EXAMPLE.read_bytes())
    assert len(rows) == 30 and "made_up" in EXAMPLE.name
    assert rows[0].notes.startswith("MADE-UP EXAMPLE")


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_by_name() -> None:
    with pytest.raises(DocumentRefused, match=r"prices\.pdf is not a CSV or XLSX file"):
        read_file("prices.pdf", b"%PDF")


def test_spreadsheet_numbers_read_as_a_person_typed_them() -> None:
    assert [cell_text(v) for v in (4.0, 32.1, 18.5, 70, None, True, date(2026, 4, 1))] == [
        "4",
        "32.1",
        "18.5",
        "70",
        "",
        "TRUE",
        "2026-04-01",
    ]


def test_a_workbook_s_first_sheet_is_read_with_row_numbers() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Provision", "Unit cost"])
    sheet.append(["Group", 18.5])
    out = io.BytesIO()
    book.save(out)
    assert read_sheet(out.getvalue()) == (
        ["Provision", "Unit cost"],
        [(2, {"Provision": "Group", "Unit cost": "18.5"})],
    )


def test_a_file_that_is_not_a_workbook_or_unpacks_too_far_is_refused() -> None:
    with pytest.raises(FileProblems, match="not an Excel workbook"):
        read_sheet(b"PK\x03\x04 not really a zip")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (41 * 1024 * 1024))
    with pytest.raises(FileProblems, match="unpacks to more than any real price list"):
        read_sheet(bomb.getvalue())

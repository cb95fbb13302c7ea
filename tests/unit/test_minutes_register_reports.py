"""The Markdown and spreadsheet minutes show the register (issue 20) and mark provisions not in the council's
document (issue 21), as the minutes card does."""

from __future__ import annotations

from dataclasses import replace

from cluster.agenda import CustomRow
from cluster.attendance import Standing
from cluster.provision_map import NOT_IN_DOCUMENT
from cluster.register import QuorumRecord, Register, SettingLine
from reports.minutes import MINUTES_HEADINGS, minutes_markdown, minutes_xlsx
from tests.unit.test_minutes_reports import APPROVED, DECLINED, GENERATED_AT, minutes, open_workbook

REGISTER = Register(
    settings=(
        SettingLine(1, "Etruscan Primary School", Standing.PRESENT, ("Sam Senco (SENCO)",)),
        SettingLine(2, "Waterside Primary School", Standing.APOLOGIES, substitute="Sue Stand-in (confirmed)"),
        SettingLine(3, "Birches Head Academy", Standing.ABSENT),
    ),
    others=("Adele Vance (Chair)",),
)
KEPT = QuorumRecord(
    present=("Etruscan Primary School", "Abbey Hulton Primary School"),
    recused=(("Etruscan Primary School", "its own referral"),),
    line="2 settings present, 1 recused: 1 may vote, 1 needed",
)
CUSTOM = (CustomRow("Equine therapy", "No provider of riding for the disabled is priced"),)
WITH_EVERYTHING = replace(
    APPROVED, entry=replace(APPROVED.entry, custom_rows=CUSTOM), quorum_record=KEPT
)  # the item's register at its vote, and a provision typed by hand


def test_the_markdown_marks_a_provision_not_in_the_council_s_document() -> None:
    text = minutes_markdown(minutes(WITH_EVERYTHING, DECLINED), GENERATED_AT)
    assert f"| **{NOT_IN_DOCUMENT}** | Equine therapy (why: No provider of riding for the disabled is priced) |" in text
    assert text.count(NOT_IN_DOCUMENT) == 1, "only the item with a typed provision is marked"


def test_the_spreadsheet_has_the_register_as_the_markdown_shows_it() -> None:
    view = replace(minutes(WITH_EVERYTHING, DECLINED), register=REGISTER)
    markdown = minutes_markdown(view, GENERATED_AT)
    sheet = open_workbook(minutes_xlsx(view, GENERATED_AT))["Attendance"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0] == ("Attendance", "Who")
    assert dict(rows[1:]) == {
        "Settings present": "Etruscan Primary School: Sam Senco (SENCO)",
        "Apologies": "Waterside Primary School",
        "Absent": "Birches Head Academy",
        "Substitutes": "Waterside Primary School: Sue Stand-in (confirmed)",
        "Also present": "Adele Vance (Chair)",
    }
    for label, who in rows[1:]:
        assert f"| **{label}** | {who} |" in markdown, label


def test_a_meeting_without_a_register_has_no_attendance_sheet() -> None:
    workbook = open_workbook(minutes_xlsx(minutes(APPROVED), GENERATED_AT))
    assert workbook.sheetnames == ["Minutes", "Summary"]


def test_each_spreadsheet_row_has_its_vote_s_register_and_provisions_not_in_the_document() -> None:
    sheet = open_workbook(minutes_xlsx(minutes(WITH_EVERYTHING, DECLINED), GENERATED_AT))["Minutes"]
    kept, old = (dict(zip(MINUTES_HEADINGS, row, strict=True)) for row in sheet.iter_rows(2, values_only=True))
    assert kept["Present for the vote"] == "Etruscan Primary School, Abbey Hulton Primary School"
    assert kept["Recused"] == "Etruscan Primary School (its own referral)"
    assert kept["Quorum at the vote"] == "2 settings present, 1 recused: 1 may vote, 1 needed"
    assert kept[NOT_IN_DOCUMENT] == "Equine therapy (why: No provider of riding for the disabled is priced)"
    # An item whose vote kept no register (closed before issue 20), with no typed provision: nothing claimed.
    assert (old["Present for the vote"], old["Recused"], old["Quorum at the vote"], old[NOT_IN_DOCUMENT]) == (
        None,
        None,
        None,
        None,
    )

"""The minutes as Markdown and as a spreadsheet: read back as a person, or openpyxl, would."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

import openpyxl
import pytest

from cluster.agenda import AgendaEntry, DecisionView, ItemState, MinutesEntry, MinutesView
from cluster.budget import Position
from cluster.decisions import Outcome, Schedule
from cluster.impact import Rating
from cluster.markdown import plain
from cluster.meetings import MeetingSlot, default_deadline
from cluster.referrals import Kind
from cluster.voting import Result, Tally
from reports.minutes import MINUTES_HEADINGS, minutes_filename, minutes_markdown, minutes_xlsx
from tests.support.typed_text import EVIL, EVIL_LINK, EVIL_MENTION, unescape

GENERATED_AT = datetime(2025, 12, 11, 14, 5, tzinfo=UTC)  # 14:05 GMT
MEETING = MeetingSlot(
    id=3,
    day=date(2025, 12, 11),
    start=time(9, 30),
    end=time(13, 0),
    deadline=default_deadline(date(2025, 12, 11)),
    title="Autumn",
)


def votes(approve: int, decline: int, abstain: int, needed: int = 3) -> Tally:
    return Tally(approve, decline, abstain, frozenset(range(approve + decline + abstain)), needed)


def entry(
    item_id: int,
    reference: str,
    kind: Kind,
    setting: str,
    requested_pence: int,
    decision: DecisionView | None,
    pupil_label: str = "",
    title: str = "",
) -> AgendaEntry:
    return AgendaEntry(
        item_id=item_id,
        referral_id=100 + item_id,
        reference=reference,
        kind=kind,
        setting=setting,
        requested_pence=requested_pence,
        pupil_label=pupil_label,
        state=ItemState.DECIDED if decision else ItemState.PENDING,
        title=title,
        decision=decision,
    )


APPROVED = MinutesEntry(
    entry=entry(
        1,
        "CEN-2526-014",
        Kind.INDIVIDUAL,
        "Etruscan Primary School",
        988_47,
        DecisionView(
            outcome=Outcome.APPROVED,
            amount_pence=988_47,
            review_date=date(2026, 7, 16),
            schedule=Schedule.TERMLY,
        ),
        pupil_label="JS Year 4",
    ),
    tally=votes(2, 2, 1),
    result=Result.APPROVED,  # on the chair's casting vote
    interests=("Adele Vance", "Megan Bowen"),
)
DECLINED = MinutesEntry(
    entry=entry(
        2,
        "CEN-2526-015",
        Kind.CAPITAL,
        "Hanley | Shelton Academy",
        5_000_00,
        DecisionView(
            outcome=Outcome.DECLINED,
            amount_pence=0,
            feedback="The ramp is the landlord's duty.\nAsk the trust | the council first.",
        ),
    ),
    tally=votes(1, 3, 0),
    result=Result.DECLINED,
    interests=(),
)
DEFERRED = MinutesEntry(
    entry=entry(
        3,
        "CEN-2526-016",
        Kind.PROJECT,
        "Burslem Nursery",
        1_250_00,
        DecisionView(
            outcome=Outcome.DEFERRED,
            amount_pence=0,
            information_needed="Quotes from two providers",
        ),
        title="Nurture group",
    ),
    tally=votes(1, 0, 1, needed=4),
    result=Result.NOT_QUORATE,
    interests=(),
)
ADVICE = MinutesEntry(
    entry=entry(
        4,
        "CEN-2526-017",
        Kind.DISCUSSION,
        "Tunstall High School",
        0,
        DecisionView(outcome=Outcome.ADVICE_ONLY, amount_pence=0, feedback="Try the outreach service."),
        pupil_label="KL Year 9",
    ),
    tally=None,
    result=None,
    interests=(),
)
REDUCED = MinutesEntry(
    entry=entry(
        5,
        "CEN-2526-018",
        Kind.EHCP,
        "Longton Primary",
        2_000_00,
        DecisionView(
            outcome=Outcome.APPROVED_REDUCED,
            amount_pence=1_500_05,
            conditions="=SUM(A1:A9) is what they asked",
            review_date=date(2026, 12, 11),
            schedule=Schedule.ONE_SUM,
            reserve_drawn=True,
        ),
    ),
    tally=votes(4, 0, 0),
    result=Result.APPROVED,
    interests=(),
)
UNDECIDED = MinutesEntry(
    entry=entry(6, "CEN-2526-019", Kind.INDIVIDUAL, "Fenton Infants", 300_00, None, pupil_label="AB Year 1"),
    tally=None,
    result=None,
    interests=(),
)


def minutes(*entries: MinutesEntry, position: Position | None = None) -> MinutesView:
    return MinutesView(
        meeting=MEETING,
        cluster="Central",
        entries=entries,
        ended_at=datetime(2025, 12, 11, 12, 47, tzinfo=UTC),
        position=position,
    )


EVERYTHING = minutes(
    APPROVED,
    DECLINED,
    DEFERRED,
    ADVICE,
    REDUCED,
    UNDECIDED,
    position=Position(total=50_000_00, reserve=5_000_00, committed=47_488_52),
)


def open_workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


# Markdown ---------------------------------------------------------------------------------------------------


def test_the_markdown_has_a_title_the_meeting_times_in_london_and_a_generated_footer() -> None:
    text = minutes_markdown(EVERYTHING, GENERATED_AT)
    assert text.startswith("# Minutes: Central cluster, Thursday 11 December 2025\n")
    assert "09:30–13:00" in text
    assert "Ended: 12:47 (London time)" in text
    assert text.rstrip().endswith("Generated on 11 December 2025 at 14:05 (London time).")


def test_the_markdown_shows_generated_and_ended_times_in_british_summer_time() -> None:
    summer = MinutesView(
        meeting=MeetingSlot(7, date(2026, 6, 4), time(9, 30), time(12, 0), default_deadline(date(2026, 6, 4))),
        cluster="North",
        entries=(),
        ended_at=datetime(2026, 6, 4, 10, 45, tzinfo=UTC),
        position=None,
    )
    text = minutes_markdown(summer, datetime(2026, 6, 4, 11, 0, tzinfo=UTC))
    assert "Ended: 11:45 (London time)" in text
    assert "Generated on 4 June 2026 at 12:00 (London time)." in text
    assert "Nothing was on the agenda." in text
    assert "No budget set" in text


def test_the_markdown_has_every_reference_outcome_and_amount() -> None:
    text = minutes_markdown(EVERYTHING, GENERATED_AT)
    for reference in ("CEN-2526-014", "CEN-2526-015", "CEN-2526-016", "CEN-2526-017", "CEN-2526-018", "CEN-2526-019"):
        assert f"## {reference}: " in text
    for outcome in (
        "Approved",
        "Declined",
        "Deferred for more information",
        "Advice only",
        "Approved for a smaller amount or with conditions",
        "Not decided",
    ):
        assert f"| {outcome} |" in text
    assert "| **Amount requested** | £988.47 |" in text
    assert "| **Amount approved** | £988.47 |" in text
    assert "| **Amount approved** | £1,500.05 |" in text
    assert "| **Amount requested** | No money asked |" in text
    assert "| **Emergency reserve** | Drawn on |" in text


def test_the_markdown_has_the_votes_quorum_result_casting_vote_and_interests() -> None:
    text = minutes_markdown(EVERYTHING, GENERATED_AT)
    approved = text.split("## CEN-2526-014")[1].split("## CEN-2526-015")[0]
    assert "| **Votes** | Approve 2, decline 2, abstain 1 |" in approved
    assert "| **Quorum** | 5 voted, 3 needed |" in approved
    assert "| **Result** | Approved, on the chair's casting vote |" in approved
    assert "| **Chair's casting vote** | Approve |" in approved
    assert "| **Interests declared** | Adele Vance, Megan Bowen |" in approved
    deferred = text.split("## CEN-2526-016")[1].split("## CEN-2526-017")[0]
    assert "| **Quorum** | 2 voted, 4 needed: not met |" in deferred
    assert "| **Result** | Not quorate |" in deferred
    assert "casting" not in deferred
    assert "| **Interests declared** | None |" in deferred
    advice = text.split("## CEN-2526-017")[1].split("## CEN-2526-018")[0]
    assert "| **Votes** | Not voted on |" in advice


def test_the_markdown_has_review_dates_schedules_and_what_was_said() -> None:
    text = minutes_markdown(EVERYTHING, GENERATED_AT)
    assert "| **Review date** | 16 July 2026 |" in text
    assert "| **Payment** | Termly instalments |" in text
    assert "| **Review date** | 11 December 2026 |" in text
    assert "| **Payment** | One sum |" in text
    assert "| **Information needed** | Quotes from two providers |" in text
    assert "| **Feedback** | Try the outreach service. |" in text
    assert "| **Title** | Nurture group |" in text


def test_the_markdown_totals_the_money_committed_and_the_budget_position_after() -> None:
    text = minutes_markdown(EVERYTHING, GENERATED_AT)
    totals = text.split("## Totals")[1]
    assert "| **Committed at this meeting** | £2,488.52 |" in totals  # 988.47 + 1,500.05
    assert "| **Available after the meeting** | £0.00 |" in totals, "never negative: the reserve was drawn on"
    assert "| **Emergency reserve used** | £2,488.52 |" in totals
    assert "| **Emergency reserve left** | £2,511.48 |" in totals


def test_pipes_and_line_breaks_in_text_do_not_break_the_tables() -> None:
    text = minutes_markdown(EVERYTHING, GENERATED_AT)
    assert "| **Setting** | Hanley \\| Shelton Academy |" in text
    assert "| **Feedback** | The ramp is the landlord's duty.<br>Ask the trust \\| the council first. |" in text
    for line in text.splitlines():
        if line.startswith("|"):
            unescaped = line.replace("\\\\", "").replace("\\|", "")
            assert unescaped.count("|") in (3, 7), line  # two columns, or the six of the decisions table


def test_a_pupil_appears_only_by_the_label() -> None:
    text = minutes_markdown(minutes(APPROVED), GENERATED_AT)
    assert "| **Pupil** | JS Year 4 |" in text
    assert text.count("JS") == 1
    for detail in ("pupil_ref", "initials", "year_group", "Y4", "ETR-"):
        assert detail not in text
    assert "Pupil" not in minutes_markdown(minutes(DECLINED), GENERATED_AT)


def test_the_markdown_is_the_same_each_time() -> None:
    assert minutes_markdown(EVERYTHING, GENERATED_AT) == minutes_markdown(EVERYTHING, GENERATED_AT)


def test_a_naive_generated_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        minutes_markdown(EVERYTHING, datetime(2025, 12, 11, 14, 5))
    with pytest.raises(ValueError, match="timezone-aware"):
        minutes_xlsx(EVERYTHING, datetime(2025, 12, 11, 14, 5))


# Spreadsheet ------------------------------------------------------------------------------------------------


def test_the_spreadsheet_has_a_bold_frozen_header_row() -> None:
    sheet = open_workbook(minutes_xlsx(EVERYTHING, GENERATED_AT))["Minutes"]
    header = [cell.value for cell in sheet[1]]
    assert tuple(header) == MINUTES_HEADINGS
    assert header[:5] == ["Reference", "Setting", "Kind", "Pupil", "Requested (£)"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 7
    assert sheet.column_dimensions["B"].width >= 20


def test_the_spreadsheet_rows_hold_each_item() -> None:
    workbook = open_workbook(minutes_xlsx(EVERYTHING, GENERATED_AT))
    assert workbook.sheetnames == ["Minutes", "Summary"]
    rows = [dict(zip(MINUTES_HEADINGS, row, strict=True)) for row in workbook["Minutes"].iter_rows(2, values_only=True)]
    first = rows[0]
    assert first["Reference"] == "CEN-2526-014"
    assert first["Setting"] == "Etruscan Primary School"
    assert first["Kind"] == "Individual Pupil Need"
    assert first["Pupil"] == "JS Year 4"
    assert first["Requested (£)"] == 988.47
    assert first["Outcome"] == "Approved"
    assert (first["Approve"], first["Decline"], first["Abstain"], first["Quorate"]) == (2, 2, 1, "Yes")
    assert first["Result"] == "Approved, on the chair's casting vote"
    assert first["Interests declared"] == "Adele Vance, Megan Bowen"
    assert first["Approved (£)"] == 988.47
    assert first["Review date"] == datetime(2026, 7, 16)
    assert first["Schedule"] == "Termly instalments"

    declined, deferred, advice, reduced, undecided = rows[1:]
    assert declined["Setting"] == "Hanley | Shelton Academy"
    assert declined["Feedback"] == "The ramp is the landlord's duty.\nAsk the trust | the council first."
    assert declined["Approved (£)"] == 0
    assert declined["Review date"] is None
    assert (deferred["Quorate"], deferred["Result"]) == ("No", "Not quorate")
    assert deferred["Information needed"] == "Quotes from two providers"
    assert (advice["Requested (£)"], advice["Approve"], advice["Result"]) == (None, None, "Not voted on")
    assert reduced["Approved (£)"] == 1500.05
    assert reduced["Conditions"] == "=SUM(A1:A9) is what they asked"  # kept as text, not a formula
    assert reduced["Review date"] == datetime(2026, 12, 11)
    assert (undecided["Outcome"], undecided["Approved (£)"]) == ("Not decided", None)


def test_the_spreadsheet_money_and_dates_are_numbers_and_dates_with_formats() -> None:
    sheet = open_workbook(minutes_xlsx(EVERYTHING, GENERATED_AT))["Minutes"]
    requested, approved, review = sheet["E2"], sheet["M2"], sheet["N2"]
    assert requested.data_type == "n"
    assert requested.number_format == "£#,##0.00"
    assert Decimal(str(requested.value)) == Decimal("988.47")
    assert approved.number_format == "£#,##0.00"
    assert sheet["M6"].value == 1500.05
    assert review.is_date
    assert review.value == datetime(2026, 7, 16)
    assert sheet["P6"].data_type == "s"


def test_the_spreadsheet_summary_has_the_meeting_totals_and_budget_position() -> None:
    sheet = open_workbook(minutes_xlsx(EVERYTHING, GENERATED_AT))["Summary"]
    summary = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert summary["Minutes"] == "Minutes: Central cluster, Thursday 11 December 2025"
    assert summary["Cluster"] == "Central"
    assert summary["Date"] == datetime(2025, 12, 11)
    assert summary["Ended"] == datetime(2025, 12, 11, 12, 47)
    assert summary["Items"] == 6
    assert summary["Committed at this meeting (£)"] == 2488.52
    assert summary["Available after the meeting (£)"] == 0
    assert summary["Emergency reserve used (£)"] == 2488.52
    assert summary["Emergency reserve left (£)"] == 2511.48
    assert summary["Generated (London time)"] == datetime(2025, 12, 11, 14, 5)
    no_budget = open_workbook(minutes_xlsx(minutes(DECLINED), GENERATED_AT))["Summary"]
    assert {row[0]: row[1] for row in no_budget.iter_rows(values_only=True)}["Budget"] == "No budget set"


def test_the_spreadsheet_holds_no_pupil_detail_but_the_label() -> None:
    data = minutes_xlsx(minutes(APPROVED), GENERATED_AT)
    workbook = open_workbook(data)
    cells = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert [c for c in cells if "JS" in c] == ["JS Year 4"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    for detail in (b"pupil_ref", b"initials", b"year_group", b"Y4", b"ETR-"):
        assert detail not in everything
    assert workbook.properties.title == "Minutes: Central cluster, Thursday 11 December 2025"


def test_the_same_minutes_give_the_same_spreadsheet_bytes() -> None:
    first = minutes_xlsx(EVERYTHING, GENERATED_AT)
    assert minutes_xlsx(EVERYTHING, GENERATED_AT) == first
    workbook = open_workbook(first)
    assert workbook.properties.created == datetime(2025, 12, 11, 14, 5)
    assert workbook.properties.modified == datetime(2025, 12, 11, 14, 5)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 12, 11, 14, 5, 0)}


def test_an_empty_meeting_still_makes_a_spreadsheet() -> None:
    workbook = open_workbook(minutes_xlsx(minutes(), GENERATED_AT))
    assert workbook["Minutes"].max_row == 1


def test_the_file_name_has_the_cluster_and_the_meeting_day() -> None:
    assert minutes_filename(EVERYTHING, "md") == "Central minutes 2025-12-11.md"
    assert minutes_filename(EVERYTHING, ".xlsx") == "Central minutes 2025-12-11.xlsx"


# Typed text stays text ----------------------------------------------------------------------------------------

TYPED = MinutesEntry(
    entry=entry(
        7,
        "CEN-2526-020",
        Kind.PROJECT,
        EVIL,
        900_00,
        DecisionView(
            outcome=Outcome.APPROVED_REDUCED,
            amount_pence=800_00,
            conditions=EVIL,
            feedback="+SUM(1,1)\n- a list\n1. numbered",
            information_needed="",
            review_date=date(2026, 7, 16),
            schedule=Schedule.ONE_SUM,
        ),
        title=EVIL_LINK,
    ),
    tally=votes(3, 0, 0),
    result=Result.APPROVED,
    interests=("@Adele <b>Vance</b>",),
)


def test_typed_text_in_the_markdown_is_shown_as_typed_not_as_markdown_links_or_html() -> None:
    text = minutes_markdown(replace(minutes(TYPED), cluster="*Central*"), GENERATED_AT)
    assert text.startswith("# Minutes: \\*Central\\* cluster,")
    assert f"## CEN-2526-020: {plain(EVIL, line_start=False)}" in text
    assert f"| **Conditions** | {plain(EVIL, line_start=False)} |" in text
    assert f"| **Title** | {plain(EVIL_LINK)} |" in text
    assert "| **Feedback** | +SUM(1,1)<br>- a list<br>1. numbered |" in text  # no lists in a cell
    assert "| **Interests declared** | @Adele \\<b\\>Vance\\</b\\> |" in text
    for raw in (EVIL_LINK, EVIL_MENTION, "<b>", "<script>", "https://"):
        assert raw not in text, raw
    assert EVIL in unescape(text)


def test_text_that_looks_like_a_formula_is_kept_as_text_in_the_spreadsheet_even_when_edited() -> None:
    data = minutes_xlsx(minutes(TYPED), GENERATED_AT)
    sheet = open_workbook(data)["Minutes"]
    row = dict(zip(MINUTES_HEADINGS, sheet[2], strict=True))
    for heading, typed in (("Setting", EVIL), ("Conditions", EVIL), ("Feedback", "+SUM(1,1)\n- a list\n1. numbered")):
        cell = row[heading]
        assert cell.value == typed and cell.data_type == "s", heading
        assert cell.quotePrefix, f"{heading}: Excel would make it a formula when the cell is edited"
    assert row["Interests declared"].value == "@Adele <b>Vance</b>" and row["Interests declared"].quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml
    assert 'quotePrefix="1"' in xml


# Reviews on the agenda --------------------------------------------------------------------------------------

REVIEWED = MinutesEntry(
    entry=replace(
        APPROVED.entry,
        item_id=7,
        reference="CEN-2425-003",
        review=True,
        outcome_ratings=(Rating.ACHIEVED, Rating.NOT_ACHIEVED),
    ),
    tally=votes(3, 0, 0),
    result=Result.APPROVED,
    interests=(),
)


def test_a_review_s_ratings_are_in_the_minutes_by_outcome_number() -> None:
    text = minutes_markdown(minutes(APPROVED, REVIEWED), GENERATED_AT)
    assert text.count("Outcomes rated at review") == 1, "only the review's item has ratings"
    assert "1: Achieved · 2: Not achieved" in text
    rows = open_workbook(minutes_xlsx(minutes(APPROVED, REVIEWED), GENERATED_AT))["Minutes"].iter_rows(2)
    cells = [dict(zip(MINUTES_HEADINGS, (c.value for c in row), strict=True)) for row in rows]
    assert [c["Outcomes rated at review"] for c in cells] == [None, "1: Achieved · 2: Not achieved"]

"""The referral pack as a Word document: read back with python-docx, as a person would open it."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, time

import docx
import pytest
from docx.document import Document as DocxDocument

from cluster.clock import LONDON
from cluster.meetings import MeetingSlot, default_deadline
from cluster.provision import ProvisionRow
from cluster.referrals import Document, Kind, ReferralView, State
from reports.referral_pack import ROUNDING_RULE, pack_filename, referral_pack_docx
from tests.support.typed_text import EVIL, EVIL_LINES, EVIL_MENTION, docx_text_and_links

GENERATED_AT = datetime(2025, 11, 14, 16, 5, tzinfo=UTC)  # 16:05 GMT
SUMMER_GENERATED_AT = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 09:30 BST

MEETING = MeetingSlot(
    id=3,
    day=date(2025, 12, 11),
    start=time(9, 30),
    end=time(13, 0),
    deadline=default_deadline(date(2025, 12, 11)),
)

READING = ProvisionRow(
    provision="Precision teaching, reading",
    area_of_need="CL",
    delivered_by="Teaching assistant",
    minutes_per_session=30,
    sessions_per_week=3,
    group_size=2,
    weeks=38,
    hourly_rate_pence=15_00,
)  # 30/60 x 3 x 38 x £15.00 / 2 = £427.50
TALK = ProvisionRow(
    provision="Talk Boost group",
    area_of_need="CI",
    delivered_by="Higher level teaching assistant",
    minutes_per_session=20,
    sessions_per_week=2,
    group_size=3,
    weeks=13,
    hourly_rate_pence=17_38,
)  # 20/60 x 2 x 13 x 1738 / 3 = 5020.89 pence -> £50.21


def individual() -> ReferralView:
    return ReferralView(
        id=14,
        reference="CEN-2526-014",
        kind=Kind.INDIVIDUAL,
        state=State.SUBMITTED,
        cluster="Central",
        setting="Etruscan Primary School",
        created_by="Alex Wilber",
        details={
            "pupil_initials": "js",
            "year_group": "Y4",
            "pupil_ref": "ETR-2291",
            "primary_need": "CL",
            "need_code": "SPLD",
            "secondary_need": "SEMH",
            "summary": "Reads two years below age.\nAnxious in whole-class reading.",
            "outcomes": "Reads at age-related expectations by July.",
            "current_provision": "Phonics catch-up, three APDR cycles.",
            "apdr_cycles": 3,
            "duration_terms": 3,
            "parental_consent": True,
        },
        rows=(READING, TALK),
        contribution_pence=100_00,
        documents=(
            Document(1, "Provision map.pdf", False, None, "application/pdf", 183_500),
            Document(2, "EP report", True, "https://etruscan.sharepoint.com/sites/send/ep-report.docx", None, None),
        ),
        meeting=MEETING,
        submitted_at=datetime(2025, 11, 3, 10, 15, tzinfo=LONDON),
    )


def project() -> ReferralView:
    return ReferralView(
        id=15,
        reference="CEN-2526-015",
        kind=Kind.PROJECT,
        state=State.ACCEPTED,
        cluster="Central",
        setting="Waterside Primary School",
        created_by="Megan Bowen",
        details={
            "title": "Shared speech and language therapist",
            "summary": "A therapist shared across three schools.",
            "partners": ["etruscan", "hanley"],
            "impact_measures": "Progress on WellComm.",
            "timeline": "January to July 2026.",
            "sustainability": "Schools fund year two.",
        },
        rows=(READING,),
        partner_choices=(("etruscan", "Etruscan Primary School"), ("hanley", "Hanley St Luke's")),
        meeting=MEETING,
    )


def ehcp() -> ReferralView:
    return ReferralView(
        id=16,
        reference="CEN-2526-016",
        kind=Kind.EHCP,
        state=State.RETURNED,
        cluster="Central",
        setting="Etruscan Primary School",
        created_by="Alex Wilber",
        details={
            "pupil_initials": "AB",
            "year_group": "R",
            "pupil_ref": "ETR/0042",
            "plan_reference": "EHCP-2024-118",
            "section_f": "1:1 support 15 hours a week.",
            "need_beyond_funding": "Specialist sensory equipment.",
            "amount": 2_450_50,
            "period_start": "2026-01-05",
            "period_end": "2026-07-17",
        },
        returned_reason="Please attach the plan's Section F.",
    )


def capital() -> ReferralView:
    return ReferralView(
        id=17,
        reference=None,
        kind=Kind.CAPITAL,
        state=State.DRAFT,
        cluster="Central",
        setting="Waterside Primary School",
        created_by="Megan Bowen",
        details={
            "category": "sensory",
            "works": "Convert a store room into a sensory room.",
            "amount": 12_000_00,
            "maintenance": False,
            "strategic_fit": "Fits the council's inclusion strategy.",
            "design_quality": "Designed with an OT.",
        },
    )


def discussion() -> ReferralView:
    return ReferralView(
        id=18,
        reference="CEN-2526-018",
        kind=Kind.DISCUSSION,
        state=State.SUBMITTED,
        cluster="Central",
        setting="Etruscan Primary School",
        created_by="Alex Wilber",
        details={"question": "How do others manage lunchtimes for a pupil who bolts?", "year_group": "Y2"},
    )


def open_pack(view: ReferralView, at: datetime = GENERATED_AT, by: str = "Alex Wilber") -> DocxDocument:
    data = referral_pack_docx(view, at, by)
    assert data[:4] == b"PK\x03\x04"
    return docx.Document(io.BytesIO(data))


def pairs(document: DocxDocument) -> dict[str, str]:
    """Every label/value row of the pack's two-column tables."""
    found: dict[str, str] = {}
    for table in document.tables:
        for row in table.rows:
            if len(row.cells) == 2:
                found[row.cells[0].text] = row.cells[1].text
    return found


def paragraphs(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs]


def provision_rows(document: DocxDocument) -> list[list[str]]:
    tables = [t for t in document.tables if len(t.columns) == 9]
    assert len(tables) == 1
    return [[cell.text for cell in row.cells] for row in tables[0].rows]


def footer(document: DocxDocument) -> str:
    return "\n".join(p.text for p in document.sections[0].footer.paragraphs)


def test_an_individual_pupil_need_pack_is_titled_with_its_reference_and_notes_the_ehc_assessment_use() -> None:
    document = open_pack(individual())
    texts = paragraphs(document)
    assert texts[0] == "Referral pack: CEN-2526-014"
    assert any("basis of a request for an EHC needs assessment" in t for t in texts[:3])
    facts = pairs(document)
    assert facts["Kind"] == "Individual Pupil Need"
    assert facts["Setting"] == "Etruscan Primary School"
    assert facts["Cluster"] == "Central"
    assert facts["State"] == "Submitted, waiting for the admin's check"
    assert facts["Meeting"] == "Thursday 11 December 2025, 09:30 to 13:00"
    assert facts["Referral deadline"] == "23:59 on Thursday 4 December 2025"
    assert facts["Submitted"] == "3 November 2025 at 10:15"


def test_an_individual_pack_shows_the_pupil_and_every_detail_with_its_label_and_readable_value() -> None:
    facts = pairs(open_pack(individual()))
    assert facts["Pupil's initials"] == "JS"
    assert facts["Year group"] == "Year 4"
    assert facts["School's pupil reference"] == "ETR-2291"
    assert facts["Primary area of need"] == "Cognition and learning"
    assert facts["Need code"] == "SpLD - Specific learning difficulty"
    assert facts["Secondary area of need"] == "Social, emotional and mental health"
    assert facts["Summary of need"] == "Reads two years below age.\nAnxious in whole-class reading."
    assert facts["Outcomes sought, one per line"] == "Reads at age-related expectations by July."
    assert facts["What the school already provides and has tried"] == "Phonics catch-up, three APDR cycles."
    assert facts["Assess-plan-do-review cycles completed"] == "3"
    assert facts["Duration (terms)"] == "3"
    assert facts["Parental consent to share this referral has been given"] == "Yes"


def test_the_provision_map_shows_each_row_and_its_cost_to_the_penny_with_the_totals() -> None:
    document = open_pack(individual())
    rows = provision_rows(document)
    assert rows[0] == [
        "Provision",
        "Area of need",
        "Delivered by",
        "Minutes",
        "Sessions/week",
        "Weeks",
        "Group size",
        "Hourly rate",
        "Cost",
    ]
    assert rows[1] == [
        "Precision teaching, reading",
        "Cognition and learning",
        "Teaching assistant",
        "30",
        "3",
        "38",
        "2",
        "£15.00",
        "£427.50",
    ]
    assert rows[2][0] == "Talk Boost group"
    assert rows[2][1] == "Communication and interaction"
    assert rows[2][7:] == ["£17.38", "£50.21"]
    facts = pairs(document)
    assert facts["Total"] == "£477.71"
    assert facts["School contribution"] == "£100.00"
    assert facts["Amount requested"] == "£377.71"
    assert ROUNDING_RULE in paragraphs(document)
    assert "rounded once to the nearest penny" in ROUNDING_RULE


def test_the_supporting_documents_are_listed_by_name_with_links() -> None:
    texts = paragraphs(open_pack(individual()))
    assert "Provision map.pdf (PDF, 179 KB), kept by the Cluster Funding bot" in texts
    assert "EP report: https://etruscan.sharepoint.com/sites/send/ep-report.docx" in texts


def test_the_footer_says_who_generated_the_pack_when_in_london_time_and_that_it_is_special_category_data() -> None:
    assert footer(open_pack(individual())) == (
        "Generated by Alex Wilber on 14 November 2025 at 16:05. Special category data: keep it safe."
    )
    summer = open_pack(individual(), at=SUMMER_GENERATED_AT, by="Isaiah Langer")
    assert footer(summer) == (
        "Generated by Isaiah Langer on 1 June 2026 at 09:30. Special category data: keep it safe."
    )


def test_the_file_metadata_names_the_pack_but_carries_no_pupil_details() -> None:
    properties = open_pack(individual()).core_properties
    assert properties.title == "Referral pack CEN-2526-014"
    assert properties.author == "Alex Wilber"
    assert "python-docx" not in (properties.comments or "")
    assert "JS" not in f"{properties.title} {properties.subject} {properties.keywords}"
    assert pack_filename(individual()) == "Referral pack CEN-2526-014.docx"


def test_a_project_pack_shows_its_details_partners_by_name_and_its_costs() -> None:
    document = open_pack(project())
    texts = paragraphs(document)
    assert texts[0] == "Referral pack: CEN-2526-015"
    assert not any("EHC needs assessment" in t for t in texts)
    assert "Project costs" in texts
    facts = pairs(document)
    assert facts["Kind"] == "Project-Based Work"
    assert facts["State"] == "On the agenda"
    assert facts["Project title"] == "Shared speech and language therapist"
    assert facts["Summary"] == "A therapist shared across three schools."
    assert facts["Partner settings"] == "Etruscan Primary School, Hanley St Luke's"
    assert facts["How you will measure impact"] == "Progress on WellComm."
    assert facts["Timeline"] == "January to July 2026."
    assert facts["How the work continues after funding"] == "Schools fund year two."
    assert provision_rows(document)[1][-1] == "£427.50"
    assert facts["Total"] == "£427.50"
    assert facts["School contribution"] == "£0.00"
    assert facts["Amount requested"] == "£427.50"
    assert "Pupil's initials" not in facts


def test_an_ehcp_pack_shows_the_pupil_the_plan_the_amount_and_the_period_as_dates() -> None:
    document = open_pack(ehcp())
    facts = pairs(document)
    assert paragraphs(document)[0] == "Referral pack: CEN-2526-016"
    assert facts["Kind"] == "EHCP exceptional needs or funding change"
    assert facts["State"] == "Returned to you to complete"
    assert facts["Returned because"] == "Please attach the plan's Section F."
    assert facts["Meeting"] == "Not yet placed on a meeting"
    assert facts["Pupil's initials"] == "AB"
    assert facts["Year group"] == "Reception"
    assert facts["School's pupil reference"] == "ETR/0042"
    assert facts["EHC plan reference"] == "EHCP-2024-118"
    assert facts["The Section F provision this concerns"] == "1:1 support 15 hours a week."
    assert facts["What is needed beyond current funding"] == "Specialist sensory equipment."
    assert facts["Amount requested (£)"] == "£2,450.50"
    assert facts["Period from"] == "5 January 2026"
    assert facts["Period to"] == "17 July 2026"
    assert facts["Amount requested"] == "£2,450.50"
    assert not [t for t in document.tables if len(t.columns) == 9]
    assert "No supporting documents." in paragraphs(document)


def test_a_capital_draft_is_titled_draft_and_shows_the_category_cost_flags_and_statements() -> None:
    document = open_pack(capital())
    facts = pairs(document)
    assert paragraphs(document)[0] == "Referral pack: Draft"
    assert facts["Kind"] == "Inclusive Environments Capital Fund"
    assert facts["State"] == "Draft"
    assert facts["Category"] == "Sensory spaces or circuits"
    assert facts["The works"] == "Convert a store room into a sensory room."
    assert facts["Cost (£)"] == "£12,000.00"
    assert facts["The works are maintenance"] == "No"
    assert facts["The works include revenue costs (staffing, training, vehicles)"] == "No"
    assert facts["Strategic fit: your statement"] == "Fits the council's inclusion strategy."
    assert facts["Quality of design: your statement"] == "Designed with an OT."
    assert facts["Value for money: your statement"] == "Not given"
    assert facts["Amount requested"] == "£12,000.00"
    assert "Pupil's initials" not in facts


def test_a_discussion_pack_shows_the_question_and_asks_no_money() -> None:
    document = open_pack(discussion())
    facts = pairs(document)
    assert facts["Kind"] == "Solution-focused discussion"
    assert facts["Your question for peers"] == "How do others manage lunchtimes for a pupil who bolts?"
    assert facts["Background"] == "Not given"
    assert facts["Pupil's initials (if about one pupil)"] == "Not given"
    assert facts["Year group"] == "Year 2"
    assert "No money is asked: this is a solution-focused discussion." in paragraphs(document)
    assert "Amount requested" not in facts


@pytest.mark.parametrize("make", [individual, project, ehcp, capital, discussion])
def test_every_kind_has_a_pack_with_the_special_category_footer(make: object) -> None:
    assert callable(make)
    document = open_pack(make())
    assert paragraphs(document)[0].startswith("Referral pack: ")
    assert footer(document).endswith("Special category data: keep it safe.")


def test_a_pack_needs_an_aware_time_so_the_london_date_is_right() -> None:
    with pytest.raises(ValueError):
        referral_pack_docx(individual(), datetime(2025, 11, 14, 16, 5), "Alex Wilber")


def test_typed_markdown_mentions_html_and_formulas_appear_verbatim_and_make_no_link_or_field() -> None:
    typed = {
        "title": EVIL[:120],
        "summary": EVIL_LINES,
        "impact_measures": EVIL,
        "timeline": "<b>html</b>",
        "sustainability": '=HYPERLINK("http://x","y")',
    }
    view = replace(project(), setting=EVIL, details={**project().details, **typed}, documents=())
    texts, links, xml = docx_text_and_links(referral_pack_docx(view, GENERATED_AT, EVIL_MENTION))
    for value in (*typed.values(), EVIL, EVIL_MENTION):
        assert any(value in shown for shown in texts), value
    assert links == []
    for markup in ("<w:hyperlink", "<w:fldSimple", "<w:instrText", "<w:fldChar"):
        assert markup not in xml, markup


def test_only_a_documents_own_link_becomes_a_hyperlink() -> None:
    view = replace(
        project(),
        details={**project().details, "summary": "[click](https://evil.example)"},
        documents=(Document(2, "[EP](https://evil.example)", True, "https://etruscan.sharepoint.com/x", None, None),),
    )
    texts, links, _xml = docx_text_and_links(referral_pack_docx(view, GENERATED_AT, "Alex Wilber"))
    assert links == ["https://etruscan.sharepoint.com/x"]
    assert any("[EP](https://evil.example)" in shown for shown in texts)

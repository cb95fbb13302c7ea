"""One example of every card the bot can send, built by the real card functions."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from cards.channel import channel_help_card, linked_card
from cards.common import message_card
from cards.meetings import next_meeting_card
from cards.people import help_card, not_registered_card, whoami_card
from cards.referrals import (
    accepted_notice_card,
    admin_notice_card,
    details_form_card,
    documents_card,
    kind_picker_card,
    my_referrals_card,
    referral_card,
    returned_notice_card,
    review_card,
    rows_card,
    submitted_card,
    to_check_card,
    withdrawn_card,
)
from cluster.clock import LONDON
from cluster.meetings import MeetingSlot, NextMeeting, default_deadline
from cluster.provision import ProvisionRow
from cluster.referrals import Document, Kind, ReferralView, State
from cluster.roles import PERSONAL_COMMANDS, Grant, Role

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
SLOT = MeetingSlot(
    id=2,
    day=date(2025, 12, 11),
    start=time(9, 30),
    end=time(13, 0),
    deadline=default_deadline(date(2025, 12, 11)),
    title="Autumn 2",
)
GRANTS = (
    Grant(Role.SENCO, "Central", "Etruscan Primary School"),
    Grant(Role.CHAIR, "Central"),
    Grant(Role.COUNCIL_OFFICER),
)


PARTNERS = (
    ("3", "Hanley St Luke's CE Primary"),
    ("7", "Northwood Broom Academy"),
    ("9", "Waterside Primary School"),
)
ROWS = (
    ProvisionRow("Speech and language group", "CI", "Teaching assistant", 30, 3, 2, 38, 15_00),
    ProvisionRow("Play therapy", "SEMH", "Play therapist", 45, 1, 1, 12, 42_50),
    ProvisionRow("Precision teaching", "CL", "Teaching assistant", 20, 5, 3, 38, 12_37),
)
DOCUMENTS = (
    Document(11, "Educational psychologist report.pdf", False, None, "application/pdf", 245_760),
    Document(12, "Provision map 2025-26", True, "https://stoke.sharepoint.com/sites/etruscan/map.xlsx", None, None),
)
INDIVIDUAL_DETAILS: dict[str, Any] = {
    "pupil_initials": "JS",
    "year_group": "Y4",
    "pupil_ref": "ETR-20417",
    "primary_need": "CI",
    "need_code": "SLCN",
    "summary": "Limited expressive language; struggles to join group work and follow multi-step instructions.",
    "outcomes": "To use sentences of 4-5 words in class and follow two-step instructions by Easter.",
    "current_provision": "Wave 2 language group since September; visual timetable; two APDR cycles reviewed.",
    "apdr_cycles": 2,
    "duration_terms": 3,
    "parental_consent": True,
}
CAPITAL_DETAILS: dict[str, Any] = {
    "category": "sensory",
    "works": "Convert the old library store into a sensory room with soft lighting and acoustic panels.",
    "amount": 12_500_00,
    "revenue_costs": False,
    "maintenance": False,
    "strategic_fit": "Our SEN register has grown by a third; twelve pupils need a regulated space daily.",
}


def referral(kind: Kind = Kind.INDIVIDUAL, state: State = State.DRAFT, **changes: Any) -> ReferralView:
    """A realistic referral from Etruscan Primary School; change any part of it."""
    submitted = state in (State.SUBMITTED, State.ACCEPTED, State.RETURNED)
    base: dict[str, Any] = {
        "id": 14,
        "reference": "CEN-2526-014" if submitted else None,
        "kind": kind,
        "state": state,
        "cluster": "Central",
        "setting": "Etruscan Primary School",
        "created_by": "Sam Senco",
        "details": dict(INDIVIDUAL_DETAILS) if kind is Kind.INDIVIDUAL else {},
        "rows": ROWS[:2] if kind is Kind.INDIVIDUAL else (),
        "contribution_pence": 100_00 if kind is Kind.INDIVIDUAL else 0,
        "documents": DOCUMENTS[:1],
        "meeting": SLOT if submitted else None,
        "version": 3,
        "submitted_at": datetime(2025, 11, 20, 9, 12, tzinfo=LONDON) if submitted else None,
        "partner_choices": PARTNERS if kind is Kind.PROJECT else (),
    }
    return ReferralView(**{**base, **changes})


INDIVIDUAL = referral()
SUBMITTED = referral(state=State.SUBMITTED)
RETURNED = referral(
    state=State.RETURNED,
    returned_reason="The provision map has no row for the speech therapist's time; please add it and resubmit.",
)
PROJECT = referral(
    Kind.PROJECT,
    id=15,
    details={
        "title": "Shared ELSA supervision",
        "summary": "A trained ELSA supervisor shared across three schools.",
        "partners": ["3", "9"],
    },
    rows=(ROWS[2],),
)
EHCP = referral(
    Kind.EHCP,
    State.SUBMITTED,
    id=16,
    reference="CEN-2526-016",
    details={
        "pupil_initials": "AB",
        "year_group": "Y9",
        "pupil_ref": "ETR-18830",
        "plan_reference": "EHCP-STK-4471",
        "section_f": "1:1 support for 25 hours a week from a trained teaching assistant.",
        "need_beyond_funding": "Specialist speech and language therapy: one hour a week.",
        "amount": 4_850_00,
        "period_start": "2026-01-05",
        "period_end": "2026-07-22",
    },
)
CAPITAL = referral(Kind.CAPITAL, id=17, details=CAPITAL_DETAILS, documents=DOCUMENTS)
DISCUSSION = referral(
    Kind.DISCUSSION,
    State.ACCEPTED,
    id=18,
    reference="CEN-2526-018",
    details={"question": "How do other schools run unstructured times for a Year 2 pupil who runs off?"},
    documents=(),
)
WITHDRAWN = referral(Kind.PROJECT, State.WITHDRAWN, id=19, reference="CEN-2526-019", details={}, rows=())
CAPITAL_PROBLEMS = (
    "Quality of design: your statement is required.",
    "Deliverability: your statement is required.",
    "Value for money: your statement is required.",
)
DETAIL_ERRORS = {
    "pupil_initials": "Give the pupil's initials only: up to 4 letters, no name.",
    "duration_terms": "Duration must be 1 to 3 terms: every allocation is reviewed within a year.",
    "parental_consent": "Please confirm: parental consent to share this referral has been given",
}
TYPED = {
    "pupil_initials": "John Smith",
    "year_group": "Y4",
    "pupil_ref": "ETR-20417",
    "primary_need": "CI",
    "need_code": "SLCN",
    "summary": "Limited expressive language.",
    "apdr_cycles": "2",
    "duration_terms": "4",
    "parental_consent": "false",
}
ROW_ERRORS = {
    "hourly_rate": "Hourly rate: enter an amount in pounds and pence, such as 1250.00.",
    "weeks": "Weeks is required.",
}
ROW_TYPED = {
    "provision": "Lego therapy",
    "area_of_need": "SEMH",
    "delivered_by": "Teaching assistant",
    "minutes_per_session": "40",
    "sessions_per_week": "2",
    "group_size": "3",
    "hourly_rate": "14,50p",
}


def referral_gallery() -> dict[str, dict[str, Any]]:
    """Every referral card, for each kind and the states that change what it shows."""
    return {
        "referral_kind_picker": kind_picker_card([(4, "Etruscan Primary School")], "pick-7f3a"),
        "referral_kind_picker_two_settings": kind_picker_card(
            [(4, "Etruscan Primary School"), (9, "Waterside Primary School")], "pick-91bc"
        ),
        "referral_kind_picker_no_setting": kind_picker_card([], "pick-0000"),
        "referral_details_individual": details_form_card(INDIVIDUAL, {}, {}),
        "referral_details_individual_errors": details_form_card(INDIVIDUAL, TYPED, DETAIL_ERRORS),
        "referral_details_project": details_form_card(PROJECT, {}, {}),
        "referral_details_ehcp": details_form_card(EHCP, {}, {}),
        "referral_details_capital": details_form_card(CAPITAL, {}, {}),
        "referral_details_discussion": details_form_card(referral(Kind.DISCUSSION, documents=()), {}, {}),
        "referral_details_returned": details_form_card(RETURNED, {}, {}),
        "referral_rows": rows_card(INDIVIDUAL, {}, {}, None, (101, 102)),
        "referral_rows_empty": rows_card(referral(rows=(), contribution_pence=0), {}, {}, None, ()),
        "referral_rows_editing": rows_card(INDIVIDUAL, {}, {}, 102, (101, 102)),
        "referral_rows_errors": rows_card(
            PROJECT,
            ROW_TYPED,
            {**ROW_ERRORS, "contribution": "The school's contribution cannot be more than the costs."},
            None,
            (103,),
            "900",
        ),
        "referral_documents": documents_card(CAPITAL, {}, {}),
        "referral_documents_errors": documents_card(
            referral(documents=()),
            {"link_name": "EP report", "link_url": "sharepoint/ep"},
            {"link_url": "Give the full link, starting https://."},
        ),
        "referral_review_ready": review_card(INDIVIDUAL, []),
        "referral_review_problems": review_card(CAPITAL, CAPITAL_PROBLEMS),
        "referral_review_returned": review_card(RETURNED, []),
        "referral_review_submitted": review_card(EHCP, []),
        "referral_submitted": submitted_card(SUBMITTED),
        "referral_mine": my_referrals_card([INDIVIDUAL, SUBMITTED, RETURNED, PROJECT, EHCP, DISCUSSION, WITHDRAWN]),
        "referral_mine_empty": my_referrals_card([]),
        "referral_to_check": to_check_card(
            [
                SUBMITTED,
                EHCP,
                referral(
                    Kind.PROJECT,
                    State.SUBMITTED,
                    id=20,
                    reference="CEN-2526-020",
                    details={"title": "Nurture group"},
                ),
            ]
        ),
        "referral_to_check_empty": to_check_card([]),
        "referral_full": referral_card(SUBMITTED, editable=False),
        "referral_full_editable": referral_card(CAPITAL, editable=True),
        "referral_admin_notice": admin_notice_card(SUBMITTED),
        "referral_returned_notice": returned_notice_card(RETURNED),
        "referral_accepted_notice": accepted_notice_card(DISCUSSION),
        "referral_withdrawn": withdrawn_card(WITHDRAWN),
    }


def gallery() -> dict[str, dict[str, Any]]:
    return {
        **referral_gallery(),
        "help": help_card("Sam Senco", list(PERSONAL_COMMANDS)),
        "whoami": whoami_card("Sam Senco", "aad-senco", GRANTS),
        "whoami_no_roles": whoami_card("Nora New", "aad-new", ()),
        "not_registered": not_registered_card("aad-stranger"),
        "next_meeting": next_meeting_card([NextMeeting("Central", SLOT)], NOW),
        "next_meeting_none": next_meeting_card([], NOW),
        "channel_help_linked": channel_help_card("Central"),
        "channel_help_unlinked": channel_help_card(None),
        "linked": linked_card("Central", "Ada Admin"),
        "refusal": message_card("Only an admin of the Central cluster can link a channel to it.", attention=True),
    }

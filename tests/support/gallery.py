"""One example of every card the bot can send, built by the real card functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from cards.budget import budget_card
from cards.channel import channel_help_card, linked_card
from cards.clusters import clusters_card
from cards.common import message_card
from cards.meeting_day.agenda import agenda_card
from cards.meeting_day.decision_form import decision_form_card
from cards.meeting_day.hand_over import acting_chair_notice, hand_over_card
from cards.meeting_day.minutes import minutes_card
from cards.meeting_day.notices import moved_notice_card, outcome_notice_card
from cards.meeting_day.teams_meeting import end_reminder_card, start_offer_card
from cards.meeting_day.votes import vote_card, vote_reminder_card
from cards.meetings import (
    deadline_reminder_card,
    meeting_morning_card,
    meetings_admin_card,
    next_meeting_card,
    no_channel_card,
)
from cards.menu import MENU
from cards.payments import payments_card
from cards.people import help_card, not_registered_card, whoami_card
from cards.referrals import (
    accepted_notice_card,
    admin_notice_card,
    details_form_card,
    document_list_card,
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
from cards.reviews import review_form_card, review_nudge_card, review_submitted_card, reviews_card
from cards.settings import settings_card
from cluster.agenda import (
    AgendaEntry,
    AgendaView,
    CustomRow,
    DecisionView,
    ItemState,
    MinutesEntry,
    MinutesView,
    Moved,
    VoteView,
)
from cluster.attendance import Standing
from cluster.budget import BudgetRule, Position
from cluster.capital import SettingRow
from cluster.clock import LONDON
from cluster.clusters import ClusterSummary
from cluster.decisions import Outcome, Schedule, default_review_date
from cluster.impact import Rating
from cluster.ledger import InstalmentState, InstalmentView, Payment, PaymentsView
from cluster.meetings import MeetingSlot, NextMeeting, default_deadline
from cluster.provision import ProvisionRow
from cluster.provision_map import ProvisionSource
from cluster.referrals import Document, Kind, ReferralView, State
from cluster.register import QuorumRecord, Register, SettingLine
from cluster.review_form import EXTRA_RATINGS, RATE_THIS, prefilled
from cluster.review_plan import Paid, PlannedRow
from cluster.reviews import Nudge, ReviewState, ReviewView
from cluster.roles import Grant, Role
from cluster.voting import Choice, Result, Tally
from tests.support.capital_gallery import capital_gallery
from tests.support.citywide_gallery import citywide_gallery
from tests.support.citywide_meeting_gallery import citywide_meeting_gallery
from tests.support.funding_gallery import funding_gallery
from tests.support.provision_gallery import provision_gallery
from tests.support.qa_gallery import qa_gallery
from tests.support.what_worked_gallery import what_worked_gallery

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
# More documents than one page shows: the documents cards page through them.
MANY_DOCUMENTS = (
    *DOCUMENTS,
    *(
        Document(
            20 + n,
            f"Termly review {n}",
            True,
            f"https://stoke.sharepoint.com/sites/etruscan/review-{n}.docx",
            None,
            None,
        )
        for n in range(1, 9)
    ),
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


# Issue 21: a map priced from the council's document, with a provision the document lacks and its reason.
DOCUMENT_ROWS = (
    ProvisionRow("Speech and language group", "CI", "Teaching assistant", 30, 3, 6, 38, 21_50, "hour", 7),
    ProvisionRow("Equine therapy", "SEMH", "Farm partner", 60, 1, 1, 6, 40_00, "hour", None, "Works outdoors."),
)
DOCUMENT_SOURCE = ProvisionSource(
    3, "2025-26, version 1", (("ELSA · ELSA-trained assistant · £40.00 a week, group of 1", "9"),), "elsa"
)


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
    "pupil_initials": "Give the pupil's initials only, in capitals: up to 4 letters, no name (e.g. JS).",
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
        "referral_rows_from_document": rows_card(
            referral(rows=DOCUMENT_ROWS, row_ids=(101, 102)), {}, {}, None, (101, 102), None, DOCUMENT_SOURCE
        ),
        "referral_rows_from_document_custom_errors": rows_card(
            referral(rows=DOCUMENT_ROWS, row_ids=(101, 102)),
            {"provision": "Equine therapy", "weeks": "6"},
            {"custom_reason": "Why a provision not in the council's document is needed is required."},
            None,
            (101, 102),
            None,
            DOCUMENT_SOURCE,
        ),
        "referral_documents": documents_card(CAPITAL, {}, {}),
        "referral_documents_page_2": documents_card(referral(documents=MANY_DOCUMENTS), {}, {}, 2),
        "referral_document_list": document_list_card(
            referral(Kind.INDIVIDUAL, State.SUBMITTED, documents=MANY_DOCUMENTS), 1
        ),
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
        "referral_mine": my_referrals_card(
            [
                INDIVIDUAL,
                SUBMITTED,
                replace(RETURNED, id=21, reference="CEN-2526-021"),
                PROJECT,
                EHCP,
                DISCUSSION,
                WITHDRAWN,
            ]
        ),
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


# The meeting day (issue 4) ------------------------------------------------------------------------------

NEXT_SLOT = MeetingSlot(
    id=3,
    day=date(2026, 2, 5),
    start=time(9, 30),
    end=time(13, 0),
    deadline=default_deadline(date(2026, 2, 5)),
    title="Spring 1",
)
REVIEW = default_review_date(SLOT.day)
POSITION = Position(total=250_000_00, reserve=25_000_00, committed=180_000_00, requested=27_800_00)
APPROVED = DecisionView(Outcome.APPROVED, 850_00, review_date=REVIEW, schedule=Schedule.TERMLY)
REDUCED = DecisionView(
    Outcome.APPROVED_REDUCED,
    4_000_00,
    conditions="Review the therapy's impact at the Summer 1 meeting.",
    review_date=date(2026, 7, 20),
    schedule=Schedule.ONE_SUM,
)
DEFERRED = DecisionView(
    Outcome.DEFERRED, 0, information_needed="The educational psychologist's report and the latest APDR review."
)
DECLINED = DecisionView(
    Outcome.DECLINED, 0, feedback="This is ordinarily available provision; the school's notional SEN budget covers it."
)
# £850.00 decided on 11 December 2025, termly until the review on 11 December 2026: from the spring term.
APPROVED_PAYMENTS = (
    Payment(date(2026, 1, 5), 283_34, "Spring term 2026"),
    Payment(date(2026, 4, 13), 283_33, "Summer term 2026"),
    Payment(date(2026, 9, 3), 283_33, "Autumn term 2026"),
)
REDUCED_PAYMENTS = (Payment(date(2026, 1, 5), 4_000_00, "Spring term 2026"),)


def entry(**changes: Any) -> AgendaEntry:
    """An agenda entry for Etruscan Primary School's Individual Pupil Need referral; change any part of it."""
    base: dict[str, Any] = {
        "item_id": 41,
        "referral_id": 14,
        "reference": "CEN-2526-014",
        "kind": Kind.INDIVIDUAL,
        "setting": "Etruscan Primary School",
        "requested_pence": 1_200_00,
        "pupil_label": "JS Year 4",
        "state": ItemState.PENDING,
    }
    return AgendaEntry(**{**base, **changes})


AGENDA_ENTRIES = (
    entry(
        item_id=40,
        referral_id=9,
        reference="CEN-2526-009",
        setting="Waterside Primary School",
        requested_pence=850_00,
        pupil_label="AB Year 6",
        deferred=True,
    ),
    entry(),
    entry(
        item_id=42,
        referral_id=15,
        reference="CEN-2526-015",
        kind=Kind.PROJECT,
        setting="Hanley St Luke's CE Primary",
        requested_pence=3_400_00,
        pupil_label="",
        title="Shared ELSA supervision",
    ),
    entry(
        item_id=43,
        referral_id=16,
        reference="CEN-2526-016",
        kind=Kind.EHCP,
        setting="Northwood Broom Academy",
        requested_pence=4_850_00,
        pupil_label="AB Year 9",
    ),
    entry(
        item_id=44,
        referral_id=17,
        reference="CEN-2526-017",
        kind=Kind.CAPITAL,
        requested_pence=12_500_00,
        pupil_label="",
    ),
    entry(
        item_id=45,
        referral_id=18,
        reference="CEN-2526-018",
        kind=Kind.DISCUSSION,
        requested_pence=0,
        pupil_label="JS Year 2",
    ),
)
STATES: dict[int, dict[str, Any]] = {
    40: {"state": ItemState.DECIDED, "decision": APPROVED},
    41: {"state": ItemState.OPEN},
    42: {"state": ItemState.CLOSED},
    43: {"state": ItemState.DECIDED, "decision": REDUCED},
}
# A review on the agenda, recommending the funding continue: its ratings by number, never the outcomes' text.
REVIEW_ENTRY = entry(
    item_id=46,
    referral_id=3,
    reference="CEN-2425-003",
    requested_pence=980_00,
    pupil_label="AB Year 6",
    review=True,
    outcome_ratings=(Rating.ACHIEVED, Rating.PARTLY, Rating.NOT_ACHIEVED),
)
STARTED_ENTRIES = tuple(AgendaEntry(**{**e.__dict__, **STATES.get(e.item_id, {})}) for e in AGENDA_ENTRIES)


def agenda(entries: tuple[AgendaEntry, ...] = AGENDA_ENTRIES, **changes: Any) -> AgendaView:
    """The Central cluster's Autumn 2 agenda; change any part of it."""
    base: dict[str, Any] = {
        "meeting_id": SLOT.id,
        "meeting": SLOT,
        "cluster": "Central",
        "entries": entries,
        "position": POSITION,
    }
    return AgendaView(**{**base, **changes})


VOTED = (
    "Abbey Hulton Primary School",
    "Bucknall Primary School",
    "Hanley St Luke's CE Primary",
    "Northwood Broom Academy",
    "Waterside Primary School",
    "Weston Infant Academy",
    "Whitfield Valley Primary Academy",
)
TIED = Tally(approve=3, decline=3, abstain=1, settings_voted=frozenset(range(1, 8)), needed=15)
MEMBERS = ("29:aad-chair", "29:aad-senco-etruscan", "29:aad-senco-waterside", "29:aad-tac")


def vote(**changes: Any) -> VoteView:
    """The open vote on CEN-2526-014, tied 3-3 with one abstention; change any part of it."""
    base: dict[str, Any] = {
        "item_id": 41,
        "entry": entry(state=ItemState.OPEN),
        "state": ItemState.OPEN,
        "tally": TIED,
        "voted": VOTED,
        "interests": ("Megan Bowen",),
        "refresh_user_ids": MEMBERS,
    }
    return VoteView(**{**base, **changes})


CLOSED_TALLY = Tally(approve=9, decline=4, abstain=3, settings_voted=frozenset(range(1, 17)), needed=15)
CLOSED_BALLOTS = tuple(
    (name, choice)
    for name, choice in zip(
        (*VOTED, "Alexandra Junior School", "Cobridge Community Primary", "Eaton Park Academy",
         "Grove Academy", "Heron Cross Primary", "Kingsland CE Academy", "Milton Primary Academy",
         "Packmoor Ormiston Academy", "Sandford Hill Primary"),
        [Choice.APPROVE] * 9 + [Choice.DECLINE] * 4 + [Choice.ABSTAIN] * 3,
        strict=True,
    )
)  # fmt: skip
CLOSED = vote(
    entry=entry(state=ItemState.CLOSED),
    state=ItemState.CLOSED,
    tally=CLOSED_TALLY,
    voted=tuple(sorted(name for name, _ in CLOSED_BALLOTS)),
    result=Result.APPROVED,
    ballots=tuple(sorted(CLOSED_BALLOTS)),
)
DECISION_TYPED = {
    "outcome": Outcome.APPROVED_REDUCED.value,
    "amount": "1000",
    "review_date": "2027-01-10",
    "schedule": Schedule.TERMLY.value,
    "conditions": "",
    "feedback": "",
    "information_needed": "",
    "draw_on_reserve": "false",
}
DECISION_ERRORS = {
    "review_date": "The review must be within a year of the meeting: on or before 11 December 2026.",
    "conditions": "Say what is reduced or give the conditions.",
    "budget": "Approving £1,000.00 would take commitments to £226,000.00, past the £225,000.00 available. "
    "The emergency reserve holds £25,000.00 more: the chair can choose to draw on it.",
}


MINUTES_REGISTER = Register(
    settings=(
        SettingLine(1, "Etruscan Primary School", Standing.PRESENT, ("Megan Bowen (SENCO)",)),
        SettingLine(2, "Waterside Primary School", Standing.PRESENT, ("Sue Stand-in (Substitute)",), "Sue Stand-in"),
        SettingLine(3, "Birches Head Academy", Standing.APOLOGIES),
        SettingLine(4, "Abbey Hulton Primary School", Standing.ABSENT),
    ),
    others=("Adele Vance (Chair)", "Patti Fernandez (Team around the cluster)"),
)
MINUTES_QUORUM_RECORD = QuorumRecord(
    present=("Etruscan Primary School", "Waterside Primary School"),
    recused=(("Etruscan Primary School", "its own referral"),),
    line="2 settings present, 1 recused: 1 may vote, 1 needed",
)
MINUTES_CUSTOM_ROWS = (CustomRow("Equine therapy", "No riding for the disabled is priced in the document"),)


def register_gallery(started: AgendaView) -> dict[str, dict[str, Any]]:
    """Issue 20's meeting cards: the chair's agenda with each item's quorum check, who has not voted, the
    chair's reminder, and handing a meeting over."""
    pending = [e.item_id for e in started.entries if e.state == ItemState.PENDING and e.kind is not Kind.DISCUSSION]
    lines = tuple(
        (item, "9 settings present, 1 recused: 8 may vote, 5 needed", True) if n == 0 else
        (item, "4 settings present, 2 recused: 2 may vote, 5 needed", False)
        for n, item in enumerate(pending)
    )  # fmt: skip
    chairs_agenda = replace(started, quorum_lines=lines, refresh_user_ids=MEMBERS, acting_chair="Megan Bowen")
    present = vote(
        quorum_check="9 settings present, 2 recused: 7 may vote, 5 needed",
        may_vote=7,
        present_voted=5,
        not_voted=("Eaton Park Academy", "Grove Academy"),
    )
    members = ((11, "Megan Bowen"), (12, "Sam Senco"), (13, "Wendy Waterside"))
    return {
        "meeting_agenda_chair_quorum": agenda_card(chairs_agenda),
        "meeting_agenda_member_refreshed": agenda_card(chairs_agenda, for_chair=False),
        "meeting_vote_open_register": vote_card(present),
        "meeting_vote_open_register_member": vote_card(present, for_chair=False),
        "meeting_vote_reminder": vote_reminder_card(present),
        "meeting_hand_over": hand_over_card(SLOT.id, SLOT, "Central", members, 11),
        "meeting_hand_over_errors": hand_over_card(
            SLOT.id, SLOT, "Central", members, None, {"person_id": "Choose who will chair this meeting."}
        ),
        "meeting_acting_chair": acting_chair_notice("Central", SLOT, SLOT.id),
        "meeting_hand_over_take_back": hand_over_card(SLOT.id, SLOT, "Central", members, 11, myself=13),
    }


def meeting_gallery() -> dict[str, dict[str, Any]]:
    """Every meeting-day card: the agenda, votes, the decision form, minutes and outcome notices."""
    started = agenda(STARTED_ENTRIES, started=True)
    tallies = {40: CLOSED_TALLY, 41: TIED, 42: CLOSED_TALLY, 43: CLOSED_TALLY}
    results = {40: Result.APPROVED, 42: Result.APPROVED, 43: Result.APPROVED}
    minutes = MinutesView(
        meeting=SLOT,
        cluster="Central",
        entries=tuple(
            MinutesEntry(
                e,
                tallies.get(e.item_id),
                results.get(e.item_id),
                ("Megan Bowen",) if e.item_id == 43 else (),
            )
            for e in STARTED_ENTRIES
        ),
        ended_at=datetime(2025, 12, 11, 12, 41, tzinfo=LONDON),
        position=Position(total=250_000_00, reserve=25_000_00, committed=184_850_00),
    )
    decided_entry = entry(state=ItemState.DECIDED, decision=APPROVED, requested_pence=850_00)
    return {
        "meeting_agenda": agenda_card(agenda()),
        "meeting_agenda_started": agenda_card(started),
        "meeting_agenda_member": agenda_card(started, for_chair=False),
        "meeting_agenda_no_budget": agenda_card(agenda(position=None)),
        "meeting_agenda_empty": agenda_card(agenda(())),
        "meeting_agenda_ended": agenda_card(agenda(STARTED_ENTRIES, started=True, ended=True)),
        "meeting_vote_open_tied": vote_card(vote()),
        "meeting_vote_open_personal": vote_card(
            vote(
                tally=Tally(approve=4, decline=2, abstain=1, settings_voted=frozenset(range(1, 8)), needed=15),
                your_choice=Choice.APPROVE,
            ),
            user_choice=True,
        ),
        "meeting_vote_closed": vote_card(CLOSED),
        "meeting_vote_closed_casting": vote_card(
            vote(
                state=ItemState.CLOSED,
                result=Result.DECLINED,
                casting=Choice.DECLINE,
                tally=Tally(approve=7, decline=7, abstain=2, settings_voted=frozenset(range(1, 17)), needed=15),
            )
        ),
        "meeting_vote_decided": vote_card(
            vote(
                entry=decided_entry,
                state=ItemState.DECIDED,
                tally=CLOSED_TALLY,
                result=Result.APPROVED,
                ballots=CLOSED.ballots,
            )
        ),
        "meeting_decision_form": decision_form_card(CLOSED, 1_200_00, {}, {}, REVIEW, POSITION),
        "meeting_decision_form_errors": decision_form_card(
            CLOSED, 1_200_00, DECISION_TYPED, DECISION_ERRORS, REVIEW, None
        ),
        "meeting_decision_form_lost": decision_form_card(
            vote(
                state=ItemState.CLOSED,
                result=Result.DECLINED,
                tally=Tally(approve=1, decline=2, abstain=0, settings_voted=frozenset(range(1, 4)), needed=3),
            ),
            1_200_00,
            {},
            {},
            REVIEW,
            POSITION,
        ),
        "meeting_decision_form_not_quorate": decision_form_card(
            vote(
                state=ItemState.CLOSED,
                result=Result.NOT_QUORATE,
                tally=Tally(approve=2, decline=0, abstain=0, settings_voted=frozenset(range(1, 3)), needed=3),
            ),
            1_200_00,
            {},
            {},
            REVIEW,
            POSITION,
        ),
        "meeting_decision_form_discussion": decision_form_card(
            vote(
                item_id=45,
                entry=entry(item_id=45, kind=Kind.DISCUSSION, requested_pence=0, state=ItemState.PENDING),
                state=ItemState.PENDING,
                tally=Tally(approve=0, decline=0, abstain=0, settings_voted=frozenset(), needed=15),
                voted=(),
                interests=(),
            ),
            0,
            {},
            {},
            REVIEW,
            POSITION,
            meeting_id=12,
        ),
        "meeting_minutes": minutes_card(minutes),
        "meeting_minutes_review": minutes_card(
            replace(
                minutes,
                entries=(
                    MinutesEntry(
                        replace(REVIEW_ENTRY, state=ItemState.DECIDED, decision=APPROVED),
                        CLOSED_TALLY,
                        Result.APPROVED,
                        (),
                    ),
                ),
            )
        ),
        "meeting_agenda_review": agenda_card(agenda((AGENDA_ENTRIES[1], REVIEW_ENTRY))),
        **register_gallery(started),
        # Issue 20: who attended, and each item's register at its vote; issue 21: a provision typed by hand.
        "meeting_minutes_register": minutes_card(
            replace(
                minutes,
                register=MINUTES_REGISTER,
                entries=(
                    replace(
                        minutes.entries[0],
                        entry=replace(minutes.entries[0].entry, custom_rows=MINUTES_CUSTOM_ROWS),
                        quorum_record=MINUTES_QUORUM_RECORD,
                    ),
                    *minutes.entries[1:],
                ),
            )
        ),
        "meeting_teams_started": start_offer_card("Central", SLOT.day, SLOT.id),
        "meeting_teams_ended": end_reminder_card("Central", SLOT.day, SLOT.id),
        "meeting_vote_review": vote_card(vote(entry=replace(REVIEW_ENTRY, state=ItemState.OPEN), item_id=46)),
        "meeting_outcome_approved": outcome_notice_card(
            entry(state=ItemState.DECIDED, decision=REDUCED, requested_pence=4_850_00),
            REDUCED,
            SLOT.day,
            None,
            REDUCED_PAYMENTS,
            decision_id=30,
        ),
        "meeting_outcome_approved_termly": outcome_notice_card(
            decided_entry, APPROVED, SLOT.day, None, APPROVED_PAYMENTS, decision_id=31
        ),
        "meeting_outcome_deferred": outcome_notice_card(entry(), DEFERRED, SLOT.day, NEXT_SLOT),
        "meeting_outcome_declined": outcome_notice_card(entry(), DECLINED, SLOT.day, None),
        "meeting_moved": moved_notice_card(Moved(7, "CEN-2526-014", "Central", False, SLOT, NEXT_SLOT)),
        "meeting_moved_review": moved_notice_card(Moved(7, "CEN-2526-014", "Central", True, SLOT, NEXT_SLOT)),
        # Held the afternoon before its day: the minutes carry the day it was held, and the day scheduled.
        "meeting_minutes_held_before": minutes_card(
            replace(
                minutes,
                meeting=replace(
                    SLOT,
                    started_at=datetime(2025, 12, 10, 15, 0, tzinfo=LONDON),
                    ended_at=datetime(2025, 12, 10, 16, 30, tzinfo=LONDON),
                ),
                ended_at=datetime(2025, 12, 10, 16, 30, tzinfo=LONDON),
            )
        ),
    }


REVIEW_VIEW = ReviewView(
    id=1,
    reference="CEN-2526-001",
    setting="Etruscan Primary School",
    kind_title="CEN-2526-001 · Individual Pupil Need",
    pupil_label="JS Year 4",
    amount_pence=98847,
    due=date(2026, 12, 11),
    state=ReviewState.DUE,
    outcomes_set="Uses 3-word phrases to request help by July.",
    answers={},
)


# A review of a referral that set three outcomes, one per line; the last was typed with Markdown in it.
RATED_VIEW = replace(
    REVIEW_VIEW,
    outcomes_set="Uses 3-word phrases to request help by July.\nFollows two-step instructions\n**Joins** [play](https://x.example)",
    outcomes=(
        "Uses 3-word phrases to request help by July.",
        "Follows two-step instructions",
        "**Joins** [play](https://x.example)",
    ),
    kind="individual",
)
RATED_ANSWERS = {
    "recommendation": "continue",
    "outcome_rating_1": "achieved",
    "outcome_rating_2": "partly",
    "outcome_rating_3": "not_achieved",
}
EXTRA_MESSAGE = "Only the 3 outcomes the referral set can be rated."
# A review that starts from the plan: two map rows (one from the document, one typed *as Markdown*) and the ledger.
PLANNED_VIEW = replace(
    RATED_VIEW,
    planned=(
        PlannedRow(1, "Speech and language group", "Teaching assistant", 30, 3, 2, 38, 42750, from_document=True),
        PlannedRow(2, "**Sensory** circuit", "SENCO", 20, 5, 1, 12, 60000),
    ),
    paid=Paid(102750, paid_pence=51375, due_pence=51375, instalments=2, instalments_paid=1),
)


def _instalment(
    id: int, cluster: str, reference: str, setting: str, due_on: date, pence: int, term: str
) -> InstalmentView:
    return InstalmentView(id, id // 2, cluster, reference, setting, due_on, pence, InstalmentState.DUE, term)


PAYMENTS_DUE = (
    _instalment(7, "Central", "CEN-2526-001", "Etruscan Primary School", date(2026, 1, 5), 213_75, "Spring term 2026"),
    _instalment(9, "Central", "CEN-2526-004", "Waterside Primary School", date(2026, 1, 5), 650_00, "Spring term 2026"),
    _instalment(12, "North", "NOR-2526-002", "North Primary School", date(2026, 1, 5), 1_200_00, "Spring term 2026"),
)
PAYMENTS = PaymentsView(
    today=date(2026, 1, 6),
    horizon=date(2026, 1, 20),
    due=PAYMENTS_DUE,
    more=0,
    later=14,
)


def ledger_gallery() -> dict[str, dict[str, Any]]:
    """The officer's payments card: due, with a mistake, with the term-dates warning, and with nothing due."""
    return {
        "payments_due": payments_card(
            replace(
                PAYMENTS,
                notice=(
                    "Marked paid: CEN-2526-002 (Abbey Hulton Primary School): £400.00 due 5 January 2026, "
                    "on 6 January 2026."
                ),
            )
        ),
        "payments_errors": payments_card(
            replace(PAYMENTS, due=PAYMENTS_DUE[:1], later=0),
            values={"paid_on_7": "2026-01-09", "reference_7": ""},
            errors={
                "paid_on_7": "The day it was paid cannot be in the future.",
                "reference_7": "Give the finance system's payment reference.",
            },
        ),
        "payments_none_warning": payments_card(
            PaymentsView(
                today=date(2028, 2, 1),
                horizon=date(2028, 2, 15),
                due=(),
                more=0,
                later=0,
                warning=(
                    "The school term dates loaded end on 21 July 2028. Load the council's dates for the school "
                    "year after (clusterbot terms import FILE) before then: a decision whose payments fall later "
                    "cannot be recorded."
                ),
            )
        ),
    }


def gallery() -> dict[str, dict[str, Any]]:
    return {
        **ledger_gallery(),
        **referral_gallery(),
        **capital_gallery(),
        **citywide_gallery(),
        **citywide_meeting_gallery(),
        **provision_gallery(),
        **funding_gallery(),
        **meeting_gallery(),
        **what_worked_gallery(),
        **qa_gallery(),
        "help": help_card("Sam Senco", list(MENU), {g.role for g in GRANTS}),
        "help_member": help_card("Sam Senco", list(MENU[:5]), {Role.SENCO}),
        "whoami": whoami_card("Sam Senco", "aad-senco", GRANTS),
        "whoami_no_roles": whoami_card("Nora New", "aad-new", ()),
        "not_registered": not_registered_card("aad-stranger"),
        "next_meeting": next_meeting_card([NextMeeting("Central", SLOT)], NOW),
        "next_meeting_none": next_meeting_card([], NOW),
        "deadline_reminder": deadline_reminder_card("Central", SLOT, 3),
        "deadline_reminder_today": deadline_reminder_card("Central", SLOT, 0),
        "meeting_morning": meeting_morning_card("Central", SLOT),
        "agenda_no_channel": no_channel_card("Central", SLOT),
        "channel_help_linked": channel_help_card("Central"),
        "channel_help_chair": channel_help_card("Central", roles={Role.CHAIR}),
        "channel_help_admin": channel_help_card("Central", roles={Role.ADMIN}),
        "channel_help_member": channel_help_card("Central", roles={Role.SENCO}),
        "channel_help_team": channel_help_card("Central", roles={Role.TEAM_AROUND_CLUSTER}),
        "channel_help_unlinked": channel_help_card(None),
        "linked": linked_card("Central", "Ada Admin"),
        "refusal": message_card("Only an admin of the Central cluster can link a channel to it.", attention=True),
        "budget_admin": budget_card(
            "Central",
            "2025/26",
            date(2025, 9, 1),
            date(2026, 8, 31),
            BudgetRule(25_000_000, 2_000_000, 3_000_050, 1_000_000),
            Position(30_000_050, 1_000_000, 98_847),
            can_set=True,
            notice="Saved the 2025/26 budget.",
        ),
        "budget_none_errors": budget_card(
            "Central",
            None,
            None,
            None,
            None,
            None,
            can_set=True,
            values={"baseline": "lots"},
            errors={"baseline": "High-needs baseline: enter an amount in pounds and pence, such as 1250.00."},
        ),
        "budget_reserve_drawn": budget_card(
            "Central",
            "2025/26",
            date(2025, 9, 1),
            date(2026, 8, 31),
            BudgetRule(45_000_00, 0, 0, 5_000_00),
            Position(45_000_00, 5_000_00, 40_488_47, paid=12_500_00),  # £488.47 of the reserve drawn
            can_set=False,
        ),
        "budget_officer": budget_card(
            "North",
            "2025/26",
            date(2025, 9, 1),
            date(2026, 8, 31),
            BudgetRule(120_000_00, 0, 0, 5_000_00),
            Position(120_000_00, 5_000_00, 3_150_00, paid=1_050_00),
            can_set=True,
            cluster_id=2,
            choices=((1, "Central"), (2, "North"), (3, "South"), (4, "West")),
        ),
        "budget_read_only": budget_card(
            "Central",
            "2025/26",
            date(2025, 9, 1),
            date(2026, 8, 31),
            BudgetRule(25_000_000, 0, 0, 0),
            Position(25_000_000, 0, 0),
            can_set=False,
        ),
        "review_list": reviews_card(
            [REVIEW_VIEW, replace(REVIEW_VIEW, id=2, state=ReviewState.OVERDUE, reference="CEN-2526-004")]
        ),
        "review_list_empty": reviews_card([]),
        "review_nudge": review_nudge_card(REVIEW_VIEW, Nudge("before-14", date(2026, 11, 27))),
        "review_nudge_escalated": review_nudge_card(
            replace(REVIEW_VIEW, state=ReviewState.OVERDUE),
            Nudge("overdue-2-escalated", date(2026, 12, 25), escalate=True),
        ),
        "review_form_errors": review_form_card(
            REVIEW_VIEW,
            {"recommendation": "adjust", "actual_spend": "lots"},
            {
                "actual_spend": "Actual spend (£): enter an amount in pounds and pence, such as 1250.00.",
                "adjusted_amount": "Give the new amount when recommending an adjustment.",
            },
        ),
        "review_submitted": review_submitted_card(replace(REVIEW_VIEW, answers={"recommendation": "continue"})),
        "review_form_outcomes": review_form_card(RATED_VIEW, {}, {}),
        "review_form_outcomes_errors": review_form_card(
            RATED_VIEW,
            {"outcome_rating_1": "achieved", "outcome_rating_3": "mostly"},
            {"outcome_rating_2": RATE_THIS, "outcome_rating_3": RATE_THIS, EXTRA_RATINGS: EXTRA_MESSAGE},
        ),
        "review_submitted_outcomes": review_submitted_card(replace(RATED_VIEW, answers=RATED_ANSWERS)),
        "review_form_planned": review_form_card(
            PLANNED_VIEW, prefilled(PLANNED_VIEW.outcomes, PLANNED_VIEW.planned, PLANNED_VIEW.paid, {}), {}
        ),
        "review_form_planned_errors": review_form_card(
            PLANNED_VIEW,
            {"delivered_weeks_1": "", "delivered_weeks_2": "60"},
            {
                "delivered_weeks_1": "Weeks delivered is required.",
                "delivered_weeks_2": "Weeks delivered must be a whole number from 0 to 52 (0: not delivered).",
            },
        ),
        "review_submitted_planned": review_submitted_card(
            replace(PLANNED_VIEW, answers={**RATED_ANSWERS, "delivered_weeks_1": 38, "delivered_weeks_2": 6})
        ),
        "review_list_rated": reviews_card(
            [replace(RATED_VIEW, state=ReviewState.SUBMITTED, answers=RATED_ANSWERS), REVIEW_VIEW],
            "Reviews due in your cluster",
        ),
        "meetings_admin": meetings_admin_card(
            "Central", [SLOT, replace(SLOT, id=3, day=date(2026, 2, 5), title="Spring 1", cancelled=True)]
        ),
        "settings_admin": settings_card(
            "Central",
            [
                SettingRow(6, "Central", "Etruscan Primary School", True, False),
                SettingRow(11, "Central", "Haywood Academy", True, True),
                SettingRow(16, "Central", "Merit Pupil Referral Unit", False, False),
            ],
            notice="Saved: Haywood Academy.",
        ),
        "settings_admin_empty": settings_card("Central", []),
        "meetings_admin_errors": meetings_admin_card(
            "Central",
            [replace(SLOT, online_link="https://teams.microsoft.com/l/meetup-join/x")],
            {"new_day": "", "new_title": "Extra", "day_2": "2025-12-04"},
            {"new_day": "Choose the meeting's date.", "day_2": "Move the meeting to a day still to come."},
            notice="Link saved.",
        ),
        "clusters": clusters_card(
            (
                ClusterSummary("Central", "CEN", 29, 12, 6, True),
                ClusterSummary("North", "NTH", 8, 7, 6, False),
            ),
            notice="Added the North cluster (NTH): 8 settings, 6 meetings, 7 people's roles.",
        ),
        "clusters_errors": clusters_card(
            (ClusterSummary("Central", "CEN", 29, 12, 6, True),),
            {
                "code": "The code CEN is already the Central cluster's.",
                "meetings": "line 2: give the day as YYYY-MM-DD.",
            },
            {"name": "East", "code": "CEN", "settings": "East School", "meetings": "2026-02-05\n5 Feb"},
        ),
    }

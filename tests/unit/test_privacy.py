"""The privacy rules: which answers are the pupil's, which the council keeps, and when the retention clock runs."""

from __future__ import annotations

from datetime import datetime

import pytest

from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.privacy import (
    ABANDONED_MONTHS,
    DEFAULT_MONTHS,
    Activity,
    add_months,
    check_months,
    funding_active,
    holds_pupil_details,
    kept_answers,
    kept_review_answers,
    removal_due,
    removed_line,
    retention_from,
)
from cluster.referrals import EHCP_FIELDS, INDIVIDUAL_FIELDS, Kind, State

DECIDED = datetime(2026, 1, 15, 11, 0, tzinfo=LONDON)
INDIVIDUAL = {
    "pupil_initials": "JS",
    "year_group": "Y4",
    "pupil_ref": "ETR-0042",
    "primary_need": "CI",
    "need_code": "SLCN",
    "summary": "Limited expressive language.",
    "outcomes": "Uses 3-word phrases by July.",
    "current_provision": "Wave 2 language group.",
    "apdr_cycles": 2,
    "duration_terms": 3,
    "parental_consent": True,
}


def test_an_individual_referral_keeps_only_its_duration_and_consent_once_the_pupil_is_removed() -> None:
    assert kept_answers(Kind.INDIVIDUAL, INDIVIDUAL) == {"duration_terms": 3, "parental_consent": True}


def test_an_ehcp_referral_keeps_its_amount_and_period_but_not_its_plan_or_section_f() -> None:
    ehcp = {"pupil_ref": "HAY-991", "plan_reference": "EHCP-1", "section_f": "20 hours", "amount": 450000}
    ehcp |= {"period_start": "2026-01-05", "period_end": "2026-07-17", "need_beyond_funding": "More TA time"}
    assert kept_answers(Kind.EHCP, ehcp) == {"amount": 450000, "period_start": "2026-01-05", "period_end": "2026-07-17"}


def test_every_pupil_field_of_the_individual_and_ehcp_forms_is_removed() -> None:
    for kind, fields in ((Kind.INDIVIDUAL, INDIVIDUAL_FIELDS), (Kind.EHCP, EHCP_FIELDS)):
        removed = {f.name for f in fields} - set(kept_answers(kind, {f.name: "x" for f in fields}))
        assert {"pupil_initials", "year_group", "pupil_ref", "outcomes"} <= removed


def test_a_discussion_loses_its_question_background_and_initials() -> None:
    assert kept_answers(Kind.DISCUSSION, {"question": "?", "background": "b", "pupil_initials": "AB"}) == {}


def test_projects_and_capital_applications_name_no_pupil_and_keep_every_answer() -> None:
    assert not holds_pupil_details(Kind.PROJECT) and not holds_pupil_details(Kind.CAPITAL)
    assert kept_answers(Kind.PROJECT, {"title": "Nurture room"}) == {"title": "Nurture room"}


def test_a_review_keeps_its_money_recommendation_and_ratings_but_not_its_free_text() -> None:
    answers = {"progress": "JS now reads", "wellbeing": "happier", "actual_spend": 120000, "recommendation": "stop"}
    answers |= {"outcome_rating_1": "achieved", "next_review": None}
    assert kept_review_answers(answers) == {
        "actual_spend": 120000,
        "recommendation": "stop",
        "outcome_rating_1": "achieved",
        "next_review": None,
    }


def test_the_default_period_is_six_years_after_the_last_activity() -> None:
    done = Activity(Kind.INDIVIDUAL, State.DECIDED, DECIDED, outcome="approved")
    assert retention_from(done, None) == (DECIDED, DEFAULT_MONTHS) and DEFAULT_MONTHS == 72
    assert not removal_due(done, None, datetime(2032, 1, 15, 10, 0, tzinfo=LONDON))
    assert removal_due(done, None, datetime(2032, 1, 15, 11, 0, tzinfo=LONDON))


def test_a_cluster_s_own_period_replaces_the_default() -> None:
    done = Activity(Kind.EHCP, State.WITHDRAWN, DECIDED)
    assert retention_from(done, 24) == (DECIDED, 24)
    assert removal_due(done, 24, datetime(2028, 1, 16, tzinfo=LONDON))


def test_an_abandoned_draft_is_kept_for_one_year_only() -> None:
    draft = Activity(Kind.INDIVIDUAL, State.DRAFT, DECIDED)
    assert retention_from(draft, None) == (DECIDED, ABANDONED_MONTHS)
    assert retention_from(Activity(Kind.INDIVIDUAL, State.RETURNED, DECIDED), 6) == (DECIDED, 6)


def test_the_clock_does_not_start_while_funding_is_active() -> None:
    reviewing = Activity(Kind.INDIVIDUAL, State.DECIDED, DECIDED, outcome="approved", open_reviews=1)
    unpaid = Activity(Kind.INDIVIDUAL, State.DECIDED, DECIDED, outcome="approved", unpaid_instalments=2)
    waiting = Activity(Kind.EHCP, State.ACCEPTED, DECIDED)
    for active in (reviewing, unpaid, waiting):
        assert funding_active(active) is not None and retention_from(active, None) is None
    assert funding_active(unpaid) == "2 instalments are not yet paid"
    assert funding_active(Activity(Kind.CAPITAL, State.DECIDED, DECIDED, capital_open=True)) is not None


def test_a_declined_referral_starts_its_clock_at_the_decision() -> None:
    declined = Activity(Kind.INDIVIDUAL, State.DECIDED, DECIDED, outcome="declined")
    assert funding_active(declined) is None and retention_from(declined, None) == (DECIDED, 72)


def test_a_project_is_never_due_for_removal() -> None:
    assert not removal_due(Activity(Kind.PROJECT, State.WITHDRAWN, DECIDED), 1, datetime(2040, 1, 1, tzinfo=LONDON))


def test_months_are_added_by_the_calendar_and_the_31st_becomes_the_month_s_end() -> None:
    assert add_months(datetime(2026, 8, 31, tzinfo=LONDON), 6) == datetime(2027, 2, 28, tzinfo=LONDON)
    assert add_months(datetime(2026, 3, 10, tzinfo=LONDON), -15) == datetime(2024, 12, 10, tzinfo=LONDON)


def test_a_period_outside_one_month_to_fifty_years_is_refused() -> None:
    assert check_months(1) == 1 and check_months(600) == 600
    for wrong in (0, -3, 601):
        with pytest.raises(Refusal, match="1 to 600 months"):
            check_months(wrong)


def test_a_removed_referral_says_on_which_london_day_its_details_went() -> None:
    assert removed_line(datetime(2032, 3, 1, 1, 30, tzinfo=LONDON)) == "Pupil details removed on 1 March 2032"

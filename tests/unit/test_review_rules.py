"""Review states and nudges: the rules alone."""

from __future__ import annotations

from datetime import date, timedelta

from cluster.review_form import GOES_TO_MEETING, check_review
from cluster.reviews import NudgePlan, ReviewState, owed_nudges, state_on

DUE = date(2026, 12, 11)


def on(days_from_due: int) -> date:
    return DUE + timedelta(days=days_from_due)


def test_a_review_is_upcoming_then_due_thirty_days_ahead_then_overdue() -> None:
    assert state_on(DUE, on(-31), "open") is ReviewState.UPCOMING
    assert state_on(DUE, on(-30), "open") is ReviewState.DUE
    assert state_on(DUE, on(0), "open") is ReviewState.DUE
    assert state_on(DUE, on(1), "open") is ReviewState.OVERDUE
    assert state_on(DUE, on(1), "submitted") is ReviewState.SUBMITTED


def test_the_senco_is_nudged_30_14_and_7_days_before_and_on_the_due_date() -> None:
    points = {d: [n.point for n in owed_nudges(DUE, on(d), "open")] for d in (-31, -30, -20, -14, -7, -1, 0)}
    assert points == {
        -31: [],
        -30: ["before-30"],
        -20: ["before-30"],
        -14: ["before-14"],
        -7: ["before-7"],
        -1: ["before-7"],
        0: ["due"],
    }


def test_an_overdue_review_is_nudged_weekly_and_escalated_after_fourteen_days() -> None:
    assert [n.point for n in owed_nudges(DUE, on(7), "open")] == ["overdue-1"]
    assert [n.point for n in owed_nudges(DUE, on(14), "open")] == ["overdue-2"]
    owed = owed_nudges(DUE, on(15), "open")
    assert [(n.point, n.escalate) for n in owed] == [("overdue-2", False), ("overdue-2-escalated", True)]


def test_nudges_missed_while_the_bot_was_down_come_as_one_not_a_burst() -> None:
    assert [n.point for n in owed_nudges(DUE, on(-8), "open")] == ["before-14"]


def test_a_submitted_review_is_not_nudged() -> None:
    assert owed_nudges(DUE, on(3), "submitted") == []


def test_a_snoozed_review_is_not_nudged_until_the_snooze_ends() -> None:
    assert owed_nudges(DUE, on(-13), "open", snoozed_until=on(-7)) == []
    assert [n.point for n in owed_nudges(DUE, on(-7), "open", snoozed_until=on(-7))] == ["before-7"]


def test_the_intervals_can_be_set_per_cluster() -> None:
    plan = NudgePlan(before=(10, 0), overdue_every=3, escalate_after=5)
    assert [n.point for n in owed_nudges(DUE, on(-10), "open", plan=plan)] == ["before-10"]
    assert [(n.point, n.escalate) for n in owed_nudges(DUE, on(6), "open", plan=plan)] == [
        ("overdue-2", False),
        ("overdue-2-escalated", True),
    ]


def test_a_snooze_never_holds_back_the_escalation_to_the_chair_and_admins() -> None:
    owed = owed_nudges(DUE, on(15), "open", snoozed_until=on(20))
    assert [(n.point, n.escalate) for n in owed] == [("overdue-2-escalated", True)]


ANSWERS = {
    "outcomes_achieved": "Partly met",
    "attendance": "88%",
    "progress": "Slower than hoped",
    "wellbeing": "Anxious at transitions",
    "provision_delivered": "As planned",
    "actual_spend": "1200",
}


def test_a_move_to_an_ehc_needs_assessment_goes_to_the_meeting_without_a_next_review_date() -> None:
    checked = check_review({**ANSWERS, "recommendation": "ehcna"}, date(2026, 7, 1))
    assert checked.errors == {}
    assert "ehcna" in GOES_TO_MEETING


def test_continuing_the_funding_needs_the_next_review_date() -> None:
    checked = check_review({**ANSWERS, "recommendation": "continue"}, date(2026, 7, 1))
    assert set(checked.errors) == {"next_review"}

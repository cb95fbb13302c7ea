"""Quality-assurance visits: the report's actions and dates, and when an action or a follow-up is nudged."""

from __future__ import annotations

from datetime import date, timedelta

from cluster.qa_visits import MAX_ACTIONS, Action, action_nudge_due, check_record, follow_up_due, read_actions

VISITED = date(2026, 2, 3)
DUE = date(2026, 3, 2)


def on(days_from_due: int) -> date:
    return DUE + timedelta(days=days_from_due)


def test_actions_are_read_one_per_line_as_what_owner_and_date_skipping_blank_lines() -> None:
    typed = "Share the timetable; Sam Senco; 2026-03-02\n\n  Train the TA ; Theo Team ; 2026-04-01  \n"
    assert read_actions(typed, VISITED) == (
        [Action("Share the timetable", "Sam Senco", DUE), Action("Train the TA", "Theo Team", date(2026, 4, 1))],
        "",
    )
    assert read_actions("", VISITED) == ([], "")


def test_an_action_without_an_owner_or_a_date_is_refused_naming_its_line() -> None:
    assert read_actions("Fine; Sam; 2026-03-02\nShare the timetable; Sam", VISITED) == (
        [],
        "Line 2: write each action as “what; owner; YYYY-MM-DD”.",
    )
    assert read_actions("Share; Sam; ; ", VISITED)[1].startswith("Line 1:")


def test_an_action_dated_on_or_before_the_visit_or_not_a_date_is_refused() -> None:
    assert read_actions("Share; Sam; 2026-02-03", VISITED)[1] == "Line 1: an action's date must be after the visit."
    assert read_actions("Share; Sam; 2 March", VISITED)[1] == "Line 1: “2 March” is not a date: write it as YYYY-MM-DD."


def test_more_than_ten_actions_are_refused() -> None:
    typed = "\n".join(f"Action {n}; Sam; 2026-03-02" for n in range(MAX_ACTIONS + 1))
    assert read_actions(typed, VISITED) == ([], "Keep to 10 actions at most.")


def test_a_visit_is_recorded_once_made_and_followed_up_after_it() -> None:
    assert check_record(VISITED, VISITED, date(2026, 5, 1)) == {}
    assert check_record(VISITED, VISITED - timedelta(days=1), None) == {
        "visited_on": "Record a visit once it has been made, not before."
    }
    assert check_record(VISITED, VISITED, VISITED) == {"follow_up_on": "The follow-up must be after the visit."}


def test_an_open_action_is_nudged_a_week_before_on_the_day_then_weekly_while_late() -> None:
    points = {d: action_nudge_due(DUE, on(d), done=False) for d in (-8, -7, -3, 0, 1, 6, 7, 13, 14)}
    assert points == {
        -8: None,
        -7: "before-7",
        -3: "before-7",
        0: "before-0",
        1: "before-0",
        6: "before-0",
        7: "late-1",
        13: "late-1",
        14: "late-2",
    }


def test_a_done_action_is_never_nudged() -> None:
    assert action_nudge_due(DUE, on(0), done=True) is None


def test_a_follow_up_is_due_from_its_day_until_the_setting_is_visited_again() -> None:
    assert not follow_up_due(DUE, on(-1), done=False)
    assert follow_up_due(DUE, on(0), done=False) and follow_up_due(DUE, on(30), done=False)
    assert not follow_up_due(DUE, on(0), done=True)
    assert not follow_up_due(None, on(0), done=False)

"""The Capital Fund's round form, stages, what is late, and the nudges as a round's dates near."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cluster.capital_fund import (
    ROUND_DATES,
    Audience,
    BoardDecision,
    Evaluation,
    Journey,
    Progress,
    Recommendation,
    Round,
    Stage,
    Visit,
    check_evaluation,
    check_journey_day,
    check_round_form,
    check_round_in_year,
    check_visit,
    check_within_round,
    late,
    next_look,
    nudges_due,
    school_year_of,
    stage_of,
)
from cluster.commands.capital import Evaluate, RecordVisit, SetRound
from cluster.commands.inputs import parse
from cluster.errors import InvalidInput, Refusal

ROUND = Round(
    "2025/26",
    500_000_00,
    date(2025, 9, 1),
    date(2025, 12, 31),
    date(2026, 1, 30),  # a Friday
    date(2026, 2, 27),
    date(2026, 8, 31),
    date(2026, 9, 30),
)
FORM = {
    "label": "2025/26",
    "total": "500,000",
    "opens": "2025-09-01",
    "closes": "2025-12-31",
    "panel_by": "2026-01-30",
    "decisions_by": "2026-02-27",
    "complete_by": "2026-08-31",
    "evaluate_by": "2026-09-30",
}
APPROVED = BoardDecision(True, 12_000_00, "", "")
SCORING = Progress(checked=True, scoring=True)
PROJECT = Progress(checked=True, scoring=True, panel_closed=True, board=APPROVED, journey=Journey(12_000_00))


def round_of(form: SetRound) -> Round:
    return Round(form.label, form.total, **{name: getattr(form, name) for name, _ in ROUND_DATES})


def test_the_round_form_reads_the_total_and_every_date() -> None:
    round_ = round_of(parse(SetRound, FORM))
    assert check_round_form(round_) == {} and round_ == ROUND


def test_a_round_form_with_mistakes_names_each_field() -> None:
    with pytest.raises(InvalidInput) as mistakes:
        parse(SetRound, {**FORM, "label": "", "total": "lots", "panel_by": "soon"})
    assert set(mistakes.value.errors) == {"label", "total", "panel_by"}
    assert set(check_round_form(replace(ROUND, label=" ", total_pence=0))) == {"label", "total"}


def test_dates_out_of_order_are_refused_naming_both() -> None:
    errors = check_round_form(round_of(parse(SetRound, {**FORM, "decisions_by": "2026-01-15"})))
    assert errors == {
        "form": "The date decisions are communicated (15 January 2026) must not be before the date the panel "
        "meets (30 January 2026)."
    }


def test_a_window_outside_its_school_year_is_refused() -> None:
    with pytest.raises(Refusal, match="within that school year"):
        check_round_in_year(replace(ROUND, closes=date(2026, 9, 2)), 2025)
    assert school_year_of(date(2026, 8, 31)) == 2025 and school_year_of(date(2026, 9, 1)) == 2026


def test_an_approval_beyond_what_the_round_has_left_is_refused() -> None:
    check_within_round(500_000_00, 488_000_00, 12_000_00)
    with pytest.raises(Refusal, match=r"The round has £11,999\.99 left of its £500,000\.00"):
        check_within_round(500_000_00, 488_000_01, 12_000_00)


@pytest.mark.parametrize(
    ("progress", "stage"),
    [
        (Progress(), Stage.CHECKING),
        (Progress(checked=True), Stage.WAITING),
        (SCORING, Stage.SCORING),
        (replace(SCORING, panel_closed=True), Stage.SCORED),
        (replace(SCORING, panel_closed=True, recommendation=Recommendation.DO_NOT_RECOMMEND), Stage.WITH_BOARD),
        (replace(PROJECT, board=BoardDecision(False, 0, "", "No money left.")), Stage.DECLINED),
        (PROJECT, Stage.APPROVED),
        (replace(PROJECT, journey=Journey(12_000_00, date(2026, 4, 1))), Stage.STARTED),
        (replace(PROJECT, journey=Journey(12_000_00, date(2026, 4, 1), date(2026, 7, 1))), Stage.COMPLETED),
        (replace(PROJECT, journey=Journey(12_000_00, released_pence=12_000_00)), Stage.RELEASED),
        (replace(PROJECT, evaluation=Evaluation(1, 2, "", "More.")), Stage.EVALUATED),
        (replace(SCORING, withdrawn=True), Stage.WITHDRAWN),
    ],
)
def test_an_application_moves_through_its_stages(progress: Progress, stage: Stage) -> None:
    assert stage_of(progress) is stage


def test_what_is_late_follows_the_rounds_dates() -> None:
    assert late(Stage.SCORING, SCORING, ROUND, date(2026, 1, 30)) == []
    assert late(Stage.SCORING, SCORING, ROUND, date(2026, 1, 31)) == [
        "the panel's recommendation was due by 30 January 2026"
    ]
    started = replace(PROJECT, journey=Journey(12_000_00, date(2026, 4, 1)))
    assert late(Stage.STARTED, started, ROUND, date(2026, 9, 1)) == [
        "due by 31 August 2026: the SENCO has not marked the project completed; no quality-assurance visit has "
        "been recorded; no paid invoices have been uploaded"
    ]
    assert late(Stage.STARTED, started, ROUND, date(2026, 10, 1))[-1] == "the evaluation was due by 30 September 2026"
    assert late(Stage.SCORING, SCORING, None, date(2027, 1, 1)) == [], "a window only has no timeline"


def test_members_who_have_not_scored_are_nudged_five_and_one_working_days_before_the_panel() -> None:
    def due(day: date) -> list[str]:
        return [n.point for n in nudges_due(Stage.SCORING, SCORING, ROUND, day) if n.audience is Audience.UNSCORED]

    assert due(date(2026, 1, 22)) == []
    assert due(date(2026, 1, 23)) == ["panel-5"]  # Friday 23rd: five working days before Friday 30th
    assert due(date(2026, 1, 28)) == ["panel-5"]
    assert due(date(2026, 1, 29)) == ["panel-1"], "only the latest point that has come"
    assert due(date(2026, 1, 31)) == [], "not once the panel date has passed"
    assert nudges_due(Stage.SCORED, SCORING, ROUND, date(2026, 1, 29)) == [], "not once the panel has closed"


def test_the_setting_and_the_team_are_nudged_for_what_is_missing_as_completion_nears() -> None:
    visited = Visit("Theo Team", date(2026, 7, 20), True, "")
    started = replace(PROJECT, journey=Journey(12_000_00, date(2026, 4, 1), visit=visited))
    owed = nudges_due(Stage.STARTED, started, ROUND, date(2026, 8, 1))
    assert [(n.point, n.audience) for n in owed] == [("complete-30", Audience.SETTING)], "the visit has passed"
    done = replace(started, journey=replace(started.journey, completed_on=date(2026, 7, 1), invoices_pence=(1,)))
    assert nudges_due(Stage.COMPLETED, done, ROUND, date(2026, 8, 25)) == []


def test_the_setting_and_the_chair_are_nudged_until_the_impact_is_recorded() -> None:
    released = replace(PROJECT, journey=Journey(12_000_00, released_pence=12_000_00))
    owed = nudges_due(Stage.RELEASED, released, ROUND, date(2026, 9, 27))
    assert [(n.point, n.audience) for n in owed] == [
        ("evaluate-3", Audience.SETTING),
        ("evaluate-3", Audience.CHAIR),
    ]
    evaluated = replace(released, evaluation=Evaluation(1, 2, "", "More."))
    assert nudges_due(Stage.EVALUATED, evaluated, ROUND, date(2026, 9, 27)) == []


def test_the_scheduler_looks_next_at_the_windows_end_then_each_nudge_point() -> None:
    assert next_look(ROUND, ROUND.closes, date(2025, 11, 20)) == date(2026, 1, 1)
    assert next_look(ROUND, ROUND.closes, date(2026, 1, 1)) == date(2026, 1, 23)
    assert next_look(ROUND, ROUND.closes, date(2026, 1, 23)) == date(2026, 1, 29)
    assert next_look(ROUND, ROUND.closes, date(2026, 1, 29)) == date(2026, 8, 1)
    assert next_look(ROUND, ROUND.closes, date(2026, 9, 27)) is None
    assert next_look(None, date(2025, 12, 31), date(2026, 1, 1)) is None


def test_a_step_cannot_be_dated_in_the_future_or_before_the_project_started() -> None:
    today = date(2026, 7, 17)
    assert check_journey_day(today, today, "completed", date(2026, 4, 13)) == today
    with pytest.raises(Refusal, match="that is still to come"):
        check_journey_day(date(2026, 7, 18), today, "completed")
    with pytest.raises(Refusal, match=r"before it started \(13 April 2026\)"):
        check_journey_day(date(2026, 4, 12), today, "completed", date(2026, 4, 13))


def test_a_failed_visit_says_what_must_be_put_right() -> None:
    failed = RecordVisit(referral_id=1, visitor="Theo", visited_on="2026-07-22", passed="false")
    visit, errors = check_visit(failed, date(2026, 7, 22))
    assert visit is None and set(errors) == {"notes"}
    visit, errors = check_visit(replace(failed, passed="true"), date(2026, 7, 22))
    assert errors == {} and visit == Visit("Theo", date(2026, 7, 22), True, "")


def test_an_evaluation_needs_its_figures_as_numbers_and_what_changed_in_words() -> None:
    typed = Evaluate(referral_id=1, ehcp_pupils="4", pupils_weekly="many", attendance_change="up")
    evaluation, errors = check_evaluation(typed)
    assert evaluation is None and set(errors) == {"pupils_weekly", "attendance_change", "what_changed"}
    evaluation, errors = check_evaluation(
        replace(typed, pupils_weekly="36", attendance_change="-1.5", what_changed="Calmer.")
    )
    assert errors == {} and evaluation == Evaluation(4, 36, "-1.5", "Calmer.")

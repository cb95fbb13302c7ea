"""Examples of the quality-assurance visit cards, built by the real card functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from cards.qa_visits import (
    acknowledged_notice_card,
    action_nudge_card,
    concern_notice_card,
    follow_up_card,
    report_notice_card,
    visit_card,
    visits_card,
)
from cluster.qa_visits import ActionView, Judgement, SettingChoice, VisitsPage, VisitState, VisitView

TODAY = date(2026, 2, 3)
PLANNED = VisitView(
    id=7,
    cluster="Central",
    setting="Etruscan Primary School",
    state=VisitState.PLANNED,
    planned_on=date(2026, 2, 3),
    visitors="Theo Team",
    can_record=True,
)
RECORDED = replace(
    PLANNED,
    state=VisitState.RECORDED,
    visited_on=date(2026, 2, 3),
    allocations="CEN-2526-001, CEN-2526-004",
    seen="The language group runs three times a week; the TA keeps a log of *every* session.",
    judgement=Judgement.CONCERN,
    follow_up_on=date(2026, 5, 1),
    actions=(
        ActionView(3, "Share the group's timetable with parents", "Sam Senco", date(2026, 3, 2), False),
        ActionView(4, "Train a second TA", "Theo Team", date(2026, 2, 20), True),
    ),
    can_record=False,
)
FOR_THE_SENCO = replace(RECORDED, can_acknowledge=True, can_close_actions=True)
ACKNOWLEDGED = replace(RECORDED, state=VisitState.ACKNOWLEDGED, acknowledged_on=date(2026, 2, 5))


def qa_gallery() -> dict[str, dict[str, Any]]:
    """The quality-assurance visit cards the bot can send."""
    return {
        "qa_visits_team": visits_card(
            VisitsPage(
                (RECORDED, PLANNED),
                (SettingChoice(1, "Etruscan Primary School"), SettingChoice(2, "Waterside Primary School")),
                more=3,
            )
        ),
        "qa_visits_none": visits_card(VisitsPage(())),
        "qa_visit_planned": visit_card(PLANNED, TODAY, notice="Visit planned for 3 February 2026."),
        "qa_visit_errors": visit_card(
            PLANNED,
            TODAY,
            values={"visited_on": "2026-02-03", "actions": "Share the timetable; Sam Senco"},
            errors={"actions": "Line 1: write each action as “what; owner; YYYY-MM-DD”."},
        ),
        "qa_visit_for_the_senco": visit_card(FOR_THE_SENCO, TODAY),
        "qa_visit_team_correcting": visit_card(replace(ACKNOWLEDGED, can_record=True), TODAY),
        "qa_report_notice": report_notice_card(RECORDED),
        "qa_concern_notice": concern_notice_card(RECORDED),
        "qa_acknowledged_notice": acknowledged_notice_card(ACKNOWLEDGED),
        "qa_action_nudge": action_nudge_card(RECORDED, "Share the timetable", "Sam Senco", date(2026, 3, 2), TODAY),
        "qa_action_late": action_nudge_card(RECORDED, "Share the timetable", "Sam Senco", TODAY, date(2026, 2, 17)),
        "qa_follow_up": follow_up_card(ACKNOWLEDGED),
    }

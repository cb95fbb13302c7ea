"""One example of every Capital Fund card, built by the real card functions (part of the gallery)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from cards.capital import (
    application_card,
    board_notice_card,
    capital_card,
    capital_nudge_card,
    panel_card,
    released_notice_card,
    score_request_card,
)
from cards.referrals import accepted_notice_card, submitted_card
from cluster.capital_fund import (
    ApplicationView,
    Audience,
    Averages,
    BoardDecision,
    Criterion,
    Evaluation,
    InvoiceLine,
    Journey,
    NudgeDue,
    Progress,
    Recommendation,
    Round,
    RoundView,
    Score,
    Stage,
    Viewer,
    Visit,
)
from cluster.referrals import Kind, ReferralView, State

TODAY = date(2026, 1, 20)
ROUND = Round(
    "2025/26",
    500_000_00,
    date(2025, 9, 1),
    date(2025, 12, 31),
    date(2026, 1, 30),
    date(2026, 2, 27),
    date(2026, 8, 31),
    date(2026, 9, 30),
)
ROUNDS = (RoundView(2025, ROUND.opens, ROUND.closes, ROUND, 27_500_00, 12_480_00),)
STATEMENTS = (
    ("Strategic fit", "Twelve pupils with EHCPs need a regulated space daily."),
    ("Quality of design", "Designed with the occupational therapist."),
)
SCORING = ApplicationView(
    referral_id=31,
    reference="CEN-2526-003",
    cluster_id=1,
    cluster="Central",
    setting_id=9,
    setting="Waterside Primary School",
    year_start=2025,
    round=ROUND,
    window_closes=ROUND.closes,
    category="Sensory spaces or circuits",
    works="Convert the old library store into a sensory room with soft lighting and acoustic panels.",
    asked_pence=12_500_00,
    statements=STATEMENTS,
    progress=Progress(checked=True, scoring=True),
    stage=Stage.SCORING,
    scored_by=2,
    panel_size=5,
    accepted_on=date(2025, 12, 2),
    scoring_from=date(2026, 1, 1),
)
SCORE = Score(
    {c: 4 for c in Criterion} | {Criterion.VALUE_FOR_MONEY: 3},
    {Criterion.VALUE_FOR_MONEY: "One quote is much lower than the others; say why."},
)
AVERAGES = Averages(
    {c: Fraction(11, 3) for c in Criterion} | {Criterion.DELIVERABILITY: Fraction(9, 2)}, Fraction(23, 6), 3
)
RECOMMENDED = replace(
    SCORING,
    progress=Progress(
        checked=True,
        scoring=True,
        panel_closed=True,
        recommendation=Recommendation.WITH_CONDITIONS,
    ),
    stage=Stage.WITH_BOARD,
    scored_by=3,
    averages=AVERAGES,
    recommendation_reasons="Strong fit and a deliverable plan.",
    recommendation_conditions="Use the lowest compliant quote.",
    panel_closed_on=date(2026, 1, 28),
    recommended_on=date(2026, 1, 29),
)
BOARD = BoardDecision(True, 12_000_00, "Use the lowest compliant quote.", "Recommended by the panel.")
STARTED = replace(
    RECOMMENDED,
    progress=replace(RECOMMENDED.progress, board=BOARD, journey=Journey(12_000_00, started_on=date(2026, 4, 13))),
    stage=Stage.STARTED,
    board_on=date(2026, 2, 20),
    invoices=(InvoiceLine(1, 4_980_00, "Contractor invoice 1.pdf"), InvoiceLine(2, 7_500_00, None)),
)
RELEASED = replace(
    STARTED,
    progress=replace(
        STARTED.progress,
        journey=Journey(
            12_000_00,
            date(2026, 4, 13),
            date(2026, 7, 17),
            Visit("Theo Team", date(2026, 7, 22), True, "Finished to a good standard."),
            (4_980_00, 7_500_00),
            12_000_00,
        ),
    ),
    stage=Stage.RELEASED,
    invoices=(InvoiceLine(1, 4_980_00, "Contractor invoice 1.pdf"), InvoiceLine(2, 7_500_00, "Invoice 2.pdf")),
    released_on=date(2026, 7, 30),
)
EVALUATED = replace(
    RELEASED,
    progress=replace(
        RELEASED.progress,
        evaluation=Evaluation(4, 36, "+2.5", "Pupils who left class several times a day now stay for most lessons."),
    ),
    stage=Stage.EVALUATED,
    evaluated_on=date(2026, 9, 21),
)
LATE = replace(
    replace(SCORING, referral_id=32, reference="CEN-2526-005", setting="Haywood Academy"),
    late=("the panel's recommendation was due by 30 January 2026",),
)
APPLIED = ReferralView(
    id=31,
    reference="CEN-2526-003",
    kind=Kind.CAPITAL,
    state=State.SUBMITTED,
    cluster="Central",
    setting="Waterside Primary School",
    created_by="Wendy Waterside",
    details={"category": "sensory", "works": "A sensory room.", "amount": 12_500_00},
)
MEMBER = Viewer("Wendy Waterside")
STARTED_ELSEWHERE = replace(STARTED, referral_id=34, reference="CEN-2526-008", setting="Etruscan Primary School")
OFFICER = Viewer("Olive Officer", officer=True)


def capital_gallery() -> dict[str, dict[str, Any]]:
    """The Capital Fund's cards, by golden file name."""
    return {
        "capital_officer": capital_card(
            ROUNDS, [SCORING, LATE, replace(RECOMMENDED, reference="CEN-2526-007"), STARTED_ELSEWHERE], officer=True
        ),
        "capital_member": capital_card(ROUNDS, [SCORING, STARTED_ELSEWHERE], admin=True, to_score=frozenset({31})),
        "capital_round_errors": capital_card(
            (RoundView(2026, date(2026, 9, 1), date(2026, 12, 31), None),),
            [],
            officer=True,
            values={"label": "2026/27", "total": "lots", "opens": "2026-09-01"},
            errors={"total": "Give the round's total in pounds, such as 500,000.", "closes": "Choose the date."},
        ),
        "capital_scoring": application_card(SCORING, replace(MEMBER, may_score=True), TODAY),
        "capital_scoring_saved": application_card(
            SCORING, replace(MEMBER, may_score=True, own_score=SCORE), TODAY, notice="Your scores are saved."
        ),
        "capital_scoring_errors": application_card(
            SCORING,
            replace(MEMBER, may_score=True),
            TODAY,
            values={"score_strategic_fit": "4", "score_deliverability": ""},
            errors={"score_deliverability": "Score Deliverability from 1 to 5."},
        ),
        "capital_from_setting": application_card(
            SCORING,
            replace(MEMBER, not_scoring="You are from the applying setting, so you do not score this application."),
            TODAY,
        ),
        "capital_chair_scoring": application_card(SCORING, Viewer("Chris Chair", chairs=True, may_score=True), TODAY),
        "capital_chair_recommends": application_card(
            replace(RECOMMENDED, progress=replace(RECOMMENDED.progress, recommendation=None), stage=Stage.SCORED),
            Viewer("Chris Chair", chairs=True),
            TODAY,
        ),
        "capital_board_form": application_card(RECOMMENDED, OFFICER, TODAY),
        "capital_board_errors": application_card(
            RECOMMENDED,
            OFFICER,
            TODAY,
            values={"board": "approve", "amount": "16000"},
            errors={"board_form": "A Capital Fund grant is at most £15,000.00."},
        ),
        "capital_project_senco": application_card(
            STARTED, Viewer("Wendy Waterside", applicant=True), date(2026, 7, 1), notice="Marked started."
        ),
        "capital_project_team": application_card(STARTED, Viewer("Theo Team", team=True), date(2026, 7, 22)),
        "capital_project_officer": application_card(STARTED, OFFICER, date(2026, 7, 22)),
        "capital_released": application_card(RELEASED, Viewer("Wendy Waterside", applicant=True), date(2026, 8, 3)),
        "capital_evaluated": application_card(EVALUATED, OFFICER, date(2026, 9, 22)),
        "capital_score_request": score_request_card(SCORING),
        "capital_nudge_panel": capital_nudge_card(SCORING, NudgeDue("panel-5", Audience.UNSCORED, ROUND.panel_by)),
        "capital_nudge_complete": capital_nudge_card(
            STARTED, NudgeDue("complete-30", Audience.SETTING, ROUND.complete_by)
        ),
        "capital_nudge_evaluate": capital_nudge_card(
            RELEASED, NudgeDue("evaluate-14", Audience.CHAIR, ROUND.evaluate_by)
        ),
        "capital_board_approved": board_notice_card(STARTED),
        "capital_board_declined": board_notice_card(
            replace(
                RECOMMENDED,
                progress=replace(
                    RECOMMENDED.progress, board=BoardDecision(False, 0, "", "The round's money went to others.")
                ),
                stage=Stage.DECLINED,
            )
        ),
        "capital_released_notice": released_notice_card(RELEASED),
        "capital_panel": panel_card(
            "Central",
            [
                (4, "Chris Chair", "Chair", False),
                (7, "Theo Team", "Team around the cluster", False),
                (2, "Sam Senco", "Named by the admin", True),
            ],
            [(3, "Wendy Waterside (Waterside Primary School)")],
            notice="Named to the panel.",
        ),
        "capital_panel_empty": panel_card("Central", [], []),
        "referral_submitted_capital": submitted_card(APPLIED),
        "referral_accepted_notice_capital": accepted_notice_card(replace(APPLIED, state=State.ACCEPTED)),
    }

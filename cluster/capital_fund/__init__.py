"""The Capital Fund's governance, pure rules: a round, the panel's scores, the Board's decision, and the release.

The fund is the council's own pot, not a cluster's budget. Each round (2025/26 the first) has a total, an
application window and timeline dates. When the window closes the Cluster Panel scores each application on
six criteria, 1 to 5 each; a member from the applying setting does not score it, and members' scores stay
hidden from one another until the panel closes. The chair records the panel's recommendation; the council's
Place, Planning and Sufficiency Board decides (an amount up to what was asked and up to £15,000, with
conditions, or declined with reasons). Money is released only when the project is completed, a
quality-assurance visit has passed and paid invoices are in, and never more than the grant or the invoices.

- ``rounds``: a round, its dates in order, the round as the admin's form;
- ``panel``: the criteria, scores and averages, the recommendation, the Board's decision;
- ``journey``: the stages, the visit, invoices and the release, the evaluation;
- ``nudges``: what is late, and the reminders as the round's dates approach;
- ``views``: what cards and reports show.

``from cluster.capital_fund import Round`` names any of them, whichever module holds it.
"""

from __future__ import annotations

from cluster.capital_fund.journey import (
    PROJECT_STAGES,
    STAGE_TITLES,
    Evaluation,
    Journey,
    Progress,
    Stage,
    Visit,
    check_evaluation,
    check_invoice_amount,
    check_journey_day,
    check_visit,
    missing_for_release,
    release_amount,
    stage_of,
)
from cluster.capital_fund.nudges import (
    COMPLETE_NUDGES,
    EVALUATE_NUDGES,
    SCORE_NUDGES,
    Audience,
    NudgeDue,
    late,
    next_look,
    nudges_due,
)
from cluster.capital_fund.panel import (
    CRITERION_TITLES,
    MAX_COMMENT,
    MAX_GRANT_PENCE,
    MAX_REASONS,
    RECOMMENDATION_TITLES,
    Averages,
    BoardDecision,
    Criterion,
    Recommendation,
    Score,
    averages,
    check_board_decision,
    check_can_score,
    check_recommendation,
    check_score,
    one_decimal,
)
from cluster.capital_fund.rounds import (
    ROUND_DATES,
    Round,
    check_round,
    check_round_form,
    check_round_in_year,
    check_within_round,
    school_year_of,
)
from cluster.capital_fund.views import ApplicationView, InvoiceLine, Member, RoundView, Viewer

__all__ = [
    "COMPLETE_NUDGES",
    "CRITERION_TITLES",
    "EVALUATE_NUDGES",
    "MAX_COMMENT",
    "MAX_GRANT_PENCE",
    "MAX_REASONS",
    "PROJECT_STAGES",
    "RECOMMENDATION_TITLES",
    "ROUND_DATES",
    "SCORE_NUDGES",
    "STAGE_TITLES",
    "ApplicationView",
    "Audience",
    "Averages",
    "BoardDecision",
    "Criterion",
    "Evaluation",
    "InvoiceLine",
    "Journey",
    "Member",
    "NudgeDue",
    "Progress",
    "Recommendation",
    "Round",
    "RoundView",
    "Score",
    "Stage",
    "Viewer",
    "Visit",
    "averages",
    "check_board_decision",
    "check_can_score",
    "check_evaluation",
    "check_invoice_amount",
    "check_journey_day",
    "check_recommendation",
    "check_round",
    "check_round_form",
    "check_round_in_year",
    "check_score",
    "check_visit",
    "check_within_round",
    "late",
    "missing_for_release",
    "next_look",
    "nudges_due",
    "one_decimal",
    "release_amount",
    "school_year_of",
    "stage_of",
]

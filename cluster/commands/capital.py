"""The Capital Fund's commands: the round, opening an application, the panel, the Board, the project, its impact.

Every application card's button carries the application's ``referral_id``; the forms' inputs are read here.
Where the fund's rules check a whole form at once and say what to fix per field (the scores, the visit,
the impact), the inputs are read as text and the use case hands the command itself to those rules
(:mod:`cluster.capital_fund`), so every mistake comes back together, beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cluster.capital_fund import MAX_COMMENT, MAX_REASONS, Criterion
from cluster.commands.inputs import Source, choice, day, money, row_id, text

NOT_FOUND = "I can't find that Capital Fund application."
PERSON_GONE = "That person is no longer on the cluster's roster."
CHOOSE_MEMBER = "Choose who to name to the panel."
BOARD_CHOICES = ("approve", "decline")
PASSED_CHOICES = ("true", "false")
RECOMMENDATION_CHOICES = ("recommend", "recommend_with_conditions", "do_not_recommend")


def _date(title: str) -> str:
    return f"Choose the date: {title.lower()}."


@dataclass(frozen=True, kw_only=True)
class SetRound:
    """A council officer sets (or corrects) a school year's round: its name, total and dates."""

    label: str = text("Round", "Give the round a name, such as 2025/26.", max_length=40)
    total: int = money("Total", "Enter an amount in pounds and pence, as in 1,250.00.")
    opens: date = day("Applications open", _date("Applications open"), wrong=_date("Applications open"))
    closes: date = day("Applications close", _date("Applications close"), wrong=_date("Applications close"))
    panel_by: date = day(
        "Panel scores and recommends by",
        _date("Panel scores and recommends by"),
        wrong=_date("Panel scores and recommends by"),
    )
    decisions_by: date = day(
        "Board decisions communicated by",
        _date("Board decisions communicated by"),
        wrong=_date("Board decisions communicated by"),
    )
    complete_by: date = day(
        "Projects complete and visited by",
        _date("Projects complete and visited by"),
        wrong=_date("Projects complete and visited by"),
    )
    evaluate_by: date = day("Impact evaluated by", _date("Impact evaluated by"), wrong=_date("Impact evaluated by"))


@dataclass(frozen=True, kw_only=True)
class OnApplication:
    """An action on one application that reads nothing else: open it, close its panel, release its money."""

    referral_id: int = row_id(NOT_FOUND)


@dataclass(frozen=True, kw_only=True)
class ScoreApplication:
    """A panel member's scores (1 to 5, as typed) and comments, one of each per criterion."""

    referral_id: int = row_id(NOT_FOUND)
    score_strategic_fit: str = text(required=False, max_length=10)
    comment_strategic_fit: str = text(required=False, max_length=MAX_COMMENT)
    score_quality_of_design: str = text(required=False, max_length=10)
    comment_quality_of_design: str = text(required=False, max_length=MAX_COMMENT)
    score_deliverability: str = text(required=False, max_length=10)
    comment_deliverability: str = text(required=False, max_length=MAX_COMMENT)
    score_value_for_money: str = text(required=False, max_length=10)
    comment_value_for_money: str = text(required=False, max_length=MAX_COMMENT)
    score_environmental_impact: str = text(required=False, max_length=10)
    comment_environmental_impact: str = text(required=False, max_length=MAX_COMMENT)
    score_stakeholder_engagement: str = text(required=False, max_length=10)
    comment_stakeholder_engagement: str = text(required=False, max_length=MAX_COMMENT)

    def score_of(self, criterion: Criterion) -> str:
        """The criterion's score as typed."""
        return str(getattr(self, score_input(criterion)))

    def comment_of(self, criterion: Criterion) -> str:
        """The criterion's comment as typed."""
        return str(getattr(self, comment_input(criterion)))


def score_input(criterion: Criterion) -> str:
    """The scoring form's input for a criterion's score."""
    return f"score_{criterion.value}"


def comment_input(criterion: Criterion) -> str:
    """The scoring form's input for a criterion's comment."""
    return f"comment_{criterion.value}"


@dataclass(frozen=True, kw_only=True)
class Recommend:
    """The chair records the panel's recommendation to the Board."""

    referral_id: int = row_id(NOT_FOUND)
    recommendation: str = choice(
        "The panel's recommendation", RECOMMENDATION_CHOICES, "Choose the panel's recommendation."
    )
    reasons: str = text(
        "Reasons", "Give the panel's reasons; the Board and the setting read them.", max_length=MAX_REASONS
    )
    conditions: str = text("Conditions", required=False, max_length=MAX_REASONS)


@dataclass(frozen=True, kw_only=True)
class RecordBoardDecision:
    """A council officer records the Board's decision: approved (for an amount; none is what was asked) or not."""

    referral_id: int = row_id(NOT_FOUND)
    board: str = choice("The Board's decision", BOARD_CHOICES, "Choose the Board's decision: approved or declined.")
    amount: int | None = money("Amount approved", required=False)
    conditions: str = text("Conditions", required=False, max_length=MAX_REASONS)
    reasons: str = text("Reasons", required=False, max_length=MAX_REASONS)


@dataclass(frozen=True, kw_only=True)
class MarkStarted:
    """The SENCO marks the project started, on the day given."""

    referral_id: int = row_id(NOT_FOUND)
    started_on: date = day(
        "Started on", "Choose the date the project started.", wrong="Choose the date the project started."
    )


@dataclass(frozen=True, kw_only=True)
class MarkCompleted:
    """The SENCO marks the project completed, on the day given."""

    referral_id: int = row_id(NOT_FOUND)
    completed_on: date = day(
        "Completed on", "Choose the date the project completed.", wrong="Choose the date the project completed."
    )


@dataclass(frozen=True, kw_only=True)
class AddInvoice:
    """The SENCO gives a paid invoice's amount (its file follows in chat)."""

    referral_id: int = row_id(NOT_FOUND)
    invoice_amount: int = money("Paid invoice amount")


@dataclass(frozen=True, kw_only=True)
class RecordVisit:
    """The team records the quality-assurance visit: who, when, passed or not, and notes (checked by the rules)."""

    referral_id: int = row_id(NOT_FOUND)
    visitor: str = text(required=False, max_length=200)
    visited_on: str = text(required=False, max_length=20)
    passed: str = text(required=False, max_length=10)
    notes: str = text(required=False, max_length=MAX_REASONS)


@dataclass(frozen=True, kw_only=True)
class Evaluate:
    """The project's impact: the figures and what changed in words (checked by the rules)."""

    referral_id: int = row_id(NOT_FOUND)
    ehcp_pupils: str = text(required=False, max_length=20)
    pupils_weekly: str = text(required=False, max_length=20)
    attendance_change: str = text(required=False, max_length=20)
    what_changed: str = text(required=False, max_length=MAX_REASONS)


@dataclass(frozen=True, kw_only=True)
class NamePanelMember:
    """The admin names a SENCO or delegate of their cluster to its panel."""

    person_id: int = row_id(CHOOSE_MEMBER, source=Source.INPUT)  # chosen from the list on the panel card


@dataclass(frozen=True, kw_only=True)
class RemovePanelMember:
    """The admin takes a named SENCO off the panel."""

    person_id: int = row_id(PERSON_GONE)

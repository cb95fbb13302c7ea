"""The Cluster Panel's scores and recommendation, and the Board's decision.

When the window closes the Cluster Panel scores each application on six criteria, 1 to 5 each; a member from
the applying setting does not score it, and members' scores stay hidden from one another until the panel
closes. The chair records the panel's recommendation; the council's Place, Planning and Sufficiency Board
decides (an amount up to what was asked and up to £15,000, with conditions, or declined with reasons).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING

from cluster.errors import Refusal
from cluster.provision import format_pence, round_half_up

if TYPE_CHECKING:  # the command is built from this module's criteria, so it is imported for its type only
    from cluster.commands.capital import ScoreApplication

MAX_GRANT_PENCE = 15_000_00
MAX_COMMENT = 1000
MAX_REASONS = 2000


class Criterion(StrEnum):
    """What the panel scores each application on (the council's published criteria)."""

    STRATEGIC_FIT = "strategic_fit"
    QUALITY_OF_DESIGN = "quality_of_design"
    DELIVERABILITY = "deliverability"
    VALUE_FOR_MONEY = "value_for_money"
    ENVIRONMENTAL_IMPACT = "environmental_impact"
    STAKEHOLDER_ENGAGEMENT = "stakeholder_engagement"


CRITERION_TITLES: dict[Criterion, str] = {
    Criterion.STRATEGIC_FIT: "Strategic fit",
    Criterion.QUALITY_OF_DESIGN: "Quality of design",
    Criterion.DELIVERABILITY: "Deliverability",
    Criterion.VALUE_FOR_MONEY: "Value for money",
    Criterion.ENVIRONMENTAL_IMPACT: "Environmental impact",
    Criterion.STAKEHOLDER_ENGAGEMENT: "Stakeholder engagement",
}


@dataclass(frozen=True)
class Score:
    """One panel member's scores for one application: 1-5 per criterion, each with an optional comment."""

    scores: Mapping[Criterion, int]
    comments: Mapping[Criterion, str]


def check_score(form: ScoreApplication) -> tuple[Score, dict[str, str]]:
    """A member's scoring card as typed: the score, and a message per criterion that needs fixing."""
    errors: dict[str, str] = {}
    scores: dict[Criterion, int] = {}
    comments: dict[Criterion, str] = {}
    for criterion in Criterion:
        title = CRITERION_TITLES[criterion]
        text = form.score_of(criterion).strip()
        if not text:
            errors[criterion.value] = f"Score {title} from 1 to 5."
        elif not text.isdigit() or not 1 <= int(text) <= 5:
            errors[criterion.value] = f"{title} is scored from 1 to 5."
        else:
            scores[criterion] = int(text)
        comment = form.comment_of(criterion).strip()
        if len(comment) > MAX_COMMENT:
            errors[f"{criterion.value}_comment"] = f"Keep the comment on {title} under {MAX_COMMENT} characters."
        comments[criterion] = comment
    return Score(scores, comments), errors


def check_can_score(member_setting_ids: Iterable[int], applying_setting_id: int) -> None:
    """Refuse a member from the applying setting: they do not score their own setting's application."""
    if applying_setting_id in set(member_setting_ids):
        raise Refusal("You are from the applying setting, so you do not score this application.")


@dataclass(frozen=True)
class Averages:
    """The panel's averages per criterion and overall (exact fractions; shown to one decimal place)."""

    per_criterion: Mapping[Criterion, Fraction]
    overall: Fraction | None
    scored_by: int


def averages(scores: Sequence[Score]) -> Averages:
    """The mean score per criterion over the members who scored it, and the mean of those means overall."""
    per: dict[Criterion, Fraction] = {}
    for criterion in Criterion:
        given = [s.scores[criterion] for s in scores if criterion in s.scores]
        if given:
            per[criterion] = Fraction(sum(given), len(given))
    overall = sum(per.values(), Fraction(0)) / len(per) if per else None
    return Averages(per, overall, len(scores))


def one_decimal(value: Fraction) -> str:
    """A score as people read it: one decimal place, halves rounded up (3.25 -> "3.3")."""
    tenths = round_half_up(value * 10)
    return f"{tenths // 10}.{tenths % 10}"


# --- the panel's recommendation and the board's decision -----------------------------------------------


class Recommendation(StrEnum):
    """What the panel recommends to the Board."""

    RECOMMEND = "recommend"
    WITH_CONDITIONS = "recommend_with_conditions"
    DO_NOT_RECOMMEND = "do_not_recommend"


RECOMMENDATION_TITLES: dict[Recommendation, str] = {
    Recommendation.RECOMMEND: "Recommend",
    Recommendation.WITH_CONDITIONS: "Recommend with conditions",
    Recommendation.DO_NOT_RECOMMEND: "Do not recommend",
}


def check_recommendation(choice: str, reasons: str, conditions: str) -> tuple[Recommendation, dict[str, str]]:
    """The panel's recommendation, with the reasons always and the conditions when it sets some."""
    errors: dict[str, str] = {}
    try:
        chosen = Recommendation(choice)
    except ValueError:
        chosen = Recommendation.RECOMMEND
        errors["recommendation"] = "Choose the panel's recommendation."
    if not reasons.strip():
        errors["reasons"] = "Give the panel's reasons; the Board and the setting read them."
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = f"Keep the reasons under {MAX_REASONS} characters."
    if chosen is Recommendation.WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = "Say what the conditions are."
    elif len(conditions) > MAX_REASONS:
        errors["conditions"] = f"Keep the conditions under {MAX_REASONS} characters."
    return chosen, errors


@dataclass(frozen=True)
class BoardDecision:
    """The Place, Planning and Sufficiency Board's decision on one application."""

    approved: bool
    amount_pence: int
    conditions: str
    reasons: str


def check_board_decision(
    approved: bool, amount_pence: int | None, asked_pence: int, conditions: str, reasons: str
) -> BoardDecision:
    """An approval for up to what was asked and up to £15,000, or a decline with its reasons."""
    if not approved:
        if not reasons.strip():
            raise Refusal("Give the Board's reasons for declining; the setting is told them.")
        return BoardDecision(False, 0, "", reasons.strip())
    if amount_pence is None or amount_pence < 1:
        raise Refusal("Give the amount the Board approved.")
    if amount_pence > asked_pence:
        raise Refusal(f"The Board cannot approve more than the setting asked for ({format_pence(asked_pence)}).")
    if amount_pence > MAX_GRANT_PENCE:
        raise Refusal(f"A Capital Fund grant is at most {format_pence(MAX_GRANT_PENCE)}.")
    return BoardDecision(True, amount_pence, conditions.strip(), reasons.strip())

"""A review rates each outcome its referral set, through the real endpoint: the form, refusals, the rows kept,
and where the ratings are shown afterwards."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards import verbs
from cards.meeting_day.agenda import agenda_card
from cluster.clock import LONDON, FixedClock
from cluster.impact import ImpactCount, Rating
from cluster.review_form import RATE_THIS
from store.db import transaction
from store.models import Review, ReviewOutcome, Setting
from tests.conftest import CHAIR, Bot
from tests.support.queries import count_queries
from tests.support.referral_flow import GOOD_INDIVIDUAL, Flow, shows
from tests.support.review_flow import fund
from usecases.impact import impact_counts
from usecases.meeting_day.agenda import prepare_agenda

OUTCOMES = (
    "Uses 3-word phrases to request help by July.",
    "Follows two-step instructions in class",
    "Joins in at **play** with [friends](https://x.example)",
)
# Typed with a number on each line, as people do: the form numbers them itself.
TYPED = "\n".join(f"{n}. {outcome}" for n, outcome in enumerate(OUTCOMES, 1))
ANSWERS = {
    "outcomes_achieved": "Two of three met; play is still hard.",
    "attendance": "97%",
    "progress": "Good",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "400",
    "recommendation": "continue",
    "next_review": "2027-01-15",
}
RATINGS = {"outcome_rating_1": "achieved", "outcome_rating_2": "partly", "outcome_rating_3": "not_achieved"}
JULY = datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)


@pytest.fixture
def review_id(central: Engine, clock: FixedClock) -> int:
    """Sam's referral, setting three outcomes, funded in December; its review is due in July."""
    review = fund(central, clock.now(), details={**GOOD_INDIVIDUAL, "outcomes": TYPED})
    clock.set(JULY)
    return review


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The card's inputs by id, wherever they are."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card["body"])
    return found


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's text, in order."""
    return [e["text"] for e in json.loads(json.dumps(card["body"])) if e.get("type") == "TextBlock"]


def stored(engine: Engine) -> list[tuple[int, str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(ReviewOutcome).order_by(col(ReviewOutcome.position))).all()
        return [(r.position, r.outcome, r.rating, r.kind) for r in rows]


async def test_a_senco_rates_each_outcome_set_in_the_referral_and_the_ratings_are_kept(
    bot: Bot, central: Engine, review_id: int
) -> None:
    flow = Flow(bot)
    form = await flow.card(verbs.REVIEW_OPEN, {"review_id": review_id})
    fields = inputs(form)
    choices = [fields[f"outcome_rating_{n}"] for n in (1, 2, 3)]
    assert "outcome_rating_4" not in fields
    assert all(c["isRequired"] and [o["value"] for o in c["choices"]] == list(Rating) for c in choices)
    assert [o["title"] for o in choices[0]["choices"]] == ["Achieved", "Partly achieved", "Not achieved"]
    shown = texts(form)
    assert OUTCOMES[0] in shown and OUTCOMES[1] in shown, "each outcome is shown without the number typed"
    assert r"Joins in at \*\*play\*\* with \[friends\](https\://x.example)" in shown, "typed text stays text"
    assert "outcomes_achieved" in fields, "the free-text evidence box is kept"

    done = await flow.card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    assert shows(done, "Review submitted")
    assert "Achieved: Uses 3-word phrases to request help by July." in texts(done)
    assert "Partly achieved: Follows two-step instructions in class" in texts(done)
    assert stored(central) == [
        (1, OUTCOMES[0], "achieved", "individual"),
        (2, OUTCOMES[1], "partly", "individual"),
        (3, OUTCOMES[2], "not_achieved", "individual"),
    ]


async def test_the_same_submit_delivered_twice_keeps_one_set_of_ratings(
    bot: Bot, central: Engine, review_id: int
) -> None:
    flow = Flow(bot)
    await flow.card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    again = await flow.card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    assert shows(again, "Review submitted")
    assert [position for position, *_ in stored(central)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        ({"outcome_rating_2": "mostly"}, RATE_THIS),
        ({"outcome_rating_2": ""}, RATE_THIS),
        ({"outcome_rating_4": "achieved"}, "Only the 3 outcomes the referral set can be rated."),
        ({"outcome_rating_99999999999": "achieved"}, "Only the 3 outcomes the referral set can be rated."),
    ],
)
async def test_a_missing_or_forged_rating_comes_back_in_the_card_and_nothing_is_saved(
    bot: Bot, central: Engine, review_id: int, forged: dict[str, str], message: str
) -> None:
    card = await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS, **forged})
    assert shows(card, "Please fix 1 thing below.") and message in texts(card)
    assert inputs(card)["outcome_rating_1"]["value"] == "achieved", "what was chosen is kept"
    if "outcome_rating_2" in forged:
        assert "value" not in inputs(card)["outcome_rating_2"], "a forged rating is not shown as chosen"
    with Session(central) as session:
        review = session.get(Review, review_id)
    assert review is not None and review.state == "open" and review.answers == {}
    assert stored(central) == []


async def test_a_review_submitted_again_after_coming_back_replaces_its_ratings(
    bot: Bot, central: Engine, review_id: int
) -> None:
    flow = Flow(bot)
    await flow.card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    with Session(central) as session:  # sent back to the setting (as a return would)
        review = session.get(Review, review_id)
        assert review is not None
        review.state = "open"
        session.add(review)
        session.commit()
    better = {**RATINGS, "outcome_rating_3": "partly"}
    await flow.card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **better})
    assert [rating for _, _, rating, _ in stored(central)] == ["achieved", "partly", "partly"]


async def test_the_chair_sees_each_outcome_with_its_rating_among_the_reviews_due(
    bot: Bot, central: Engine, review_id: int
) -> None:
    await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    await Flow(bot, CHAIR).say("reviews due")
    [call] = await bot.connector.wait_for(1)
    sent = call.all_json()
    assert "Reviews due in your cluster" in sent
    assert "Achieved: Uses 3-word phrases to request help by July." in sent
    assert "Not achieved: Joins in at" in sent


async def test_the_meeting_sees_the_reviews_ratings_by_number_and_never_the_outcomes_text(
    bot: Bot, central: Engine, review_id: int
) -> None:
    await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    agenda = prepare_agenda(central, 6, JULY)  # 9 July 2026, the next meeting
    [entry] = [e for e in agenda.entries if e.review]
    assert entry.outcome_ratings == (Rating.ACHIEVED, Rating.PARTLY, Rating.NOT_ACHIEVED)
    posted = json.dumps(agenda_card(agenda), ensure_ascii=False)
    assert "1: Achieved · 2: Partly achieved · 3: Not achieved" in posted
    assert "3-word phrases" not in posted and "two-step" not in posted, "a channel never shows what was typed"


async def test_the_impact_counts_add_up_the_ratings_by_cluster_and_kind_in_one_query(
    bot: Bot, central: Engine, review_id: int
) -> None:
    await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": review_id, **ANSWERS, **RATINGS})
    with Session(central) as session:
        central_id = session.exec(select(Setting.cluster_id)).first()
    assert central_id is not None
    with transaction(central, read_only=True) as session, count_queries(central) as counted:
        every = impact_counts(session, None)
        mine = impact_counts(session, frozenset({central_id}), since=JULY)
        later = impact_counts(session, frozenset({central_id}), since=datetime(2026, 7, 2, tzinfo=LONDON))
        none = impact_counts(session, frozenset({central_id + 100}))
    assert sorted(every, key=lambda c: c.rating) == [
        ImpactCount(central_id, "individual", Rating.ACHIEVED, 1),
        ImpactCount(central_id, "individual", Rating.NOT_ACHIEVED, 1),
        ImpactCount(central_id, "individual", Rating.PARTLY, 1),
    ]
    assert mine == every and later == [] and none == []
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4, "one query per call"

"""The funding formula through the real endpoint, over four clusters: a council officer records a year's formula,
every cluster's budget follows it to the penny, the budget card and the citywide view show the same basis and
figures, and each change is kept with who made it and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.commands.budget import SetBudget, ShowBudget
from cluster.commands.inputs import data_for
from cluster.funding import REMAINDER_RULE
from cluster.permissions import SET_FUNDING
from store.models import AuditEvent, FundingChange
from tests.conftest import TEST_NOW, Bot
from tests.http.test_citywide import city, pence, table_of  # noqa: F401 (city: the four clusters' fixture)
from tests.support.four_clusters import FourClusters
from tests.support.referral_flow import Flow, beside, shows
from usecases.budget import budget_for

TODAY = TEST_NOW.date()
YEAR = {
    "label": "2025/26",
    "starts": "2025-09-01",
    "ends": "2026-08-31",
    "baseline": "1,000,000.00",
    "baseline_by": "settings",
    "uplift": "100,000.01",
    "uplift_by": "settings",
    "specialist": "",
    "specialist_by": "settings",
    "reason": "The council's allocation for 2025/26.",
}


def fact(card: dict[str, Any], title: str) -> str:
    """The value beside a fact's title, wherever its FactSet sits."""
    for element in card["body"]:
        for pair in element.get("facts", []):
            if pair["title"] == title:
                return str(pair["value"])
    raise AssertionError(f"no fact {title!r}")


async def recorded(scene_and_bot: tuple[Bot, FourClusters]) -> tuple[Flow, FourClusters]:
    """The council officer, having recorded the year's formula (``YEAR``)."""
    bot, scene = scene_and_bot
    officer = Flow(bot, scene.officer.who)
    assert shows(await officer.card(verbs.FUNDING_SET, YEAR), "Saved the 2025/26 formula")
    return officer, scene


async def test_the_budget_card_and_the_citywide_view_show_the_formula_s_figures_and_basis_alike(
    city: tuple[Bot, FourClusters],  # noqa: F811
    engine: Engine,
) -> None:
    bot, scene = city
    officer = Flow(bot, scene.officer.who)
    card = await officer.card(verbs.FUNDING_SET, YEAR)
    assert shows(card, "Saved the 2025/26 formula: every cluster's budget now follows it.")
    assert fact(card, "The city's allocation") == "£1,100,000.01"
    citywide = await officer.card(verbs.CITYWIDE)
    money = table_of(citywide, "Each cluster's money (£)")
    allocated = 0
    for name in ("Central", "North", "South", "West"):
        budget = await officer.card(verbs.BUDGET, data_for(ShowBudget, cluster_id=scene[name].cluster_id))
        shown = fact(budget, "Allocated (the budget's total)")
        assert pence(money[name][0]) == pence(shown), f"{name}: the budget card and the citywide view disagree"
        assert fact(card, name).startswith(shown) and fact(citywide, name).startswith(shown)
        assert shows(budget, "From the 2025/26 formula: the city's allocation of £1,100,000.01 shared between 4")
        assert shows(budget, "The proposed additional amount: ") and shows(budget, "by settings (")
        assert shows(budget, REMAINDER_RULE) and shows(citywide, REMAINDER_RULE)
        allocated += pence(shown)
    assert allocated == 1_100_000_01, "the shares add up to the city's allocation to the penny"
    assert pence(money["Total"][0]) == allocated


async def test_a_change_is_kept_with_who_made_it_and_why(
    city: tuple[Bot, FourClusters],  # noqa: F811
    engine: Engine,
) -> None:
    officer, _ = await recorded(city)
    review = {**YEAR, "uplift": "150,000.00", "reason": "Yearly review: growth higher than planned."}
    card = await officer.card(verbs.FUNDING_SET, review)
    history = [f for e in card["body"] for f in e.get("facts", []) if f["title"] == "20 Nov 2025, Olive Officer"]
    assert [f["value"] for f in history] == [
        "The council's allocation for 2025/26. (£1,100,000.01)",
        "Yearly review: growth higher than planned. (£1,150,000.00)",
    ], "each change, oldest first, with who made it, why, and the allocation after it"
    with Session(engine) as session:
        changes = session.exec(select(FundingChange).order_by(FundingChange.id)).all()
        assert [c.reason for c in changes] == [YEAR["reason"], review["reason"]]
        assert [c.changed_by for c in changes] == ["Olive Officer", "Olive Officer"]
        assert [c.formula["parts"][1]["amount_pence"] for c in changes] == [100_000_01, 150_000_00]
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "funding.set")).all()
        assert len(audit) == 2
    view = budget_for(engine, "North", TODAY)
    assert view is not None and view.basis[0].startswith(
        "From the 2025/26 formula: the city's allocation of £1,150,000.00"
    )


async def test_a_budget_typed_by_hand_afterwards_says_so(
    city: tuple[Bot, FourClusters],  # noqa: F811
    engine: Engine,
) -> None:
    officer, scene = await recorded(city)
    typed = {"label": "2025/26", "starts": "2025-09-01", "ends": "2026-08-31", "baseline": "1000", "reserve": "0"}
    budget = await officer.card(
        verbs.BUDGET_SET, {**typed, **data_for(SetBudget, cluster_id=scene["South"].cluster_id)}
    )
    assert shows(budget, "Basis: the parts were typed by hand, not worked out from a funding formula.")


async def test_a_formula_without_a_reason_or_anything_to_share_by_comes_back_and_nothing_is_saved(
    city: tuple[Bot, FourClusters],  # noqa: F811
    engine: Engine,
) -> None:
    bot, scene = city
    officer = Flow(bot, scene.officer.who)
    card = await officer.card(verbs.FUNDING_SET, {**YEAR, "reason": ""})
    assert beside(card, "reason") == ("", "Say why the formula is being set or changed: the yearly review reads it.")
    card = await officer.card(verbs.FUNDING_SET, {**YEAR, "uplift_by": "ehcp"})
    assert shows(card, "is shared by pupils with EHCPs, but no cluster has any pupils with EHCPs: record the counts")
    with Session(engine) as session:
        assert session.exec(select(FundingChange)).all() == []


async def test_only_a_council_officer_sees_or_sets_the_formula(
    city: tuple[Bot, FourClusters],  # noqa: F811
) -> None:
    bot, scene = city
    for member in (scene["North"].people["chair"], scene["North"].people["admin"]):
        assert await Flow(bot, member.who).refused(verbs.FUNDING) == SET_FUNDING.refusal
        assert await Flow(bot, member.who).refused(verbs.FUNDING_SET, YEAR) == SET_FUNDING.refusal

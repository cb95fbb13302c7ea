"""The budget card through the real endpoint: admins set it, chairs see it, others are refused."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from store.models import Budget
from tests.conftest import ADMIN, CHAIR, SENCO, Bot
from tests.support.referral_flow import Flow, beside, find_action, shows

GOOD = {
    "label": "2025/26",
    "starts": "2025-09-01",
    "ends": "2026-08-31",
    "baseline": "250000",
    "uplift": "20000",
    "specialist": "30,000.50",
    "reserve": "10000",
}


def budgets(engine: Engine) -> list[Budget]:
    with Session(engine) as session:
        return list(session.exec(select(Budget)))


async def test_an_admin_sets_the_budget_and_sees_what_is_available(bot: Bot, central: Engine) -> None:
    card = await Flow(bot, ADMIN).card(verbs.BUDGET_SET, GOOD)
    assert shows(card, "Saved the 2025/26 budget.")
    assert shows(card, "£300,000.50") and shows(card, "£290,000.50"), "total, and available less the reserve"
    [budget] = budgets(central)
    assert budget.specialist_allocation_pence == 3000050


async def test_a_bad_amount_comes_back_next_to_its_field_and_nothing_is_saved(bot: Bot, central: Engine) -> None:
    card = await Flow(bot, ADMIN).card(verbs.BUDGET_SET, {**GOOD, "uplift": "lots"})
    assert shows(card, "“lots” is not an amount: type pounds and pence in figures, as in 1,250.00.")
    assert shows(card, "lots")
    assert budgets(central) == []


async def test_a_misplaced_comma_is_refused_beside_its_amount_not_read_as_another_sum(
    bot: Bot, central: Engine
) -> None:
    card = await Flow(bot, ADMIN).card(verbs.BUDGET_SET, {**GOOD, "baseline": "4,2500.25", "reserve": "1,0000"})
    assert beside(card, "baseline") == (
        "4,2500.25",
        "“4,2500.25” is not an amount: put commas only between groups of three digits, as in 42,500.25.",
    )
    assert beside(card, "reserve") == (
        "1,0000",
        "“1,0000” is not an amount: put commas only between groups of three digits, as in 10,000.",
    )
    assert beside(card, "uplift") == ("20000", "")
    assert budgets(central) == []


async def test_a_reserve_larger_than_the_total_is_refused(bot: Bot, central: Engine) -> None:
    card = await Flow(bot, ADMIN).card(verbs.BUDGET_SET, {**GOOD, "reserve": "400000"})
    assert shows(card, "cannot be more than the budget")
    assert budgets(central) == []


async def test_a_chair_sees_the_budget_but_cannot_set_it(bot: Bot) -> None:
    await Flow(bot, ADMIN).card(verbs.BUDGET_SET, GOOD)
    card = await Flow(bot, CHAIR).card(verbs.BUDGET)
    assert shows(card, "£290,000.50")
    try:
        find_action(card, verbs.BUDGET_SET)
    except AssertionError:
        pass
    else:
        raise AssertionError("a chair was offered the budget form")
    refusal = await Flow(bot, CHAIR).refused(verbs.BUDGET_SET, GOOD)
    assert refusal == "Only the cluster's admin or a council officer can set its budget."


async def test_a_senco_cannot_see_the_budget(bot: Bot) -> None:
    refusal = await Flow(bot, SENCO).refused(verbs.BUDGET)
    assert refusal.startswith("Only a cluster's chair, admin or team")

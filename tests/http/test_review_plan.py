"""Reviews start from the plan: the form shows the provision map as approved and what the ledger paid, prefilled.

Sam's referral (one row: a language group, 30 minutes three times a week for 38 weeks in a group of two at
£15 an hour, £427.50) was approved on 11 December 2025 and is paid termly: £213.75 on 5 January and on
13 April 2026. The council has paid the first when Sam opens the review.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON, FixedClock
from store.models import ProvisionLine, Review
from tests.conftest import Bot
from tests.support.both_databases import seeded_central
from tests.support.provision_entries import one_row_document
from tests.support.referral_flow import Flow, beside, shows
from tests.support.review_flow import fund
from usecases.ledger import import_payments

ANSWERS = {
    "outcome_rating_1": "partly",
    "outcomes_achieved": "Uses 2-word phrases.",
    "attendance": "96%",
    "progress": "Good",
    "wellbeing": "Settled",
    "recommendation": "stop",
}


@pytest.fixture
def central(engine: Engine, clock: FixedClock) -> Engine:
    """Central on SQLite and on PostgreSQL (the shared fixture is SQLite only)."""
    return seeded_central(engine, clock)


@pytest.fixture
def reviewing(central: Engine, clock: FixedClock, tmp_path: Path) -> int:
    """The review of Sam's funded referral, on 1 July 2026, with the January instalment paid."""
    review_id = fund(central, clock.now())
    paid = tmp_path / "paid.csv"
    paid.write_text(
        "reference,due date,amount,paid date,payment reference\nCEN-2526-001,2026-01-05,213.75,2026-01-06,B1\n"
    )
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=LONDON))
    import_payments(central, paid, clock.now())
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=LONDON))
    return review_id


async def test_the_review_form_shows_the_map_as_approved_and_what_was_paid_prefilled_to_confirm(
    bot: Bot, reviewing: int
) -> None:
    form = await Flow(bot).card(verbs.REVIEW_OPEN, {"review_id": reviewing})
    assert shows(form, "Row 1: Language group")
    assert shows(form, "Teaching assistant · 30 minutes, 3 times a week for 38 weeks, group of 2 · £427.50")
    assert shows(form, "not in the Costed Provision Document")
    assert shows(form, "Weeks of row 1 delivered (planned: 38)")
    assert beside(form, "delivered_weeks_1") == ("38", ""), "prefilled with the weeks planned"
    assert shows(form, "£213.75 (1 of 2 instalments)") and shows(form, "Still to be paid")
    assert beside(form, "actual_spend")[0] == "213.75", "the spend starts from what was paid"
    assert shows(form, "Anything else about the provision delivered")


async def test_the_senco_confirms_the_rows_by_changing_the_weeks_and_types_no_description(
    bot: Bot, central: Engine, reviewing: int
) -> None:
    flow = Flow(bot)
    done = await flow.card(
        verbs.REVIEW_SUBMIT,
        {"review_id": reviewing, **ANSWERS, "delivered_weeks_1": "20", "actual_spend": "213.75"},
    )
    assert shows(done, "Review submitted")
    # 20 of the 38 weeks: £427.50 x 20 / 38 = £225.00 exactly.
    assert shows(done, "Row 1, Language group: 20 of 38 weeks · £225.00")
    with Session(central) as session:
        review = session.get(Review, reviewing)
    assert review is not None and review.answers["delivered_weeks_1"] == 20
    assert "provision_delivered" not in review.answers


async def test_a_row_left_without_its_weeks_comes_back_beside_it_with_everything_kept(bot: Bot, reviewing: int) -> None:
    back = await Flow(bot).card(
        verbs.REVIEW_SUBMIT, {"review_id": reviewing, **ANSWERS, "delivered_weeks_1": "", "actual_spend": "213.75"}
    )
    assert beside(back, "delivered_weeks_1")[1] == "Weeks delivered is required."
    assert beside(back, "progress")[0] == "Good"
    forty = await Flow(bot).card(
        verbs.REVIEW_SUBMIT, {"review_id": reviewing, **ANSWERS, "delivered_weeks_1": "60", "actual_spend": "1"}
    )
    assert (
        beside(forty, "delivered_weeks_1")[1]
        == "Weeks delivered must be a whole number from 0 to 52 (0: not delivered)."
    )


async def test_a_form_sent_before_rows_were_confirmed_still_needs_the_provision_in_words(
    bot: Bot, central: Engine, reviewing: int
) -> None:
    old = await Flow(bot).card(verbs.REVIEW_SUBMIT, {"review_id": reviewing, **ANSWERS, "actual_spend": "213.75"})
    assert shows(old, "Provision delivered is required.")
    done = await Flow(bot).card(
        verbs.REVIEW_SUBMIT,
        {"review_id": reviewing, **ANSWERS, "actual_spend": "213.75", "provision_delivered": "As planned"},
    )
    assert shows(done, "Review submitted") and not shows(done, "weeks")


async def test_a_row_priced_from_the_document_says_so(bot: Bot, central: Engine, reviewing: int) -> None:
    with Session(central) as session:
        entry = one_row_document(session, "Language group", 1500, datetime.now(LONDON))
        line = session.exec(select(ProvisionLine)).one()
        line.entry_id = entry.id
        session.add(line)
        session.commit()
    form = await Flow(bot).card(verbs.REVIEW_OPEN, {"review_id": reviewing})
    assert shows(form, "£427.50 · from the Costed Provision Document")

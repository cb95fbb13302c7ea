"""The citywide view's spend, through the real endpoint: by area of need and by provision, small groups pooled.

Central's funded referrals this school year (2025/26), written straight into the tables (the meeting that
funded them is not what is tested here):

- six with one row of the document's "Speech and language group" (communication and interaction), £100 each;
- five with a "Nurture group" typed by hand (social, emotional and mental health), £100 each;
- two with a row typed by hand naming a pupil ("Braille for Jo Smith", sensory and physical), £100 each;
- one whose map has a £300 document row (CI) and a £100 typed row (SEMH), approved for £200: £150 and £50;
- one EHCP referral with no map, £500.

So communication and interaction rests on 7 referrals (£750); sensory and physical on 2, too few to show, and
pooled with the next smallest, social, emotional and mental health (6 referrals, £550), into one line of 8
referrals and £750. The provisions: the document's 7 referrals (£750), those typed by hand 8 (£750).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON, FixedClock
from reports.citywide import tables
from store.db import transaction
from store.models import (
    AgendaItem,
    Decision,
    Meeting,
    ProvisionLine,
    Referral,
    Setting,
)
from tests.conftest import CHAIR, TEST_NOW, Bot
from tests.http.test_citywide import table_of
from tests.support.both_databases import seeded_central
from tests.support.provision_entries import one_row_document
from tests.support.referral_flow import Flow, shows
from usecases.citywide import city_figures
from usecases.people import identify

DECIDED = TEST_NOW - timedelta(days=7)
SLT = "Speech and language group"


def _row(referral_id: int, position: int, area: str, name: str, sessions: int, entry: int | None) -> ProvisionLine:
    # 30 minutes, ``sessions`` a week for 10 weeks, one to one, at £20 an hour: £100 per weekly session.
    return ProvisionLine(
        referral_id=referral_id,
        position=position,
        provision=name,
        area_of_need=area,
        delivered_by="Teaching assistant",
        minutes_per_session=30,
        sessions_per_week=sessions,
        group_size=1,
        weeks=10,
        hourly_rate_pence=2000,
        entry_id=entry,
    )


@pytest.fixture
def central(engine: Engine, clock: FixedClock) -> Engine:
    """Central on SQLite and on PostgreSQL (the shared fixture is SQLite only)."""
    return seeded_central(engine, clock)


@pytest.fixture
def funded(central: Engine) -> Engine:
    with Session(central) as session:
        chair = identify(session, *CHAIR).person_id or 0
        setting = session.exec(select(Setting).where(Setting.name == "Etruscan Primary School")).one()
        meeting = session.exec(select(Meeting).where(Meeting.cluster_id == setting.cluster_id)).first()
        assert meeting is not None and setting.id is not None and meeting.id is not None
        entry = one_row_document(session, SLT, 2000, DECIDED)

        def referral(n: int, kind: str, amount: int, rows: list[tuple[str, str, int, bool]]) -> None:
            made = Referral(
                cluster_id=setting.cluster_id,
                setting_id=setting.id or 0,
                created_by=chair,
                kind=kind,
                state="decided",
                reference=f"CEN-2526-{n:03d}",
                creation_key=f"spend-{n}",
                created_at=DECIDED,
                updated_at=DECIDED,
                submitted_at=DECIDED,
            )
            session.add(made)
            session.flush()
            for position, (area, name, sessions, from_document) in enumerate(rows, 1):
                session.add(_row(made.id or 0, position, area, name, sessions, entry.id if from_document else None))
            item = AgendaItem(meeting_id=meeting.id or 0, referral_id=made.id or 0, state="decided")
            session.add(item)
            session.flush()
            session.add(
                Decision(
                    item_id=item.id or 0,
                    referral_id=made.id or 0,
                    cluster_id=setting.cluster_id,
                    outcome="approved",
                    amount_pence=amount,
                    decided_by=chair,
                    decided_at=DECIDED,
                )
            )

        number = iter(range(1, 100))
        for _ in range(6):
            referral(next(number), "individual", 10000, [("CI", SLT, 1, True)])
        for _ in range(5):
            referral(next(number), "individual", 10000, [("SEMH", "Nurture group", 1, False)])
        for _ in range(2):
            referral(next(number), "individual", 10000, [("SP", "Braille for Jo Smith", 1, False)])
        referral(next(number), "individual", 20000, [("CI", SLT, 3, True), ("SEMH", "Nurture group", 1, False)])
        referral(next(number), "ehcp", 50000, [])
        session.commit()
    return central


async def test_the_spend_by_area_of_need_pools_the_groups_too_small_to_show(bot: Bot, funded: Engine) -> None:
    card = await Flow(bot, CHAIR).card(verbs.CITYWIDE, {"section": "spend"})
    by_area = table_of(card, "Spend by area of need (£)")
    assert by_area["Communication and interaction"] == ["7", "£750.00"]
    pooled = [name for name in by_area if name.startswith("Other areas of need")]
    assert len(pooled) == 1 and by_area[pooled[0]] == ["8", "£750.00"]
    assert "Sensory and/or physical" not in by_area and "Social, emotional and mental health" not in by_area
    assert by_area["No provision map (EHCP and other referrals without cost rows)"] == ["1", "£500.00"]
    assert by_area["Total"] == ["", "£2,000.00"]


async def test_the_spend_by_provision_sets_the_documents_against_others_and_never_names_a_typed_one(
    bot: Bot, funded: Engine
) -> None:
    card = await Flow(bot, CHAIR).card(verbs.CITYWIDE, {"section": "spend"})
    by_provision = table_of(card, "Spend by provision (£)")
    assert by_provision[SLT] == ["7", "£750.00"]
    assert by_provision["Provisions not in the document"] == ["8", "£750.00"]
    assert not shows(card, "Braille") and not shows(card, "Jo Smith") and not shows(card, "Nurture")
    assert not shows(card, "CEN-2526-") and not shows(card, "Etruscan")


def test_the_spend_adds_up_to_the_money_approved_to_the_penny_on_the_card_and_the_spreadsheet(
    funded: Engine,
) -> None:
    with transaction(funded, read_only=True) as session:
        city = city_figures(session, TEST_NOW.astimezone(LONDON).date())
    [ours] = [f for f in city.clusters if f.name == "Central"]
    assert ours.spend_total == ours.approved_total == city.spend.total_pence == 200000
    assert dict(ours.spend_by_source) == {"document": 75000, "other": 75000, "no_map": 50000}
    sheets = {name: rows for name, _, rows in tables(city)}
    assert sheets["Spend by need"][-1] == ("Total", None, sheets["Spend by need"][-1][2])
    assert float(sheets["Spend by need"][-1][2] or 0) == 2000.0
    assert tuple(float(c) if not isinstance(c, str) else c for c in sheets["Spend by source"][0]) == (
        "Central",
        750.0,
        750.0,
        500.0,
        2000.0,
    )


def test_a_decision_before_the_school_year_is_not_counted(funded: Engine) -> None:
    with transaction(funded, read_only=True) as session:
        later = city_figures(session, datetime(2026, 9, 2, tzinfo=LONDON).date())
    assert later.spend.total_pence == 0 and later.spend.by_area == ()

"""The Capital Fund's job: scoring cards once the window closes, and nudges as the round's dates near, each
owed once per recipient; a run with nothing due is one query (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.capital_fund import Criterion, Round
from cluster.clock import LONDON
from cluster.commands.capital import (
    Evaluate,
    MarkCompleted,
    MarkStarted,
    NamePanelMember,
    OnApplication,
    Recommend,
    RecordBoardDecision,
    ScoreApplication,
)
from cluster.commands.inputs import parse
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.roles import Role
from scheduler.jobs import owe_capital
from store.models import CapitalApplication, Outbox, Person
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, SENCO_2, TAC
from tests.support.queries import count_queries
from tests.support.referral_flow import GOOD_CAPITAL
from tests.support.referral_steps import submit_shown
from usecases import capital as uc
from usecases import referral_checks as checks
from usecases import referrals as referrals
from usecases.capital import owe_capital_notices
from usecases.people import Actor, identify
from usecases.roster import Entry, import_entries

NOV_20 = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
OFFICER = ("aad-officer", "Olive Officer")
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
ALL_FOURS = {c.value: "4" for c in Criterion}


def scores(referral_id: int) -> ScoreApplication:
    """Fours on every criterion, as the scoring card sends them."""
    return parse(ScoreApplication, {"referral_id": referral_id, **{f"score_{k}": v for k, v in ALL_FOURS.items()}})


def on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=LONDON)


def actor(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def pid(engine: Engine, who: tuple[str, str]) -> int:
    with Session(engine) as session:
        found = session.exec(select(Person.id).where(Person.aad_object_id == who[0])).one()
        assert found is not None
        return found


@pytest.fixture
def applied(engine: Engine) -> int:
    """Sam's application accepted in the 2025/26 round; Wendy named to the panel."""
    seed_file(engine, CENTRAL, NOV_20)
    officer = Entry(OFFICER[1], "olive@stoke.example", OFFICER[0], Role.COUNCIL_OFFICER, None, None)
    import_entries(engine, [*ROSTER, officer], NOV_20, "test")
    uc.set_round(engine, 2025, ROUND, NOV_20, "test")
    sam, admin = actor(engine, SENCO), actor(engine, ADMIN)
    draft = referrals.start(
        engine, sam, StartReferral(setting_id=referrals.picker(sam)[0][0], kind="capital", once="k"), NOV_20
    )
    referrals.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_CAPITAL), NOV_20)
    submit_shown(engine, sam, draft.id, NOV_20)
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), NOV_20)
    uc.add_panel_member(engine, admin, NamePanelMember(person_id=pid(engine, SENCO_2)), NOV_20)
    return draft.id


def nudged(engine: Engine, referral_id: int, point: str, *to: tuple[str, tuple[str, str]]) -> list[str]:
    """The keys of one nudge point to these (audience, person) pairs, sorted."""
    return sorted(f"capital:{referral_id}:{point}:{audience}:person:{pid(engine, who)}" for audience, who in to)


def owed(engine: Engine, when: datetime) -> list[str]:
    return sorted(owe_capital(engine, when))


def look_on(engine: Engine, referral_id: int) -> date | None:
    with Session(engine) as session:
        app = session.get(CapitalApplication, referral_id)
        assert app is not None
        return app.next_look_on


def test_scoring_cards_go_to_each_member_once_the_window_has_closed(engine: Engine, applied: int) -> None:
    assert owed(engine, on("2025-12-31")) == [], "the window is still open"
    members = sorted(pid(engine, w) for w in (CHAIR, TAC, SENCO_2))
    assert owed(engine, on("2026-01-01")) == sorted(f"notice:capital:{applied}:score:person:{p}" for p in members)
    assert owed(engine, on("2026-01-01")) == [], "a second run owes nothing more"
    assert look_on(engine, applied) == date(2026, 1, 23), "next: five working days before the panel"
    with Session(engine) as session:
        row = session.exec(select(Outbox).where(col(Outbox.key).startswith(f"notice:capital:{applied}:score"))).first()
    assert row is not None and "Please score CEN-2526-001" in str(row.card)


def test_a_run_with_nothing_due_is_one_query(engine: Engine, applied: int) -> None:
    owed(engine, on("2026-01-01"))
    with count_queries(engine) as counted:
        assert owe_capital_notices(engine, on("2026-01-05")) == []
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, counted.statements


def test_members_who_have_not_scored_are_nudged_once_each_before_the_panel(engine: Engine, applied: int) -> None:
    owed(engine, on("2026-01-01"))
    uc.score(engine, actor(engine, CHAIR), scores(applied), on("2026-01-10"))
    unscored = sorted(pid(engine, w) for w in (TAC, SENCO_2))
    assert owed(engine, on("2026-01-23")) == sorted(
        f"capital:{applied}:panel-5:unscored:person:{p}" for p in unscored
    ), "the chair has scored"
    assert owed(engine, on("2026-01-26")) == []
    uc.score(engine, actor(engine, TAC), scores(applied), on("2026-01-27"))
    assert owed(engine, on("2026-01-29")) == [f"capital:{applied}:panel-1:unscored:person:{pid(engine, SENCO_2)}"]
    assert owed(engine, on("2026-01-29")) == []


def test_the_project_is_nudged_as_completion_and_evaluation_near(engine: Engine, applied: int) -> None:
    owed(engine, on("2026-01-01"))
    chair, officer, sam = actor(engine, CHAIR), actor(engine, OFFICER), actor(engine, SENCO)
    uc.score(engine, chair, scores(applied), on("2026-01-10"))
    uc.close_panel(engine, chair, OnApplication(referral_id=applied), on("2026-01-28"))
    uc.recommend(
        engine,
        chair,
        parse(Recommend, {"referral_id": applied, "recommendation": "recommend", "reasons": "Good."}),
        on("2026-01-28"),
    )
    uc.board_decision(
        engine,
        officer,
        parse(RecordBoardDecision, {"referral_id": applied, "board": "approve", "amount": "12000"}),
        on("2026-02-20"),
    )
    uc.mark_stage(
        engine, sam, parse(MarkStarted, {"referral_id": applied, "started_on": "2026-04-13"}), on("2026-04-13")
    )
    assert owed(engine, on("2026-08-01")) == nudged(engine, applied, "complete-30", ("setting", SENCO), ("team", TAC))
    assert look_on(engine, applied) == date(2026, 8, 24)
    uc.mark_stage(
        engine, sam, parse(MarkCompleted, {"referral_id": applied, "completed_on": "2026-08-20"}), on("2026-08-20")
    )
    assert owed(engine, on("2026-08-24")) == nudged(engine, applied, "complete-7", ("setting", SENCO), ("team", TAC)), (
        "no invoices and no visit yet"
    )
    assert owed(engine, on("2026-09-16")) == nudged(
        engine, applied, "evaluate-14", ("setting", SENCO), ("chair", CHAIR)
    )
    impact = {"ehcp_pupils": "3", "pupils_weekly": "20", "what_changed": "Calmer mornings."}
    uc.evaluate(engine, sam, parse(Evaluate, {"referral_id": applied, **impact}), on("2026-09-20"))
    assert owed(engine, on("2026-09-27")) == [], "the impact is recorded"
    assert look_on(engine, applied) is None, "nothing left to look for"


def test_a_member_named_while_scoring_is_under_way_gets_their_card_at_once(engine: Engine, applied: int) -> None:
    owed(engine, on("2026-01-01"))
    extra = Entry("Eve Extra", "eve@abbey.example", "aad-eve", Role.SENCO, "Central", "Abbey Hulton Primary School")
    import_entries(engine, [extra], NOV_20, "test")
    eve = pid(engine, ("aad-eve", "Eve Extra"))
    uc.add_panel_member(engine, actor(engine, ADMIN), NamePanelMember(person_id=eve), on("2026-01-05"))
    with Session(engine) as session:
        keys = set(session.exec(select(Outbox.key)))
    assert f"notice:capital:{applied}:score:person:{eve}" in keys

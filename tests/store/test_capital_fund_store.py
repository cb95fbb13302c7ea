"""The Capital Fund's use cases on SQLite and PostgreSQL: never a meeting's agenda, decision or budget; the
round's total holds; doubled clicks change things once; the finance export's stages; reads in a fixed
number of queries whatever the number of applications."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.capital_fund import Criterion, Round
from cluster.clock import LONDON
from cluster.commands.capital import OnApplication, Recommend, RecordBoardDecision, ScoreApplication
from cluster.commands.inputs import parse
from cluster.commands.meetings import RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral, SubmitReferral
from cluster.errors import InvalidInput, Refusal
from cluster.roles import Role
from store.models import AgendaItem, AuditEvent, CapitalApplication, Person, Referral, Setting
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, SENCO_2
from tests.support.queries import count_queries
from tests.support.referral_flow import GOOD_CAPITAL
from usecases import capital as uc
from usecases import referral_checks as checks
from usecases import referrals
from usecases.meeting_day.agenda import prepare_agenda, start_meeting
from usecases.meeting_day.decisions import CAPITAL_NOT_DECIDED_HERE, record_decision
from usecases.people import Actor, identify
from usecases.roster import Entry, import_entries

NOV_20 = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
JAN_5 = datetime(2026, 1, 5, 10, 0, tzinfo=LONDON)
OFFICER = ("aad-officer", "Olive Officer")
ROUND = Round(
    "2025/26",
    20_000_00,
    date(2025, 9, 1),
    date(2025, 12, 31),
    date(2026, 1, 30),
    date(2026, 2, 27),
    date(2026, 8, 31),
    date(2026, 9, 30),
)
FOURS = {c.value: "4" for c in Criterion}


def scores(referral_id: int, given: dict[str, str]) -> ScoreApplication:
    """The scores by criterion, as the scoring card sends them."""
    return parse(ScoreApplication, {"referral_id": referral_id, **{f"score_{k}": v for k, v in given.items()}})


def board(referral_id: int, typed: dict[str, str]) -> RecordBoardDecision:
    """The Board's decision as the officer's form sends it."""
    return parse(RecordBoardDecision, {"referral_id": referral_id, **typed})


SCHOOLS = ("Abbey Hulton Primary School", "Birches Head Academy", "Carmountside Primary School", "Eaton Park Academy")


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOV_20)
    extra = [Entry(OFFICER[1], "olive@stoke.example", OFFICER[0], Role.COUNCIL_OFFICER, None, None)]
    extra += [
        Entry(f"Senco {i}", f"s{i}@x.example", f"aad-s{i}", Role.SENCO, "Central", s) for i, s in enumerate(SCHOOLS)
    ]
    import_entries(engine, [*ROSTER, *extra], NOV_20, "test")
    uc.set_round(engine, 2025, ROUND, NOV_20, "test")
    return engine


def actor(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def apply(engine: Engine, who: tuple[str, str], amount: str = "12500") -> int:
    person, admin = actor(engine, who), actor(engine, ADMIN)
    draft = referrals.start(
        engine, person, StartReferral(setting_id=referrals.picker(person)[0][0], kind="capital", once=who[0]), NOV_20
    )
    referrals.save_details(
        engine, person, SaveDetails(referral_id=draft.id, answers={**GOOD_CAPITAL, "amount": amount}), NOV_20
    )
    version = referrals.open_for_edit(engine, person, OneReferral(referral_id=draft.id), NOV_20).version
    referrals.submit(engine, person, SubmitReferral(referral_id=draft.id, version=version), NOV_20)
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), NOV_20)
    return draft.id


def to_board(engine: Engine, referral_id: int) -> None:
    """Scored by the chair, closed and recommended, at the panel in January."""
    from usecases.capital import owe_capital_notices

    owe_capital_notices(engine, JAN_5)
    chair = actor(engine, CHAIR)
    uc.score(engine, chair, scores(referral_id, FOURS), JAN_5)
    again = uc.score(engine, chair, scores(referral_id, FOURS), JAN_5)  # the same click delivered twice
    assert again.notice == "Your scores are saved."
    uc.close_panel(engine, chair, OnApplication(referral_id=referral_id), JAN_5)
    uc.recommend(
        engine,
        chair,
        parse(Recommend, {"referral_id": referral_id, "recommendation": "recommend", "reasons": "Good."}),
        JAN_5,
    )


def test_a_capital_application_never_reaches_an_agenda_even_one_that_names_a_meeting(seeded: Engine) -> None:
    referral_id = apply(seeded, SENCO)
    with Session(seeded) as session:  # as an application from before capital went to the panel would be
        referral = session.get(Referral, referral_id)
        assert referral is not None
        referral.meeting_id = 2
        session.add(referral)
        session.commit()
    agenda = prepare_agenda(seeded, 2, NOV_20)
    assert agenda.entries == ()
    with Session(seeded) as session:
        assert session.exec(select(AgendaItem)).all() == []


def test_a_meeting_cannot_decide_a_capital_application(seeded: Engine) -> None:
    referral_id = apply(seeded, SENCO)
    with Session(seeded) as session:  # an agenda item left from before
        session.add(AgendaItem(meeting_id=2, referral_id=referral_id, state="closed"))
        session.commit()
        item = session.exec(select(AgendaItem.id)).one()
    chair = actor(seeded, CHAIR)
    start_meeting(seeded, chair, StartMeeting(meeting_id=2), datetime(2025, 12, 11, 9, 35, tzinfo=LONDON))
    assert item is not None
    with pytest.raises(Refusal) as refused:
        record_decision(
            seeded,
            chair,
            RecordDecision(item_id=item, outcome="approved"),
            datetime(2025, 12, 11, 10, 0, tzinfo=LONDON),
        )
    assert refused.value.message == CAPITAL_NOT_DECIDED_HERE


def test_the_board_cannot_approve_past_the_rounds_total(seeded: Engine) -> None:
    first, second = apply(seeded, SENCO), apply(seeded, SENCO_2, "9000")
    to_board(seeded, first)
    to_board(seeded, second)
    officer = actor(seeded, OFFICER)
    uc.board_decision(seeded, officer, board(first, {"board": "approve", "amount": "12500"}), JAN_5)
    with pytest.raises(InvalidInput) as refused:
        uc.board_decision(seeded, officer, board(second, {"board": "approve", "amount": "9000"}), JAN_5)
    assert refused.value.errors == {
        "board_form": "The round has £7,500.00 left of its £20,000.00, so the Board cannot approve £9,000.00 from it."
    }
    uc.board_decision(seeded, officer, board(second, {"board": "approve", "amount": "7500"}), JAN_5)


def test_doubled_clicks_change_things_once(seeded: Engine) -> None:
    referral_id = apply(seeded, SENCO)
    to_board(seeded, referral_id)
    chair, officer = actor(seeded, CHAIR), actor(seeded, OFFICER)
    closed = uc.close_panel(seeded, chair, OnApplication(referral_id=referral_id), JAN_5)
    assert closed.view.averages is not None and closed.view.averages.scored_by == 1
    decision = {"board": "approve", "amount": "12000"}
    uc.board_decision(seeded, officer, board(referral_id, decision), JAN_5)
    again = uc.board_decision(seeded, officer, board(referral_id, decision), JAN_5)
    assert again.notice == "The Board's decision is recorded: approved."
    with Session(seeded) as session:
        actions = [
            e.action for e in session.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("capital.")))
        ]
    assert actions.count("capital.board") == 1 and actions.count("capital.score") == 1
    assert actions.count("capital.panel.close") == 1


def test_the_scoring_is_closed_to_changes_once_the_panel_closes(seeded: Engine) -> None:
    referral_id = apply(seeded, SENCO)
    to_board(seeded, referral_id)
    with pytest.raises(Refusal, match="closed its scoring"):
        uc.score(seeded, actor(seeded, CHAIR), scores(referral_id, {**FOURS, "deliverability": "1"}), JAN_5)


def test_the_finance_export_reads_each_application_and_its_stage(seeded: Engine) -> None:
    first, second = apply(seeded, SENCO), apply(seeded, SENCO_2, "9000")
    to_board(seeded, first)
    uc.board_decision(seeded, actor(seeded, OFFICER), board(first, {"board": "approve", "amount": "12000"}), JAN_5)
    with Session(seeded) as session:
        central = session.exec(select(Setting.cluster_id)).first()
        rows = uc.capital_stages(session, [central or 0])
        assert uc.capital_stages(session, [(central or 0) + 1000]) == [], "another cluster's: none"
    assert [tuple(r) for r in rows] == [
        (
            "CEN-2526-001",
            "Etruscan Primary School",
            "Central",
            "Approved: waiting for the project to start",
            12_500_00,
            12_000_00,
            None,
        ),
        (
            "CEN-2526-002",
            "Waterside Primary School",
            "Central",
            "With the Cluster Panel for scoring",
            9_000_00,
            None,
            None,
        ),
    ]
    assert second


def test_the_capital_card_reads_in_the_same_number_of_queries_for_one_application_or_five(seeded: Engine) -> None:
    from usecases.capital import owe_capital_notices

    chair = actor(seeded, CHAIR)  # a panel member: the card also says which are waiting for their scores
    apply(seeded, SENCO)
    owe_capital_notices(seeded, JAN_5)
    with count_queries(seeded) as one:
        assert len(uc.overview(seeded, chair, JAN_5).to_score) == 1
    for i in range(len(SCHOOLS)):
        apply(seeded, (f"aad-s{i}", f"Senco {i}"))
    owe_capital_notices(seeded, JAN_5)
    with count_queries(seeded) as five:
        assert len(uc.overview(seeded, chair, JAN_5).to_score) == 5
    assert five.count == one.count


def test_a_setting_approved_by_the_board_cannot_apply_again(seeded: Engine) -> None:
    referral_id = apply(seeded, SENCO)
    to_board(seeded, referral_id)
    uc.board_decision(seeded, actor(seeded, OFFICER), board(referral_id, {"board": "approve"}), JAN_5)
    with Session(seeded) as session:
        app = session.get(CapitalApplication, referral_id)
        referral = session.get(Referral, referral_id)
        assert app is not None and app.board_amount_pence == 12_500_00, "no amount given: what was asked"
        assert referral is not None and referral.state == "decided"
    sam = actor(seeded, SENCO)
    with pytest.raises(Refusal, match="has already been awarded the Capital Fund's one-off grant"):
        referrals.start(
            seeded, sam, StartReferral(setting_id=referrals.picker(sam)[0][0], kind="capital", once="again"), JAN_5
        )
    with Session(seeded) as session:
        assert session.exec(select(Person)).first() is not None

"""The Capital Fund's one-off grant, enforced by referral intake on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON
from cluster.commands.inputs import parse
from cluster.commands.referrals import (
    OneReferral,
    ReturnReferral,
    SaveDetails,
    StartReferral,
    SubmitReferral,
    WithdrawReferral,
)
from cluster.errors import Refusal
from cluster.referrals import State
from cluster.roles import Role
from store.models import AgendaItem, AuditEvent, CapitalApplication, Meeting, Person, Referral, Setting
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, ROSTER, SENCO
from tests.support.referral_flow import GOOD_CAPITAL
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases import settings as facts
from usecases.people import Actor, identify
from usecases.roster import Entry, import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)  # inside the 2025/26 window (1 Sep - 31 Dec)
MERIT_SENCO = ("aad-senco-merit", "Mo Merit")
PENDING_SENTENCE = "Etruscan Primary School already has a Capital Fund application, CEN-2526-001, which "


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOW)
    merit = Entry(
        MERIT_SENCO[1], "mo@merit.example", MERIT_SENCO[0], Role.SENCO, "Central", "Merit Pupil Referral Unit"
    )
    import_entries(engine, [*ROSTER, merit], NOW, "test")
    return engine


def actor(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def capital_draft(engine: Engine, person: Actor, key: str) -> int:
    setting = uc.picker(person)[0][0]
    draft = uc.start(engine, person, StartReferral(setting_id=setting, kind="capital", once=key), NOW)
    uc.save_details(engine, person, SaveDetails(referral_id=draft.id, answers=GOOD_CAPITAL), NOW)
    return draft.id


def submit(engine: Engine, person: Actor, referral_id: int) -> str | None:
    version = uc.open_for_edit(engine, person, OneReferral(referral_id=referral_id), NOW).version
    return uc.submit(engine, person, SubmitReferral(referral_id=referral_id, version=version), NOW).view.reference


def state_of(engine: Engine, referral_id: int) -> str:
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        return referral.state


def decide(engine: Engine, referral_id: int, outcome: str) -> None:
    """What the Board's decision leaves behind: the application approved (in full or for less) or declined."""
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        application = session.get(CapitalApplication, referral_id)
        admin = session.exec(select(Person).where(Person.aad_object_id == ADMIN[0])).one()
        assert referral is not None and application is not None
        application.board_approved = outcome.startswith("approved")
        application.board_amount_pence = {"approved": 1_250_000, "approved_reduced": 1_000_000}.get(outcome, 0)
        application.board_recorded_by, application.board_recorded_at = admin.id, NOW
        referral.state = State.DECIDED.value
        session.add_all([referral, application])
        session.commit()


def defer(engine: Engine, referral_id: int) -> None:
    """What deferring left behind before capital went to the panel: the referral back on a later agenda."""
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        first, target = [
            m
            for m in session.exec(
                select(Meeting).where(Meeting.cluster_id == referral.cluster_id).order_by(col(Meeting.day))
            ).all()
            if m.day > NOW.date()
        ][:2]
        session.add(AgendaItem(meeting_id=first.id or 0, referral_id=referral_id, state="decided"))
        session.add(AgendaItem(meeting_id=target.id or 0, referral_id=referral_id, deferred_from=first.id))
        referral.meeting_id, referral.state = target.id, State.ACCEPTED.value
        session.add(referral)
        session.commit()


def test_a_second_capital_application_is_refused_at_submit_naming_the_first(seeded: Engine) -> None:
    sam = actor(seeded, SENCO)
    first, second = capital_draft(seeded, sam, "a"), capital_draft(seeded, sam, "b")
    assert submit(seeded, sam, first) == "CEN-2526-001"
    with pytest.raises(Refusal) as refused:
        submit(seeded, sam, second)
    assert refused.value.message == (
        PENDING_SENTENCE + "is submitted and waiting for the admin's check. The grant is one-off, so a setting "
        "makes one application at a time. This application is kept as a draft."
    )
    assert state_of(seeded, second) == "draft"
    with Session(seeded) as session:
        draft = session.get(Referral, second)
        assert draft is not None and draft.reference is None, "a refused submission takes no reference"


def test_starting_a_capital_draft_is_refused_with_the_same_sentence_while_one_is_pending(seeded: Engine) -> None:
    sam = actor(seeded, SENCO)
    submit(seeded, sam, capital_draft(seeded, sam, "a"))
    setting = uc.picker(sam)[0][0]
    with pytest.raises(Refusal) as refused:
        uc.start(seeded, sam, StartReferral(setting_id=setting, kind="capital", once="b"), NOW)
    assert refused.value.message.startswith(PENDING_SENTENCE + "is submitted and waiting for the admin's check.")
    assert (
        uc.start(seeded, sam, StartReferral(setting_id=setting, kind="discussion", once="c"), NOW).kind == "discussion"
    ), "other kinds still start"


@pytest.mark.parametrize(
    ("state", "where"),
    [
        ("accepted", "is with the Cluster Panel and the Board."),
        ("returned", "was returned to be completed: finish and resubmit that one, or withdraw it first."),
        ("deferred", "was deferred and is on the next meeting's agenda."),
        ("approved", None),
        ("approved_reduced", None),
    ],
)
def test_an_application_on_the_agenda_returned_deferred_or_approved_stops_another(
    seeded: Engine, state: str, where: str | None
) -> None:
    sam, admin = actor(seeded, SENCO), actor(seeded, ADMIN)
    first = capital_draft(seeded, sam, "a")
    second = capital_draft(seeded, sam, "b")
    submit(seeded, sam, first)
    if state == "returned":
        checks.return_to_referrer(
            seeded, admin, parse(ReturnReferral, {**{"reason": "Add the quotes."}, "referral_id": first}), NOW
        )
    else:
        checks.accept(seeded, admin, OneReferral(referral_id=first), NOW)
    if state == "deferred":
        defer(seeded, first)
    if state.startswith("approved"):
        decide(seeded, first, state)
    with pytest.raises(Refusal) as refused:
        submit(seeded, sam, second)
    if where is None:
        assert refused.value.message.startswith(
            "Etruscan Primary School has already been awarded the Capital Fund's one-off grant "
            "(CEN-2526-001, approved), so it cannot apply again"
        )
    else:
        assert refused.value.message.startswith(PENDING_SENTENCE + where)
    assert state_of(seeded, second) == "draft"


@pytest.mark.parametrize("state", ["withdrawn", "declined"])
def test_a_withdrawn_or_declined_application_lets_the_setting_apply_again(seeded: Engine, state: str) -> None:
    sam, admin = actor(seeded, SENCO), actor(seeded, ADMIN)
    first = capital_draft(seeded, sam, "a")
    submit(seeded, sam, first)
    if state == "withdrawn":
        uc.withdraw(seeded, sam, WithdrawReferral(referral_id=first), NOW)
    else:
        checks.accept(seeded, admin, OneReferral(referral_id=first), NOW)
        decide(seeded, first, "declined")
    second = capital_draft(seeded, sam, "b")
    assert submit(seeded, sam, second) == "CEN-2526-002"


def test_a_returned_application_can_itself_be_submitted_again(seeded: Engine) -> None:
    sam, admin = actor(seeded, SENCO), actor(seeded, ADMIN)
    first = capital_draft(seeded, sam, "a")
    submit(seeded, sam, first)
    checks.return_to_referrer(
        seeded, admin, parse(ReturnReferral, {**{"reason": "Add the quotes."}, "referral_id": first}), NOW
    )
    assert submit(seeded, sam, first) == "CEN-2526-001"
    assert state_of(seeded, first) == "submitted"


def test_a_setting_that_is_not_mainstream_is_refused_when_it_starts_a_capital_draft(seeded: Engine) -> None:
    mo = actor(seeded, MERIT_SENCO)
    setting = uc.picker(mo)[0][0]
    with pytest.raises(Refusal) as refused:
        uc.start(seeded, mo, StartReferral(setting_id=setting, kind="capital", once="a"), NOW)
    assert refused.value.message == (
        "Merit Pupil Referral Unit is not a mainstream setting, so it cannot apply to the Capital Fund: "
        "the fund is for mainstream settings."
    )
    with Session(seeded) as session:
        assert session.exec(select(Referral)).all() == [], "no draft was made"
    assert (
        uc.start(seeded, mo, StartReferral(setting_id=setting, kind="individual", once="b"), NOW).kind == "individual"
    ), "other kinds still start"


def test_a_setting_that_received_hncg_funding_is_refused_at_entry_and_at_submit(seeded: Engine) -> None:
    sam = actor(seeded, SENCO)
    draft = capital_draft(seeded, sam, "a")  # started before the council recorded the grant
    facts.set_facts(seeded, "Central", "Etruscan Primary School", NOW, received_hncg=True)
    sentence = (
        "Etruscan Primary School already received High Needs Capital Grant funding (Enhanced Resource Provision "
        "projects included), so it cannot apply to the Capital Fund."
    )
    with pytest.raises(Refusal) as at_submit:
        submit(seeded, sam, draft)
    assert at_submit.value.message == sentence + " This application is kept as a draft."
    with pytest.raises(Refusal) as at_entry:
        uc.start(seeded, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="capital", once="b"), NOW)
    assert at_entry.value.message == sentence
    assert state_of(seeded, draft) == "draft"


def test_the_seed_marks_the_pupil_referral_unit_as_not_mainstream(seeded: Engine) -> None:
    rows = {row.name: row for row in facts.list_facts(seeded, "Central")}
    assert len(rows) == 29
    assert [name for name, row in rows.items() if not row.mainstream] == ["Merit Pupil Referral Unit"]
    assert not any(row.received_hncg for row in rows.values())


def test_setting_a_fact_is_audited_with_the_old_and_new_values_and_a_repeat_changes_nothing(seeded: Engine) -> None:
    facts.set_facts(seeded, "central", "new ford academy", NOW, mainstream=False)
    facts.set_facts(seeded, "Central", "New Ford Academy", NOW, mainstream=False)
    with Session(seeded) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "setting.capital_facts")).all()
        setting = session.exec(select(Setting).where(Setting.name == "New Ford Academy")).one()
    assert [(e.subject, e.detail["old"]["mainstream"], e.detail["new"]["mainstream"]) for e in events] == [
        (f"setting:{setting.id}", True, False)
    ]
    assert not setting.mainstream and not setting.received_hncg


def test_an_unknown_setting_or_cluster_is_refused_by_name(seeded: Engine) -> None:
    with pytest.raises(Refusal, match=r"There is no setting called 'Nowhere School' in the Central cluster\."):
        facts.set_facts(seeded, "Central", "Nowhere School", NOW, mainstream=False)
    with pytest.raises(Refusal, match=r"There is no cluster called 'North'\."):
        facts.list_facts(seeded, "North")

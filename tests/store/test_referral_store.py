"""Referral use cases on SQLite and PostgreSQL alike: drafts, rows, submission, references."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillWaiting
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.commands.inputs import parse
from cluster.commands.referrals import OneReferral, SaveDetails, SaveRow, StartReferral, SubmitReferral
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import EDIT_REFERRAL, Forbidden
from cluster.roles import Role
from store.db import make_engine, take_turn, transaction, upgrade
from store.models import Referral
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, ROSTER, SENCO, SENCO_2
from tests.support.referral_flow import GOOD_DISCUSSION, GOOD_INDIVIDUAL, ROW_1
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.people import Actor, identify
from usecases.roster import Entry, import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    return engine


def actor(engine: Engine, who: tuple[str, str]) -> Actor:
    with Session(engine) as session:
        return identify(session, *who)


def setting_of(engine: Engine, person: Actor) -> int:
    return uc.picker(person)[0][0]


def test_a_draft_is_created_once_per_picker_key_and_submitted_with_a_reference(seeded: Engine) -> None:
    sam = actor(seeded, SENCO)
    setting = setting_of(seeded, sam)
    first = uc.start(seeded, sam, StartReferral(setting_id=setting, kind="individual", once="key-1"), NOW)
    again = uc.start(seeded, sam, StartReferral(setting_id=setting, kind="individual", once="key-1"), NOW)
    assert first.id == again.id
    uc.save_details(seeded, sam, SaveDetails(referral_id=first.id, answers=GOOD_INDIVIDUAL), NOW)
    view = uc.add_row(seeded, sam, parse(SaveRow, {**ROW_1, "referral_id": first.id}), NOW)
    assert view.total_pence == 42750
    outcome = uc.submit(seeded, sam, SubmitReferral(referral_id=first.id, version=view.version), NOW)
    assert outcome.view.reference == "CEN-2526-001"
    assert outcome.view.meeting is not None and str(outcome.view.meeting.day) == "2025-12-11"
    admin = actor(seeded, ADMIN)
    assert outcome.notify == (admin.person_id,), "the cluster's admin is told"


def test_references_count_up_within_a_cluster_and_school_year(seeded: Engine) -> None:
    sam, wendy = actor(seeded, SENCO), actor(seeded, SENCO_2)
    references = []
    for person, key in ((sam, "a"), (wendy, "b"), (sam, "c")):
        draft = uc.start(
            seeded, person, StartReferral(setting_id=setting_of(seeded, person), kind="discussion", once=key), NOW
        )
        uc.save_details(seeded, person, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)
        version = uc.open_for_edit(seeded, person, OneReferral(referral_id=draft.id), NOW).version
        references.append(
            uc.submit(seeded, person, SubmitReferral(referral_id=draft.id, version=version), NOW).view.reference
        )
    assert references == ["CEN-2526-001", "CEN-2526-002", "CEN-2526-003"]


def test_a_bad_form_stores_nothing(seeded: Engine) -> None:
    sam = actor(seeded, SENCO)
    draft = uc.start(seeded, sam, StartReferral(setting_id=setting_of(seeded, sam), kind="individual", once="k"), NOW)
    with pytest.raises(InvalidInput) as bad:
        uc.save_details(
            seeded, sam, SaveDetails(referral_id=draft.id, answers={**GOOD_INDIVIDUAL, "duration_terms": "9"}), NOW
        )
    assert set(bad.value.errors) == {"duration_terms"}
    assert bad.value.values["summary"] == GOOD_INDIVIDUAL["summary"]
    with Session(seeded) as session:
        assert session.exec(select(Referral)).one().details == {}


def test_another_setting_cannot_touch_a_referral(seeded: Engine) -> None:
    sam, wendy = actor(seeded, SENCO), actor(seeded, SENCO_2)
    draft = uc.start(seeded, sam, StartReferral(setting_id=setting_of(seeded, sam), kind="discussion", once="k"), NOW)
    with pytest.raises(Forbidden) as refused:
        uc.save_details(seeded, wendy, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)
    assert refused.value.message == EDIT_REFERRAL.refusal


async def test_concurrent_submissions_get_distinct_references(seeded: Engine) -> None:
    people = [actor(seeded, SENCO), actor(seeded, SENCO_2)] * 3
    drafts = []
    for i, person in enumerate(people):
        draft = uc.start(
            seeded, person, StartReferral(setting_id=setting_of(seeded, person), kind="discussion", once=f"k{i}"), NOW
        )
        uc.save_details(seeded, person, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)
        drafts.append((person, uc.open_for_edit(seeded, person, OneReferral(referral_id=draft.id), NOW)))

    def submit(person: Actor, view_id: int, version: int) -> str | None:
        return uc.submit(seeded, person, SubmitReferral(referral_id=view_id, version=version), NOW).view.reference

    results = await asyncio.gather(
        *(asyncio.to_thread(submit, person, view.id, view.version) for person, view in drafts)
    )
    assert sorted(r for r in results if r) == [f"CEN-2526-00{n}" for n in range(1, 7)]


def test_a_council_officer_can_neither_read_a_pupils_referral_nor_check_referrals(seeded: Engine) -> None:
    officer_entry = Entry("Olive Officer", "olive@stoke.example", "aad-officer", Role.COUNCIL_OFFICER, None, None)
    import_entries(seeded, [officer_entry], NOW, "test")
    sam, officer = actor(seeded, SENCO), actor(seeded, ("aad-officer", "Olive Officer"))
    draft = uc.start(seeded, sam, StartReferral(setting_id=setting_of(seeded, sam), kind="discussion", once="k"), NOW)
    uc.save_details(seeded, sam, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)
    submit_shown(seeded, sam, draft.id, NOW)
    with pytest.raises(Refusal):
        uc.read(seeded, officer, draft.id, NOW)
    with pytest.raises(Refusal):
        uc.for_export(seeded, officer, draft.id, NOW)
    with pytest.raises(Refusal, match="admin"):
        checks.accept(seeded, officer, OneReferral(referral_id=draft.id), NOW)
    with pytest.raises(Refusal, match="admin"):
        checks.to_check(seeded, officer, NOW)
    admin = actor(seeded, ADMIN)
    assert uc.read(seeded, admin, draft.id, NOW)[0].id == draft.id, "the cluster's admin still can"


WAIT = 2.0  # seconds a click is given before we say it is waiting its turn


def waits_while_held(engine: Engine, scope: tuple[str, int], click: Callable[[], object]) -> bool:
    """Whether ``click`` is still waiting after WAIT seconds while another unit holds ``scope``'s turn.

    Either way the held unit then ends and the click must go through.
    """
    release, held = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction(engine, serial=False) as session:
            take_turn(session, *scope)
            held.set()
            release.wait(10)

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(hold)
        assert held.wait(10)
        clicked = pool.submit(click)
        try:
            clicked.result(timeout=WAIT)
            waited = False
        except StillWaiting:
            waited = True
        finally:
            release.set()
            holder.result()
        clicked.result(timeout=10)
    return waited


@pytest.fixture
def pg_seeded(postgres_url: str) -> Iterator[Engine]:
    """Central on PostgreSQL only: on SQLite every writing unit waits for the one write lock."""
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_referral_writes_on_postgresql_wait_only_for_their_own_cluster_and_referral(pg_seeded: Engine) -> None:
    seeded = pg_seeded
    sam = actor(seeded, SENCO)
    first = uc.start(seeded, sam, StartReferral(setting_id=setting_of(seeded, sam), kind="discussion", once="a"), NOW)
    second = uc.start(seeded, sam, StartReferral(setting_id=setting_of(seeded, sam), kind="discussion", once="b"), NOW)
    with Session(seeded) as session:
        central = session.exec(select(Referral.cluster_id).where(Referral.id == first.id)).one()

    def save(view_id: int) -> Callable[[], object]:
        return lambda: uc.save_details(seeded, sam, SaveDetails(referral_id=view_id, answers=GOOD_DISCUSSION), NOW)

    def submit(view_id: int) -> Callable[[], object]:
        return lambda: submit_shown(seeded, sam, view_id, NOW)

    assert waits_while_held(seeded, ("referral", first.id), save(first.id)), "an edit waits for its referral"
    assert not waits_while_held(seeded, ("referral", first.id), save(second.id)), "not for another referral"
    assert not waits_while_held(seeded, ("cluster", central), save(second.id)), "nor for its cluster"
    assert waits_while_held(seeded, ("cluster", central), submit(first.id)), "a submission waits for its cluster"
    assert not waits_while_held(seeded, ("cluster", central + 1), submit(second.id)), "not for another cluster"

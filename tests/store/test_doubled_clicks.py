"""Teams delivers the same click twice, often at the same moment: on SQLite and on PostgreSQL, it counts once.

Each test fires one use case twice from two threads released together, several times over. On PostgreSQL
at READ COMMITTED, without units of work taking turns, both would pass the use case's check and both would
write: two drafts for one click, two references for one referral, two welcomes for one install.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral, SubmitReferral
from store.db import ReadOnlyViolation, transaction
from store.models import AuditEvent, ConversationRef, Referral
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER, SENCO
from tests.support.referral_flow import GOOD_DISCUSSION
from usecases import referrals as uc
from usecases.conversations import ConversationInfo, remember_conversation
from usecases.people import Actor, identify
from usecases.roster import import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
ROUNDS = 5
T = TypeVar("T")


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    return engine


def twice_at_once(work: Callable[[], T]) -> tuple[T, T]:
    """Run ``work`` in two threads that start at the same moment; both results (or the first error)."""
    gate = threading.Barrier(2)

    def go() -> T:
        gate.wait()
        return work()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(go), pool.submit(go)
        return first.result(), second.result()


def sam(engine: Engine) -> Actor:
    with Session(engine) as session:
        return identify(session, *SENCO)


def count(engine: Engine, model: type[Referral] | type[ConversationRef]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_the_same_kind_picked_twice_at_once_makes_one_draft(seeded: Engine) -> None:
    person = sam(seeded)
    setting = uc.picker(person)[0][0]
    for round_ in range(ROUNDS):
        picked = StartReferral(setting_id=setting, kind="discussion", once=f"pick-{round_}")
        one, other = twice_at_once(lambda: uc.start(seeded, person, picked, NOW))  # noqa: B023
        assert one.id == other.id
    assert count(seeded, Referral) == ROUNDS


def test_the_same_submit_twice_at_once_gives_the_referral_one_reference(seeded: Engine) -> None:
    person = sam(seeded)
    setting = uc.picker(person)[0][0]
    shown: list[str] = []
    for round_ in range(ROUNDS):
        draft = uc.start(
            seeded, person, StartReferral(setting_id=setting, kind="discussion", once=f"submit-{round_}"), NOW
        )
        uc.save_details(seeded, person, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), NOW)
        version = uc.open_for_edit(seeded, person, OneReferral(referral_id=draft.id), NOW).version
        submitted = SubmitReferral(referral_id=draft.id, version=version)
        one, other = twice_at_once(lambda: uc.submit(seeded, person, submitted, NOW))  # noqa: B023
        assert one.view.reference == other.view.reference, "both clicks are told the same reference"
        shown.append(str(one.view.reference))
    assert shown == [f"CEN-2526-00{n}" for n in range(1, ROUNDS + 1)], "no reference is burned"
    with Session(seeded) as session:
        stored = sorted(r for r in session.exec(select(Referral.reference)).all() if r)
        submits = session.exec(select(func.count()).where(AuditEvent.action == "referral.submit")).one()
    assert stored == shown, "the reference each click was told is the one stored"
    assert submits == ROUNDS


def test_two_install_events_at_once_store_one_conversation_and_welcome_once(seeded: Engine) -> None:
    for round_ in range(ROUNDS):
        info = ConversationInfo(
            conversation_id=f"a:personal-{round_}",
            kind="personal",
            service_url="https://smba.trafficmanager.net/uk/",
            tenant_id="tenant",
            bot_id="28:bot",
            aad_object_id=f"aad-{round_}",
            team_id=None,
            channel_id=None,
            reference={},
        )
        welcomes = twice_at_once(lambda: remember_conversation(seeded, info, NOW, "teams"))  # noqa: B023
        assert sorted(welcomes) == [False, True], "one welcome"
    assert count(seeded, ConversationRef) == ROUNDS


def test_a_read_only_unit_of_work_that_changes_something_fails_and_keeps_nothing(seeded: Engine) -> None:
    # Read-only units (who is acting, on every message) skip the turn on PostgreSQL, so they must not write.
    with pytest.raises(ReadOnlyViolation), transaction(seeded, read_only=True) as session:
        sneaky = ConversationRef(conversation_id="a:x", kind="personal", service_url="https://x.test/", updated_at=NOW)
        session.add(sneaky)
    assert count(seeded, ConversationRef) == 0

"""The record no one can quietly rewrite, through /api/messages: decisions, payments marked and a budget change
are chained as they are made; ``clusterbot audit verify`` passes an untouched database and
names the entry a direct change in the database broke; the chain cannot be edited, and stays one line when
clicks arrive together.

Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from bot.cli.main import run
from cards import verbs
from cluster.clock import LONDON
from store.models import ChainEntry, Decision, Review
from tests.conftest import SENCO
from tests.http import test_ledger
from tests.http.test_ledger import OFFICER, REVIEW_ANSWERS, decide, instalments
from tests.support import activities as act
from tests.support.meeting_room import Room, start_meeting
from tests.support.referral_flow import Flow
from usecases.budget import set_budget

# The ledger's meeting: Central with a £3,000 budget (£1,000 of it the reserve) and a council officer.
room = test_ledger.room


def chain(room: Room) -> list[ChainEntry]:
    with Session(room.engine) as session:
        return list(session.exec(select(ChainEntry).order_by(col(ChainEntry.seq))))


def verify(
    db_url: str, room: Room, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """``clusterbot audit verify``'s exit code and what it said."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    capsys.readouterr()
    code = run(["audit", "verify"], clock=room.clock)
    out = capsys.readouterr()
    return code, out.out + out.err


async def approved(room: Room) -> None:
    """The meeting approves the Individual Pupil Need referral (£988.47), termly."""
    await start_meeting(room)
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")


async def approved_and_first_paid(room: Room) -> None:
    """As ``approved``; on 6 January 2026 the officer marks its first instalment paid."""
    await approved(room)
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    first = instalments(room.engine)[0].id
    data = {"instalment_id": first, f"paid_on_{first}": "2026-01-06", f"reference_{first}": "BACS-0001"}
    await room.click(OFFICER, verbs.PAYMENT_MARK, data)


async def test_an_untouched_record_verifies_and_a_decision_s_amount_changed_in_the_database_is_named(
    room: Room, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await approved_and_first_paid(room)
    now = room.clock.now()
    set_budget(
        room.engine, "person:1", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [310000, 0, 0, 100000], now
    )

    entries = chain(room)
    with Session(room.engine) as session:
        decision = session.exec(select(Decision)).one()
    made = next(e for e in entries if e.table_name == "decision")
    assert made.actor.startswith("person:") and made.action == "decision.record"
    assert made.record is not None and made.record["amount_pence"] == decision.amount_pence == 98847
    paid = [e for e in entries if e.table_name == "instalment" and e.record and e.record["state"] == "paid"]
    assert [(e.action, e.record and e.record["paid_reference"]) for e in paid] == [("instalment.paid", "BACS-0001")]
    assert [e.record and e.record["baseline_pence"] for e in entries if e.table_name == "budget"][-1] == 310000
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.prev_hash == before.hash for before, e in itertools.pairwise(entries))

    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 0, said
    assert f"The record chain verifies: {len(entries)} entries" in said

    # Someone with the database's password makes the decision £9,884.70 instead of £988.47.
    with room.engine.begin() as connection:
        connection.execute(text("UPDATE decision SET amount_pence = 988470 WHERE id = :id"), {"id": decision.id})
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 1
    assert f"Entry {made.seq} (decision {decision.id}) no longer matches its row: amount_pence changed." in said


async def test_a_payment_unmarked_in_the_database_and_a_decision_s_conditions_rewritten_are_named(
    room: Room, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await approved_and_first_paid(room)
    with room.engine.begin() as connection:
        connection.execute(text("UPDATE decision SET conditions = 'None at all'"))
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 1 and "no longer matches its row: its text changed." in said

    with room.engine.begin() as connection:
        connection.execute(text("UPDATE decision SET conditions = ''"))
        connection.execute(
            text("UPDATE instalment SET state = 'due', paid_on = NULL, paid_by = NULL, paid_reference = NULL")
        )
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 1
    assert "no longer matches its row: paid_by, paid_on, paid_reference, state changed." in said
    # The chain keeps the decision's text only as a digest: erasing a pupil's details never meets it.
    assert all("conditions" not in (e.record or {}) for e in chain(room))


async def test_the_chain_refuses_edits_and_a_link_edited_round_them_is_named(
    room: Room, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await approved(room)
    last = chain(room)[-1]
    for sql in ("UPDATE record_chain SET actor = 'someone else'", "DELETE FROM record_chain"):
        with pytest.raises(DBAPIError, match="append-only"), room.engine.begin() as connection:
            connection.execute(text(sql))
    # Past the triggers (only the database's owner can drop them): the edited entry is named.
    with room.engine.begin() as connection:
        if room.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE record_chain DISABLE TRIGGER record_chain_no_change"))
        else:
            connection.execute(text("DROP TRIGGER record_chain_no_update"))
        connection.execute(text("UPDATE record_chain SET actor = 'someone else' WHERE seq = :s"), {"s": last.seq})
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 1
    assert f"Entry {last.seq} ({last.table_name} {last.row_id}) was changed after it was written" in said


async def test_payments_marked_at_the_same_moment_make_one_line_of_chain(
    room: Room, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await approved(room)
    await decide(
        room, "ehcp", ["approve", "approve", "approve"], outcome="approved", schedule="one_sum", draw_on_reserve="true"
    )
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    clicks = []
    for due in instalments(room.engine)[:2]:
        data = {"instalment_id": due.id, f"paid_on_{due.id}": "2026-01-06", f"reference_{due.id}": f"BACS-{due.id}"}
        clicks.append(act.card_click(room.connector.url, *OFFICER, verbs.PAYMENT_MARK, data))
    answers = await asyncio.gather(*(room.bot.post(c) for c in clicks * 2))
    assert [a.status for a in answers] == [200] * 4
    assert [i.state for i in instalments(room.engine)][:2] == ["paid", "paid"]
    entries = chain(room)
    assert len([e for e in entries if e.action == "instalment.paid"]) == 2, "a doubled click chains once"
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 0, said


async def test_a_review_that_stops_funding_chains_its_release_and_the_cancelled_instalments(
    room: Room, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await approved_and_first_paid(room)
    room.clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=LONDON))
    with Session(room.engine) as session:
        review = session.exec(select(Review).where(Review.referral_id == room.referrals["ipn"])).one()
    before = len(chain(room))
    await Flow(room.bot, SENCO).card(verbs.REVIEW_SUBMIT, {"review_id": review.id, **REVIEW_ANSWERS})
    stopped = chain(room)[before:]
    assert [(e.table_name, e.record and e.record.get("state", e.record.get("amount_pence"))) for e in stopped] == [
        ("instalment", "cancelled"),
        ("instalment", "cancelled"),
        ("release", 329_49 * 2),
    ]
    assert {(e.actor, e.action) for e in stopped} == {(stopped[0].actor, "review.submit")}
    assert stopped[0].actor.startswith("person:")
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 0, said

    with room.engine.begin() as connection:  # the money given back, quietly doubled
        connection.execute(text("UPDATE release SET amount_pence = amount_pence * 2"))
    code, said = verify(db_url, room, monkeypatch, capsys)
    assert code == 1 and f"(release {stopped[-1].row_id}) no longer matches its row: amount_pence changed." in said

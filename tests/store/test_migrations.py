"""The migrations and the schema they build behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlmodel import col

from cluster.commands.inputs import parse
from cluster.commands.meetings import CastVote, CloseVote, OpenItem, RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, SaveRow, StartReferral
from cluster.commands.reviews import SubmitReview
from store.db import make_engine, transaction, upgrade
from store.models import AuditEvent, Cluster, Setting
from tests.support.meeting_room import everyone_present

LONDON = ZoneInfo("Europe/London")
TABLES = {
    "alembic_version",
    "audit_event",
    "cluster",
    "setting",
    "person",
    "role_assignment",
    "council_service",
    "meeting",
    "citywide_meeting",
    "attendance",
    "substitute",
    "provision_document",
    "provision_entry",
    "record_chain",
    "record_chain_head",
    "conversation_ref",
    "referral",
    "provision_line",
    "referral_document",
    "reference_counter",
    "capital_window",
    "budget",
    "funding_year",
    "funding_change",
    "agenda_item",
    "vote",
    "interest",
    "decision",
    "channel_post",
    "outbox",
    "review",
    "review_outcome",
    "release",
    "job_mark",
    "term_date",
    "instalment",
    "decision_letter",
    "panel_member",
    "capital_application",
    "capital_score",
    "capital_invoice",
    "what_worked",
    "qa_visit",
    "qa_action",
}


def schema_of(engine: Engine) -> dict[str, Any]:
    """Tables, columns, indexes, unique constraints and foreign keys, in a comparable form."""
    inspector = inspect(engine)
    schema: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if table.startswith("what_worked_fts"):  # SQLite's FTS5 table and its shadows: the index, not the schema
            continue
        schema[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            "indexes": sorted((i["name"] or "", tuple(i["column_names"])) for i in inspector.get_indexes(table)),
            "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"]) for f in inspector.get_foreign_keys(table)
            ),
        }
    return schema


def triggers_of(engine: Engine) -> set[str]:
    """Names of the triggers on ``audit_event``."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal")
            )
        else:
            rows = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")
            )
        return {row[0] for row in rows}


def versions_of(engine: Engine) -> list[str]:
    """The rows of ``alembic_version``."""
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def add_audit_event(engine: Engine, at: datetime) -> int:
    """Append one audit event and return its id."""
    with transaction(engine) as session:
        event = AuditEvent(at=at, actor="cli", action="test", subject="cluster:1", detail={"n": 1})
        session.add(event)
        session.flush()
        assert event.id is not None
        return event.id


def test_migrations_apply_to_an_empty_database_and_a_second_upgrade_changes_nothing(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        first = schema_of(engine)
        assert set(first) == TABLES
        assert versions_of(engine) == ["0021"]
        triggers = triggers_of(engine)
        assert triggers

        upgrade(db_url)

        assert schema_of(engine) == first
        assert versions_of(engine) == ["0021"]
        assert triggers_of(engine) == triggers
    finally:
        engine.dispose()


def test_the_migrations_build_every_column_the_models_declare_with_the_same_nullability(db_url: str) -> None:
    from sqlmodel import SQLModel

    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        inspector = inspect(engine)
        for name, table in SQLModel.metadata.tables.items():
            migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(name)}
            declared = {c.name: c.nullable for c in table.columns}
            assert migrated == declared, f"{name}: the models and the migrations disagree"
    finally:
        engine.dispose()


@pytest.fixture
def second_db_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """Another empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'created.db'}"
    server = request.getfixturevalue("postgres_server")
    url: str = server.create_database(f"created_{tmp_path.name[-12:].replace('-', '_')}")
    return url


def test_the_migrations_and_the_models_build_the_same_indexes_and_constraints(db_url: str, second_db_url: str) -> None:
    from sqlmodel import SQLModel

    upgrade(db_url)
    migrated_engine, created_engine = make_engine(db_url), make_engine(second_db_url)
    try:
        SQLModel.metadata.create_all(created_engine)
        migrated, created = schema_of(migrated_engine), schema_of(created_engine)
        migrated.pop("alembic_version")
        assert set(migrated) == set(created)
        for table in created:
            for part in ("indexes", "unique", "foreign_keys"):
                assert migrated[table][part] == created[table][part], f"{table} {part}: models and migrations differ"
            assert sorted(migrated[table]["columns"]) == sorted(created[table]["columns"]), table
    finally:
        migrated_engine.dispose()
        created_engine.dispose()


def test_settings_from_before_the_capital_facts_are_taken_as_mainstream_without_hncg_funding(db_url: str) -> None:
    from alembic import command

    from store.db import alembic_config

    command.upgrade(alembic_config(db_url), "0006")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO cluster (name, code, deadline_days) VALUES ('Central', 'CEN', 7)"))
            connection.execute(text("INSERT INTO setting (cluster_id, name) VALUES (1, 'Etruscan Primary School')"))
        upgrade(db_url)
        with engine.connect() as connection:
            row = connection.execute(text("SELECT name, mainstream, received_hncg FROM setting")).one()
        assert row[0] == "Etruscan Primary School" and row[1] and not row[2]
    finally:
        engine.dispose()


@pytest.mark.parametrize("edit", ["orm update", "sql update", "orm delete", "sql delete"])
def test_the_audit_log_refuses_updates_and_deletes(engine: Engine, edit: str) -> None:
    at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    event_id = add_audit_event(engine, at)

    with pytest.raises(DBAPIError, match="append-only"), transaction(engine) as session:
        if edit == "orm update":
            event = session.get(AuditEvent, event_id)
            assert event is not None
            event.actor = "someone else"
            session.flush()
        elif edit == "sql update":
            session.execute(update(AuditEvent).where(col(AuditEvent.id) == event_id).values(action="changed"))
        elif edit == "orm delete":
            event = session.get(AuditEvent, event_id)
            session.delete(event)
            session.flush()
        else:
            session.execute(delete(AuditEvent).where(col(AuditEvent.id) == event_id))

    with transaction(engine) as session:
        rows = session.execute(select(AuditEvent)).scalars().all()
        assert [(r.id, r.at, r.actor, r.action, r.subject, r.detail) for r in rows] == [
            (event_id, at, "cli", "test", "cluster:1", {"n": 1})
        ]


def test_an_aware_datetime_comes_back_as_the_same_instant(engine: Engine) -> None:
    summer_afternoon = datetime(2026, 6, 15, 14, 30, 15, 123456, tzinfo=LONDON)  # BST, UTC+1
    event_id = add_audit_event(engine, summer_afternoon)

    with transaction(engine) as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        assert event.at == summer_afternoon
        assert event.at.utcoffset() is not None
        assert event.at == datetime(2026, 6, 15, 13, 30, 15, 123456, tzinfo=UTC)
        assert event.at.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 6, 15, 14, 30, 15, 123456)
        stored = session.execute(text("SELECT at FROM audit_event")).scalar_one()
    # stored as naive UTC, whatever the session's time zone
    assert str(stored).startswith("2026-06-15 13:30:15.123456")


def test_storing_a_naive_datetime_is_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        add_audit_event(engine, datetime(2026, 6, 15, 14, 30))

    with transaction(engine) as session:
        assert session.execute(select(AuditEvent)).scalars().all() == []


def test_two_settings_with_the_same_name_in_one_cluster_are_refused(engine: Engine) -> None:
    with transaction(engine) as session:
        north = Cluster(name="North", code="N")
        south = Cluster(name="South", code="S")
        session.add_all([north, south])
        session.flush()
        assert north.id is not None and south.id is not None
        session.add(Setting(cluster_id=north.id, name="St Mary's Primary"))
        session.add(Setting(cluster_id=south.id, name="St Mary's Primary"))  # another cluster: fine
    north_id = north.id

    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(Setting(cluster_id=north_id, name="St Mary's Primary"))

    with transaction(engine) as session:
        names = session.execute(select(col(Setting.cluster_id), col(Setting.name))).all()
        assert sorted(names) == sorted([(north.id, "St Mary's Primary"), (south.id, "St Mary's Primary")])


def test_upgrading_a_database_with_clusters_in_it_keeps_them(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from store.db import alembic_config

    command.upgrade(alembic_config(db_url), "0002")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO cluster (name, code, deadline_days) VALUES ('Central', 'CEN', 7)"))
        upgrade(db_url)
        with engine.connect() as connection:
            row = connection.execute(text("SELECT name, same_trust_recusal, quorum FROM cluster")).one()
        assert row[0] == "Central" and not row[1] and row[2] is None
    finally:
        engine.dispose()


# Each process imports first and says so, then waits for the word to go, so all start migrating together.
RACING_UPGRADE = """
import sys
import psycopg, sqlalchemy.dialects.postgresql.psycopg, store.models  # the slow imports, before the start
from store.db import upgrade
print("ready", flush=True)
sys.stdin.read()
upgrade(sys.argv[1])
"""


@pytest.mark.postgres
def test_replicas_starting_together_on_an_empty_postgresql_all_start_and_the_schema_ends_at_head(
    postgres_url: str,
) -> None:
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", RACING_UPGRADE, postgres_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for _ in range(4)
    ]
    for replica in replicas:
        assert replica.stdout is not None and replica.stdout.readline() == "ready\n"
    for replica in replicas:
        assert replica.stdin is not None
        replica.stdin.close()
    outcomes = [(replica.wait(timeout=120), replica.stderr.read() if replica.stderr else "") for replica in replicas]

    assert [code for code, _ in outcomes] == [0, 0, 0, 0], [error for _, error in outcomes]
    engine = make_engine(postgres_url)
    try:
        assert versions_of(engine) == ["0021"]
        assert set(schema_of(engine)) == TABLES
    finally:
        engine.dispose()


def test_decisions_from_before_the_ledger_get_the_instalments_their_notice_gave_them(db_url: str) -> None:
    """0011 backfills the old schedule (the meeting day, then 1 Jan, 1 Apr, 1 Sep); a stop cancels what followed."""
    from alembic import command

    from store.db import alembic_config
    from store.models import Instalment

    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        stopped, running = _two_decisions(engine)
        command.downgrade(alembic_config(db_url), "0009")
        with engine.begin() as connection:  # what the old rule released: the 1 April instalment, after 2 Feb
            connection.execute(text("UPDATE release SET amount_pence = 14250"))
        upgrade(db_url)
        with transaction(engine, read_only=True) as session:
            rows = session.exec(select(Instalment).order_by(col(Instalment.id))).scalars().all()
            got = [(r.decision_id, r.position, r.due_on, r.amount_pence, r.state) for r in rows]
    finally:
        engine.dispose()
    assert got == [
        (stopped, 1, date(2025, 12, 11), 142_50, "due"),
        (stopped, 2, date(2026, 1, 1), 142_50, "due"),
        (stopped, 3, date(2026, 4, 1), 142_50, "cancelled"),
        (running, 1, date(2025, 12, 11), 1_950_00, "due"),
    ]


def _two_decisions(engine: Engine) -> tuple[int, int]:
    """Two funded decisions of 11 December 2025: £427.50 termly (stopped on 2 February), £1,950 in one sum."""
    from sqlmodel import Session

    from store.models import Decision, Review
    from store.seed import CENTRAL, seed_file
    from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, SENCO_2
    from tests.support.referral_flow import GOOD_EHCP, GOOD_INDIVIDUAL, ROW_1
    from tests.support.referral_steps import submit_shown
    from usecases import referral_checks as checks
    from usecases import referrals as uc
    from usecases.budget import set_budget
    from usecases.meeting_day.agenda import start_meeting
    from usecases.meeting_day.decisions import record_decision
    from usecases.meeting_day.votes import cast_vote, close_item, open_item
    from usecases.meetings import set_voting_rules
    from usecases.people import identify
    from usecases.reviews import submit_review
    from usecases.roster import import_entries

    now = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
    seed_file(engine, CENTRAL, now)
    import_entries(engine, ROSTER, now, "test")
    set_voting_rules(engine, "Central", now, quorum=1, same_trust_recusal=None)
    set_budget(engine, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [5000000, 0, 0, 0], now)
    with Session(engine) as session:
        sam, wendy, admin, chair = (identify(session, *w) for w in (SENCO, SENCO_2, ADMIN, CHAIR))
    ids = []
    for key, kind, answers in (("a", "individual", GOOD_INDIVIDUAL), ("b", "ehcp", {**GOOD_EHCP, "amount": "1950"})):
        draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind=kind, once=key), now)
        uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=answers), now)
        if kind == "individual":
            uc.add_row(engine, sam, parse(SaveRow, {**ROW_1, "referral_id": draft.id}), now)
        submit_shown(engine, sam, draft.id, now)
        checks.accept(engine, admin, OneReferral(referral_id=draft.id), now)
        ids.append(draft.id)
    day = datetime(2025, 12, 11, 10, 0, tzinfo=LONDON)
    everyone_present(engine, 2, day)
    for entry, (schedule, review) in zip(
        start_meeting(engine, chair, StartMeeting(meeting_id=2), day).entries,
        (("termly", date(2026, 7, 17)), ("one_sum", None)),
        strict=True,
    ):
        open_item(engine, chair, OpenItem(item_id=entry.item_id), day)
        cast_vote(engine, wendy, CastVote(item_id=entry.item_id, choice="approve"), day)
        close_item(engine, chair, CloseVote(item_id=entry.item_id), day)
        record_decision(
            engine,
            chair,
            RecordDecision(item_id=entry.item_id, outcome="approved", review_date=review, schedule=schedule),
            day,
        )
    with Session(engine) as session:
        decisions = {d.referral_id: d.id or 0 for d in session.exec(select(Decision)).scalars()}
        review_id = session.exec(select(Review).where(col(Review.referral_id) == ids[0])).scalars().one().id or 0
    answers = {
        "outcome_rating_1": "achieved",
        "outcomes_achieved": "Met",
        "attendance": "97%",
        "progress": "Good",
        "wellbeing": "Settled",
        "provision_delivered": "As planned",
        "actual_spend": "100",
        "recommendation": "stop",
    }
    submit_review(
        engine, sam, SubmitReview(review_id=review_id, answers=answers), datetime(2026, 2, 2, 9, 0, tzinfo=LONDON)
    )
    return decisions[ids[0]], decisions[ids[1]]

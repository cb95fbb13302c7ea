"""the revenue ledger: term dates, instalments and decision letters

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00

Funded decisions recorded before the ledger get their instalments here, on the schedule their outcome
notice gave them at the time (the old convention: the meeting day, then 1 September, 1 January and 1 April
before the review date), so what the school was told stays true; a decision whose review stopped it has the
instalments after the stop cancelled, which is exactly what that review gave back. All of them start due:
nothing recorded which were paid. New decisions are scheduled on the council's term dates instead.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_OLD_TERM_STARTS = ((9, 1), (1, 1), (4, 1))


def _old_schedule(amount: int, termly: bool, meeting_day: date, review: date) -> list[tuple[date, int]]:
    """The pre-ledger schedule (a copy, kept here: the application no longer has it)."""
    if not termly:
        return [(meeting_day, amount)]
    starts = sorted(
        date(year, month, day)
        for year in range(meeting_day.year, review.year + 1)
        for month, day in _OLD_TERM_STARTS
        if meeting_day < date(year, month, day) < review
    )
    days = [meeting_day, *starts][:amount]
    share, odd = divmod(amount, len(days))
    return [(day, share + (1 if i < odd else 0)) for i, day in enumerate(days)]


def upgrade() -> None:
    op.create_table(
        "term_date",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=8), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("starts"),
        sa.UniqueConstraint("year", "name"),
    )
    op.create_table(
        "instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_by", sa.String(length=128), nullable=True),
        sa.Column("paid_reference", sa.String(length=64), nullable=True),
        sa.Column("cancelled_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["cluster.id"]),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", "position"),
    )
    with op.batch_alter_table("instalment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instalment_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_instalment_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index("ix_instalment_state_due_on", ["state", "due_on"], unique=False)
    op.create_table(
        "decision_letter",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    _backfill()


def _backfill() -> None:
    """Instalments for the funded decisions recorded before the ledger (see the module's docstring)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT d.id, d.cluster_id, d.amount_pence, d.schedule, d.review_date, m.day, r.released_at "
            "FROM decision d JOIN agenda_item i ON i.id = d.item_id JOIN meeting m ON m.id = i.meeting_id "
            "LEFT JOIN release r ON r.decision_id = d.id "
            "WHERE d.outcome IN ('approved', 'approved_reduced') AND d.amount_pence > 0 "
            "AND d.review_date IS NOT NULL ORDER BY d.id"
        )
    ).all()
    instalment = sa.table(
        "instalment",
        sa.column("decision_id", sa.Integer()),
        sa.column("cluster_id", sa.Integer()),
        sa.column("position", sa.Integer()),
        sa.column("due_on", sa.Date()),
        sa.column("amount_pence", sa.Integer()),
        sa.column("state", sa.String()),
        sa.column("cancelled_at", store.types.UTCDateTime()),
    )
    for decision_id, cluster_id, amount, schedule, review, day, released_at in rows:
        review_day = review if isinstance(review, date) else date.fromisoformat(str(review))
        meeting_day = day if isinstance(day, date) else date.fromisoformat(str(day))
        plan = _old_schedule(int(amount), schedule != "one_sum", meeting_day, review_day)
        stopped: date | None = None
        cancelled_at: datetime | None = None
        if released_at is not None:  # stored as naive UTC; the review gave back what fell after its London day
            moment = released_at if isinstance(released_at, datetime) else datetime.fromisoformat(str(released_at))
            cancelled_at = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
            stopped = cancelled_at.astimezone(ZoneInfo("Europe/London")).date()
        values = [
            {
                "decision_id": decision_id,
                "cluster_id": cluster_id,
                "position": position,
                "due_on": due_on,
                "amount_pence": pence,
                "state": "cancelled" if stopped is not None and due_on > stopped else "due",
                "cancelled_at": cancelled_at if stopped is not None and due_on > stopped else None,
            }
            for position, (due_on, pence) in enumerate(plan, start=1)
        ]
        if values:
            connection.execute(sa.insert(instalment), values)


def downgrade() -> None:
    op.drop_table("decision_letter")
    with op.batch_alter_table("instalment", schema=None) as batch_op:
        batch_op.drop_index("ix_instalment_state_due_on")
        batch_op.drop_index(batch_op.f("ix_instalment_decision_id"))
        batch_op.drop_index(batch_op.f("ix_instalment_cluster_id"))
    op.drop_table("instalment")
    op.drop_table("term_date")

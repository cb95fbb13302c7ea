"""record chain: decisions, instalments, releases and budgets linked, each entry carrying the hash of the one before

Revision ID: 0021
Revises: 0020
Create Date: 2027-03-01 10:00:00

``record_chain`` is append-only (triggers refuse UPDATE and DELETE, as on ``audit_event``); its head,
``record_chain_head``, is the one row writers update in turn. The rows already in the database are chained as
they are now (``store.chain.seal``), so a database upgraded from before the chain verifies from the start.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import store.types
from store.chain import seal

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_chain",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("prev_hash"),
        sa.UniqueConstraint("hash"),
    )
    op.create_table(
        "record_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION record_chain_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'record_chain is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER record_chain_no_change BEFORE UPDATE OR DELETE ON record_chain "
            "FOR EACH ROW EXECUTE FUNCTION record_chain_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER record_chain_no_{verb.lower()} BEFORE {verb} ON record_chain "
                "BEGIN SELECT RAISE(ABORT, 'record_chain is append-only'); END"
            )
    seal(op.get_bind(), datetime.now(UTC))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS record_chain_no_change ON record_chain")
        op.execute("DROP FUNCTION IF EXISTS record_chain_append_only()")
    op.drop_table("record_chain_head")
    op.drop_table("record_chain")

"""what worked: the search index of funded provisions' outcomes and discussions' advice; clusters' consent

Revision ID: 0017
Revises: 0016
Create Date: 2027-02-22 10:00:00

``what_worked`` holds one row per funded provision map row whose review rated its outcomes, and one per
discussion's advice; its full-text search is dialect-specific: an FTS5 table kept in step by triggers on
SQLite, a GIN index on ``to_tsvector('english', body)`` on PostgreSQL (``store.models.what_worked``).
``cluster.shares_what_worked`` is the council's consent for a cluster's record to be searched citywide.

Records from before this migration are indexed by ``clusterbot what-worked reindex`` (run once after
upgrading; it is safe to run again).
"""

import sqlalchemy as sa
from alembic import op

import store.types
from store.models.what_worked import POSTGRES_VECTOR, SQLITE_SEARCH, SQLITE_SEARCH_DROP

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shares_what_worked", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "what_worked",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("area_of_need", sa.String(length=8), nullable=False),
        sa.Column("need_code", sa.String(length=8), nullable=False),
        sa.Column("year_band", sa.String(length=8), nullable=False),
        sa.Column("provision_key", sa.String(length=200), nullable=False),
        sa.Column("provision", sa.String(length=200), nullable=False),
        sa.Column("cost_pence", sa.Integer(), nullable=False),
        sa.Column("achieved", sa.Integer(), nullable=False),
        sa.Column("partly", sa.Integer(), nullable=False),
        sa.Column("not_achieved", sa.Integer(), nullable=False),
        sa.Column("advice", sa.String(length=2000), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("indexed_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["cluster.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("what_worked", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_what_worked_referral_id"), ["referral_id"], unique=False)
        batch_op.create_index("ix_what_worked_kind_area_cluster", ["kind", "area_of_need", "cluster_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_what_worked_search ON what_worked USING gin ({POSTGRES_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_what_worked_search")
    with op.batch_alter_table("what_worked", schema=None) as batch_op:
        batch_op.drop_index("ix_what_worked_kind_area_cluster")
        batch_op.drop_index(batch_op.f("ix_what_worked_referral_id"))
    op.drop_table("what_worked")
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.drop_column("shares_what_worked")

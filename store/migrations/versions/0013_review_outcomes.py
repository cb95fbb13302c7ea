"""review outcomes: how each submitted review rated each outcome its referral set

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-11 10:00:00

Reviews submitted before this have no rows here: their outcomes were described in free text only, so they
count in no impact figures.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=2000), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("rated_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["cluster.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.ForeignKeyConstraint(["setting_id"], ["setting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "position"),
    )
    with op.batch_alter_table("review_outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_outcome_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_outcome_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_outcome_review_id"))
        batch_op.drop_index(batch_op.f("ix_review_outcome_cluster_id"))
    op.drop_table("review_outcome")

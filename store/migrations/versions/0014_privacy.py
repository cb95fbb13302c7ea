"""privacy: a retention period per cluster, erasure marks on referrals, audit lines found by subject and actor

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-18 10:00:00

``cluster.retention_months`` empty means the default period (cluster.privacy). ``referral.erased_at`` marks a
referral whose pupil details were removed; ``erased_reason`` says why (retention, or the request's reference).
The audit log is read by referral (its subject) and by person (its actor), so both are indexed.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("erased_reason", sa.String(length=200), nullable=True))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_subject"), ["subject"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_event_subject"))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("erased_reason")
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.drop_column("retention_months")

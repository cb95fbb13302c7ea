"""qa visits: quality-assurance visits to settings, their reports and actions

Revision ID: 0018
Revises: 0017
Create Date: 2027-03-01 10:00:00

A visit (``qa_visit``) is planned by the team around the cluster, then its report recorded and acknowledged
by the setting's SENCO; each action of the report (``qa_action``) has an owner and a date, and is nudged.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("visitors", sa.String(length=200), nullable=False),
        sa.Column("planned_by", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("allocations", sa.String(length=500), nullable=False),
        sa.Column("seen", sa.Text(), server_default="", nullable=False),
        sa.Column("judgement", sa.String(length=16), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("followed_up", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["cluster.id"]),
        sa.ForeignKeyConstraint(["setting_id"], ["setting.id"]),
        sa.ForeignKeyConstraint(["planned_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_visit_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_visit_setting_id"), ["setting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_visit_visited_on"), ["visited_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_visit_follow_up_on"), ["follow_up_on"], unique=False)
    op.create_table(
        "qa_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["visit_id"], ["qa_visit.id"]),
        sa.ForeignKeyConstraint(["done_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_action_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_action_due_on"), ["due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_action_due_on"))
        batch_op.drop_index(batch_op.f("ix_qa_action_visit_id"))
    op.drop_table("qa_action")
    with op.batch_alter_table("qa_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_visit_follow_up_on"))
        batch_op.drop_index(batch_op.f("ix_qa_visit_visited_on"))
        batch_op.drop_index(batch_op.f("ix_qa_visit_setting_id"))
        batch_op.drop_index(batch_op.f("ix_qa_visit_cluster_id"))
    op.drop_table("qa_visit")

"""the Citywide Meeting: its meetings, the channel linked as the citywide channel, decisions by time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-15 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citywide_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("online_link", sa.String(length=1000), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("citywide_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citywide_meeting_day"), ["day"], unique=True)
    # No channel is the citywide channel until a council officer links one.
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citywide", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_conversation_ref_citywide"), ["citywide"], unique=False)
    # The pack reads the decisions since the previous citywide meeting by their time, not every decision.
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_decided_at"), ["decided_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_decided_at"))
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_ref_citywide"))
        batch_op.drop_column("citywide")
    with op.batch_alter_table("citywide_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citywide_meeting_day"))
    op.drop_table("citywide_meeting")

"""jobs in short steps: indexed due dates, a review's next look, job marks, and cards kept as card content

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reviews the reminders job has never looked at have no next look; it finds them by their due date, so a
    # database from before this migration is looked at once in full and only what falls due after that.
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_nudge_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_review_state_next_nudge_on_due", ["state", "next_nudge_on", "due"], unique=False)
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_deadline"), ["deadline"], unique=False)
    # Rows owed before this migration keep their full activity in ``activity`` and are sent as they are.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card", sa.JSON(), nullable=True))
        batch_op.create_index("ix_outbox_state_not_before", ["state", "not_before"], unique=False)
        batch_op.drop_index(batch_op.f("ix_outbox_state"))
    op.create_table(
        "job_mark",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("job_mark")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_state"), ["state"], unique=False)
        batch_op.drop_index("ix_outbox_state_not_before")
        batch_op.drop_column("card")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_deadline"))
        batch_op.drop_index(batch_op.f("ix_meeting_day"))
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_state_next_nudge_on_due")
        batch_op.drop_column("next_nudge_on")

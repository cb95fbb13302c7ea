"""channel cards delivered through the outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("thread_of", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_outbox_card_key"), ["card_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_card_key"))
        batch_op.drop_column("revision")
        batch_op.drop_column("thread_of")
        batch_op.drop_column("card_key")

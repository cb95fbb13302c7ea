"""setting facts the Capital Fund's eligibility rests on: mainstream, High Needs Capital Grant received

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing settings are taken as mainstream and without HNCG funding until the council says otherwise,
    # as the seed data assumed before these facts were kept.
    with op.batch_alter_table("setting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mainstream", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("received_hncg", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("setting", schema=None) as batch_op:
        batch_op.drop_column("received_hncg")
        batch_op.drop_column("mainstream")

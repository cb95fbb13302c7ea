"""wider team: the service an observer represents, and the services the council adds

Revision ID: 0019
Revises: 0018
Create Date: 2027-03-01 10:00:00

``role_assignment.service`` is the service an observer represents (health, social care, early help,
commissioning, or one the council added); ``council_service`` keeps the services the council added, so a
roster or the command line can name them (the page's four are in ``cluster.wider_team``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service", sa.String(length=60), nullable=True))
    op.create_table(
        "council_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("council_service")
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_column("service")

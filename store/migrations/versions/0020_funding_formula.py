"""funding formula: each financial year's formula and every change to it; a budget names the formula it came from

Revision ID: 0020
Revises: 0019
Create Date: 2027-03-01 10:00:00

``funding_year`` keeps a year's formula as it stands (the city's allocation, its parts, how each is shared and
each cluster's counts); ``funding_change`` keeps every change with who made it and why (never updated);
``budget.funding_year_id`` names the formula a cluster's budget was worked out from (None: typed by hand).
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("formula", sa.JSON(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("label"),
        sa.UniqueConstraint("starts"),
    )
    op.create_table(
        "funding_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("funding_year_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("formula", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["funding_year_id"], ["funding_year.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("funding_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_change_funding_year_id"), ["funding_year_id"], unique=False)
    with op.batch_alter_table("budget", schema=None) as batch_op:
        batch_op.add_column(sa.Column("funding_year_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_budget_funding_year_id", "funding_year", ["funding_year_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("budget", schema=None) as batch_op:
        batch_op.drop_constraint("fk_budget_funding_year_id", type_="foreignkey")
        batch_op.drop_column("funding_year_id")
    with op.batch_alter_table("funding_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_change_funding_year_id"))
    op.drop_table("funding_change")
    op.drop_table("funding_year")

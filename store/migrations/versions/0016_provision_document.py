"""provision document: the Costed Provision Document's versions and rows; provision map rows priced from them

Revision ID: 0016
Revises: 0015
Create Date: 2027-02-15 10:00:00

A referral keeps the document version it was priced with (``referral.provision_document_id``); a provision
map row keeps the document row it came from (``provision_line.entry_id``), its unit, and the reason given
for a provision the document does not have (``provision_line.custom_reason``).
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provision_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.String(length=9), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("loaded_by", sa.Integer(), nullable=True),
        sa.Column("loaded_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["loaded_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("financial_year", "version"),
    )
    with op.batch_alter_table("provision_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provision_document_financial_year"), ["financial_year"], unique=False)
    op.create_table(
        "provision_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("area_of_need", sa.String(length=8), nullable=False),
        sa.Column("provision", sa.String(length=200), nullable=False),
        sa.Column("delivered_by", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_cost_pence", sa.Integer(), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["provision_document.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("provision_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provision_entry_document_id"), ["document_id"], unique=False)
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provision_document_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_referral_provision_document_id", "provision_document", ["provision_document_id"], ["id"]
        )
    with op.batch_alter_table("provision_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unit", sa.String(length=16), nullable=False, server_default="hour"))
        batch_op.add_column(sa.Column("custom_reason", sa.String(length=500), nullable=False, server_default=""))
        batch_op.create_foreign_key("fk_provision_line_entry_id", "provision_entry", ["entry_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("provision_line", schema=None) as batch_op:
        batch_op.drop_constraint("fk_provision_line_entry_id", type_="foreignkey")
        batch_op.drop_column("custom_reason")
        batch_op.drop_column("unit")
        batch_op.drop_column("entry_id")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_constraint("fk_referral_provision_document_id", type_="foreignkey")
        batch_op.drop_column("provision_document_id")
    with op.batch_alter_table("provision_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provision_entry_document_id"))
    op.drop_table("provision_entry")
    with op.batch_alter_table("provision_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provision_document_financial_year"))
    op.drop_table("provision_document")

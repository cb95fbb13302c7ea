"""the Capital Fund's governance: rounds with their timeline, the panel, the Board, the journey, the evaluation

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:33:57
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panel_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_id", "person_id"),
    )
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_member_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_member_person_id"), ["person_id"], unique=False)

    op.create_table(
        "capital_application",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("year_start", sa.Integer(), nullable=False),
        sa.Column("asked_pence", sa.Integer(), nullable=False),
        sa.Column("accepted_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("next_look_on", sa.Date(), nullable=True),
        sa.Column("scoring_from", store.types.UTCDateTime(), nullable=True),
        sa.Column("panel_closed_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("panel_closed_by", sa.Integer(), nullable=True),
        sa.Column("recommendation", sa.String(length=32), nullable=True),
        sa.Column("recommendation_reasons", sa.String(length=2000), nullable=False),
        sa.Column("recommendation_conditions", sa.String(length=2000), nullable=False),
        sa.Column("recommended_by", sa.Integer(), nullable=True),
        sa.Column("recommended_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("board_approved", sa.Boolean(), nullable=True),
        sa.Column("board_amount_pence", sa.Integer(), nullable=False),
        sa.Column("board_conditions", sa.String(length=2000), nullable=False),
        sa.Column("board_reasons", sa.String(length=2000), nullable=False),
        sa.Column("board_recorded_by", sa.Integer(), nullable=True),
        sa.Column("board_recorded_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("visitor", sa.String(length=200), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("visit_passed", sa.Boolean(), nullable=True),
        sa.Column("visit_notes", sa.String(length=2000), nullable=False),
        sa.Column("visit_recorded_by", sa.Integer(), nullable=True),
        sa.Column("released_pence", sa.Integer(), nullable=True),
        sa.Column("released_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("evaluated_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("evaluated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_recorded_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
        ),
        sa.ForeignKeyConstraint(
            ["evaluated_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["panel_closed_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recommended_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
        ),
        sa.ForeignKeyConstraint(
            ["released_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["setting_id"],
            ["setting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_recorded_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    with op.batch_alter_table("capital_application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capital_application_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_capital_application_next_look_on"), ["next_look_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_capital_application_setting_id"), ["setting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_capital_application_year_start"), ["year_start"], unique=False)

    op.create_table(
        "capital_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.Column("added_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("file_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["capital_application.referral_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capital_invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capital_invoice_added_by"), ["added_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_capital_invoice_referral_id"), ["referral_id"], unique=False)

    op.create_table(
        "capital_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("scored_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["capital_application.referral_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("referral_id", "person_id"),
    )
    with op.batch_alter_table("capital_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capital_score_referral_id"), ["referral_id"], unique=False)

    # A window set before rounds had totals and dates stays a window only (label NULL) until an officer sets it.
    with op.batch_alter_table("capital_window", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("total_pence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("panel_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decisions_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("complete_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("evaluate_by", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("capital_window", schema=None) as batch_op:
        batch_op.drop_column("evaluate_by")
        batch_op.drop_column("complete_by")
        batch_op.drop_column("decisions_by")
        batch_op.drop_column("panel_by")
        batch_op.drop_column("total_pence")
        batch_op.drop_column("label")

    with op.batch_alter_table("capital_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capital_score_referral_id"))

    op.drop_table("capital_score")
    with op.batch_alter_table("capital_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capital_invoice_referral_id"))
        batch_op.drop_index(batch_op.f("ix_capital_invoice_added_by"))

    op.drop_table("capital_invoice")
    with op.batch_alter_table("capital_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capital_application_year_start"))
        batch_op.drop_index(batch_op.f("ix_capital_application_setting_id"))
        batch_op.drop_index(batch_op.f("ix_capital_application_next_look_on"))
        batch_op.drop_index(batch_op.f("ix_capital_application_cluster_id"))

    op.drop_table("capital_application")
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_panel_member_cluster_id"))

    op.drop_table("panel_member")

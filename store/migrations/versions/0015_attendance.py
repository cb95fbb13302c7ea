"""attendance: each meeting's register and substitutes; the Teams meeting, the acting chair, the quorum kept per item

Revision ID: 0015
Revises: 0014
Create Date: 2027-02-01 10:00:00

A meeting's register has one line per person (``attendance.who``); a substitute is named per meeting and
setting. ``meeting.teams_meeting_id`` ties the Teams meeting's events to the cluster meeting;
``agenda_item.quorum_record`` keeps who was present and recused when the vote opened and closed.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=True),
        sa.Column("attends_as", sa.String(length=16), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["setting_id"], ["setting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "who"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_meeting_id"), ["meeting_id"], unique=False)
    op.create_table(
        "substitute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("named_by", sa.Integer(), nullable=False),
        sa.Column("named_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["setting_id"], ["setting.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["named_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["confirmed_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "setting_id"),
    )
    with op.batch_alter_table("substitute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_substitute_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_substitute_person_id"), ["person_id"], unique=False)
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teams_meeting_id", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("acting_chair_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_meeting_teams_meeting_id"), ["teams_meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_acting_chair_id"), ["acting_chair_id"], unique=False)
        batch_op.create_foreign_key("fk_meeting_acting_chair_id_person", "person", ["acting_chair_id"], ["id"])
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quorum_record", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_column("quorum_record")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meeting_acting_chair_id_person", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_meeting_acting_chair_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_teams_meeting_id"))
        batch_op.drop_column("acting_chair_id")
        batch_op.drop_column("teams_meeting_id")
    with op.batch_alter_table("substitute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_substitute_person_id"))
        batch_op.drop_index(batch_op.f("ix_substitute_meeting_id"))
    op.drop_table("substitute")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_meeting_id"))
    op.drop_table("attendance")

"""follow-up: the contact log, scheduled follow-ups and transitional-care episodes

Revision ID: 0006_follow_up
Revises: 0005_care_plans
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_follow_up"
down_revision = "0005_care_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "patient_id", sa.Uuid(), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("with_whom", sa.String(length=20), nullable=False),
        sa.Column("with_name", sa.String(length=200), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("spent_by", sa.String(length=10), nullable=False),
        sa.Column("counts_for_ccm", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("goal_ids", sa.JSON(), nullable=False),
        sa.Column(
            "check_in_response_id",
            sa.Uuid(),
            sa.ForeignKey("questionnaire_response.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("follow_up_id", sa.Uuid(), nullable=True),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_occurred_at", "contact", ["occurred_at"])
    op.create_index("ix_contact_patient_id", "contact", ["patient_id"])

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "patient_id", sa.Uuid(), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("recurrence_days", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_follow_up_due_at", "follow_up", ["due_at"])
    op.create_index("ix_follow_up_patient_id", "follow_up", ["patient_id"])

    op.create_table(
        "care_transition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "patient_id", sa.Uuid(), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("discharge_date", sa.Date(), nullable=False),
        sa.Column("facility", sa.String(length=200), nullable=False),
        sa.Column("complexity", sa.String(length=10), nullable=False),
        sa.Column("face_to_face_on", sa.Date(), nullable=True),
        sa.Column("med_rec_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_care_transition_discharge_date", "care_transition", ["discharge_date"])
    op.create_index("ix_care_transition_patient_id", "care_transition", ["patient_id"])
    op.create_index("ix_contact_patient_when", "contact", ["patient_id", "occurred_at"])


def downgrade() -> None:
    for table in ("care_transition", "follow_up", "contact"):
        op.drop_table(table)

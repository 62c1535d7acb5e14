"""care plans: needs, goals, interventions, education, advocacy, versions, agreement

Revision ID: 0005_care_plans
Revises: 0004_assessments
Create Date: 2026-12-01

The live rows (care_plan, plan_need, plan_goal, plan_intervention, ...) are the plan
being edited; publishing freezes the whole plan as a JSON snapshot in
care_plan_version, which is never changed. A removed need, goal or intervention
keeps its row with deleted_at set, so the removal can be undone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_care_plans"
down_revision = "0004_assessments"
branch_labels = None
depends_on = None

TABLES = (
    "plan_agreement",
    "care_plan_version",
    "advocacy_record",
    "education_record",
    "plan_intervention",
    "goal_progress",
    "plan_goal",
    "plan_need",
    "care_plan",
)


def upgrade() -> None:
    op.create_table(
        "care_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "patient_id", sa.Uuid(), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("expected_outcome", sa.String(length=2000), nullable=False),
        sa.Column("prognosis", sa.String(length=2000), nullable=False),
        sa.Column("symptom_management", sa.String(length=2000), nullable=False),
        sa.Column("medication_management", sa.String(length=2000), nullable=False),
        sa.Column("community_services", sa.String(length=2000), nullable=False),
        sa.Column("coordination", sa.String(length=2000), nullable=False),
        sa.Column("barriers", sa.String(length=2000), nullable=False),
        sa.Column("strengths", sa.String(length=2000), nullable=False),
        sa.Column("preferences", sa.String(length=2000), nullable=False),
        sa.Column("cms_exceptions", sa.JSON(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.Column("changed_since_publish", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_care_plan_patient_id", "care_plan", ["patient_id"])

    op.create_table(
        "plan_need",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("care_plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column(
            "condition_id",
            sa.Uuid(),
            sa.ForeignKey("condition.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "suggested_need_id",
            sa.Uuid(),
            sa.ForeignKey("suggested_need.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_need_plan_id", "plan_need", ["plan_id"])

    op.create_table(
        "plan_goal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("care_plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "need_id", sa.Uuid(), sa.ForeignKey("plan_need.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("patient_facing", sa.String(length=400), nullable=False),
        sa.Column("measure", sa.String(length=200), nullable=False),
        sa.Column("target_value", sa.String(length=200), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_goal_plan_id", "plan_goal", ["plan_id"])
    op.create_index("ix_plan_goal_need_id", "plan_goal", ["need_id"])

    op.create_table(
        "goal_progress",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "goal_id", sa.Uuid(), sa.ForeignKey("plan_goal.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_goal_progress_goal_id", "goal_progress", ["goal_id"])

    op.create_table(
        "plan_intervention",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("care_plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "need_id", sa.Uuid(), sa.ForeignKey("plan_need.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "goal_id", sa.Uuid(), sa.ForeignKey("plan_goal.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("responsible", sa.String(length=20), nullable=False),
        sa.Column("responsible_name", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.String(length=100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_intervention_plan_id", "plan_intervention", ["plan_id"])
    op.create_index("ix_plan_intervention_need_id", "plan_intervention", ["need_id"])

    op.create_table(
        "education_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("care_plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "goal_id", sa.Uuid(), sa.ForeignKey("plan_goal.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("understanding", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_education_record_plan_id", "education_record", ["plan_id"])

    op.create_table(
        "advocacy_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("care_plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "need_id", sa.Uuid(), sa.ForeignKey("plan_need.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("denied_on", sa.Date(), nullable=True),
        sa.Column("reason_given", sa.String(length=500), nullable=False),
        sa.Column("alternative", sa.String(length=1000), nullable=False),
        sa.Column("appeal_steps", sa.String(length=2000), nullable=False),
        sa.Column("appeal_deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("authorization_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_advocacy_record_plan_id", "advocacy_record", ["plan_id"])

    op.create_table(
        "care_plan_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("care_plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_care_plan_version_plan_id", "care_plan_version", ["plan_id"])

    op.create_table(
        "plan_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "version_id",
            sa.Uuid(),
            sa.ForeignKey("care_plan_version.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agreed_by", sa.String(length=200), nullable=False),
        sa.Column("relationship", sa.String(length=30), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("signature_png", sa.LargeBinary(), nullable=True),
        sa.Column("copy_given_on", sa.Date(), nullable=True),
        sa.Column("copy_method", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_agreement_version_id", "plan_agreement", ["version_id"])
    op.create_index(
        "ix_care_plan_version_plan_number", "care_plan_version", ["plan_id", "number"], unique=True
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)

"""assessments: completed forms, scores, suggested needs and risk-tier decisions

Revision ID: 0004_assessments
Revises: 0003_audit_drafts
Create Date: 2026-12-01

A completed instrument is a questionnaire_response (read-only once signed; a
correction is a new row that amends it), its total an observation, a finding a
suggested_need and a confirmed or overridden risk tier a risk_assessment. The
observation index serves the trend chart and the "screening due" worklist
without a sort.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_assessments"
down_revision = "0003_audit_drafts"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def _patient_column() -> sa.Column[object]:
    return sa.Column(
        "patient_id", sa.Uuid(), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False
    )


def _response_column(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.Uuid(),
        sa.ForeignKey("questionnaire_response.id", ondelete="CASCADE"),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "questionnaire_response",
        *_record_columns(),
        _patient_column(),
        sa.Column("questionnaire", sa.String(length=60), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("authored_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        _response_column("amends_id", nullable=True),
        sa.Column("amendment_reason", sa.String(length=500), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_questionnaire_response_patient_id", "questionnaire_response", ["patient_id"]
    )
    op.create_index(
        "ix_questionnaire_response_questionnaire", "questionnaire_response", ["questionnaire"]
    )

    op.create_table(
        "observation",
        *_record_columns(),
        _patient_column(),
        _response_column("derived_from_id", nullable=False),
        sa.Column("questionnaire", sa.String(length=60), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=80), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("effective_at", sa.DateTime(), nullable=False),
        sa.Column("rescreen_due", sa.Date(), nullable=True),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_observation_patient_id", "observation", ["patient_id"])
    op.create_index("ix_observation_questionnaire", "observation", ["questionnaire"])
    op.create_index("ix_observation_derived_from_id", "observation", ["derived_from_id"])
    op.create_index(
        "ix_observation_patient_trend",
        "observation",
        ["patient_id", "questionnaire", "effective_at"],
    )
    op.create_index("ix_observation_rescreen_due", "observation", ["rescreen_due"])

    op.create_table(
        "suggested_need",
        *_record_columns(),
        _patient_column(),
        _response_column("response_id", nullable=False),
        sa.Column("questionnaire", sa.String(length=60), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("need", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("referral_category", sa.String(length=80), nullable=False),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suggested_need_patient_id", "suggested_need", ["patient_id"])
    op.create_index("ix_suggested_need_response_id", "suggested_need", ["response_id"])

    op.create_table(
        "risk_assessment",
        *_record_columns(),
        _patient_column(),
        sa.Column("suggested_tier", sa.String(length=20), nullable=False),
        sa.Column("decided_tier", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.String(length=500), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_risk_assessment_patient_id", "risk_assessment", ["patient_id"])


def downgrade() -> None:
    for table in ("risk_assessment", "suggested_need", "observation", "questionnaire_response"):
        op.drop_table(table)

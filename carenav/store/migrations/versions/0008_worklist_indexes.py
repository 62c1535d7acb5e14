"""worklist indexes: covering indexes for the Today list and the minutes report

Revision ID: 0008_worklist_indexes
Revises: 0007_coordination
Create Date: 2026-12-01

At 10,000 patients the Today list spent most of its time fetching table rows to
read a few columns. These indexes hold those columns, so the queries read the index
alone: rescreens due (the newest current score per patient and instrument), care-plan
reviews due, and a month's chronic-care minutes. The two older indexes they extend are dropped (a
covering index serves every query its prefix served).
"""

from __future__ import annotations

from alembic import op

revision = "0008_worklist_indexes"
down_revision = "0007_coordination"
branch_labels = None
depends_on = None

TREND = ["patient_id", "questionnaire", "effective_at"]


def upgrade() -> None:
    op.drop_index("ix_observation_patient_trend", table_name="observation")
    op.drop_index("ix_observation_rescreen_due", table_name="observation")
    op.create_index(
        "ix_observation_trend_current",
        "observation",
        [*TREND, "superseded_at", "deleted_at"],
    )
    op.create_index(
        "ix_observation_rescreen_current",
        "observation",
        ["rescreen_due", *TREND, "value", "band", "superseded_at", "deleted_at"],
    )
    op.create_index(
        "ix_contact_ccm_month",
        "contact",
        ["occurred_at", "counts_for_ccm", "deleted_at", "patient_id", "spent_by", "minutes"],
    )
    op.create_index(
        "ix_care_plan_review_due",
        "care_plan",
        ["next_review", "status", "deleted_at", "patient_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_care_plan_review_due", table_name="care_plan")
    op.drop_index("ix_contact_ccm_month", table_name="contact")
    op.drop_index("ix_observation_rescreen_current", table_name="observation")
    op.drop_index("ix_observation_trend_current", table_name="observation")
    op.create_index("ix_observation_rescreen_due", "observation", ["rescreen_due"])
    op.create_index("ix_observation_patient_trend", "observation", TREND)

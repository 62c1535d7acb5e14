"""coordination: resource directory, referrals with their history, authorisations

Revision ID: 0007_coordination
Revises: 0006_follow_up
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_coordination"
down_revision = "0006_follow_up"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def _patient() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "patient_id", sa.Uuid(), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False
    )


def _link(name: str, table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name, sa.Uuid(), sa.ForeignKey(f"{table}.id", ondelete="SET NULL"), nullable=True
    )


def upgrade() -> None:
    op.create_table(
        "organisation",
        *_record_columns(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=False),
        sa.Column("address_line", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_organisation_name", "organisation", ["name"])

    op.create_table(
        "healthcare_service",
        *_record_columns(),
        sa.Column(
            "organisation_id",
            sa.Uuid(),
            sa.ForeignKey("organisation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("hours", sa.String(length=300), nullable=False),
        sa.Column("eligibility", sa.String(length=1000), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("how_to_refer", sa.String(length=1000), nullable=False),
        sa.Column("what_to_bring", sa.String(length=1000), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=True),
        sa.Column("search_text", sa.String(length=4000), nullable=False),
        sa.Column("category_keys", sa.String(length=600), nullable=False),
        sa.Column("language_keys", sa.String(length=600), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_healthcare_service_organisation_id", "healthcare_service", ["organisation_id"]
    )

    op.create_table(
        "referral",
        *_record_columns(),
        _patient(),
        _link("service_id", "healthcare_service"),
        _link("organisation_id", "organisation"),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("provider_kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        _link("need_id", "plan_need"),
        _link("goal_id", "plan_goal"),
        _link("intervention_id", "plan_intervention"),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("sent_via", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("appointment_at", sa.DateTime(), nullable=True),
        sa.Column("reference_code", sa.String(length=20), nullable=False),
        sa.Column("check_back_id", sa.Uuid(), nullable=True),
        sa.Column("checked_back_at", sa.DateTime(), nullable=True),
        sa.Column("got_service", sa.Boolean(), nullable=True),
        sa.Column("barrier", sa.String(length=20), nullable=False),
        sa.Column("barrier_note", sa.String(length=500), nullable=False),
        sa.Column("barrier_need_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_referral_patient_id", "referral", ["patient_id"])
    op.create_index("ix_referral_status", "referral", ["status"])

    op.create_table(
        "referral_event",
        *_record_columns(),
        sa.Column(
            "referral_id",
            sa.Uuid(),
            sa.ForeignKey("referral.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_referral_event_referral_id", "referral_event", ["referral_id"])

    op.create_table(
        "authorization",
        *_record_columns(),
        _patient(),
        _link("referral_id", "referral"),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("denied_on", sa.Date(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column("unit_label", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("denial_reason", sa.String(length=500), nullable=False),
        sa.Column("alternative", sa.String(length=1000), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_authorization_patient_id", "authorization", ["patient_id"])
    op.create_index("ix_authorization_expires_on", "authorization", ["expires_on"])

    # the agency-wide list of open referrals: by status, oldest change first
    op.create_index("ix_referral_status_at", "referral", ["status", "status_at"])
    # a check-back follow-up names the referral it closes
    op.add_column("follow_up", sa.Column("referral_id", sa.Uuid(), nullable=True))
    op.create_index("ix_follow_up_referral_id", "follow_up", ["referral_id"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_referral_id", "follow_up")
    op.drop_column("follow_up", "referral_id")
    for table in (
        "authorization",
        "referral_event",
        "referral",
        "healthcare_service",
        "organisation",
    ):
        op.drop_table(table)

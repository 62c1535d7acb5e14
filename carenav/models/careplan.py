"""Care plans: needs, goals and interventions, versions and the patient's agreement.

Shaped like FHIR so that export is a mapping: ``CarePlan`` (status, period, author,
addresses, goal, activity), ``Goal`` (lifecycleStatus, target.measure/detail/due,
note), ``CarePlan.activity.detail`` for an intervention, a health concern
(Condition) for a need. The live rows are the plan being edited (the draft); a
published version is a frozen snapshot in ``care_plan_version`` that never changes.
A removed need, goal or intervention keeps its row with ``deleted_at`` set, so a
removal can be undone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, Uuid
from sqlmodel import Field

from carenav.models.base import Record, UTCDateTime
from carenav.models.patient import patient_fk


def _parent(table: str, *, required: bool = True) -> Any:
    column = Column(
        Uuid,
        ForeignKey(f"{table}.id", ondelete="CASCADE"),
        index=True,
        nullable=not required,
    )
    return Field(sa_column=column) if required else Field(default=None, sa_column=column)


def _link(table: str) -> Any:
    """An optional link to a record that may be removed later (the link is then cleared)."""
    return Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey(f"{table}.id", ondelete="SET NULL"), nullable=True),
    )


class CarePlan(Record, table=True):
    """One patient's care plan (FHIR CarePlan). ``status``: draft, active or completed.

    The plan-level texts carry the CMS comprehensive care-plan elements that are not
    needs, goals or interventions; ``cms_exceptions`` maps an element that is
    deliberately missing to the care manager's reason.
    """

    __tablename__ = "care_plan"
    patient_id: uuid.UUID = patient_fk()
    title: str = Field(default="Care plan", max_length=200)
    status: str = Field(default="draft", max_length=20)
    period_start: date | None = None
    period_end: date | None = None
    next_review: date | None = None
    author: str = Field(default="", max_length=100)
    expected_outcome: str = Field(default="", max_length=2000)
    prognosis: str = Field(default="", max_length=2000)
    symptom_management: str = Field(default="", max_length=2000)
    medication_management: str = Field(default="", max_length=2000)
    community_services: str = Field(default="", max_length=2000)
    coordination: str = Field(default="", max_length=2000)
    barriers: str = Field(default="", max_length=2000)
    strengths: str = Field(default="", max_length=2000)
    preferences: str = Field(default="", max_length=2000)  # the patient's priorities
    cms_exceptions: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    published_version: int = 0  # the newest published version number (0: never)
    changed_since_publish: bool = False  # the draft differs from the newest version


class PlanNeed(Record, table=True):
    """A need (problem) the plan addresses: a problem-list condition, a finding or a social need."""

    __tablename__ = "plan_need"
    plan_id: uuid.UUID = _parent("care_plan")
    position: int = 0
    text: str = Field(max_length=300)
    domain: str = Field(default="medical", max_length=40)
    source: str = Field(default="care-manager", max_length=20)  # condition, finding, social, ...
    condition_id: uuid.UUID | None = _link("condition")
    suggested_need_id: uuid.UUID | None = _link("suggested_need")
    evidence: str = Field(default="", max_length=500)
    template: str = Field(default="", max_length=60)


class PlanGoal(Record, table=True):
    """A goal (FHIR Goal): in the patient's own words, with a measurable target."""

    __tablename__ = "plan_goal"
    plan_id: uuid.UUID = _parent("care_plan")
    need_id: uuid.UUID = _parent("plan_need")
    position: int = 0
    text: str = Field(max_length=300)  # in the patient's own words
    patient_facing: str = Field(default="", max_length=400)  # for the printed plan
    measure: str = Field(default="", max_length=200)
    target_value: str = Field(default="", max_length=200)
    target_date: date | None = None
    priority: str = Field(default="medium", max_length=10)
    status: str = Field(default="proposed", max_length=20)


class GoalProgress(Record, table=True):
    """A dated progress note on a goal (FHIR Goal.note / an Observation of the measure)."""

    __tablename__ = "goal_progress"
    goal_id: uuid.UUID = _parent("plan_goal")
    noted_on: date
    value: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class PlanIntervention(Record, table=True):
    """An intervention (FHIR CarePlan.activity.detail): what, who, how often, by when."""

    __tablename__ = "plan_intervention"
    plan_id: uuid.UUID = _parent("care_plan")
    need_id: uuid.UUID = _parent("plan_need")
    goal_id: uuid.UUID | None = _link("plan_goal")
    position: int = 0
    what: str = Field(max_length=300)
    category: str = Field(default="other", max_length=30)
    responsible: str = Field(default="care-manager", max_length=20)
    responsible_name: str = Field(default="", max_length=200)
    frequency: str = Field(default="", max_length=100)
    due_date: date | None = None
    status: str = Field(default="not-started", max_length=20)
    referral_id: uuid.UUID | None = None  # a referral, once referrals exist


class EducationRecord(Record, table=True):
    """Education given against a goal: topic, to whom, how, and how well it was understood."""

    __tablename__ = "education_record"
    plan_id: uuid.UUID = _parent("care_plan")
    goal_id: uuid.UUID | None = _link("plan_goal")
    given_on: date
    topic: str = Field(max_length=200)
    recipient: str = Field(default="patient", max_length=100)
    method: str = Field(default="teach-back", max_length=20)
    understanding: str = Field(default="good", max_length=20)
    note: str = Field(default="", max_length=2000)


class AdvocacyRecord(Record, table=True):
    """A service a payer denied, the alternative proposed and the appeal steps."""

    __tablename__ = "advocacy_record"
    plan_id: uuid.UUID = _parent("care_plan")
    need_id: uuid.UUID | None = _link("plan_need")
    service: str = Field(max_length=200)
    payer: str = Field(default="", max_length=200)
    denied_on: date | None = None
    reason_given: str = Field(default="", max_length=500)
    alternative: str = Field(default="", max_length=1000)
    appeal_steps: str = Field(default="", max_length=2000)
    appeal_deadline: date | None = None
    status: str = Field(default="open", max_length=20)
    authorization_id: uuid.UUID | None = None  # an authorisation, once referrals exist


class CarePlanVersion(Record, table=True):
    """A published version: the whole plan frozen as it was, never changed afterwards."""

    __tablename__ = "care_plan_version"
    plan_id: uuid.UUID = _parent("care_plan")
    number: int
    published_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    published_by: str = Field(max_length=100)
    change_note: str = Field(default="", max_length=500)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PlanAgreement(Record, table=True):
    """The patient's or caregiver's agreement with a version, and when a copy was given."""

    __tablename__ = "plan_agreement"
    version_id: uuid.UUID = _parent("care_plan_version")
    agreed_by: str = Field(max_length=200)
    relationship: str = Field(default="patient", max_length=30)
    agreed_on: date
    method: str = Field(default="verbal", max_length=20)  # paper, verbal, screen
    signature_png: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    copy_given_on: date | None = None
    copy_method: str = Field(default="", max_length=20)  # printed, mailed, portal, ...
    note: str = Field(default="", max_length=500)


CARE_PLAN_RECORD_TYPES: tuple[type[Record], ...] = (
    CarePlan,
    PlanNeed,
    PlanGoal,
    GoalProgress,
    PlanIntervention,
    EducationRecord,
    AdvocacyRecord,
    CarePlanVersion,
    PlanAgreement,
)

"""Assessments: completed forms, their scores, suggested needs and risk-tier decisions.

Names follow HL7 FHIR so that export is a mapping: a completed form is a
QuestionnaireResponse, its total score an Observation (``derived_from`` the
response), a finding a suggested need (a FHIR Condition of category
health-concern with verification status "provisional" until a care plan takes
it up), and a confirmed or overridden risk tier a RiskAssessment.

Half-finished forms are not here: every answer is kept as an encrypted draft
(``carenav.models.Draft``) until the form is completed and signed. A completed
response is never edited; a correction is a new response that ``amends`` it,
and the original stays, marked ``superseded_at``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from carenav.models.base import Record, UTCDateTime
from carenav.models.patient import patient_fk


def _optional_fk(table: str) -> Any:
    return Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=True),
    )


def _required_fk(table: str) -> Any:
    return Field(
        sa_column=Column(
            Uuid, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class QuestionnaireResponse(Record, table=True):
    """A completed, signed instrument (FHIR QuestionnaireResponse).

    ``status`` is "completed" for a first signature and "amended" for a
    correction of an earlier response (``amends_id``). The answers map each
    item's linkId to its value as the scoring engine takes it.
    """

    __tablename__ = "questionnaire_response"
    patient_id: uuid.UUID = patient_fk()
    questionnaire: str = Field(max_length=60, index=True)
    questionnaire_version: str = Field(default="", max_length=20)
    status: str = Field(default="completed", max_length=20)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # the flags raised when it was signed (also for forms without a score)
    flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    authored_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    author: str = Field(max_length=100)
    amends_id: uuid.UUID | None = _optional_fk("questionnaire_response")
    amendment_reason: str = Field(default="", max_length=500)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Observation(Record, table=True):
    """The score of one scored response (FHIR Observation, ``derivedFrom`` the response).

    ``flags`` holds the raised flags as plain data (code, label, severity,
    item). ``rescreen_due`` is the date the instrument's rescreen rule gives.
    """

    patient_id: uuid.UUID = patient_fk()
    derived_from_id: uuid.UUID = _required_fk("questionnaire_response")
    questionnaire: str = Field(max_length=60, index=True)
    code: str = Field(default="", max_length=40)
    status: str = Field(default="final", max_length=20)
    value: int
    band: str = Field(default="", max_length=80)
    flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    effective_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    rescreen_due: date | None = None
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class SuggestedNeed(Record, table=True):
    """A need found by an assessment, offered to the care-plan editor with its evidence.

    ``status``: "suggested" until the care manager acts; then "accepted" (taken
    into a care plan) or "dismissed" (with ``decision_note``). A need found
    again by a later assessment updates the open suggestion rather than adding
    a second one.
    """

    __tablename__ = "suggested_need"
    patient_id: uuid.UUID = patient_fk()
    response_id: uuid.UUID = _required_fk("questionnaire_response")
    questionnaire: str = Field(max_length=60)
    code: str = Field(max_length=60)
    need: str = Field(max_length=200)
    domain: str = Field(default="other", max_length=40)
    referral_category: str = Field(default="", max_length=80)
    evidence: str = Field(default="", max_length=500)
    found_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default="suggested", max_length=20)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    decision_note: str = Field(default="", max_length=500)


class RiskAssessment(Record, table=True):
    """The care manager's decision on a suggested risk tier (FHIR RiskAssessment).

    ``reasons`` lists the facts the suggestion came from, in plain words;
    ``decided_tier`` differs from ``suggested_tier`` when the care manager
    overrode it, and then ``override_reason`` says why.
    """

    __tablename__ = "risk_assessment"
    patient_id: uuid.UUID = patient_fk()
    suggested_tier: str = Field(max_length=20)
    decided_tier: str = Field(max_length=20)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    override_reason: str = Field(default="", max_length=500)
    decided_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    decided_by: str = Field(max_length=100)


ASSESSMENT_RECORD_TYPES: tuple[type[Record], ...] = (
    QuestionnaireResponse,
    Observation,
    SuggestedNeed,
    RiskAssessment,
)

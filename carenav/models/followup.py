"""Follow-up: the contact log, scheduled follow-ups and transitional-care episodes.

Shaped like FHIR so export is a mapping: a logged contact is a Communication
(with the minutes spent, for chronic-care billing), a scheduled follow-up an
Appointment/Task, a hospital discharge and its transitional-care clocks an
EpisodeOfCare (type TCM).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from carenav.models.base import Record, UTCDateTime
from carenav.models.patient import patient_fk


def _link(table: str) -> Any:
    """An optional link to a record that may be removed later (the link is then cleared)."""
    return Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey(f"{table}.id", ondelete="SET NULL"), nullable=True),
    )


class Contact(Record, table=True):
    """One logged contact or attempt (FHIR Communication), with the minutes it took."""

    patient_id: uuid.UUID = patient_fk()
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    kind: str = Field(default="phone", max_length=20)
    with_whom: str = Field(default="patient", max_length=20)  # patient, caregiver, care-team
    with_name: str = Field(default="", max_length=200)
    direction: str = Field(default="outbound", max_length=10)
    outcome: str = Field(default="reached", max_length=20)
    minutes: int = 0
    spent_by: str = Field(default="staff", max_length=10)  # staff or clinician
    counts_for_ccm: bool = True
    notes: str = Field(default="", max_length=4000)
    goal_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    check_in_response_id: uuid.UUID | None = _link("questionnaire_response")
    follow_up_id: uuid.UUID | None = None  # the scheduled follow-up this completed
    episode_id: uuid.UUID | None = None  # the transitional-care episode it served
    author: str = Field(default="", max_length=100)


class FollowUp(Record, table=True):
    """A scheduled call or visit (FHIR Appointment / Task), possibly recurring."""

    __tablename__ = "follow_up"
    patient_id: uuid.UUID = patient_fk()
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    kind: str = Field(default="phone", max_length=20)
    purpose: str = Field(default="", max_length=300)
    recurrence_days: int | None = None  # e.g. 14: every two weeks
    status: str = Field(default="scheduled", max_length=20)  # scheduled, completed, cancelled
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    contact_id: uuid.UUID | None = None  # the contact that completed it
    referral_id: uuid.UUID | None = Field(default=None, index=True)  # a check-back: its referral


class CareTransition(Record, table=True):
    """A hospital discharge and its transitional-care (TCM) episode (FHIR EpisodeOfCare)."""

    __tablename__ = "care_transition"
    patient_id: uuid.UUID = patient_fk()
    discharge_date: date = Field(index=True)
    facility: str = Field(default="", max_length=200)
    complexity: str = Field(default="moderate", max_length=10)  # moderate or high
    face_to_face_on: date | None = None
    med_rec_on: date | None = None
    status: str = Field(default="open", max_length=10)  # open or closed
    notes: str = Field(default="", max_length=2000)


FOLLOW_UP_RECORD_TYPES: tuple[type[Record], ...] = (Contact, FollowUp, CareTransition)

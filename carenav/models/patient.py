"""The caseload: patients and what their chart holds.

Table and field names follow HL7 FHIR resources so that a later FHIR export
is a mapping (Patient, RelatedPerson, CareTeam participant, Condition,
MedicationStatement, AllergyIntolerance, and a case note that becomes a
Communication or a DocumentReference).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from carenav.models.base import Record, UTCDateTime


def patient_fk() -> Any:
    return Field(
        sa_column=Column(
            Uuid, ForeignKey("patient.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class Patient(Record, table=True):
    family_name: str = Field(max_length=100)
    given_name: str = Field(max_length=100)
    preferred_name: str = Field(default="", max_length=100)
    birth_date: date
    administrative_sex: str = Field(default="unknown", max_length=20)
    gender_identity: str = Field(default="", max_length=100)
    preferred_language: str = Field(default="English", max_length=60)
    interpreter_needed: bool = False
    phone_home: str = Field(default="", max_length=40)
    phone_mobile: str = Field(default="", max_length=40)
    address_line: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=40)
    postal_code: str = Field(default="", max_length=20)
    visit_notes: str = Field(default="", max_length=2000)
    programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    risk_tier: str = Field(default="moderate", max_length=20)
    status: str = Field(default="active", max_length=20)
    primary_care_provider: str = Field(default="", max_length=200)
    payer: str = Field(default="", max_length=200)
    member_id: str = Field(default="", max_length=60)
    consent_date: date | None = None
    consent_method: str = Field(default="", max_length=20)
    # Lower-cased names, phone digits and member id: what search-as-you-type
    # scans. Kept by the service layer; lives inside the encrypted vault.
    search_text: str = Field(default="", max_length=1000)


class RelatedPerson(Record, table=True):
    """Family members and caregivers (FHIR RelatedPerson)."""

    __tablename__ = "related_person"
    patient_id: uuid.UUID = patient_fk()
    name: str = Field(max_length=200)
    relationship: str = Field(default="other_family", max_length=30)
    phone: str = Field(default="", max_length=40)
    alt_phone: str = Field(default="", max_length=40)
    emergency_contact: bool = False
    primary_caregiver: bool = False
    may_receive_health_info: bool = False
    notes: str = Field(default="", max_length=2000)


class CareTeamMember(Record, table=True):
    """A provider or agency on the patient's care team (FHIR CareTeam.participant)."""

    __tablename__ = "care_team_member"
    patient_id: uuid.UUID = patient_fk()
    name: str = Field(max_length=200)
    role: str = Field(default="other", max_length=30)
    organization: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    fax: str = Field(default="", max_length=40)
    notes: str = Field(default="", max_length=2000)


class Condition(Record, table=True):
    """A problem on the problem list (FHIR Condition)."""

    patient_id: uuid.UUID = patient_fk()
    text: str = Field(max_length=300)
    icd10_code: str = Field(default="", max_length=10)
    onset_date: date | None = None
    clinical_status: str = Field(default="active", max_length=20)


class MedicationStatement(Record, table=True):
    """A medication the patient takes or took (FHIR MedicationStatement)."""

    __tablename__ = "medication_statement"
    patient_id: uuid.UUID = patient_fk()
    name: str = Field(max_length=200)
    dose: str = Field(default="", max_length=100)
    route: str = Field(default="oral", max_length=20)
    frequency: str = Field(default="", max_length=100)
    purpose: str = Field(default="", max_length=200)
    prescriber: str = Field(default="", max_length=200)
    status: str = Field(default="active", max_length=20)
    start_date: date | None = None
    stop_date: date | None = None


class AllergyIntolerance(Record, table=True):
    """An allergy or intolerance with the reaction it causes (FHIR AllergyIntolerance)."""

    __tablename__ = "allergy_intolerance"
    patient_id: uuid.UUID = patient_fk()
    substance: str = Field(max_length=200)
    reaction: str = Field(default="", max_length=300)
    severity: str = Field(default="unknown", max_length=20)


class CaseNote(Record, table=True):
    """A dated case note written by the care manager."""

    __tablename__ = "case_note"
    patient_id: uuid.UUID = patient_fk()
    written_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    kind: str = Field(default="general", max_length=20)
    subject: str = Field(default="", max_length=200)
    text: str = Field(max_length=20000)


CHART_RECORD_TYPES: tuple[type[Record], ...] = (
    RelatedPerson,
    CareTeamMember,
    Condition,
    MedicationStatement,
    AllergyIntolerance,
    CaseNote,
)

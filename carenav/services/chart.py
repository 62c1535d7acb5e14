"""The patient chart: family and caregivers, care team, problems, medications,
allergies and case notes, loaded together and changed one record at a time."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound, StaleRecord
from carenav.models import (
    AllergyIntolerance,
    CareTeamMember,
    CaseNote,
    Condition,
    MedicationStatement,
    Patient,
    Record,
    RelatedPerson,
    codes,
    utcnow,
)
from carenav.services.patients import _live_patient
from carenav.services.validation import FieldCleaner
from carenav.store.audit import AuditEntry, record_in
from carenav.store.vault import Vault

R = TypeVar("R", bound=Record)


def _clean_related_person(c: FieldCleaner) -> None:
    c.text("name", label="Name", required=True)
    c.code("relationship", label="Relationship", choices=codes.RELATIONSHIPS)
    c.phone("phone")
    c.phone("alt_phone")
    c.flag("emergency_contact")
    c.flag("primary_caregiver")
    c.flag("may_receive_health_info")
    c.text("notes", label="Notes", max_len=2000)


def _clean_care_team_member(c: FieldCleaner) -> None:
    c.text("name", label="Name", required=True)
    c.code("role", label="Role", choices=codes.CARE_TEAM_ROLES)
    c.text("organization", label="Organisation")
    c.phone("phone")
    c.phone("fax")
    c.text("notes", label="Notes", max_len=2000)


def _clean_condition(c: FieldCleaner) -> None:
    c.text("text", label="Problem", required=True, max_len=300)
    c.icd10("icd10_code")
    c.date("onset_date", label="Onset date", not_future=True)
    c.code("clinical_status", label="Status", choices=codes.CONDITION_STATUSES)


def _clean_medication(c: FieldCleaner) -> None:
    c.text("name", label="Medication", required=True)
    c.text("dose", label="Dose", max_len=100)
    c.code("route", label="Route", choices=codes.MEDICATION_ROUTES)
    c.text("frequency", label="How often", max_len=100)
    c.text("purpose", label="What it is for")
    c.text("prescriber", label="Prescriber")
    c.code("status", label="Status", choices=codes.MEDICATION_STATUSES)
    c.date("start_date", label="Start date")
    c.date("stop_date", label="Stop date")


def _clean_allergy(c: FieldCleaner) -> None:
    c.text("substance", label="Allergy to", required=True)
    c.text("reaction", label="Reaction", max_len=300)
    c.code("severity", label="Severity", choices=codes.ALLERGY_SEVERITIES)


def _clean_note(c: FieldCleaner) -> None:
    def written_at(value: Any) -> datetime:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value
        raise ValueError("Choose when the note was written.")

    c._run("written_at", written_at)
    c.code("kind", label="Kind of note", choices=codes.NOTE_KINDS)
    c.text("subject", label="Subject")
    c.text("text", label="Note", required=True, max_len=20000)


CLEANERS: dict[type[Record], Callable[[FieldCleaner], None]] = {
    RelatedPerson: _clean_related_person,
    CareTeamMember: _clean_care_team_member,
    Condition: _clean_condition,
    MedicationStatement: _clean_medication,
    AllergyIntolerance: _clean_allergy,
    CaseNote: _clean_note,
}

REQUIRED: dict[type[Record], tuple[str, ...]] = {
    RelatedPerson: ("name",),
    CareTeamMember: ("name",),
    Condition: ("text",),
    MedicationStatement: ("name",),
    AllergyIntolerance: ("substance",),
    CaseNote: ("text",),
}

RECORD_NAMES: dict[type[Record], str] = {
    RelatedPerson: "family member or caregiver",
    CareTeamMember: "care team member",
    Condition: "problem",
    MedicationStatement: "medication",
    AllergyIntolerance: "allergy",
    CaseNote: "case note",
}


def clean_chart_values(
    kind: type[Record], values: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    cleaner = FieldCleaner(values)
    if creating:
        for name in REQUIRED[kind]:
            if name not in values:
                cleaner.errors[name] = "This field is required."
    CLEANERS[kind](cleaner)
    cleaned = cleaner.done()
    _refuse_stop_before_start(cleaned.get("start_date"), cleaned.get("stop_date"))
    return cleaned


def _refuse_stop_before_start(start: date | None, stop: date | None) -> None:
    if start and stop and stop < start:
        raise InvalidInput({"stop_date": "The stop date is before the start date."})


def add_chart_record(
    vault: Vault, kind: type[R], patient_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    values = dict(values)
    if kind is CaseNote:
        values.setdefault("written_at", utcnow())
    cleaned = clean_chart_values(kind, values, creating=True)
    with vault.session() as session:
        _live_patient(session, patient_id)
        record = kind(patient_id=patient_id, **cleaned)  # type: ignore[call-arg]
        session.add(record)
    return record.id


def _live_record(session: Session, kind: type[R], record_id: uuid.UUID) -> R:
    record = session.get(kind, record_id)
    if record is None or record.deleted_at is not None:
        raise RecordNotFound(RECORD_NAMES[kind])
    return record


def update_chart_record(
    vault: Vault,
    kind: type[R],
    record_id: uuid.UUID,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> R:
    cleaned = clean_chart_values(kind, changes, creating=False)
    with vault.session() as session:
        record = _live_record(session, kind, record_id)
        if expected_version is not None and record.version != expected_version:
            raise StaleRecord()
        # a change to one date is checked against the other date already saved
        _refuse_stop_before_start(
            cleaned.get("start_date", getattr(record, "start_date", None)),
            cleaned.get("stop_date", getattr(record, "stop_date", None)),
        )
        record.apply(cleaned)
        session.add(record)
    return record


def remove_chart_record(vault: Vault, kind: type[Record], record_id: uuid.UUID) -> None:
    with vault.session() as session:
        record = _live_record(session, kind, record_id)
        record.deleted_at = utcnow()
        record.touch()
        session.add(record)


@dataclass(frozen=True)
class Chart:
    patient: Patient
    family: list[RelatedPerson]
    care_team: list[CareTeamMember]
    problems: list[Condition]
    medications: list[MedicationStatement]
    allergies: list[AllergyIntolerance]
    notes: list[CaseNote]


def _records(session: Session, kind: type[R], patient_id: uuid.UUID, *order: Any) -> list[R]:
    pid_col: Any = kind.patient_id  # type: ignore[attr-defined]
    statement = (
        select(kind)
        .where(pid_col == patient_id)
        .where(col(kind.deleted_at).is_(None))
        .order_by(*order, col(kind.created_at))
    )
    return list(session.exec(statement).all())


def load_chart(vault: Vault, patient_id: uuid.UUID, *, opened: bool = True) -> Chart:
    """Everything the chart shows, read in one transaction.

    Audited as ``chart_opened`` unless ``opened`` is False (a refresh of a chart
    already on screen, after one of its records changed).
    """
    with vault.session() as session:
        patient = _live_patient(session, patient_id)
        if opened:
            record_in(session, [AuditEntry("chart_opened", "patient", patient_id.hex)])
        return Chart(
            patient=patient,
            family=_records(
                session, RelatedPerson, patient_id, col(RelatedPerson.primary_caregiver).desc()
            ),
            care_team=_records(session, CareTeamMember, patient_id),
            problems=_records(session, Condition, patient_id, Condition.clinical_status),
            medications=_records(
                session, MedicationStatement, patient_id, MedicationStatement.status
            ),
            allergies=_records(session, AllergyIntolerance, patient_id),
            notes=_records(session, CaseNote, patient_id, col(CaseNote.written_at).desc()),
        )

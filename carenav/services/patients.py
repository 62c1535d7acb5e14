"""The caseload: create, change, remove and find patients."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound, StaleRecord
from carenav.models import Patient, utcnow
from carenav.models.codes import PATIENT_STATUSES, PROGRAMS, RISK_TIERS
from carenav.services.validation import clean_patient, search_tokens
from carenav.store.vault import Vault

PATIENT_FIELDS: tuple[str, ...] = (
    "family_name",
    "given_name",
    "preferred_name",
    "birth_date",
    "administrative_sex",
    "gender_identity",
    "preferred_language",
    "interpreter_needed",
    "phone_home",
    "phone_mobile",
    "address_line",
    "city",
    "state",
    "postal_code",
    "visit_notes",
    "programs",
    "risk_tier",
    "status",
    "primary_care_provider",
    "payer",
    "member_id",
    "consent_date",
    "consent_method",
)

SORT_KEYS = ("name", "birth_date", "risk", "status", "city", "language", "updated")


def build_search_text(patient: Patient) -> str:
    parts = [patient.family_name, patient.given_name, patient.preferred_name, patient.member_id]
    tokens = search_tokens(" ".join(p for p in parts if p))
    for phone in (patient.phone_home, patient.phone_mobile):
        digits = "".join(ch for ch in phone if ch.isdigit())
        if digits:
            tokens.append(digits)
    return " ".join(tokens)


def age_on(birth_date: date, day: date | None = None) -> int:
    day = day or date.today()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def display_name(patient: Patient) -> str:
    return name_text(patient.family_name, patient.given_name, patient.preferred_name)


def name_text(family: str, given: str, preferred: str = "") -> str:
    """'Family, Given "Preferred"' (the preferred name only when it differs)."""
    name = f"{family}, {given}"
    if preferred and preferred != given:
        name += f' "{preferred}"'
    return name


# -- changing the caseload ----------------------------------------------------


def new_patient(values: Mapping[str, Any]) -> Patient:
    """A validated Patient not yet added to any session (shared with CSV import)."""
    patient = Patient(**clean_patient(values, creating=True))
    patient.search_text = build_search_text(patient)
    return patient


def create_patient(vault: Vault, values: Mapping[str, Any]) -> uuid.UUID:
    patient = new_patient(values)
    with vault.session() as session:
        session.add(patient)
    return patient.id


def _live_patient(session: Session, patient_id: uuid.UUID) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or patient.deleted_at is not None:
        raise RecordNotFound("patient")
    return patient


def update_patient(
    vault: Vault,
    patient_id: uuid.UUID,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Patient:
    """Apply changes; with expected_version, refuse if someone saved in between."""
    with vault.session() as session:
        patient = _live_patient(session, patient_id)
        if expected_version is not None and patient.version != expected_version:
            raise StaleRecord()
        unknown = sorted(set(changes) - set(PATIENT_FIELDS))
        if unknown:
            raise InvalidInput({name: "This is not a patient field." for name in unknown})
        merged = {name: getattr(patient, name) for name in PATIENT_FIELDS}
        merged.update({k: v for k, v in changes.items() if k in PATIENT_FIELDS})
        cleaned = clean_patient(merged, creating=False)
        if patient.apply(cleaned):
            patient.search_text = build_search_text(patient)
        session.add(patient)
    return patient


def remove_patient(vault: Vault, patient_id: uuid.UUID) -> None:
    """Soft-delete (tombstone) so the removal can travel to the agency server later."""
    with vault.session() as session:
        patient = _live_patient(session, patient_id)
        patient.deleted_at = utcnow()
        patient.touch()
        session.add(patient)


def get_patient(vault: Vault, patient_id: uuid.UUID) -> Patient:
    with vault.session() as session:
        return _live_patient(session, patient_id)


# -- finding patients ---------------------------------------------------------


@dataclass(frozen=True)
class CaseloadQuery:
    text: str = ""
    programs: Sequence[str] = ()
    risk_tiers: Sequence[str] = ()
    statuses: Sequence[str] = ()
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class CaseloadRow:
    id: uuid.UUID
    name: str
    birth_date: date
    age: int
    phone: str
    programs: tuple[str, ...]
    risk_tier: str
    status: str
    city: str
    language: str
    interpreter_needed: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def programs_text(self) -> str:
        return ", ".join(PROGRAMS.get(p, p) for p in self.programs)

    @property
    def risk_text(self) -> str:
        return RISK_TIERS.get(self.risk_tier, self.risk_tier)

    @property
    def status_text(self) -> str:
        return PATIENT_STATUSES.get(self.status, self.status)


def _risk_rank() -> Any:
    return case(
        {tier: rank for rank, tier in enumerate(RISK_TIERS)}, value=Patient.risk_tier, else_=-1
    )


def _sort_columns(sort: str, descending: bool) -> list[Any]:
    columns: dict[str, list[Any]] = {
        "name": [func.lower(Patient.family_name), func.lower(Patient.given_name)],
        "birth_date": [Patient.birth_date],
        "risk": [_risk_rank()],
        "status": [Patient.status],
        "city": [func.lower(Patient.city)],
        "language": [func.lower(Patient.preferred_language)],
        "updated": [Patient.updated_at],
    }
    chosen = columns.get(sort, columns["name"])
    ordered = [c.desc() if descending else c.asc() for c in chosen]
    if sort != "name":
        ordered += [func.lower(Patient.family_name), func.lower(Patient.given_name)]
        return [*ordered, Patient.id]
    # Same direction throughout, so SQLite walks ix_patient_caseload_order either way.
    return [*ordered, col(Patient.id).desc() if descending else col(Patient.id).asc()]


def search_patient_keys(vault: Vault, query: CaseloadQuery) -> list[str]:
    """Ids (32 hex digits, as stored) of matching patients in display order.

    The caseload table's backbone, run at every keystroke: the ids stay text
    so 10,000 of them cost no conversion; ``uuid.UUID(hex=key)`` when needed.
    """
    conditions: list[Any] = [col(Patient.deleted_at).is_(None)]
    for token in search_tokens(query.text):
        conditions.append(col(Patient.search_text).contains(token, autoescape=True))
    if query.programs:
        conditions.append(
            or_(*(cast(Patient.programs, String).contains(f'"{p}"') for p in query.programs))
        )
    if query.risk_tiers:
        conditions.append(col(Patient.risk_tier).in_(list(query.risk_tiers)))
    if query.statuses:
        conditions.append(col(Patient.status).in_(list(query.statuses)))
    statement = (
        sa_select(type_coerce(Patient.id, String))
        .where(and_(*conditions))
        .order_by(*_sort_columns(query.sort, query.descending))
    )
    with vault.engine.connect() as conn:
        return list(conn.execute(statement).scalars())


def search_patient_ids(vault: Vault, query: CaseloadQuery) -> list[uuid.UUID]:
    """Ids of matching patients in display order."""
    return [uuid.UUID(hex=key) for key in search_patient_keys(vault, query)]


def caseload_rows(vault: Vault, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, CaseloadRow]:
    """Rows for the given ids (what the table shows), built in one query."""
    wanted = list(ids)
    if not wanted:
        return {}
    today = date.today()
    with vault.session() as session:
        patients = session.exec(select(Patient).where(col(Patient.id).in_(wanted))).all()
        return {
            p.id: CaseloadRow(
                id=p.id,
                name=display_name(p),
                birth_date=p.birth_date,
                age=age_on(p.birth_date, today),
                phone=p.phone_mobile or p.phone_home,
                programs=tuple(p.programs),
                risk_tier=p.risk_tier,
                status=p.status,
                city=p.city,
                language=p.preferred_language,
                interpreter_needed=p.interpreter_needed,
            )
            for p in patients
        }


def count_patients(vault: Vault) -> int:
    with vault.session() as session:
        return int(
            session.exec(
                select(func.count()).select_from(Patient).where(col(Patient.deleted_at).is_(None))
            ).one()
        )


def list_patients(vault: Vault) -> list[Patient]:
    with vault.session() as session:
        return list(
            session.exec(
                select(Patient)
                .where(col(Patient.deleted_at).is_(None))
                .order_by(func.lower(Patient.family_name), func.lower(Patient.given_name))
            ).all()
        )

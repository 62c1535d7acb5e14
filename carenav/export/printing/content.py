"""What a printed plan shows, read from the vault in a few queries.

The plan itself always comes from a version snapshot (``plan_versions.snapshot_at``):
a published version exactly as it was agreed, or, for the draft (version 0), the
live plan as it is now. Without a version number the newest published version is
printed, so what the family keeps matches what they agreed; a plan never published
prints as the draft. The chart parts (medicines, next calls and visits; for the
clinician summary problems, scores and contacts) are read as they are today.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import col, select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.instruments.registry import available_instruments
from carenav.models import (
    CarePlan,
    Condition,
    Contact,
    FollowUp,
    MedicationStatement,
    Observation,
    Patient,
)
from carenav.plan_templates import Template, available_templates
from carenav.services.assessments import latest_scores
from carenav.services.care_plans import current_plan
from carenav.services.plan_versions import DRAFT, get_version, snapshot_at
from carenav.store.vault import Vault

NEXT_CONTACTS = 6
RECENT_CONTACT_DAYS = 90
RECENT_CONTACTS = 12
CLOSED_GOALS = frozenset({"cancelled"})
CLOSED_INTERVENTIONS = frozenset({"completed", "cancelled"})


@dataclass(frozen=True)
class PlanData:
    patient: Patient
    plan_id: uuid.UUID
    snapshot: dict[str, Any]
    version: int  # 0: the draft
    version_date: date  # the day it was published; the day printed for a draft
    medicines: list[MedicationStatement]
    next_contacts: list[FollowUp]
    templates: dict[str, Template]
    # for the clinician summary only (empty otherwise)
    problems: list[Condition] = field(default_factory=list)
    scores: list[Observation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return self.version == DRAFT

    def goals(self) -> list[dict[str, Any]]:
        return [
            g for n in self.snapshot["needs"] for g in n["goals"] if g["status"] not in CLOSED_GOALS
        ]

    def interventions(self, *who: str) -> list[dict[str, Any]]:
        return [
            i
            for n in self.snapshot["needs"]
            for i in n["interventions"]
            if i["responsible"] in who and i["status"] not in CLOSED_INTERVENTIONS
        ]


@lru_cache(maxsize=1)
def _templates() -> dict[str, Template]:
    return {t.id: t for t in available_templates()}


@lru_cache(maxsize=1)
def instrument_titles() -> dict[str, str]:
    return {i.id: i.title for i in available_instruments()}


def _version_number(plan: CarePlan, asked: int | None) -> int:
    if asked is None:
        return plan.published_version or DRAFT
    if asked < 0 or asked > plan.published_version:
        if plan.published_version == 0:
            raise InvalidInput(
                {"version": "The plan has not been published yet; print the draft (version 0)."}
            )
        raise InvalidInput(
            {
                "version": f"The plan has versions 1 to {plan.published_version}; choose one "
                "of them, or 0 for the draft."
            }
        )
    return asked


def full_name(patient: Patient) -> str:
    return " ".join(p for p in (patient.given_name, patient.family_name) if p.strip())


def load_plan_data(
    vault: Vault,
    patient_id: uuid.UUID,
    *,
    version: int | None = None,
    clinician: bool = False,
    now: datetime | None = None,
) -> PlanData:
    """Everything one printed plan needs (see the module's description)."""
    now = now or datetime.now(UTC)
    with vault.session() as session:
        patient = session.get(Patient, patient_id)
        if patient is None or patient.deleted_at is not None:
            raise RecordNotFound("patient")
    plan = current_plan(vault, patient_id)
    if plan is None:
        raise InvalidInput(
            {"patient": "This patient has no care plan yet; start one before printing it."}
        )
    number = _version_number(plan, version)
    snapshot = snapshot_at(vault, plan.id, number)
    if number == DRAFT:
        printed_on = now.astimezone().date()
    else:
        printed_on = get_version(vault, plan.id, number).published_at.astimezone().date()
    with vault.session() as session:
        medicines = list(
            session.exec(
                select(MedicationStatement)
                .where(
                    MedicationStatement.patient_id == patient_id,
                    MedicationStatement.status == "active",
                    col(MedicationStatement.deleted_at).is_(None),
                )
                .order_by(col(MedicationStatement.created_at), col(MedicationStatement.id))
            ).all()
        )
        next_contacts = list(
            session.exec(
                select(FollowUp)
                .where(
                    FollowUp.patient_id == patient_id,
                    FollowUp.status == "scheduled",
                    col(FollowUp.deleted_at).is_(None),
                    col(FollowUp.due_at) >= now,
                )
                .order_by(col(FollowUp.due_at))
                .limit(NEXT_CONTACTS)
            ).all()
        )
        problems: list[Condition] = []
        contacts: list[Contact] = []
        if clinician:
            problems = list(
                session.exec(
                    select(Condition)
                    .where(
                        Condition.patient_id == patient_id,
                        Condition.clinical_status == "active",
                        col(Condition.deleted_at).is_(None),
                    )
                    .order_by(col(Condition.created_at), col(Condition.id))
                ).all()
            )
            contacts = list(
                session.exec(
                    select(Contact)
                    .where(
                        Contact.patient_id == patient_id,
                        col(Contact.deleted_at).is_(None),
                        col(Contact.occurred_at) >= now - timedelta(days=RECENT_CONTACT_DAYS),
                    )
                    .order_by(col(Contact.occurred_at).desc())
                    .limit(RECENT_CONTACTS)
                ).all()
            )
    scores = (
        sorted(latest_scores(vault, patient_id).values(), key=lambda o: o.questionnaire)
        if clinician
        else []
    )
    used = {n.get("template") for n in snapshot["needs"]}
    templates = {k: t for k, t in _templates().items() if k in used}
    return PlanData(
        patient=patient,
        plan_id=plan.id,
        snapshot=snapshot,
        version=number,
        version_date=printed_on,
        medicines=medicines,
        next_contacts=next_contacts,
        templates=templates,
        problems=problems,
        scores=scores,
        contacts=contacts,
    )

"""The nine elements of a CMS comprehensive care plan, and which a plan is missing.

CMS requires a comprehensive care plan for chronic care management (CCM, and the
complex and principal care variants) with: a problem list; expected outcome and
prognosis; measurable treatment goals; symptom management; planned interventions
with who is responsible for each; medication management; community and social
services ordered; how the services of outside agencies and specialists are
directed or coordinated; and a schedule for periodic review and, when applicable,
revision (CMS MLN909188, "Chronic Care Management Services", 2024; see
shared/reference/care-management.md section 2a).

For a patient in one of those programmes the editor shows what is missing, and the
plan cannot be published while an element is missing unless the care manager
records why (``CarePlan.cms_exceptions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

CMS_PROGRAMS = frozenset({"ccm", "ccm_complex", "pcm"})

CMS_ELEMENTS: dict[str, str] = {
    "problem-list": "Problem list",
    "outcome-prognosis": "Expected outcome and prognosis",
    "measurable-goals": "Measurable treatment goals",
    "symptom-management": "Symptom management",
    "interventions": "Interventions, with who is responsible",
    "medication-management": "Medication management",
    "community-services": "Community and social services ordered",
    "coordination": "How outside agencies and specialists are coordinated",
    "review": "Periodic review and revision",
}

HOW_TO_MEET: dict[str, str] = {
    "problem-list": "Add at least one need.",
    "outcome-prognosis": "Write the expected outcome and the prognosis.",
    "measurable-goals": "Give at least one goal a measure, a target and a target date.",
    "symptom-management": (
        "Describe symptom management, or add a symptom-management intervention."
    ),
    "interventions": "Add interventions and say who is responsible for each.",
    "medication-management": ("Describe medication management, or add a medication intervention."),
    "community-services": (
        "List the community and social services ordered (or write 'none needed' and why), "
        "or add a community-service or referral intervention."
    ),
    "coordination": "Say how outside agencies and specialists are coordinated.",
    "review": "Set the next review date.",
}


@dataclass(frozen=True)
class ElementStatus:
    code: str
    label: str
    met: bool
    exception: str  # the care manager's reason when it is missing on purpose
    how_to_meet: str

    @property
    def satisfied(self) -> bool:
        """Met, or missing with a recorded reason."""
        return self.met or bool(self.exception)


def needs_cms_plan(programs: list[str]) -> bool:
    return bool(CMS_PROGRAMS & set(programs))


def coverage(snapshot: Mapping[str, Any]) -> list[ElementStatus]:
    """Each element, met or not, from a plan snapshot (see plan_versions.snapshot_of)."""
    plan = snapshot["plan"]
    needs = snapshot["needs"]
    goals = [g for n in needs for g in n["goals"]]
    interventions = [i for n in needs for i in n["interventions"]]
    categories = {i["category"] for i in interventions}

    def text(name: str) -> bool:
        return bool(str(plan.get(name, "")).strip())

    met = {
        "problem-list": bool(needs),
        "outcome-prognosis": text("expected_outcome") and text("prognosis"),
        "measurable-goals": any(
            g["measure"].strip() and g["target_value"].strip() and g["target_date"] for g in goals
        ),
        "symptom-management": text("symptom_management") or "symptom-management" in categories,
        "interventions": bool(interventions)
        and all(i["responsible"] and _named_if_needed(i) for i in interventions),
        "medication-management": text("medication_management") or "medication" in categories,
        "community-services": text("community_services")
        or bool(categories & {"community-service", "referral"}),
        "coordination": text("coordination"),
        "review": bool(plan.get("next_review")),
    }
    exceptions: Mapping[str, str] = plan.get("cms_exceptions", {})
    return [
        ElementStatus(
            code, label, met[code], "" if met[code] else exceptions.get(code, ""), HOW_TO_MEET[code]
        )
        for code, label in CMS_ELEMENTS.items()
    ]


def _named_if_needed(intervention: Mapping[str, Any]) -> bool:
    """A provider or agency must be named; the patient, caregiver or care manager need not."""
    if intervention["responsible"] in ("provider", "agency"):
        return bool(str(intervention.get("responsible_name", "")).strip())
    return True


def missing(snapshot: Mapping[str, Any]) -> list[ElementStatus]:
    """Elements neither met nor excused."""
    return [e for e in coverage(snapshot) if not e.satisfied]


def review_overdue(next_review: date | None, today: date) -> bool:
    return next_review is not None and next_review < today

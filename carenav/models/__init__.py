"""SQLModel tables only; one module per domain."""

from carenav.models.assessment import (
    ASSESSMENT_RECORD_TYPES,
    Observation,
    QuestionnaireResponse,
    RiskAssessment,
    SuggestedNeed,
)
from carenav.models.audit import AuditEvent, Draft
from carenav.models.base import Record, utcnow
from carenav.models.patient import (
    CHART_RECORD_TYPES,
    AllergyIntolerance,
    CareTeamMember,
    CaseNote,
    Condition,
    MedicationStatement,
    Patient,
    RelatedPerson,
)

__all__ = [
    "ASSESSMENT_RECORD_TYPES",
    "CHART_RECORD_TYPES",
    "AllergyIntolerance",
    "AuditEvent",
    "CareTeamMember",
    "CaseNote",
    "Condition",
    "Draft",
    "MedicationStatement",
    "Observation",
    "Patient",
    "QuestionnaireResponse",
    "Record",
    "RelatedPerson",
    "RiskAssessment",
    "SuggestedNeed",
    "utcnow",
]

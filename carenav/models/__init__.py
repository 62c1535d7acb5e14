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
from carenav.models.careplan import (
    CARE_PLAN_RECORD_TYPES,
    AdvocacyRecord,
    CarePlan,
    CarePlanVersion,
    EducationRecord,
    GoalProgress,
    PlanAgreement,
    PlanGoal,
    PlanIntervention,
    PlanNeed,
)
from carenav.models.coordination import (
    COORDINATION_RECORD_TYPES,
    Authorization,
    HealthcareService,
    Organisation,
    Referral,
    ReferralEvent,
)
from carenav.models.followup import (
    FOLLOW_UP_RECORD_TYPES,
    CareTransition,
    Contact,
    FollowUp,
)
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
    "CARE_PLAN_RECORD_TYPES",
    "CHART_RECORD_TYPES",
    "COORDINATION_RECORD_TYPES",
    "FOLLOW_UP_RECORD_TYPES",
    "AdvocacyRecord",
    "AllergyIntolerance",
    "AuditEvent",
    "Authorization",
    "CarePlan",
    "CarePlanVersion",
    "CareTeamMember",
    "CareTransition",
    "CaseNote",
    "Condition",
    "Contact",
    "Draft",
    "EducationRecord",
    "FollowUp",
    "GoalProgress",
    "HealthcareService",
    "MedicationStatement",
    "Observation",
    "Organisation",
    "Patient",
    "PlanAgreement",
    "PlanGoal",
    "PlanIntervention",
    "PlanNeed",
    "QuestionnaireResponse",
    "Record",
    "Referral",
    "ReferralEvent",
    "RelatedPerson",
    "RiskAssessment",
    "SuggestedNeed",
    "utcnow",
]

"""Coded values a care manager picks from, with the words shown to people.

Codes are stable identifiers stored in the vault; labels may change freely.
Where HL7 FHIR has a value set the codes follow it (AdministrativeGender,
Condition clinical status, MedicationStatement status).
"""

from __future__ import annotations

PROGRAMS: dict[str, str] = {
    "ccm": "Chronic care management",
    "ccm_complex": "Complex chronic care management",
    "pcm": "Principal care management",
    "tcm": "Transitional care management",
    "case_mgmt": "Complex case management",
    "bhi": "Behavioural health integration",
    "sud": "Substance use support",
    "ltss": "Long-term services and supports",
    "rpm": "Remote patient monitoring",
    "hospice": "Hospice and palliative support",
}

RISK_TIERS: dict[str, str] = {
    "low": "Low",
    "moderate": "Moderate",
    "high": "High",
    "very_high": "Very high",
}

PATIENT_STATUSES: dict[str, str] = {
    "active": "Active",
    "on_hold": "On hold",
    "discharged": "Discharged",
}

# FHIR AdministrativeGender
ADMINISTRATIVE_SEX: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "unknown": "Unknown",
}

CONSENT_METHODS: dict[str, str] = {
    "verbal": "Verbal",
    "written": "Written (signed)",
    "electronic": "Electronic",
}

# FHIR condition-clinical (subset a care manager uses)
CONDITION_STATUSES: dict[str, str] = {
    "active": "Active",
    "remission": "In remission",
    "inactive": "Inactive",
    "resolved": "Resolved",
}

# FHIR medication-statement-status (subset)
MEDICATION_STATUSES: dict[str, str] = {
    "active": "Taking",
    "on_hold": "On hold",
    "stopped": "Stopped",
    "completed": "Completed course",
}

MEDICATION_ROUTES: dict[str, str] = {
    "oral": "By mouth",
    "inhaled": "Inhaled",
    "subcutaneous": "Injection under the skin",
    "intramuscular": "Injection into muscle",
    "topical": "On the skin",
    "transdermal": "Patch",
    "sublingual": "Under the tongue",
    "ophthalmic": "Eye drops",
    "nasal": "Nasal",
    "rectal": "Rectal",
    "other": "Other",
}

ALLERGY_SEVERITIES: dict[str, str] = {
    "mild": "Mild",
    "moderate": "Moderate",
    "severe": "Severe",
    "unknown": "Not known",
}

RELATIONSHIPS: dict[str, str] = {
    "spouse": "Spouse or partner",
    "daughter": "Daughter",
    "son": "Son",
    "parent": "Parent",
    "sibling": "Brother or sister",
    "grandchild": "Grandchild",
    "other_family": "Other family",
    "friend": "Friend or neighbour",
    "paid_caregiver": "Paid caregiver",
    "guardian": "Legal guardian",
    "poa": "Health care power of attorney",
}

CARE_TEAM_ROLES: dict[str, str] = {
    "pcp": "Primary care provider",
    "specialist": "Specialist",
    "pharmacist": "Pharmacist",
    "home_health": "Home health agency",
    "therapy": "Therapy (PT/OT/speech)",
    "behavioral_health": "Behavioural health",
    "social_worker": "Social worker",
    "dme": "Medical equipment supplier",
    "payer": "Health plan / insurer",
    "community": "Community agency",
    "other": "Other",
}

NOTE_KINDS: dict[str, str] = {
    "visit": "Home visit",
    "call": "Phone call",
    "coordination": "Care coordination",
    "general": "General note",
}

# -- care plans (FHIR CarePlan, Goal, CarePlan.activity) ----------------------------------

PLAN_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "active": "Active",
    "completed": "Completed",
}

# a published version is "active" while it is the newest and "revised" once replaced
VERSION_STATUSES: dict[str, str] = {"active": "Active", "revised": "Revised"}

NEED_SOURCES: dict[str, str] = {
    "condition": "Problem list",
    "finding": "Assessment finding",
    "social": "Social need",
    "care-manager": "Care manager",
}

# FHIR goal-lifecycle / goal-achievement, as a care manager says them
GOAL_STATUSES: dict[str, str] = {
    "proposed": "Proposed",
    "in-progress": "In progress",
    "achieved": "Achieved",
    "not-achieved": "Not achieved",
    "cancelled": "Cancelled",
}

GOAL_PRIORITIES: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low"}

INTERVENTION_CATEGORIES: dict[str, str] = {
    "education": "Education",
    "symptom-management": "Symptom management",
    "medication": "Medication management",
    "monitoring": "Monitoring",
    "community-service": "Community or social service",
    "coordination": "Coordination with providers and agencies",
    "referral": "Referral",
    "self-management": "Self-management",
    "other": "Other",
}

RESPONSIBLE: dict[str, str] = {
    "patient": "Patient",
    "caregiver": "Caregiver or family",
    "care-manager": "Care manager",
    "provider": "Provider",
    "agency": "Agency",
}

# FHIR care-plan-activity-status
INTERVENTION_STATUSES: dict[str, str] = {
    "not-started": "Not started",
    "scheduled": "Scheduled",
    "in-progress": "In progress",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
}

EDUCATION_METHODS: dict[str, str] = {
    "teach-back": "Teach-back",
    "demonstration": "Demonstration",
    "handout": "Handout",
    "discussion": "Discussion",
}

UNDERSTANDING: dict[str, str] = {"good": "Good", "needs-review": "Needs review"}

ADVOCACY_STATUSES: dict[str, str] = {
    "open": "Open",
    "appealed": "Appeal sent",
    "approved": "Approved on appeal",
    "alternative": "Alternative in place",
    "closed": "Closed",
}

AGREEMENT_METHODS: dict[str, str] = {
    "paper": "Signed on paper",
    "verbal": "Agreed verbally",
    "screen": "Signed on screen",
}

AGREEMENT_RELATIONSHIPS: dict[str, str] = {
    "patient": "Patient",
    "caregiver": "Caregiver",
    "representative": "Legal representative",
}

COPY_METHODS: dict[str, str] = {
    "printed": "Printed copy given",
    "mailed": "Mailed",
    "electronic": "Sent electronically",
}

# -- follow-up (FHIR Communication, Appointment/Task, EpisodeOfCare) ----------------------

CONTACT_KINDS: dict[str, str] = {
    "phone": "Phone call",
    "home-visit": "Home visit",
    "clinic-visit": "Clinic visit",
    "video": "Video call",
    "text": "Text message",
    "letter": "Letter",
    "collateral": "Contact with a provider or agency",
}

# contacts that are interactive (two-way, in real time) for transitional care
INTERACTIVE_KINDS = frozenset({"phone", "home-visit", "clinic-visit", "video"})
FACE_TO_FACE_KINDS = frozenset({"home-visit", "clinic-visit"})

CONTACT_WITH: dict[str, str] = {
    "patient": "Patient",
    "caregiver": "Caregiver or family",
    "care-team": "Care team member",
}

CONTACT_DIRECTIONS: dict[str, str] = {"outbound": "Outgoing", "inbound": "Incoming"}

CONTACT_OUTCOMES: dict[str, str] = {
    "reached": "Reached",
    "no-answer": "No answer",
    "voicemail": "Voicemail left",
    "wrong-number": "Wrong number",
    "declined": "Declined",
}

SPENT_BY: dict[str, str] = {"staff": "Care-management staff", "clinician": "Clinician"}

FOLLOW_UP_STATUSES: dict[str, str] = {
    "scheduled": "Scheduled",
    "completed": "Completed",
    "cancelled": "Cancelled",
}

TCM_COMPLEXITY: dict[str, str] = {
    "moderate": "Moderate (face to face within 14 days)",
    "high": "High (face to face within 7 days)",
}

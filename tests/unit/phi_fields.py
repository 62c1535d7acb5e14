"""The patient and chart fields that hold free text: where leak tests put their marker."""

from __future__ import annotations

from carenav.models import (
    AllergyIntolerance,
    CareTeamMember,
    CaseNote,
    Condition,
    MedicationStatement,
    Record,
    RelatedPerson,
)

PATIENT_TEXT_FIELDS = (
    "family_name",
    "given_name",
    "preferred_name",
    "gender_identity",
    "preferred_language",
    "address_line",
    "city",
    "state",
    "postal_code",
    "visit_notes",
    "primary_care_provider",
    "payer",
    "member_id",
)
CHART_TEXT_FIELDS: dict[type[Record], tuple[str, ...]] = {
    RelatedPerson: ("name", "notes"),
    CareTeamMember: ("name", "organization", "notes"),
    Condition: ("text",),
    MedicationStatement: ("name", "dose", "frequency", "purpose", "prescriber"),
    AllergyIntolerance: ("substance", "reaction"),
    CaseNote: ("subject", "text"),
}
CHART_PHONE_FIELDS: dict[type[Record], tuple[str, ...]] = {
    RelatedPerson: ("phone", "alt_phone"),
    CareTeamMember: ("phone", "fax"),
}

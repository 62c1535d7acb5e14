"""What each form asks for: a small description per field, shared by every form.

One ``FieldSpec`` says the label, the stored field name and the kind of widget;
the record dialog, the patient form and the record tables are all generated
from these descriptions, so the six kinds of chart record need one dialog class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from html import escape
from typing import Any

from carenav.models import (
    AllergyIntolerance,
    CareTeamMember,
    CaseNote,
    Condition,
    MedicationStatement,
    Record,
    RelatedPerson,
    codes,
)
from carenav.services.chart import RECORD_NAMES
from carenav.ui.formatting import code_label, format_date, format_datetime


class FieldKind(Enum):
    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    CHOICES = "choices"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    choices: Mapping[str, str] = field(default_factory=dict)
    blank_label: str = ""  # a CHOICE that may be left empty shows this for "none"
    required: bool = False
    hint: str = ""  # placeholder text

    def shown(self, value: Any) -> str:
        """The value as the chart shows it (labels for codes, dates as '3 Mar 1948')."""
        if value is None or value == "":
            return ""
        if self.kind is FieldKind.CHOICE:
            return code_label(self.choices, str(value))
        if self.kind is FieldKind.CHOICES:
            return ", ".join(code_label(self.choices, str(v)) for v in value)
        if self.kind is FieldKind.YES_NO:
            return "Yes" if value else ""
        if self.kind is FieldKind.DATETIME and isinstance(value, datetime):
            return format_datetime(value)
        if self.kind is FieldKind.DATE and isinstance(value, date):
            return format_date(value)
        return str(value)


def text(name: str, label: str, *, required: bool = False, hint: str = "") -> FieldSpec:
    return FieldSpec(name, label, FieldKind.TEXT, required=required, hint=hint)


def multiline(name: str, label: str, *, required: bool = False) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.MULTILINE, required=required)


def date_field(name: str, label: str, *, required: bool = False) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.DATE, required=required, hint="YYYY-MM-DD")


def choice(name: str, label: str, choices: Mapping[str, str], *, blank: str = "") -> FieldSpec:
    return FieldSpec(name, label, FieldKind.CHOICE, choices=choices, blank_label=blank)


def yes_no(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.YES_NO)


PHONE_HINT = "e.g. 555-201-4432"


# -- the patient's own details --------------------------------------------------

PATIENT_GROUPS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Name and birth",
        (
            text("family_name", "Family name", required=True),
            text("given_name", "Given name", required=True),
            text("preferred_name", "Preferred name", hint="What they like to be called"),
            date_field("birth_date", "Date of birth", required=True),
            choice("administrative_sex", "Sex", codes.ADMINISTRATIVE_SEX),
            text("gender_identity", "Gender identity"),
        ),
    ),
    (
        "Language and phones",
        (
            text("preferred_language", "Preferred language", required=True),
            yes_no("interpreter_needed", "Interpreter needed"),
            text("phone_home", "Home phone", hint=PHONE_HINT),
            text("phone_mobile", "Mobile phone", hint=PHONE_HINT),
        ),
    ),
    (
        "Address and visits",
        (
            text("address_line", "Street address"),
            text("city", "City"),
            text("state", "State"),
            text("postal_code", "ZIP code"),
            multiline("visit_notes", "Visit notes"),
        ),
    ),
    (
        "Care programmes",
        (
            FieldSpec("programs", "Programmes", FieldKind.CHOICES, choices=codes.PROGRAMS),
            choice("risk_tier", "Risk tier", codes.RISK_TIERS),
            choice("status", "Status", codes.PATIENT_STATUSES),
            text("primary_care_provider", "Primary care provider"),
        ),
    ),
    (
        "Coverage and consent",
        (
            text("payer", "Payer"),
            text("member_id", "Member ID"),
            date_field("consent_date", "Consent date"),
            choice("consent_method", "Consent given", codes.CONSENT_METHODS, blank="Not recorded"),
        ),
    ),
)

PATIENT_FIELD_SPECS: tuple[FieldSpec, ...] = tuple(
    spec for _title, specs in PATIENT_GROUPS for spec in specs
)

NEW_PATIENT_DEFAULTS: dict[str, Any] = {
    "administrative_sex": "unknown",
    "preferred_language": "English",
    "risk_tier": "moderate",
    "status": "active",
    "programs": [],
    "interpreter_needed": False,
}


# -- chart records ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], str]


def column(spec: FieldSpec, header: str = "") -> Column:
    return Column(header or spec.label, lambda record: spec.shown(getattr(record, spec.name)))


@dataclass(frozen=True)
class RecordKind:
    """Everything the chart needs to show, add and edit one kind of record."""

    model: type[Record]
    title: str  # section heading, e.g. "Medications"
    fields: tuple[FieldSpec, ...]
    columns: tuple[Column, ...]
    muted: Callable[[Any], bool] = lambda _record: False  # shown greyed (stopped, resolved)
    reader: Callable[[Any], str] | None = None  # full text shown beside the table

    @property
    def noun(self) -> str:
        return RECORD_NAMES[self.model]

    @property
    def empty_text(self) -> str:
        return f"No {self.title.lower()} recorded yet."

    def spec(self, name: str) -> FieldSpec:
        return next(s for s in self.fields if s.name == name)


def _family_roles(person: Any) -> str:
    roles = [
        label
        for flag, label in (
            ("primary_caregiver", "Primary caregiver"),
            ("emergency_contact", "Emergency contact"),
            ("may_receive_health_info", "May get health information"),
        )
        if getattr(person, flag)
    ]
    return " · ".join(roles)


_FAMILY_FIELDS = (
    text("name", "Name", required=True),
    choice("relationship", "Relationship", codes.RELATIONSHIPS),
    text("phone", "Phone", hint=PHONE_HINT),
    text("alt_phone", "Other phone", hint=PHONE_HINT),
    yes_no("primary_caregiver", "Primary caregiver"),
    yes_no("emergency_contact", "Emergency contact"),
    yes_no("may_receive_health_info", "May receive health information"),
    multiline("notes", "Notes"),
)

FAMILY = RecordKind(
    model=RelatedPerson,
    title="Family and caregivers",
    fields=_FAMILY_FIELDS,
    columns=(
        *(column(s) for s in _FAMILY_FIELDS[:3]),
        Column("Role", _family_roles),
        column(_FAMILY_FIELDS[-1]),
    ),
)

_CARE_TEAM_FIELDS = (
    text("name", "Name", required=True),
    choice("role", "Role", codes.CARE_TEAM_ROLES),
    text("organization", "Organisation"),
    text("phone", "Phone", hint=PHONE_HINT),
    text("fax", "Fax", hint=PHONE_HINT),
    multiline("notes", "Notes"),
)

CARE_TEAM = RecordKind(
    model=CareTeamMember,
    title="Care team",
    fields=_CARE_TEAM_FIELDS,
    columns=tuple(column(s) for s in _CARE_TEAM_FIELDS),
)

_PROBLEM_FIELDS = (
    text("text", "Problem", required=True),
    text("icd10_code", "ICD-10 code", hint="e.g. E11.9; leave blank if unsure"),
    date_field("onset_date", "Onset date"),
    choice("clinical_status", "Status", codes.CONDITION_STATUSES),
)

PROBLEMS = RecordKind(
    model=Condition,
    title="Problems",
    fields=_PROBLEM_FIELDS,
    columns=tuple(column(s) for s in _PROBLEM_FIELDS),
    muted=lambda problem: problem.clinical_status in ("inactive", "resolved"),
)

_MEDICATION_FIELDS = (
    text("name", "Medication", required=True),
    text("dose", "Dose", hint="e.g. 500 mg"),
    choice("route", "Route", codes.MEDICATION_ROUTES),
    text("frequency", "How often", hint="e.g. twice a day with food"),
    text("purpose", "What it is for"),
    text("prescriber", "Prescriber"),
    choice("status", "Status", codes.MEDICATION_STATUSES),
    date_field("start_date", "Start date"),
    date_field("stop_date", "Stop date"),
)

MEDICATIONS = RecordKind(
    model=MedicationStatement,
    title="Medications",
    fields=_MEDICATION_FIELDS,
    columns=tuple(column(s) for s in _MEDICATION_FIELDS[:8]),
    muted=lambda medication: medication.status in ("stopped", "completed"),
)

_ALLERGY_FIELDS = (
    text("substance", "Allergy to", required=True),
    text("reaction", "Reaction", hint="e.g. hives, swelling"),
    choice("severity", "Severity", codes.ALLERGY_SEVERITIES),
)

ALLERGIES = RecordKind(
    model=AllergyIntolerance,
    title="Allergies",
    fields=_ALLERGY_FIELDS,
    columns=tuple(column(s) for s in _ALLERGY_FIELDS),
)

_NOTE_FIELDS = (
    FieldSpec("written_at", "Written", FieldKind.DATETIME, required=True),
    choice("kind", "Kind of note", codes.NOTE_KINDS),
    text("subject", "Subject"),
    multiline("text", "Note", required=True),
)


def note_reading(note: Any) -> str:
    """A case note as the reader pane shows it (HTML; everything typed is escaped)."""
    heading = f"{code_label(codes.NOTE_KINDS, note.kind)} · {format_datetime(note.written_at)}"
    parts = [f"<p style='color:#52606d; margin:0'>{escape(heading)}</p>"]
    if note.subject:
        parts.append(f"<h3 style='color:#12355b; margin:6px 0 0 0'>{escape(note.subject)}</h3>")
    parts.append(f"<p style='white-space:pre-wrap; margin-top:12px'>{escape(str(note.text))}</p>")
    return "".join(parts)


NOTES = RecordKind(
    model=CaseNote,
    title="Notes",
    fields=_NOTE_FIELDS,
    columns=tuple(column(s) for s in _NOTE_FIELDS[:3]),
    reader=note_reading,
)

RECORD_KINDS: tuple[RecordKind, ...] = (FAMILY, CARE_TEAM, PROBLEMS, MEDICATIONS, ALLERGIES, NOTES)

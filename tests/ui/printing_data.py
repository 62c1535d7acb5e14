"""A patient with a published care plan (and home visits) for the printing UI tests.

Built through the services on a real vault: medicines, a primary care provider with a
phone number, a goal in the patient's words, who does what, version 1 published and
then changed (the draft), and a home visit on the given day.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta

import pypdf

from carenav.models import CareTeamMember, MedicationStatement
from carenav.services import care_plans, contacts
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient
from carenav.services.plan_versions import publish
from carenav.store.vault import Vault

GOAL_WORDS = "I walk to the mailbox and back every day without stopping."
PCP_PHONE = "(555) 010-4477"


def build_patient(
    vault: Vault,
    *,
    given: str = "Zoë",
    family: str = "Ñúñez",
    visit_on: date | None = None,
    language: str = "English",
) -> uuid.UUID:
    pid = create_patient(
        vault,
        {
            "given_name": given,
            "family_name": family,
            "birth_date": date(1941, 3, 9),
            "address_line": "12 Orchard Lane",
            "city": "Enfield",
            "preferred_language": language,
        },
    )
    for name, dose, frequency, purpose in (
        ("Metformin", "500 mg", "Twice daily with food", "For blood sugar"),
        ("Furosemide", "20 mg", "Once daily", "Water pill"),
        ("Lisinopril", "10 mg", "Once daily", "For blood pressure"),
    ):
        add_chart_record(
            vault, MedicationStatement, pid,
            {"name": name, "dose": dose, "frequency": frequency, "purpose": purpose},
        )  # fmt: skip
    add_chart_record(
        vault,
        CareTeamMember,
        pid,
        {"name": "Dr. Amara Osei", "role": "pcp", "organization": "Elm Clinic", "phone": PCP_PHONE},
    )
    plan = care_plans.start_plan(
        vault,
        pid,
        {"preferences": "Staying in my own home", "next_review": date.today() + timedelta(days=60)},
    )
    need = care_plans.add_need(
        vault, plan.id, {"text": "Heart failure", "template": "heart-failure"}
    )
    care_plans.add_goal(
        vault,
        plan.id,
        need.id,
        {
            "text": "Walk more",
            "patient_facing": GOAL_WORDS,
            "measure": "Days walked each week",
            "target_value": "5 of 7 days",
            "target_date": date.today() + timedelta(days=30),
            "status": "in-progress",
        },
    )
    for what, who in (
        ("Weigh myself every morning", "patient"),
        ("Drive me to the clinic", "caregiver"),
        ("Call every two weeks to check on weight", "care-manager"),
    ):
        care_plans.add_intervention(vault, plan.id, need.id, {"what": what, "responsible": who})
    if visit_on is not None:
        due = datetime.combine(visit_on, datetime.min.time()).astimezone().replace(hour=10)
        contacts.schedule_follow_up(
            vault, pid, {"due_at": due, "kind": "home-visit", "purpose": "Weight check"}
        )
    publish(vault, plan.id)
    care_plans.update_plan(vault, plan.id, {"preferences": "Staying home with my cat"})
    return pid


def pdf_text(data: bytes) -> str:
    """All the text, spaces collapsed; non-breaking hyphens (phone numbers) read as '-'."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())
    return text.replace("\u2011", "-")


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)

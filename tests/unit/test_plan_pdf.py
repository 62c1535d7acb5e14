"""Printed care plans read back with pypdf: what the family keeps must say the right things.

Built through the services on a real vault: a patient with an accented name, a
60-character medicine, goals, who-does-what, a care team with phone numbers and a
follow-up; published as version 1, then changed (the draft).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from carenav.errors import InvalidInput
from carenav.export.ics import patient_code
from carenav.export.plan_pdf import (
    PrintOptions,
    build_visit_packet,
    default_file_name,
    render_plan,
    write_pdf,
)
from carenav.export.printing.fonts import BOLD, REGULAR
from carenav.export.printing.layout import PAGE
from carenav.models import CareTeamMember, MedicationStatement
from carenav.services import care_plans, contacts
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient
from carenav.services.plan_versions import publish
from carenav.store.vault import Vault

NAME = ("Zoë", "Ñúñez-Łukasiewicz")
LONG_MEDICINE = "Hydroxychloroquinesulfatepentahydratecombinationextendedrelease"[:60]
PCP_PHONE = "(555) 010-4477"
GOAL_WORDS = "I walk to the mailbox and back every day without stopping."


@dataclass
class Built:
    patient_id: uuid.UUID
    plan_id: uuid.UUID


def build_patient(vault: Vault, *, visit_on: date | None = None) -> Built:
    pid = create_patient(
        vault,
        {
            "given_name": NAME[0],
            "family_name": NAME[1],
            "birth_date": date(1941, 3, 9),
            "address_line": "12 Orchard Lane",
            "city": "Enfield",
            "visit_notes": "Ring twice; the dog is friendly.",
        },
    )
    add_chart_record(
        vault,
        MedicationStatement,
        pid,
        {"name": LONG_MEDICINE, "dose": "200 mg", "frequency": "Twice daily with food",
         "purpose": "For joint pain"},
    )  # fmt: skip
    add_chart_record(
        vault,
        MedicationStatement,
        pid,
        {"name": "Furosemide", "dose": "20 mg", "frequency": "every third full moon",
         "purpose": "Water pill"},
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
    due = datetime.now(UTC) + timedelta(days=3)
    if visit_on is not None:
        due = datetime.combine(visit_on, datetime.min.time()).astimezone().replace(hour=10)
    contacts.schedule_follow_up(
        vault, pid, {"due_at": due, "kind": "home-visit", "purpose": "Weight check"}
    )
    publish(vault, plan.id)
    care_plans.update_plan(vault, plan.id, {"preferences": "Staying home with my cat"})
    return Built(pid, plan.id)


def pages(data: bytes) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def alltext(data: bytes) -> str:
    return " ".join(" ".join(pages(data)).split())


@dataclass
class Run:
    x: float
    size: float
    text: str
    bold: bool
    y: float = 0.0


def runs(data: bytes) -> list[list[Run]]:
    """Each page's text runs with their start x and font size (pypdf's visitor)."""
    out: list[list[Run]] = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        found: list[Run] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, found: list[Run] = found):
            if text.strip() and font is not None:
                x = tm[4] * cm[0] + cm[4]
                scale = abs(tm[0] * cm[0]) or 1.0
                y = tm[5] * cm[3] + cm[5]
                bold = "Bold" in str(font.get("/BaseFont"))
                found.append(Run(x, size * scale, text, bold, y))

        page.extract_text(visitor_text=visit)
        out.append(found)
    return out


@pytest.fixture
def built(vault: Vault) -> Built:
    return build_patient(vault)


def test_the_published_plan_says_the_goals_medicines_phones_and_version(
    vault: Vault, built: Built
) -> None:
    data = render_plan(vault, built.patient_id, options=PrintOptions())
    text = alltext(data)
    assert "My care plan" in text
    assert "Zoë Ñúñez-Łukasiewicz" in text
    assert GOAL_WORDS in text
    assert "5 of 7 days" in text
    assert "Weigh myself every morning" in text  # what I will do
    assert "Drive me to the clinic" in text  # what my family will do
    assert "Call every two weeks" in text  # what my care team will do
    assert "Furosemide" in text and "Water pill" in text
    assert PCP_PHONE in text.replace("\u2011", "-").replace("\u00a0", " ")
    assert "911" in text
    assert "Version 1, agreed" in text
    assert "Staying in my own home" in text  # version 1, not the later draft
    assert "Staying home with my cat" not in text
    assert "DRAFT" not in text
    assert "Confidential health information" in text
    assert "Weight up 2 to 3 pounds" in text  # the template's warning signs
    assert "My medicine schedule" in text
    assert "My next calls and visits" in text
    n = len(pages(data))
    assert f"Page 1 of {n}" in pages(data)[0] and f"Page {n} of {n}" in pages(data)[-1]


def test_the_draft_carries_a_draft_mark_on_every_page(vault: Vault, built: Built) -> None:
    data = render_plan(vault, built.patient_id, options=PrintOptions(version=0))
    texts = pages(data)
    assert all("DRAFT" in page for page in texts)
    assert "Staying home with my cat" in " ".join(texts)
    assert "Version 1" not in " ".join(texts)


def test_spanish_uses_the_spanish_words_and_dates(vault: Vault, built: Built) -> None:
    data = render_plan(vault, built.patient_id, options=PrintOptions(language="es"))
    text = alltext(data)
    assert "Mi plan de cuidado" in text
    assert "Información de salud confidencial" in text
    assert "Versión 1, acordada el" in text
    assert "Mis medicamentos" in text and "Página 1 de" in text
    assert "My care plan" not in text
    months = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre")  # fmt: skip
    assert any(f" de {m} de " in text for m in months)
    draft = render_plan(vault, built.patient_id, options=PrintOptions(language="es", version=0))
    assert "BORRADOR" in pages(draft)[0]


def test_fonts_are_embedded(vault: Vault, built: Built) -> None:
    data = render_plan(vault, built.patient_id, options=PrintOptions())
    reader = pypdf.PdfReader(io.BytesIO(data))
    embedded = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                font = descendants[0].get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None:
                embedded.append("/FontFile2" in descriptor.get_object())
    assert embedded and all(embedded)


def test_large_print_is_really_larger(vault: Vault, built: Built) -> None:
    standard = render_plan(vault, built.patient_id, options=PrintOptions())
    large = render_plan(vault, built.patient_id, options=PrintOptions(large_print=True))

    def body_size(data: bytes) -> float:
        sizes = [r.size for page in runs(data) for r in page if GOAL_WORDS[:20] in r.text]
        assert sizes
        return min(sizes)

    assert body_size(standard) < 14
    assert body_size(large) >= 16
    assert len(pages(large)) > len(pages(standard))


def test_long_names_wrap_inside_the_page(vault: Vault, built: Built) -> None:
    for large in (False, True):
        data = render_plan(vault, built.patient_id, options=PrintOptions(large_print=large))
        text = alltext(data).replace(" ", "")
        assert LONG_MEDICINE in text  # wrapped, maybe over lines, but whole
        laid_out = runs(data)
        assert all(laid_out)
        for page in laid_out:
            for run in page:
                font = BOLD if run.bold else REGULAR
                end = run.x + stringWidth(run.text, font, run.size)
                assert run.x >= 0 and end <= PAGE[0] - 20, (run.text, run.x, end)


def test_an_empty_section_is_left_out(vault: Vault) -> None:
    pid = create_patient(
        vault, {"given_name": "Ann", "family_name": "Lee", "birth_date": date(1950, 1, 1)}
    )
    plan = care_plans.start_plan(vault, pid)
    need = care_plans.add_need(vault, plan.id, {"text": "Loneliness"})
    care_plans.add_goal(vault, plan.id, need.id, {"text": "See a friend every week"})
    text = alltext(render_plan(vault, pid, options=PrintOptions()))
    assert "See a friend every week" in text
    left_out = (
        "My medicines",
        "What my family will do",
        "My care team",
        "My next calls and visits",
        "My medicine schedule",
        "What I have learned",
    )
    for heading in left_out:
        assert heading not in text
    assert "DRAFT" in text  # never published: the draft


def test_metadata_and_file_name_carry_no_name_unless_asked(vault: Vault, built: Built) -> None:
    data = render_plan(vault, built.patient_id, options=PrintOptions())
    meta = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert meta.title == "Care plan"
    values = " ".join(str(v) for v in meta.values())
    assert "Zoë" not in values and "Ñúñez" not in values
    name = default_file_name(vault, built.patient_id, PrintOptions())
    assert name == f"care-plan-{patient_code(built.patient_id)}-v1.pdf"
    named = render_plan(vault, built.patient_id, options=PrintOptions(include_name=True))
    named_meta = pypdf.PdfReader(io.BytesIO(named)).metadata
    assert named_meta is not None and "Zoë" in str(named_meta.title)
    assert "draft" in default_file_name(vault, built.patient_id, PrintOptions(version=0))


def test_a_version_that_does_not_exist_is_refused(vault: Vault, built: Built) -> None:
    with pytest.raises(InvalidInput) as caught:
        render_plan(vault, built.patient_id, options=PrintOptions(version=4))
    assert "versions 1 to 1" in caught.value.errors["version"]


def test_the_clinician_summary_has_the_cms_elements(vault: Vault, built: Built) -> None:
    data = render_plan(vault, built.patient_id, options=PrintOptions(clinician=True))
    text = alltext(data)
    assert "Care plan summary" in text
    assert "Comprehensive care plan elements (CMS)" in text
    assert "Problem list" in text and "Periodic review and revision" in text
    assert "Missing" in text  # this small plan lacks several elements
    assert LONG_MEDICINE[:20] in text.replace(" ", "")
    assert "Weigh myself every morning" in text
    large = render_plan(
        vault, built.patient_id, options=PrintOptions(clinician=True, large_print=True)
    )
    sizes = {round(r.size) for page in runs(large) for r in page if "Weigh myself" in r.text}
    assert sizes and max(sizes) < 14  # the summary for the provider stays standard size


def test_write_pdf_is_atomic_and_refuses_what_is_not_a_pdf(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "plan.pdf"
    write_pdf(target, b"%PDF-1.4 made up")
    assert target.read_bytes() == b"%PDF-1.4 made up"
    assert target.stat().st_mode & 0o077 == 0
    with pytest.raises(InvalidInput):
        write_pdf(target, b"not a pdf")
    assert target.read_bytes() == b"%PDF-1.4 made up"
    assert [p.name for p in folder.iterdir()] == ["plan.pdf"]  # no temporary file left


def test_visit_packet_one_file_and_one_per_patient(vault: Vault, tmp_path: Path) -> None:
    day = date.today() + timedelta(days=2)
    built = build_patient(vault, visit_on=day)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "packet.pdf"
    written = build_visit_packet(vault, day, out, progress=lambda d, t: seen.append((d, t)))
    assert written == [out] and seen == [(0, 1), (1, 1)]
    text = alltext(out.read_bytes())
    assert "Home visit" in text and "12 Orchard Lane" in text
    assert "Ring twice" in text and "Questions to ask" in text
    assert GOAL_WORDS in text  # the plan follows the visit sheet
    assert "Page 1 of 1" in text  # the visit sheet is numbered on its own
    first = pages(out.read_bytes())[0]
    assert "Home visits —" in first and "1 visit" in first and "1 visits" not in first
    assert "Zoë Ñúñez-Łukasiewicz" in first and "10:00 AM" in first  # the day's list
    folder = tmp_path / "each"
    folder.mkdir()
    files = build_visit_packet(vault, day, folder, one_file=False)
    assert len(files) == 1 and patient_code(built.patient_id) in files[0].name


def test_cancelling_the_packet_writes_nothing(vault: Vault, tmp_path: Path) -> None:
    day = date.today() + timedelta(days=2)
    build_patient(vault, visit_on=day)

    def cancel(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(KeyboardInterrupt):
        build_visit_packet(vault, day, folder / "packet.pdf", progress=cancel)
    assert list(folder.iterdir()) == []
    with pytest.raises(InvalidInput) as caught:
        build_visit_packet(vault, day + timedelta(days=1), tmp_path / "none.pdf")
    assert "No home visits" in caught.value.errors["date"]


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_no_heading_is_left_alone_at_the_foot_of_a_page(
    vault: Vault, large: bool, language: str
) -> None:
    from carenav.services.care_plans import current_plan
    from carenav.services.demo import fill_demo_caseload
    from carenav.services.patients import list_patients

    fill_demo_caseload(vault, patients=8, seed=3)
    body = 17.0 if large else 12.0
    heading_sizes = {round(body * 1.4, 1), round(body * 1.12, 1)}
    checked = 0
    for patient in list_patients(vault):
        if current_plan(vault, patient.id) is None:
            continue
        data = render_plan(
            vault, patient.id, options=PrintOptions(large_print=large, language=language)
        )
        for page in runs(data):
            content = [r for r in page if r.y > 72]  # above the footer (notes: ruled lines)
            for run in content:
                notes = run.text.strip() in ("My notes and questions", "Mis notas y preguntas")
                if run.bold and round(run.size, 1) in heading_sizes and not notes:
                    below = [r for r in content if r.y < run.y - 1]
                    assert below, f"heading {run.text!r} ends a page"
                    checked += 1
    assert checked > 10


def test_a_visit_for_a_patient_without_a_plan_gets_the_visit_sheet_only(
    vault: Vault, tmp_path: Path
) -> None:
    day = date.today() + timedelta(days=1)
    pid = create_patient(
        vault,
        {
            "given_name": "Bo",
            "family_name": "Lind",
            "birth_date": date(1944, 5, 6),
            "preferred_language": "Vietnamese",
            "interpreter_needed": True,
        },
    )
    due = datetime.combine(day, datetime.min.time()).astimezone().replace(hour=9)
    contacts.schedule_follow_up(vault, pid, {"due_at": due, "kind": "home-visit"})
    out = tmp_path / "packet.pdf"
    build_visit_packet(vault, day, out)
    texts = pages(out.read_bytes())
    assert len(texts) == 2 and "My care plan" not in " ".join(texts)
    assert "Home visits" in texts[0] and "Bo Lind" in texts[0]  # the day's list
    assert "Vietnamese (interpreter needed)" in texts[1]

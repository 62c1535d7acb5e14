"""The referral slip: one page, read back with pypdf; where to go, phone, hours, what to
bring, the reference code; no patient name; large type with the font embedded."""

from __future__ import annotations

import io
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from carenav.errors import InvalidInput
from carenav.export.referral_slip import (
    render_referral_slip,
    slip_lines,
    write_referral_slip,
)
from carenav.services import directory, referrals
from carenav.services.audit import AuditFilter, events
from carenav.services.patients import create_patient
from carenav.store.vault import Vault


def _text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    words = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(words.split())


def _referral(vault: Vault) -> tuple[str, referrals.Referral]:
    org = directory.add_organisation(
        vault,
        {
            "name": "Hope Street Food Bank & Pantry",
            "phone": "555-010-4000",
            "address_line": "41 Hope Street",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62704",
        },
    )
    service = directory.add_service(
        vault,
        org.id,
        {
            "name": "Weekly groceries",
            "categories": "food",
            "hours": "Tuesday and Thursday, 9:00 to 12:00",
            "what_to_bring": "A photo ID and a letter with your address",
            "phone": "555-010-4010",
        },
    )
    patient = create_patient(
        vault, {"family_name": "Zqxslipname", "given_name": "Rosa", "birth_date": "1951-04-05"}
    )
    referral = referrals.refer(
        vault,
        patient,
        {"service_id": service.id, "reason": "Zqxslipreason runs out of food"},
        via="fax",
        at=datetime.now(UTC) - timedelta(days=1),
    )
    return str(patient), referral


def test_the_slip_says_where_to_go_and_what_to_bring(vault: Vault) -> None:
    _patient, referral = _referral(vault)
    pages, words = _text(render_referral_slip(vault, referral.id))
    assert pages == 1
    for expected in (
        "Your referral",
        "Hope Street Food Bank & Pantry",
        "Weekly groceries",
        "41 Hope Street, Springfield, IL 62704",
        "555-010-4010",
        "Tuesday and Thursday, 9:00 to 12:00",
        "A photo ID and a letter with your address",
        "Sent by fax on",
        referral.reference_code,
        "Your care manager will call you on or after",
        "Keep this slip",
    ):
        assert expected in words, expected
    assert "Zqxslipname" not in words and "Rosa" not in words
    assert "Zqxslipreason" not in words
    labels = [label for label, _ in slip_lines(vault, referral.id)]
    assert labels == [
        "Where to go",
        "Service",
        "Address",
        "Phone",
        "Hours",
        "What to bring",
        "Referral",
        "Reference code",
        "We will check in",
    ]


def test_the_slip_is_large_print_with_the_font_embedded(vault: Vault) -> None:
    _patient, referral = _referral(vault)
    reader = pypdf.PdfReader(io.BytesIO(render_referral_slip(vault, referral.id)))
    sizes: list[float] = []

    def visit(text: str, cm: object, tm: list[float], fonts: object, size: float) -> None:
        if text.strip():
            sizes.append(size * abs(tm[0] or 1.0))

    reader.pages[0].extract_text(visitor_text=visit)
    body = sorted(sizes)[len(sizes) // 2]
    assert body >= 16, sizes  # large print: the body is 17 pt
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(f.get_object()["/BaseFont"]) for f in fonts.values()]
    assert any("DejaVu" in n or "CareNavSans" in n for n in names), names
    assert all(
        "/FontFile2" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for f in fonts.values()
        if "/DescendantFonts" in f.get_object()
    )
    assert reader.metadata is not None and reader.metadata.title == "Referral slip"


def test_a_provider_referral_and_an_appointment(vault: Vault) -> None:
    patient = create_patient(
        vault, {"family_name": "Test", "given_name": "Ana", "birth_date": "1960-01-01"}
    )
    referral = referrals.refer(
        vault,
        patient,
        {"provider_name": "Made-up Heart Clinic", "provider_kind": "specialist"},
        via="paper-slip",
    )
    appointment = (datetime.now(UTC) + timedelta(days=9)).replace(
        hour=15, minute=30, second=0, microsecond=0
    )
    referrals.set_status(vault, referral.id, "scheduled", appointment_at=appointment)
    _pages, words = _text(render_referral_slip(vault, referral.id))
    assert "Made-up Heart Clinic" in words
    assert "Paper slip given to the patient on" in words
    assert f"Appointment: {appointment.astimezone():%A}" in words
    assert "Address" not in words  # nothing known: left off, never printed blank
    assert [label for label, _ in slip_lines(vault, referral.id)] == [
        "Where to go",
        "Referral",
        "Reference code",
        "We will check in",
    ]
    referrals.set_status(vault, referral.id, "cancelled", reason="Moved away")
    with pytest.raises(InvalidInput, match="closed"):
        render_referral_slip(vault, referral.id)


def test_writing_the_slip_is_owner_only_and_audited(vault: Vault, tmp_path: Path) -> None:
    _patient, referral = _referral(vault)
    path = tmp_path / f"referral-{referral.reference_code}.pdf"
    write_referral_slip(vault, referral.id, path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    printed = [e for e in events(vault, AuditFilter(action="print")) if e.record_type == "referral"]
    assert len(printed) == 1
    with pytest.raises(InvalidInput):
        write_referral_slip(vault, referral.id, tmp_path / "missing-folder" / "slip.pdf")

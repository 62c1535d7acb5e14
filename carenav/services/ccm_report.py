"""The monthly chronic-care (CCM) minutes report: one row per patient, shared by the
``ccm-report`` command and the Reports > Chronic-care minutes screen.

A row gives the month's minutes counting toward chronic care management (total, staff,
clinician; see :func:`carenav.services.contacts.ccm_minutes`), the billing codes they
reach and the minutes still needed for the next one (:mod:`carenav.followup.ccm`).
Codes are given only to patients enrolled in CCM (programme ``ccm``, or ``ccm_complex``
for complex CCM); anyone else with minutes is listed with no codes.

Which patients: every patient with minutes in the month; with ``enrolled=True`` (the
screen) also every active patient enrolled in CCM who has none yet, since those are the
ones to call. The command line lists only patients with minutes, as it always has.

The CSV file written from the screen holds names and minutes: health information that
leaves the encrypted vault. :func:`export_csv` writes it atomically (a temporary file in
the same folder, then a rename) and records the export in the audit trail.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col

from carenav.errors import InvalidInput
from carenav.followup.ccm import (
    CCM_COMPLEX,
    CCM_PROGRAMS,
    CcmMonth,
    ccm_codes,
    minutes_to_next_threshold,
)
from carenav.models import Patient
from carenav.services.contacts import ccm_minutes
from carenav.services.patients import name_text
from carenav.store.audit import record_event
from carenav.store.header import atomic_write
from carenav.store.vault import Vault

CSV_COLUMNS = (
    "patient",
    "month",
    "total_minutes",
    "staff_minutes",
    "clinician_minutes",
    "in_ccm",
    "complex",
    "codes",
)
NAMED_CSV_COLUMNS = ("name", *CSV_COLUMNS, "next_code", "minutes_to_next")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReportRow:
    patient_id: uuid.UUID
    name: str  # "Family, Given" as the caseload shows it
    month: str  # YYYY-MM
    staff: int
    clinician: int
    in_ccm: bool
    complex: bool
    codes: tuple[tuple[str, int], ...]  # e.g. (("99490", 1), ("99439", 1))
    next_threshold: tuple[str, int] | None  # (code, minutes still needed); None: no more

    @property
    def total(self) -> int:
        return self.staff + self.clinician

    @property
    def programme(self) -> str:
        if not self.in_ccm:
            return "Not enrolled"
        return "Complex CCM" if self.complex else "CCM"

    @property
    def codes_text(self) -> str:
        """'99490x1;99439x2' as the CSV has it ("" when none)."""
        return ";".join(f"{code}x{units}" for code, units in self.codes)

    @property
    def met_first(self) -> bool:
        """The month reached the first billable threshold (20, 30 or 60 minutes)."""
        return bool(self.codes)

    def as_json(self) -> dict[str, Any]:
        """The command line's JSON object for the row (no name)."""
        return {
            "patient": str(self.patient_id),
            "month": self.month,
            "total_minutes": self.total,
            "staff_minutes": self.staff,
            "clinician_minutes": self.clinician,
            "in_ccm": self.in_ccm,
            "complex": self.complex,
            "codes": [{"code": code, "units": units} for code, units in self.codes],
        }


@dataclass(frozen=True)
class ReportSummary:
    patients: int
    enrolled: int
    met_first: int  # enrolled patients who reached the first threshold
    total_minutes: int


def report_rows(vault: Vault, month: str, *, enrolled: bool = True) -> list[ReportRow]:
    """The month's rows, by name. ``month`` is 'YYYY-MM' (InvalidInput otherwise).

    Patients removed from the caseload are left out. With ``enrolled`` every active
    patient in CCM is listed even with no minutes yet."""
    if not _MONTH.fullmatch(month):
        raise InvalidInput({"month": "Write the month as YYYY-MM, for example 2026-11."})
    minutes = {m.patient_id: m for m in ccm_minutes(vault, month) if m.total > 0}
    statement = sa_select(
        col(Patient.id),
        col(Patient.family_name),
        col(Patient.given_name),
        col(Patient.preferred_name),
        col(Patient.programs),
        col(Patient.status),
    ).where(col(Patient.deleted_at).is_(None))
    with vault.session() as session:
        patients = session.execute(statement).all()
    rows = []
    for patient_id, family, given, preferred, programs, status in patients:
        spent = minutes.get(patient_id)
        in_ccm = bool(CCM_PROGRAMS & set(programs))
        if spent is None and not (enrolled and in_ccm and status == "active"):
            continue
        staff, clinician = (spent.staff, spent.clinician) if spent is not None else (0, 0)
        name = name_text(family, given, preferred)
        rows.append(_row(patient_id, name, month, programs, staff, clinician))
    rows.sort(key=lambda r: (r.name.casefold(), str(r.patient_id)))
    return rows


def _row(
    patient_id: uuid.UUID, name: str, month: str, programs: list[str], staff: int, clinician: int
) -> ReportRow:
    in_ccm = bool(CCM_PROGRAMS & set(programs))
    complex_ccm = CCM_COMPLEX in programs
    counted = CcmMonth(month, staff, clinician)
    return ReportRow(
        patient_id=patient_id,
        name=name,
        month=month,
        staff=staff,
        clinician=clinician,
        in_ccm=in_ccm,
        complex=complex_ccm,
        codes=tuple(ccm_codes(counted, complex_ccm)) if in_ccm else (),
        next_threshold=minutes_to_next_threshold(counted, complex_ccm) if in_ccm else None,
    )


def patient_row(vault: Vault, patient: Patient, month: str) -> ReportRow:
    """One patient's row of the month (the chart's Follow-up tab), read for that patient
    alone."""
    found = ccm_minutes(vault, month, patient_id=patient.id)
    staff, clinician = (found[0].staff, found[0].clinician) if found else (0, 0)
    name = name_text(patient.family_name, patient.given_name, patient.preferred_name)
    return _row(patient.id, name, month, patient.programs, staff, clinician)


def summarize(rows: list[ReportRow]) -> ReportSummary:
    return ReportSummary(
        patients=len(rows),
        enrolled=sum(1 for r in rows if r.in_ccm),
        met_first=sum(1 for r in rows if r.in_ccm and r.met_first),
        total_minutes=sum(r.total for r in rows),
    )


def _cell(value: object) -> object:
    """Booleans as 'true'/'false', as in the JSON."""
    return str(value).lower() if isinstance(value, bool) else value


def _text_cell(text: str) -> str:
    """A name that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: list[ReportRow], *, with_names: bool = False) -> str:
    """The report as CSV with a header row. Without names: the command line's columns
    (patient id first). With names (the screen's file): the name first, and the next
    threshold's code and the minutes still needed at the end."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NAMED_CSV_COLUMNS if with_names else CSV_COLUMNS)
    for row in rows:
        values = row.as_json()
        cells = [_cell(values[name]) for name in CSV_COLUMNS[:-1]] + [row.codes_text]
        if with_names:
            code, needed = row.next_threshold or ("", "")
            cells = [_text_cell(row.name), *cells, code, needed]
        writer.writerow(cells)
    return out.getvalue()


def write_csv(rows: list[ReportRow], path: Path) -> None:
    """Write the named report to ``path`` atomically (UTF-8 with a byte-order mark, so a
    spreadsheet shows accented names correctly; readable by the owner only)."""
    atomic_write(Path(path), ("\ufeff" + csv_text(rows, with_names=True)).encode("utf-8"), 0o600)


def export_csv(vault: Vault, rows: list[ReportRow], month: str, path: Path) -> None:
    """Write the named report to ``path`` and record the export (also when it fails)."""
    detail = f"CCM minutes report for {month} ({len(rows)} patients) as CSV with names"
    try:
        write_csv(rows, path)
    except OSError:
        record_event(vault, "export", record_type="ccm_report", detail=detail, outcome="failure")
        raise
    record_event(vault, "export", record_type="ccm_report", detail=detail)

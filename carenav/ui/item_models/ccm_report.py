"""The chronic-care minutes report table: one row per patient for a month.

Rows come from :func:`carenav.services.ccm_report.report_rows` (a caseload has a few
hundred CCM patients at most, so the rows are built once when set). Sorting is done
here, on the values rather than the shown text, so 5 minutes sorts before 40.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from carenav.services.ccm_report import ReportRow
from carenav.ui.item_models.rows import ROW_ROLE, Index, RowsModel

HEADERS = (
    "Patient",
    "Programme",
    "Total min",
    "Staff min",
    "Clinician min",
    "Codes met",
    "Next code",
)
PATIENT, PROGRAMME, TOTAL, STAFF, CLINICIAN, CODES, NEXT = range(len(HEADERS))
NUMBER_COLUMNS = (TOTAL, STAFF, CLINICIAN)
MUTED = QColor("#52606d")
__all__ = ["ROW_ROLE", "CcmReportModel", "Index"]


def minutes_text(minutes: int) -> str:
    return str(minutes)


def codes_text(row: ReportRow) -> str:
    """'99490, 99439 ×2'; '—' when no threshold was met or the patient is not in CCM."""
    if not row.codes:
        return "—"
    return ", ".join(code if units == 1 else f"{code} ×{units}" for code, units in row.codes)


def next_text(row: ReportRow) -> str:
    """'5 min to 99439'; 'Maximum reached' when nothing more can be billed this month."""
    if not row.in_ccm:
        return "—"
    if row.next_threshold is None:
        return "Maximum reached"
    code, needed = row.next_threshold
    return f"{needed} min to {code}"


def _sort_key(column: int) -> Callable[[ReportRow], Any]:
    keys: dict[int, Callable[[ReportRow], Any]] = {
        PATIENT: lambda r: r.name.casefold(),
        PROGRAMME: lambda r: r.programme,
        TOTAL: lambda r: r.total,
        STAFF: lambda r: r.staff,
        CLINICIAN: lambda r: r.clinician,
        CODES: lambda r: (sum(units for _, units in r.codes), codes_text(r)),
        NEXT: lambda r: (r.next_threshold is None, r.next_threshold[1] if r.next_threshold else 0),
    }
    return keys.get(column, keys[PATIENT])


class CcmReportModel(RowsModel[ReportRow]):
    headers = HEADERS
    number_columns = frozenset(NUMBER_COLUMNS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, sort=(PATIENT, Qt.SortOrder.AscendingOrder))

    def ident(self, row: ReportRow) -> uuid.UUID:
        return row.patient_id

    def tie_key(self, row: ReportRow) -> Any:
        return (row.name.casefold(), str(row.patient_id))

    def sort_key(self, column: int) -> Callable[[ReportRow], Any]:
        return _sort_key(column)

    def style(self, row: ReportRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not row.in_ccm and column != PATIENT:
            return MUTED
        return None

    def text(self, row: ReportRow, column: int) -> str:
        if column == PATIENT:
            return row.name
        if column == PROGRAMME:
            return row.programme
        if column == TOTAL:
            return minutes_text(row.total)
        if column == STAFF:
            return minutes_text(row.staff)
        if column == CLINICIAN:
            return minutes_text(row.clinician)
        if column == CODES:
            return codes_text(row)
        if column == NEXT:
            return next_text(row)
        return ""

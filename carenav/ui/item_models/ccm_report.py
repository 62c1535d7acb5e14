"""The chronic-care minutes report table: one row per patient for a month.

Rows come from :func:`carenav.services.ccm_report.report_rows` (a caseload has a few
hundred CCM patients at most, so the rows are built once when set). Sorting is done
here, on the values rather than the shown text, so 5 minutes sorts before 40.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from carenav.services.ccm_report import ReportRow

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
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


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


class CcmReportModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReportRow] = []
        self._sort: tuple[int, Qt.SortOrder] = (PATIENT, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: Sequence[ReportRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[ReportRow]:
        """The rows in the order shown."""
        return list(self._rows)

    def row_at(self, row: int) -> ReportRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, patient_id: uuid.UUID) -> int:
        for number, row in enumerate(self._rows):
            if row.patient_id == patient_id:
                return number
        return -1

    # -- Qt model interface -------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMBER_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.UserRole:
            return row.patient_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMBER_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.in_ccm and column != PATIENT:
            return MUTED
        return None

    @staticmethod
    def _text(row: ReportRow, column: int) -> str:
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

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        held = [(self.row_at(i.row()), i.column()) for i in before]
        self._sort = (column, order)
        self._apply_sort()
        after = [
            self.index(self._rows.index(r), c) if r is not None else QModelIndex() for r, c in held
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        by_name = sorted(self._rows, key=lambda r: (r.name.casefold(), str(r.patient_id)))
        self._rows = sorted(
            by_name, key=_sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder
        )

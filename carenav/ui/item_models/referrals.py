"""The agency-wide list of open referrals: one row per referral, sortable on values.

Rows come from :func:`carenav.services.referrals.open_referrals` (oldest first). Sorting
is done here, on the values rather than the shown text, so 5 days sorts before 40. An
overdue check-back is amber; a no-show (the care manager must rebook or close it) too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from carenav.services.directory import CATEGORIES
from carenav.services.referrals import STATUSES, URGENCIES, OpenReferral
from carenav.ui.formatting import code_label, format_date

HEADERS = (
    "Patient",
    "Referred to",
    "Category",
    "Status",
    "Days open",
    "Days in status",
    "Urgency",
    "Check-back",
)
PATIENT, TO, CATEGORY, STATUS, AGE, IN_STATUS, URGENCY, CHECK_BACK = range(len(HEADERS))
NUMBER_COLUMNS = (AGE, IN_STATUS)
AMBER_TEXT = QColor("#7a4b00")
AMBER_BACKGROUND = QColor("#fff4d6")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_STATUS_ORDER = {code: number for number, code in enumerate(STATUSES)}
_URGENCY_ORDER = {"asap": 0, "urgent": 1, "routine": 2}


def days_text(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


def check_back_text(row: OpenReferral) -> str:
    """'Overdue · 24 Nov 2026', '3 Dec 2026', or '—' when none is scheduled."""
    if row.check_back_due is None:
        return "—"
    day = format_date(row.check_back_due.astimezone().date())
    return f"Overdue · {day}" if row.check_back_overdue else day


def _sort_key(column: int) -> Callable[[OpenReferral], Any]:
    keys: dict[int, Callable[[OpenReferral], Any]] = {
        PATIENT: lambda r: r.patient_name.casefold(),
        TO: lambda r: r.to.casefold(),
        CATEGORY: lambda r: code_label(CATEGORIES, r.category).casefold(),
        STATUS: lambda r: _STATUS_ORDER.get(r.status, 99),
        AGE: lambda r: r.age_days,
        IN_STATUS: lambda r: r.days_in_status,
        URGENCY: lambda r: _URGENCY_ORDER.get(r.urgency, 9),
        CHECK_BACK: lambda r: (r.check_back_due is None, r.check_back_due or 0),
    }
    return keys.get(column, keys[AGE])


class OpenReferralsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[OpenReferral] = []
        self._sort: tuple[int, Qt.SortOrder] = (AGE, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: Sequence[OpenReferral]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[OpenReferral]:
        return list(self._rows)

    def row_at(self, row: int) -> OpenReferral | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, referral_id: uuid.UUID) -> int:
        for number, row in enumerate(self._rows):
            if row.referral_id == referral_id:
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
            return row.referral_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMBER_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        flagged = (column == CHECK_BACK and row.check_back_overdue) or (
            column == STATUS and row.status == "no-show"
        )
        if flagged and role == Qt.ItemDataRole.ForegroundRole:
            return AMBER_TEXT
        if flagged and role == Qt.ItemDataRole.BackgroundRole:
            return AMBER_BACKGROUND
        return None

    @staticmethod
    def _text(row: OpenReferral, column: int) -> str:
        if column == PATIENT:
            return row.patient_name
        if column == TO:
            return row.to
        if column == CATEGORY:
            return code_label(CATEGORIES, row.category) if row.category else ""
        if column == STATUS:
            return code_label(STATUSES, row.status)
        if column == AGE:
            return str(row.age_days)
        if column == IN_STATUS:
            return str(row.days_in_status)
        if column == URGENCY:
            return code_label(URGENCIES, row.urgency)
        if column == CHECK_BACK:
            return check_back_text(row)
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
        stable = sorted(self._rows, key=lambda r: (r.patient_name.casefold(), str(r.referral_id)))
        self._rows = sorted(
            stable, key=_sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder
        )

"""The caseload table model: holds only patient ids, builds rows when painted.

Like Anki's browser table, the model keeps the ordered list of matching ids
(one cheap query) and fetches the display rows for a block of ids around the
one being painted, so 10,000 patients scroll as smoothly as 10.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from carenav.services.patients import (
    CaseloadQuery,
    CaseloadRow,
    caseload_rows,
    search_patient_keys,
)
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Name", "name"),
    ("Date of birth", "birth_date"),
    ("Phone", ""),
    ("Programmes", ""),
    ("Risk", "risk"),
    ("Status", "status"),
    ("City", "city"),
    ("Language", "language"),
)
BLOCK = 120
CACHE_LIMIT = 3000
HIGH_RISK = QColor("#9a3412")
Index = QModelIndex | QPersistentModelIndex


class CaseloadModel(QAbstractTableModel):
    def __init__(self, vault: Vault | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._query = CaseloadQuery()
        self._ids: list[str] = []  # stored hex form; converted only when asked for
        self._rows: dict[str, CaseloadRow] = {}

    # -- state --------------------------------------------------------------

    def set_vault(self, vault: Vault | None) -> None:
        self._vault = vault
        if vault is None:
            self.clear()

    @property
    def query(self) -> CaseloadQuery:
        return self._query

    def set_query(self, query: CaseloadQuery) -> None:
        """Run the search and show its result (ids only; rows come when painted)."""
        self._query = query
        ids = search_patient_keys(self._vault, query) if self._vault is not None else []
        self.beginResetModel()
        self._ids = ids
        self._rows.clear()
        self.endResetModel()

    def refresh(self) -> None:
        self.set_query(self._query)

    def clear(self) -> None:
        """Forget every patient (used when the vault locks)."""
        self.beginResetModel()
        self._ids = []
        self._rows.clear()
        self._query = CaseloadQuery()
        self.endResetModel()

    def id_at(self, row: int) -> uuid.UUID | None:
        return uuid.UUID(hex=self._ids[row]) if 0 <= row < len(self._ids) else None

    def row_of(self, patient_id: uuid.UUID) -> int:
        try:
            return self._ids.index(patient_id.hex)
        except ValueError:
            return -1

    def row_data(self, row: int) -> CaseloadRow | None:
        if not 0 <= row < len(self._ids):
            return None
        key = self._ids[row]
        cached = self._rows.get(key)
        if cached is None:
            self._fetch_around(row)
            cached = self._rows.get(key)
        return cached

    def _fetch_around(self, row: int) -> None:
        if self._vault is None or not self._vault.is_open:
            return
        if len(self._rows) > CACHE_LIMIT:
            self._rows.clear()
        start = max(0, row - BLOCK // 4)
        wanted = [uuid.UUID(hex=k) for k in self._ids[start : start + BLOCK] if k not in self._rows]
        for patient_id, row_data in caseload_rows(self._vault, wanted).items():
            self._rows[patient_id.hex] = row_data

    # -- Qt model interface -------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.UserRole,
        ):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        column = index.column()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 4 and row.risk_tier in ("high", "very_high"):
                return HIGH_RISK
            return None
        return self._text(row, column)

    @staticmethod
    def _text(row: CaseloadRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return f"{format_date(row.birth_date)}  ({row.age})"
        if column == 2:
            return row.phone
        if column == 3:
            return row.programs_text
        if column == 4:
            return row.risk_text
        if column == 5:
            return row.status_text
        if column == 6:
            return row.city
        if column == 7:
            return row.language + (" (interpreter)" if row.interpreter_needed else "")
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else ""
        if not key:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        q = self._query
        self.set_query(CaseloadQuery(q.text, q.programs, q.risk_tiers, q.statuses, key, descending))

"""A table model over one kind of chart record, built from its RecordKind columns."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from carenav.ui.pages.chart.fields import RecordKind

MUTED = QColor("#6b7785")
Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """Rows are records (plain SQLModel objects, read once per chart load)."""

    def __init__(self, kind: RecordKind, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._records: list[Any] = []

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def clear(self) -> None:
        self.set_records([])

    def record_at(self, row: int) -> Any:
        return self._records[row] if 0 <= row < len(self._records) else None

    def row_of(self, record_id: uuid.UUID) -> int:
        return next((i for i, r in enumerate(self._records) if r.id == record_id), -1)

    # -- Qt model interface -------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.kind.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        columns = self.kind.columns
        return columns[section].header if 0 <= section < len(columns) else None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        record = self.record_at(index.row())
        if record is None or not 0 <= index.column() < len(self.kind.columns):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.kind.columns[index.column()].value(record)
        if role == Qt.ItemDataRole.ForegroundRole:
            return MUTED if self.kind.muted(record) else None
        if role == Qt.ItemDataRole.UserRole:
            return record.id
        return None

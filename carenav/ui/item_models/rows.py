"""A flat table of row records, shared by the report and list models.

A subclass names its ``headers``, the ``number_columns`` shown right-aligned, how to
show a cell (``text``), the record's id (``ident``: the ``UserRole`` data, and what
``row_of`` finds) and, optionally, colours (``style``) and sorting (``sort_key`` with
``tie_key``). The whole record is the ``ROW_ROLE`` data. Sorting is done on values, not
the shown text, so 5 minutes sorts before 40, and the selection follows its rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RowsModel(QAbstractTableModel, Generic[T]):
    headers: ClassVar[tuple[str, ...]] = ()
    number_columns: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, parent: Any = None, *, sort: tuple[int, Qt.SortOrder] | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []
        self._sort = sort  # None: rows stay in the order given

    # -- what a subclass says ---------------------------------------------------------

    def text(self, row: T, column: int) -> str:
        raise NotImplementedError

    def ident(self, row: T) -> uuid.UUID:
        raise NotImplementedError

    def style(self, row: T, column: int, role: int) -> Any:
        """Colours, tooltips and the like; None for the defaults."""
        return None

    def sort_key(self, column: int) -> Callable[[T], Any]:
        return lambda row: self.text(row, column).casefold()

    def tie_key(self, row: T) -> Any:
        """The order of rows that sort alike (applied first; the sort is stable)."""
        return str(self.ident(row))

    # -- the rows ---------------------------------------------------------------------

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[T]:
        """The rows in the order shown."""
        return list(self._rows)

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, ident: uuid.UUID) -> int:
        for number, row in enumerate(self._rows):
            if self.ident(row) == ident:
                return number
        return -1

    # -- Qt model interface -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in self.number_columns:
            return RIGHT
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        styled = self.style(row, column, role)
        if styled is not None:
            return styled
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.UserRole:
            return self.ident(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.number_columns:
            return RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.headers):
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
        if self._sort is None:
            return
        column, order = self._sort
        stable = sorted(self._rows, key=self.tie_key)
        self._rows = sorted(
            stable, key=self.sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder
        )

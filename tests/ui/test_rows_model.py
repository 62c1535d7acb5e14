"""The shared row-table model: Qt's model checks, sorting on values, ids and roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from carenav.ui.item_models.rows import RIGHT, ROW_ROLE, RowsModel


@dataclass(frozen=True)
class Line:
    id: uuid.UUID
    name: str
    minutes: int


class Lines(RowsModel[Line]):
    headers = ("Name", "Minutes")
    number_columns = frozenset({1})

    def text(self, row: Line, column: int) -> str:
        return row.name if column == 0 else str(row.minutes)

    def ident(self, row: Line) -> uuid.UUID:
        return row.id

    def sort_key(self, column: int) -> Any:
        return (lambda r: r.name.casefold()) if column == 0 else (lambda r: r.minutes)


def test_rows_sort_on_values_and_the_selection_follows(qtbot: Any) -> None:
    model = Lines(sort=(0, Qt.SortOrder.AscendingOrder))
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    lines = [Line(uuid.uuid4(), n, m) for n, m in (("bea", 40), ("Al", 5), ("cy", 12))]
    model.set_rows(lines)
    assert [r.name for r in model.rows()] == ["Al", "bea", "cy"]
    held = QPersistentModelIndex(model.index(model.row_of(lines[0].id), 0))
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [r.minutes for r in model.rows()] == [5, 12, 40]  # 5 before 40, not "12" < "5"
    assert held.row() == 2 and model.row_at(held.row()) == lines[0]
    index = model.index(0, 1)
    assert (
        model.data(index) == "5" and model.data(index, Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    )
    assert model.data(index, Qt.ItemDataRole.UserRole) == lines[1].id
    assert model.data(index, ROW_ROLE) == lines[1]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Minutes"
    assert model.row_of(uuid.uuid4()) == -1 and model.row_at(9) is None
    model.clear()
    assert model.rowCount() == 0


def test_without_a_sort_the_rows_keep_their_order() -> None:
    model = Lines()
    lines = [Line(uuid.uuid4(), n, 1) for n in ("zed", "amy")]
    model.set_rows(lines)
    assert model.rows() == lines

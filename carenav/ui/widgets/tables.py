"""How the app's read-only lists look and behave: whole rows selected one at a time,
nothing edited in place, alternating shades, no row numbers, headers that can be resized
with the last column taking the rest of the width."""

from __future__ import annotations

import uuid
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
)

V = TypeVar("V", bound=QTableView)
ID_ROLE = Qt.ItemDataRole.UserRole  # a record's id on a QTableWidget cell


def read_only_rows(
    view: V,
    name: str,
    *,
    resize: QHeaderView.ResizeMode = QHeaderView.ResizeMode.Interactive,
    widths: dict[int, int] | None = None,
) -> V:
    """Set up ``view`` (its accessible name is ``name``) as a read-only list of rows."""
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(resize)
    header.setStretchLastSection(True)
    for column, width in (widths or {}).items():
        view.setColumnWidth(column, width)
    return view


def row_table(
    columns: tuple[str, ...],
    name: str,
    *,
    resize: QHeaderView.ResizeMode = QHeaderView.ResizeMode.Interactive,
) -> QTableWidget:
    """A QTableWidget with these column headings, set up by :func:`read_only_rows`."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    return read_only_rows(table, name, resize=resize)


def cell(
    text: str, record_id: uuid.UUID | None = None, *, tooltip: bool = False
) -> QTableWidgetItem:
    """A cell showing ``text``, carrying the record's id (``ID_ROLE``) when given."""
    item = QTableWidgetItem(text)
    if tooltip:
        item.setToolTip(text)
    if record_id is not None:
        item.setData(ID_ROLE, record_id)
    return item

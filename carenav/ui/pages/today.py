"""Today: what is overdue or due, for the whole caseload, in one list.

**Where it lives.** The window's tests (and care managers' habits) expect the caseload
to be the page shown after unlock, with the search box ready. So Today is not a page
of its own in the window's stack: it is a panel at the top of the caseload page,
filled on every unlock. Go > Today (Ctrl+T) shows the caseload page and puts the
keyboard in this list; Ctrl+F (or the "Find a patient" button here) goes on to the
caseload search. No setting turns it on or off.

Rows are grouped by urgency (Overdue, Today, Coming up, Minutes this month) and say
who, what and when (hours left for transitional-care clocks). Enter or a double
click emits ``open_requested(patient_id, opens, record_id)``; the window opens the
right place. With nothing due the panel says so calmly and stays small.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.services.patients import caseload_rows
from carenav.services.worklist import WorkItem, worklist
from carenav.store.vault import Vault
from carenav.ui.item_models.worklist import GROUPS, WorklistModel

EMPTY_TEXT = "Nothing overdue or due today."
TODAY_STYLE = """
QFrame#todayPanel, QWidget#todayPanel { background: #ffffff; }
QLabel#todayTitle { font-size: 14pt; font-weight: 600; color: #12355b; }
QLabel#todayCounts { color: #334e68; }
QLabel#todayEmpty { color: #2f6b45; padding: 6px 2px; }
"""
VISIBLE_ROWS = 7  # the panel grows to this many rows, then scrolls


class WorklistTable(QTableView):
    """Enter opens the selected item."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class TodayPage(QWidget):
    open_requested = Signal(object, str, object)  # patient_id, opens, record_id (or None)
    caseload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayPanel")
        self.setStyleSheet(TODAY_STYLE)
        self.vault: Vault | None = None
        self.model = WorklistModel(parent=self)

        self.title = QLabel("Today")
        self.title.setObjectName("todayTitle")
        self.counts = QLabel()
        self.counts.setObjectName("todayCounts")
        self.caseload_button = QPushButton("Find a patient")
        self.caseload_button.setToolTip("Go on to the caseload search (Ctrl+F)")
        self.caseload_button.clicked.connect(self.caseload_requested)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.counts, 1)
        top.addWidget(self.caseload_button)

        self.table = WorklistTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Today's work")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((150, 230, 430)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.activated_row.connect(self._open_row)

        self.empty_hint = QLabel(EMPTY_TEXT)
        self.empty_hint.setObjectName("todayEmpty")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_hint)
        self._show_rows(0)

    # -- the contract with the main window --------------------------------------------

    def show_for(
        self, vault: Vault, today: date | None = None, *, now: datetime | None = None
    ) -> None:
        """Fill the list from the vault's worklist for ``today`` (the laptop's date)."""
        self.vault = vault
        today = today or date.today()
        items = worklist(vault, today, now=now)
        names = _names(vault, items)
        shown_now = now or (datetime.now(UTC) if today == date.today() else None)
        if shown_now is None:
            shown_now = datetime.combine(today, datetime.min.time()).astimezone()
        self.model.set_items(items, names, today=today, now=shown_now)
        self._show_rows(self.model.rowCount())

    def refresh(self) -> None:
        if self.vault is not None:
            self.show_for(self.vault)

    def clear(self) -> None:
        self.vault = None
        self.model.clear()
        self.counts.clear()
        self._show_rows(0)

    def focus_list(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
        else:
            self.caseload_button.setFocus()

    # -- showing ----------------------------------------------------------------------

    def _show_rows(self, rows: int) -> None:
        self.table.setVisible(rows > 0)
        self.empty_hint.setVisible(rows == 0 and self.vault is not None)
        counts = self.model.group_counts()
        self.counts.setText(
            "   ·   ".join(
                f"{label}: {counts[code]}" for code, label in GROUPS.items() if code in counts
            )
        )
        if rows:
            row_height = self.table.verticalHeader().defaultSectionSize()
            header = self.table.horizontalHeader().sizeHint().height()
            self.table.setFixedHeight(header + row_height * min(rows, VISIBLE_ROWS) + 4)

    # -- opening ----------------------------------------------------------------------

    def _on_double_clicked(self, index: QModelIndex) -> None:
        self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        item = self.model.item_at(row)
        if item is not None:
            self.open_requested.emit(item.patient_id, item.opens, item.record_id)


def _names(vault: Vault, items: list[WorkItem]) -> dict[uuid.UUID, str]:
    """Display names in one query (on day 1 of a month every CCM patient is listed)."""
    rows = caseload_rows(vault, {i.patient_id for i in items})
    return {patient_id: row.name for patient_id, row in rows.items()}

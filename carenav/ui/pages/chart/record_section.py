"""One chart section: a table of records with Add, Edit and Remove.

Enter or a double-click edits the selected record, Delete removes it (after a
question whose default is Keep). Add and Edit open a RecordDialog; the page is
told through ``changed`` so it can reload the chart once.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.services.chart import remove_chart_record
from carenav.store.vault import Vault
from carenav.ui.pages.chart.dialogs import confirm_removal
from carenav.ui.pages.chart.fields import RecordKind
from carenav.ui.pages.chart.record_dialog import RecordDialog
from carenav.ui.pages.chart.record_table import RecordTableModel

MAX_COLUMN_WIDTH = 340


class RecordTable(QTableView):
    """Enter asks to edit the current row; Delete asks to remove it."""

    edit_requested = Signal()
    remove_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.edit_requested.emit()
            return
        if key == Qt.Key.Key_Delete and self.currentIndex().isValid():
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class RecordSection(QWidget):
    """Emits ``changed(record_id)`` after a record was added, edited or removed."""

    changed = Signal(object)

    def __init__(self, kind: RecordKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.vault: Vault | None = None
        self.patient_id: uuid.UUID | None = None
        self.dialog: RecordDialog | None = None
        self._select_after: uuid.UUID | None = None

        self.model = RecordTableModel(kind, self)
        self.table = self._make_table()
        self.heading = QLabel(kind.title)
        self.heading.setObjectName("sectionTitle")
        self.add_button = QPushButton(f"Add {kind.noun}…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove…")
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.empty_hint = QLabel(f"{kind.empty_text} Use “Add {kind.noun}…” to add one.")
        self.empty_hint.setObjectName("fieldHint")
        self.reader: QTextBrowser | None = None

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        for button in (self.add_button, self.edit_button, self.remove_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self._body(), 1)
        layout.addWidget(self.empty_hint)
        self._update_buttons()

    def _make_table(self) -> RecordTable:
        table = RecordTable()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(90)
        table.doubleClicked.connect(self._on_double_clicked)
        table.edit_requested.connect(self.edit_selected)
        table.remove_requested.connect(self.remove_selected)
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.setAccessibleName(self.kind.title)
        return table

    def _body(self) -> QWidget:
        if self.kind.reader is None:
            return self.table
        self.reader = QTextBrowser()
        self.reader.setOpenLinks(False)
        self.reader.setObjectName("noteReader")
        self.reader.setAccessibleName("Selected note")
        self.reader.setPlaceholderText("Choose a note on the left to read it here.")
        self.reader.document().setDocumentMargin(14)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.reader)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        return splitter

    # -- filling ----------------------------------------------------------------

    def set_context(self, vault: Vault | None, patient_id: uuid.UUID | None) -> None:
        self.vault = vault
        self.patient_id = patient_id

    def set_records(self, records: list[Any]) -> None:
        previous_row = self.table.currentIndex().row()
        self.model.set_records(records)
        self._fit_columns()
        self.empty_hint.setVisible(not records)
        wanted = self.model.row_of(self._select_after) if self._select_after else -1
        self._select_after = None
        row = wanted if wanted >= 0 else min(max(previous_row, 0), len(records) - 1)
        if row >= 0:
            self.table.selectRow(row)
        self._update_buttons()
        self._show_reading()

    def _fit_columns(self) -> None:
        """Widen columns to their content, within reason; the last one takes the rest."""
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount() - 1):
            width = min(max(self.table.columnWidth(column) + 16, 110), MAX_COLUMN_WIDTH)
            self.table.setColumnWidth(column, width)

    def clear(self) -> None:
        """Forget every record (used on lock and when the chart closes)."""
        if self.dialog is not None:
            self.dialog.close_without_saving()
        self.model.clear()
        if self.reader is not None:
            self.reader.clear()
        self.set_context(None, None)
        self.empty_hint.setVisible(False)
        self._update_buttons()

    def selected_record(self) -> Any:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.record_at(index.row())

    # -- add, edit, remove ------------------------------------------------------

    def add_record(self) -> RecordDialog | None:
        return self._open_dialog(None)

    def edit_selected(self) -> RecordDialog | None:
        record = self.selected_record()
        return self._open_dialog(record) if record is not None else None

    def open_draft(self, draft_key: uuid.UUID, values: dict[str, Any]) -> RecordDialog | None:
        """Open the dialog again with a draft's unsaved values.

        ``draft_key`` is the edited record's id, or the key of a new record's
        dialog; when no such record is shown (new, or removed since), the values
        open in an Add dialog, so nothing typed is lost.
        """
        record = self.model.record_at(self.model.row_of(draft_key))
        dialog = self._open_dialog(record)
        if dialog is not None:
            if record is None:
                dialog.draft_key = draft_key
            dialog.restore(values)
        return dialog

    def keep_draft(self) -> bool:
        """Keep an open dialog's typed values as a draft and close it (locking). True if kept."""
        dialog, self.dialog = self.dialog, None
        return dialog.keep_as_draft() if dialog is not None else False

    def _open_dialog(self, record: Any) -> RecordDialog | None:
        if self.vault is None or self.patient_id is None:
            return None
        dialog = RecordDialog(self.vault, self.kind, self.patient_id, record, parent=self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._on_saved(dialog))
        dialog.finished.connect(lambda _result: self._on_dialog_closed(dialog))
        dialog.open()
        return dialog

    def _on_saved(self, dialog: RecordDialog) -> None:
        self._select_after = dialog.saved_id
        self.changed.emit(dialog.saved_id)

    def _on_dialog_closed(self, dialog: RecordDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.table.setFocus()

    def remove_selected(self) -> bool:
        """Ask, then remove the selected record. True if it was removed."""
        record = self.selected_record()
        if record is None or self.vault is None:
            return False
        summary = self.kind.columns[0].value(record)
        if not confirm_removal(
            self,
            title=f"Remove {self.kind.noun}",
            question=f"Remove this {self.kind.noun} from the chart?",
            detail=summary,
            remove_text="Remove",
            keep_text="Keep",
        ):
            return False
        try:
            remove_chart_record(self.vault, self.kind.model, record.id)
        except CareNavError as exc:
            QMessageBox.warning(self, f"Remove {self.kind.noun}", str(exc))
            self.changed.emit(record.id)  # reload: it may already be gone
            return False
        self.changed.emit(record.id)
        return True

    # -- slots ------------------------------------------------------------------

    def _on_double_clicked(self, _index: QModelIndex) -> None:
        self.edit_selected()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        self._show_reading()

    def _update_buttons(self) -> None:
        has_patient = self.vault is not None and self.patient_id is not None
        chosen = self.selected_record() is not None
        self.add_button.setEnabled(has_patient)
        self.edit_button.setEnabled(has_patient and chosen)
        self.remove_button.setEnabled(has_patient and chosen)

    def _show_reading(self) -> None:
        if self.reader is None or self.kind.reader is None:
            return
        record = self.selected_record()
        if record is None:
            self.reader.clear()
        else:
            self.reader.setHtml(self.kind.reader(record))

"""The caseload: search as you type, filters, a sortable table of patients."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.models.codes import PATIENT_STATUSES, PROGRAMS, RISK_TIERS
from carenav.services.patients import CaseloadQuery, count_patients
from carenav.store.vault import Vault
from carenav.ui.item_models.caseload import CaseloadModel

STATUS_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Active and on hold", ("active", "on_hold")),
    *((label, (code,)) for code, label in PATIENT_STATUSES.items()),
    ("All statuses", ()),
)
RISK_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All risk tiers", ()),
    ("High and very high", ("high", "very_high")),
    *((label, (code,)) for code, label in RISK_TIERS.items()),
)
PROGRAM_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All programmes", ()),
    *((label, (code,)) for code, label in PROGRAMS.items()),
)
SEARCH_DELAY_MS = 40


class CaseloadTable(QTableView):
    """Enter opens the selected patient."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class SearchBox(QLineEdit):
    """Down arrow moves into the table; Esc clears the search."""

    move_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.move_down.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class CaseloadPage(QWidget):
    open_patient = Signal(object)
    new_patient_requested = Signal()
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault: Vault | None = None
        self.model = CaseloadModel(parent=self)
        self._total = 0

        self.search = SearchBox()
        self.search.setPlaceholderText("Find a patient: name, phone or member ID   (Ctrl+F)")
        self.search.setAccessibleName("Find a patient")
        self.search.setClearButtonEnabled(True)
        self.program_filter = self._combo(PROGRAM_CHOICES, "Programme")
        self.risk_filter = self._combo(RISK_CHOICES, "Risk tier")
        self.status_filter = self._combo(STATUS_CHOICES, "Status")
        self.count_label = QLabel()
        self.count_label.setObjectName("fieldHint")

        new_button = QPushButton("New patient")
        new_button.setToolTip("Add a patient to the caseload (Ctrl+N)")
        new_button.clicked.connect(self.new_patient_requested)
        import_button = QPushButton("Import caseload…")
        import_button.clicked.connect(self.import_requested)

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(new_button)
        top.addWidget(import_button)
        filters = QHBoxLayout()
        for label, combo in (
            ("Programme", self.program_filter),
            ("Risk", self.risk_filter),
            ("Status", self.status_filter),
        ):
            caption = QLabel(label)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.table = CaseloadTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 150, 130, 260, 90, 100, 120)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.activated_row.connect(self._open_row)

        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("fieldHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_hint)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_query)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.move_down.connect(self._focus_table)
        for combo in (self.program_filter, self.risk_filter, self.status_filter):
            combo.currentIndexChanged.connect(self.apply_query)
        self.search.returnPressed.connect(self._open_first_if_single)

    @staticmethod
    def _combo(choices: tuple[tuple[str, tuple[str, ...]], ...], name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for label, codes in choices:
            combo.addItem(label, codes)
        return combo

    # -- wiring to the vault -----------------------------------------------

    def set_vault(self, vault: Vault | None) -> None:
        self.vault = vault
        self.model.set_vault(vault)
        if vault is None:
            self.clear()
            return
        self.refresh()

    def clear(self) -> None:
        for combo in (self.program_filter, self.risk_filter, self.status_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.clear()
        self.count_label.clear()
        self.empty_hint.clear()

    def refresh(self) -> None:
        if self.vault is None:
            return
        self._total = count_patients(self.vault)
        self.apply_query()

    def current_query(self) -> CaseloadQuery:
        sort = self.model.query.sort
        descending = self.model.query.descending
        return CaseloadQuery(
            text=self.search.text(),
            programs=self.program_filter.currentData() or (),
            risk_tiers=self.risk_filter.currentData() or (),
            statuses=self.status_filter.currentData() or (),
            sort=sort,
            descending=descending,
        )

    def apply_query(self) -> None:
        if self.vault is None:
            return
        self.model.set_query(self.current_query())
        shown = self.model.rowCount()
        self.count_label.setText(f"Showing {shown:,} of {self._total:,} patients")
        if self._total == 0:
            self.empty_hint.setText(
                "No patients yet. Add one with New patient (Ctrl+N), "
                "or bring in your spreadsheet with Import caseload."
            )
        elif shown == 0:
            self.empty_hint.setText("No patient matches. Check the spelling or clear the filters.")
        self.empty_hint.setVisible(shown == 0)
        if shown:
            self.table.selectRow(0)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select_patient(self, patient_id: uuid.UUID) -> None:
        row = self.model.row_of(patient_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    # -- opening --------------------------------------------------------------

    def _focus_table(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def _open_first_if_single(self) -> None:
        current = self.table.currentIndex()
        self._open_row(current.row() if current.isValid() else 0)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        patient_id = self.model.id_at(row)
        if patient_id is not None:
            self.open_patient.emit(patient_id)

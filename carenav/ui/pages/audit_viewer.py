"""The audit trail viewer: who did what and when, newest first, with filters.

The table model keeps only the number of matching entries and fetches them in
blocks as they are painted, so a trail of 100,000 entries opens at once. The
status line says whether the chain is intact (every entry's mac recomputed and
the end compared with the record kept beside the vault). Audit entries hold no
patient values, so exporting them as CSV is safe; the export is itself recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.services.audit import (
    AuditFilter,
    count_events,
    event_choices,
    event_page,
    export_audit_csv,
)
from carenav.store.audit import AuditRow, verify_chain
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date

Index = QModelIndex | QPersistentModelIndex
BLOCK = 200
CACHE_BLOCKS = 20
COLUMNS = ("When", "Action", "Record", "Record id", "Outcome", "Detail", "User", "Entry")
ACTION_LABELS = {
    "vault_created": "Vault created",
    "unlock": "Unlocked",
    "unlock_failed": "Unlock failed",
    "recovery_used": "Unlocked with recovery code",
    "lock": "Locked",
    "passphrase_changed": "Passphrase changed",
    "chart_opened": "Chart opened",
    "record_created": "Record added",
    "record_changed": "Record changed",
    "record_deleted": "Record removed",
    "export": "Exported",
    "print": "Printed",
    "backup": "Backed up",
    "restore": "Restored",
    "integrity_check": "Integrity check",
    "audit_head_recreated": "Audit record rebuilt",
}
RECORD_LABELS = {
    "patient": "Patient",
    "related_person": "Family or caregiver",
    "care_team_member": "Care team member",
    "condition": "Problem",
    "medication_statement": "Medication",
    "allergy_intolerance": "Allergy",
    "case_note": "Case note",
    "audit_event": "Audit trail",
}
PROBLEM = QColor("#9a3412")
INTACT_STYLE = "color: #166534; font-weight: 600;"
BROKEN_STYLE = "color: #9a3412; font-weight: 600;"
ANY_DAY = QDate(2000, 1, 1)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def record_label(record_type: str) -> str:
    return RECORD_LABELS.get(record_type, record_type.replace("_", " ").capitalize())


def format_when(value: datetime) -> str:
    local = value.astimezone()
    return f"{format_date(local.date())}, {local:%H:%M:%S}"


class AuditTableModel(QAbstractTableModel):
    """Matching audit entries, newest first, fetched in blocks when painted."""

    def __init__(self, vault: Vault | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._filter = AuditFilter()
        self._count = 0
        self._blocks: dict[int, list[AuditRow]] = {}
        if vault is not None:
            self.set_filter(AuditFilter())

    def set_filter(self, where: AuditFilter) -> None:
        self.beginResetModel()
        self._filter = where
        self._blocks.clear()
        self._count = count_events(self._vault, where) if self._vault is not None else 0
        self.endResetModel()

    @property
    def filter(self) -> AuditFilter:
        return self._filter

    def clear(self) -> None:
        """Forget the vault and every entry (used when the vault locks)."""
        self.beginResetModel()
        self._vault = None
        self._count = 0
        self._blocks.clear()
        self.endResetModel()

    def entry(self, row: int) -> AuditRow | None:
        if self._vault is None or not 0 <= row < self._count:
            return None
        block = row // BLOCK
        if block not in self._blocks:
            if len(self._blocks) >= CACHE_BLOCKS:
                self._blocks.pop(next(iter(self._blocks)))
            self._blocks[block] = event_page(
                self._vault, self._filter, offset=block * BLOCK, limit=BLOCK
            )
        found = self._blocks[block]
        index = row - block * BLOCK
        return found[index] if index < len(found) else None

    # -- Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.entry(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (3, 5):
            return (row.record_id if index.column() == 3 else row.detail) or None
        if role == Qt.ItemDataRole.ForegroundRole and row.outcome != "success":
            return PROBLEM
        return None

    @staticmethod
    def _text(row: AuditRow, column: int) -> str:
        values = (
            format_when(row.occurred_at),
            action_label(row.action),
            record_label(row.record_type) if row.record_type else "",
            row.record_id[:8],
            row.outcome.capitalize(),
            row.detail,
            row.user,
            f"{row.seq:,}",
        )
        return values[column] if 0 <= column < len(values) else ""


class AuditViewerDialog(QDialog):
    """Help > Audit trail: browse, filter, check and export the vault's audit trail."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.resize(1100, 640)
        self.vault: Vault | None = vault
        self.model = AuditTableModel(vault, self)
        self._build()
        self._fill_choices()
        self.check_chain()

    # -- layout

    def _build(self) -> None:
        self.action_combo = QComboBox()
        self.record_combo = QComboBox()
        self.from_date = self._date_edit("From")
        self.to_date = self._date_edit("To")
        filters = QHBoxLayout()
        for label, widget in (
            ("Action", self.action_combo),
            ("Record", self.record_combo),
            ("From", self.from_date),
            ("To", self.to_date),
        ):
            caption = QLabel(f"{label}:")
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for section, width in enumerate((170, 200, 150, 90, 80, 300, 90, 70)):
            self.table.setColumnWidth(section, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        self.chain_label = QLabel()
        self.count_label = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.export_button = QPushButton("Export as CSV…")
        self.close_button = QPushButton("Close")
        self.close_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        column = QVBoxLayout(self)
        column.addWidget(self.chain_label)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        column.addWidget(self.message)
        column.addLayout(buttons)

        self.action_combo.currentIndexChanged.connect(self.apply_filters)
        self.record_combo.currentIndexChanged.connect(self.apply_filters)
        self.from_date.dateChanged.connect(self.apply_filters)
        self.to_date.dateChanged.connect(self.apply_filters)
        self.export_button.clicked.connect(self.export_csv)
        self.close_button.clicked.connect(self.accept)

    @staticmethod
    def _date_edit(name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        edit.setMinimumDate(ANY_DAY)
        edit.setSpecialValueText("Any day")
        edit.setDate(ANY_DAY)
        edit.setAccessibleName(f"{name} day")
        return edit

    def _fill_choices(self) -> None:
        if self.vault is None:
            return
        found_actions, found_types = event_choices(self.vault)
        for combo, everything, values, label in (
            (self.action_combo, "All actions", found_actions, action_label),
            (self.record_combo, "All records", found_types, record_label),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, "")
            for value in values:
                combo.addItem(label(value), value)
            combo.blockSignals(False)
        self._show_count()

    # -- actions

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            action=str(self.action_combo.currentData() or ""),
            record_type=str(self.record_combo.currentData() or ""),
            since=_day_of(self.from_date),
            until=_day_of(self.to_date),
        )

    def apply_filters(self) -> None:
        if self.vault is None:
            return
        where = self.current_filter()
        if where.since and where.until and where.until < where.since:
            self.message.setText("The 'To' day is before the 'From' day: no entries can match.")
        else:
            self.message.setText("")
        self.model.set_filter(where)
        self._show_count()

    def _show_count(self) -> None:
        total = self.model.rowCount()
        self.count_label.setText(f"{total:,} entr{'y' if total == 1 else 'ies'} shown")

    def check_chain(self) -> bool:
        """Verify the whole chain and say the result in the status line. True if intact."""
        if self.vault is None:
            return False
        try:
            report = verify_chain(self.vault)
        except CareNavError as exc:
            self._set_chain(f"The audit trail could not be checked. {exc}", intact=False)
            return False
        if report.intact:
            self._set_chain(f"Audit trail intact: {report.rows:,} entries", intact=True)
        else:
            where = f" First bad entry: {report.first_bad_seq:,}." if report.first_bad_seq else ""
            self._set_chain(
                f"{report.summary()}{where} Keep the vault as it is and contact your "
                "agency's support.",
                intact=False,
            )
        return report.intact

    def _set_chain(self, text: str, *, intact: bool) -> None:
        self.chain_label.setText(text)
        self.chain_label.setStyleSheet(INTACT_STYLE if intact else BROKEN_STYLE)
        self.chain_label.setWordWrap(True)

    def export_csv(self) -> Path | None:
        """Ask where, then write the entries shown (the filters apply). None if cancelled."""
        if self.vault is None:
            return None
        suggested = Path.home() / f"audit-trail-{datetime.now():%Y%m%d-%H%M}.csv"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export audit trail", str(suggested), "CSV files (*.csv)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        try:
            count = export_audit_csv(self.vault, path, self.current_filter())
        except (CareNavError, OSError) as exc:
            reason = str(exc) if isinstance(exc, CareNavError) else (exc.strerror or "")
            self.message.setText(
                f"The audit trail was not exported: {reason}. Choose another folder "
                "(for example on this computer) and try again."
            )
            return None
        self._fill_choices_keeping_selection()
        self.message.setText(f"Exported {count:,} entries to {path}.")
        return path

    def _fill_choices_keeping_selection(self) -> None:
        """The export added an entry: refresh choices and rows, keeping the filters."""
        action = self.action_combo.currentData()
        record = self.record_combo.currentData()
        self._fill_choices()
        for combo, value in ((self.action_combo, action), (self.record_combo, record)):
            found = combo.findData(value)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)
        self.apply_filters()

    def clear(self) -> None:
        """Drop the vault and every entry (the main window calls this when it locks)."""
        self.vault = None
        self.model.clear()
        self.action_combo.clear()
        self.record_combo.clear()
        self.chain_label.setText("")
        self._show_count()


def _day_of(edit: QDateEdit) -> date | None:
    chosen = edit.date()
    if chosen == edit.minimumDate():
        return None
    return date(chosen.year(), chosen.month(), chosen.day())

"""Go > Chronic-care minutes report: the caseload's chronic care management minutes for a
month, with the billing codes met and the minutes still needed, exportable as CSV.

The month starts at the current one; Previous and Next (or Page Up and Page Down) step
through months. Every active patient enrolled in CCM is listed, with or without minutes,
and so is anyone else who has minutes that month (muted, "Not enrolled in CCM"). Enter
or a double click emits ``open_patient(patient_id)`` and closes the report; the window
opens the chart.

Export CSV… writes the rows shown, with names, to a file the care manager chooses.
That file leaves the encrypted vault, so before the first export after each unlock the
dialog says so and waits for a yes. The suggested file name holds only the month.
"""

from __future__ import annotations

import weakref
from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.services.ccm_report import ReportRow, export_csv, report_rows, summarize
from carenav.store.vault import Vault
from carenav.ui.item_models.ccm_report import (
    CLINICIAN,
    CODES,
    PATIENT,
    PROGRAMME,
    STAFF,
    TOTAL,
    CcmReportModel,
)
from carenav.ui.widgets.layout import heading
from carenav.ui.widgets.tables import read_only_rows

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
LEAVES_VAULT = (
    "The file will hold patients' names and their care-management minutes: health "
    "information. It is not encrypted and leaves the protection of your vault.\n\n"
    "Save it only where your agency allows (not a shared or cloud folder), and delete "
    "it once it has been sent on."
)
REPORT_STYLE = """
QLabel#reportSummary { color: #334e68; }
QLabel#monthTitle { font-size: 13pt; font-weight: 600; color: #12355b; }
QLabel#reportEmpty { color: #52606d; padding: 12px 2px; }
"""

# vaults (one per unlock) whose user has agreed that an export leaves the vault
_export_confirmed: weakref.WeakSet[Vault] = weakref.WeakSet()


def month_text(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def step_month(month: date, step: int) -> date:
    index = month.year * 12 + month.month - 1 + step
    return date(index // 12, index % 12 + 1, 1)


def summary_text(rows: list[ReportRow]) -> str:
    """'12 patients in CCM, 7 met the first threshold · 412 minutes in all'."""
    figures = summarize(rows)
    parts = [
        f"{figures.enrolled} patient{'s' if figures.enrolled != 1 else ''} in CCM, "
        f"{figures.met_first} met the first threshold"
    ]
    others = figures.patients - figures.enrolled
    if others:
        parts.append(f"{others} more with minutes, not enrolled")
    parts.append(f"{figures.total_minutes:,} minutes in all")
    return "   ·   ".join(parts)


class ReportTable(QTableView):
    """Enter opens the patient of the current row."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class CcmReportDialog(QDialog):
    open_patient = Signal(object)  # the patient's uuid.UUID
    exported = Signal(str)  # where the file went, for the window's status bar

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Chronic-care minutes report")
        self.setStyleSheet(REPORT_STYLE)
        self.resize(980, 620)
        self.vault: Vault | None = vault
        self.today = today or date.today()
        self.month = self.today.replace(day=1)
        self.model = CcmReportModel(self)
        self._build()
        self.show_month(self.month)

    # -- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        self.previous_button = QPushButton("‹  Previous")
        self.previous_button.setToolTip("The month before (Page Up)")
        self.previous_button.setAccessibleName("Previous month")
        self.next_button = QPushButton("Next  ›")
        self.next_button.setToolTip("The month after (Page Down)")
        self.next_button.setAccessibleName("Next month")
        self.month_label = QLabel()
        self.month_label.setObjectName("monthTitle")
        self.month_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.month_label.setMinimumWidth(170)
        title = heading("Chronic-care minutes")
        title.setWordWrap(False)
        months = QHBoxLayout()
        months.addWidget(title)
        months.addStretch(1)
        months.addWidget(self.previous_button)
        months.addWidget(self.month_label)
        months.addWidget(self.next_button)

        self.summary = QLabel()
        self.summary.setObjectName("reportSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        self.table = ReportTable()
        self.table.setModel(self.model)
        widths = {PATIENT: 215, PROGRAMME: 115, TOTAL: 90, STAFF: 90, CLINICIAN: 115, CODES: 140}
        read_only_rows(self.table, "Chronic-care minutes per patient", widths=widths)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(PATIENT, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.activated_row.connect(self._open_row)

        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("reportEmpty")
        self.empty_hint.setWordWrap(True)

        self.message = QLabel()
        self.message.setObjectName("fieldHint")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        keys = QLabel(
            "Enter or double-click opens the patient's chart.   Page Up / Page Down: months."
        )
        keys.setObjectName("fieldHint")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save this month's rows, with names, as a CSV file")
        self.close_button = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(keys)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        page = QVBoxLayout(self)
        page.setContentsMargins(20, 16, 20, 16)
        page.setSpacing(10)
        page.addLayout(months)
        page.addWidget(self.summary)
        page.addWidget(self.table, 1)
        page.addWidget(self.empty_hint)
        page.addWidget(self.message)
        page.addLayout(buttons)

        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.accept)
        for sequence, step in (("PgUp", -1), ("PgDown", 1)):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(lambda step=step: self.step(step))

    # -- months ---------------------------------------------------------------------

    def step(self, months: int) -> None:
        wanted = step_month(self.month, months)
        if wanted > self.today.replace(day=1):
            return  # no minutes are logged ahead of time
        self.show_month(wanted)

    def show_month(self, month: date) -> None:
        if self.vault is None:
            return
        self.month = month.replace(day=1)
        rows = report_rows(self.vault, month_key(self.month))
        self.model.set_rows(rows)
        when = month_text(self.month)
        this_month = self.month == self.today.replace(day=1)
        self.month_label.setText(when + (" (this month)" if this_month else ""))
        self.next_button.setEnabled(not this_month)
        self.summary.setText(summary_text(rows) if rows else "")
        self.summary.setVisible(bool(rows))
        self.table.setVisible(bool(rows))
        self.empty_hint.setText(
            f"Nobody is enrolled in chronic care management and no minutes were logged in "
            f"{when}. Enrol patients from their chart (Programmes: CCM)."
        )
        self.empty_hint.setVisible(not rows)
        self.export_button.setEnabled(bool(rows))
        self._say("")
        if rows:  # the keyboard starts on the first row, nothing selected yet
            self.table.setFocus()
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, PATIENT), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    # -- opening a chart ------------------------------------------------------------

    def _on_double_clicked(self, index: QModelIndex) -> None:
        self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        chosen = self.model.row_at(row)
        if chosen is not None:
            self.accept()
            self.open_patient.emit(chosen.patient_id)

    # -- export ---------------------------------------------------------------------

    def confirm_leaving_vault(self) -> bool:
        """The warning before the first export after this unlock; True to go on."""
        if self.vault is None:
            return False
        if self.vault in _export_confirmed:
            return True
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Export outside the vault")
        box.setText("This report will be saved outside your encrypted vault.")
        box.setInformativeText(LEAVES_VAULT)
        go_on = box.addButton("Export anyway", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        if box.clickedButton() is not go_on:
            return False
        _export_confirmed.add(self.vault)
        return True

    def export(self) -> Path | None:
        """Warn (once per unlock), ask where, write the month's rows. None if not written."""
        rows = self.model.rows()
        if self.vault is None or not rows or not self.confirm_leaving_vault():
            return None
        key = month_key(self.month)
        suggested = Path.home() / f"ccm-minutes-{key}.csv"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export chronic-care minutes", str(suggested), "CSV files (*.csv)"
        )
        if not chosen or self.vault is None:  # the vault may have locked meanwhile
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        try:
            export_csv(self.vault, rows, key, path)
        except (CareNavError, OSError) as exc:
            reason = str(exc) if isinstance(exc, CareNavError) else (exc.strerror or str(exc))
            self._say(
                f"The report was not saved: {reason}. Choose another folder (for example "
                "Documents on this computer) and try again.",
                problem=True,
            )
            return None
        count = len(rows)
        patients = f"{count} patient{'s' if count != 1 else ''}"
        saved = f"Saved {patients} for {month_text(self.month)} to {path}."
        self._say(f"{saved} Delete the file once it has been sent on.")
        self.exported.emit(f"Chronic-care minutes report: {saved}")
        return path

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.message.setObjectName("errorText" if problem else "fieldHint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def done(self, result: int) -> None:
        """Closing (Close, Esc or the vault locking) forgets the vault and the rows."""
        self.clear()
        super().done(result)

    def clear(self) -> None:
        """Forget the vault and every row (locking closes the dialog as well)."""
        self.vault = None
        self.model.clear()
        self.summary.clear()

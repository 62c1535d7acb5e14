"""File > Import caseload: choose a CSV file, match its columns, check every row, import.

Four steps in one dialog. Checking and importing run off the GUI thread; Cancel
during the import really cancels (the service rolls its one transaction back,
so nothing is imported). The window title never names the file or a patient.
After a successful import ``imported_count`` holds the number of new patients.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.services import csv_import
from carenav.services.csv_import import (
    NOT_IN_FILE,
    TARGET_FIELDS,
    CsvTable,
    ImportCancelled,
    ImportPlan,
    PreviewRow,
    RowProblem,
)
from carenav.store.vault import Vault
from carenav.ui.tasks import run_in_background
from carenav.ui.widgets.layout import message_label, paragraph, show_message

Index = QModelIndex | QPersistentModelIndex
PREVIEW_LIMIT = 20
MAX_PREVIEW_COLUMN_WIDTH = 280
MAX_MEASURED_PROBLEMS = 500  # beyond this, one line per problem (full text as tooltip)
CHOOSE, MATCH, CHECK, IMPORT = range(4)
STEP_TITLES = (
    "Choose the CSV file",
    "Match the columns",
    "Check the rows",
    "Import",
)
PROBLEM_TEXT = QColor("#8a1c12")
PROBLEM_BACKGROUND = QColor("#fdecea")
DIALOG_STYLE = """
QDialog { background: #f6f7f9; }
QLabel#stepTitle { font-size: 15pt; font-weight: 600; color: #12355b; }
QLabel#stepCount { color: #52606d; }
QLabel#summaryText { font-size: 12pt; font-weight: 600; color: #12355b; }
QLabel#doneText { font-size: 12pt; font-weight: 600; color: #2f6b45; }
QFrame#mappingPanel { background: #ffffff; border: 1px solid #d9dee5; border-radius: 8px; }
"""


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


# == table models ================================================================


class PreviewModel(QAbstractTableModel):
    """The first rows of the file as they would be imported; problem cells in red."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fields: list[tuple[str, str]] = []  # (field, label) of the mapped fields
        self._rows: list[PreviewRow] = []

    def set_preview(self, fields: Sequence[tuple[str, str]], rows: Sequence[PreviewRow]) -> None:
        self.beginResetModel()
        self._fields = list(fields)
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._fields) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "Row"
        return self._fields[section - 1][1] if 0 < section <= len(self._fields) else None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() <= len(self._fields):
            return None
        row = self._rows[index.row()]
        target = "" if index.column() == 0 else self._fields[index.column() - 1][0]
        problem = row.problems.get(target) or row.problems.get("", "")
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row.row_number) if index.column() == 0 else row.cells.get(target, "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or None
        if role == Qt.ItemDataRole.ForegroundRole:
            return PROBLEM_TEXT if problem else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return PROBLEM_BACKGROUND if problem else None
        return None


class ProblemsModel(QAbstractTableModel):
    """Every problem found by the check: row number, column, what to correct."""

    HEADERS = ("Row", "Column", "Problem")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[RowProblem] = []

    def set_problems(self, problems: Sequence[RowProblem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        problem = self._problems[index.row()]
        if index.column() == 0:
            return str(problem.row_number)
        if index.column() == 1:
            where = problem.field_label or "Whole row"
            return f'{where} ("{problem.column}")' if problem.column else where
        if index.column() == 2:
            return problem.message
        return None


class _ProgressRelay(QObject):
    """Carries progress from the import thread to the GUI thread (a queued signal)."""

    moved = Signal(int, int)


# == the dialog ===================================================================


class ImportCaseloadDialog(QDialog):
    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import caseload")
        self.setStyleSheet(DIALOG_STYLE)
        self.vault = vault
        self.imported_count = 0
        self.path: Path | None = None
        self.table: CsvTable | None = None
        self.plan: ImportPlan | None = None
        self._checking = False
        self._importing = False
        self._closed = False
        self._cancel = threading.Event()
        self._relay = _ProgressRelay(self)
        self._relay.moved.connect(self._on_progress)

        self.step_count = QLabel()
        self.step_count.setObjectName("stepCount")
        self.step_title = QLabel()
        self.step_title.setObjectName("stepTitle")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_choose_page())
        self.stack.addWidget(self._build_match_page())
        self.stack.addWidget(self._build_check_page())
        self.stack.addWidget(self._build_import_page())

        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(self._go_back)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.next_button = QPushButton()
        self.next_button.setObjectName("primary")
        self.next_button.clicked.connect(self._go_next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(self.step_count)
        layout.addWidget(self.step_title)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.resize(1120, 720)
        self._show_step(CHOOSE)

    # -- building the pages ------------------------------------------------------

    def _build_choose_page(self) -> QWidget:
        page = QWidget()
        intro = paragraph(
            "Bring the patients you already follow into CareNav from a spreadsheet.\n\n"
            "1. In the spreadsheet, keep one patient per row and a header row at the top "
            "(for example Last Name, First Name, DOB, Phone, Language, Programs).\n"
            "2. Write dates of birth as YYYY-MM-DD, for example 1948-03-27.\n"
            '3. Save it with File > Save As, choosing "CSV UTF-8 (Comma delimited)".\n\n'
            "Family name, given name and date of birth are needed for every patient. "
            "Nothing is added until every row has been checked and you choose Import."
        )
        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.setObjectName("primary")
        self.choose_button.clicked.connect(self.choose_file)
        self.choose_message = message_label()
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addWidget(self.choose_message)
        layout.addStretch(1)
        return page

    def _build_match_page(self) -> QWidget:
        page = QWidget()
        self.file_label = paragraph("")
        self.file_label.setObjectName("fieldHint")
        hint = paragraph(
            "CareNav matched the columns it recognised. Check each one, and choose "
            f'"{NOT_IN_FILE}" for anything your file does not have.'
        )
        self.mapping_combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.setVerticalSpacing(8)
        for target in TARGET_FIELDS:
            combo = QComboBox()
            combo.setAccessibleName(target.label)
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            self.mapping_combos[target.field] = combo
            label = QLabel(f"{target.label} (needed)" if target.required else target.label)
            label.setBuddy(combo)
            form.addRow(label, combo)
        holder = QWidget()
        holder.setObjectName("mappingPanel")
        holder.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setMinimumWidth(400)

        self.preview_model = PreviewModel(self)
        self.preview_view = _table_view(self.preview_model)
        self.preview_caption = paragraph(
            f"The first {PREVIEW_LIMIT} rows as they would be imported. Cells in red need "
            "correcting: point at one to see why."
        )
        self.unused_label = paragraph("")
        self.unused_label.setObjectName("fieldHint")
        self.match_message = message_label()
        self.checking_label = paragraph("")
        self.checking_label.setObjectName("fieldHint")
        self.checking_label.setVisible(False)
        right = QVBoxLayout()
        right.addWidget(self.preview_caption)
        right.addWidget(self.preview_view, 1)
        right.addWidget(self.unused_label)
        columns = QHBoxLayout()
        columns.addWidget(scroll, 2)
        columns.addLayout(right, 5)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.file_label)
        layout.addWidget(hint)
        layout.addLayout(columns, 1)
        layout.addWidget(self.match_message)
        layout.addWidget(self.checking_label)
        return page

    def _build_check_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = paragraph("")
        self.summary_label.setObjectName("summaryText")
        self.advice_label = paragraph("")
        self.problems_model = ProblemsModel(self)
        self.problems_view = _table_view(self.problems_model)
        self.problems_view.setWordWrap(True)
        header = self.problems_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.skip_bad_rows_box = QCheckBox()
        self.skip_bad_rows_box.toggled.connect(self._update_buttons)
        self.reload_button = QPushButton("Read the file again")
        self.reload_button.setToolTip("After correcting the file in the spreadsheet and saving it")
        self.reload_button.clicked.connect(self.reload_file)
        row = QHBoxLayout()
        row.addWidget(self.skip_bad_rows_box, 1)
        row.addWidget(self.reload_button)
        self.check_message = message_label()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.advice_label)
        layout.addWidget(self.problems_view, 1)
        layout.addLayout(row)
        layout.addWidget(self.check_message)
        return page

    def _build_import_page(self) -> QWidget:
        page = QWidget()
        self.progress_label = paragraph("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)  # the label above says "300 of 2,000"
        self.progress_bar.setMinimumHeight(28)
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.result_label = paragraph("")
        self.result_label.setObjectName("doneText")
        self.result_detail = paragraph("")
        self.import_message = message_label()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 24, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        layout.addWidget(self.result_detail)
        layout.addWidget(self.import_message)
        layout.addStretch(1)
        return page

    # -- step 1: the file ----------------------------------------------------------

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "Choose the caseload CSV file",
            str(Path.home()),
            "CSV files (*.csv *.txt);;All files (*)",
        )
        if chosen:
            self.load_file(Path(chosen))

    def load_file(self, path: Path) -> bool:
        """Read ``path`` and show the column matching; False (with a message) if unusable."""
        previous = self.mapping() if self.table is not None else {}
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            table = csv_import.read_csv(path)
        except CareNavError as exc:
            show_message(self.choose_message, f"This file cannot be imported. {exc}")
            self._show_step(CHOOSE)
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.path, self.table, self.plan = Path(path), table, None
        show_message(self.choose_message, "")
        self._fill_combos(table, previous)
        self.file_label.setText(f"File: {self.path.name}, {plural(len(table.rows), 'patient row')}")
        self._refresh_preview()
        self._show_step(MATCH)
        return True

    def _fill_combos(self, table: CsvTable, previous: dict[str, str | None]) -> None:
        guessed = csv_import.guess_mapping(table.headers)
        for target, combo in self.mapping_combos.items():
            kept = previous.get(target)
            chosen = kept if kept in table.headers else guessed[target]
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IN_FILE, None)
            for header in table.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(0 if chosen is None else table.headers.index(chosen) + 1)
            combo.blockSignals(False)

    # -- step 2: the columns -------------------------------------------------------

    def mapping(self) -> dict[str, str | None]:
        """Patient field -> the CSV column chosen for it (None: not in the file)."""
        return {target: combo.currentData() for target, combo in self.mapping_combos.items()}

    def set_column(self, target: str, header: str | None) -> None:
        """Choose the column for a field, as the user would in its drop-down."""
        combo = self.mapping_combos[target]
        combo.setCurrentIndex(combo.findData(header) if header is not None else 0)

    def _on_mapping_changed(self) -> None:
        self.plan = None
        self._refresh_preview()
        self._update_buttons()

    def _missing_required(self) -> list[str]:
        chosen = self.mapping()
        return [t.label for t in TARGET_FIELDS if t.required and chosen[t.field] is None]

    def _refresh_preview(self) -> None:
        if self.table is None:
            self.preview_model.set_preview([], [])
            return
        chosen = self.mapping()
        fields = [(t.field, t.label) for t in TARGET_FIELDS if chosen[t.field] is not None]
        rows = csv_import.preview_rows(self.table, chosen, PREVIEW_LIMIT)
        self.preview_model.set_preview(fields, rows)
        self.preview_view.resizeColumnsToContents()
        for column in range(self.preview_model.columnCount()):
            width = self.preview_view.columnWidth(column)
            self.preview_view.setColumnWidth(column, min(width, MAX_PREVIEW_COLUMN_WIDTH))
        used = set(chosen.values())
        unused = [h for h in self.table.headers if h not in used]
        self.unused_label.setText(
            "Not imported (no field chosen): " + ", ".join(unused) if unused else ""
        )
        missing = self._missing_required()
        show_message(
            self.match_message,
            f"Choose the column for {_and_list(missing)} to continue: every patient needs it."
            if missing
            else "",
        )

    # -- step 3: the check ---------------------------------------------------------

    def check_rows(self) -> None:
        """Check every row off the GUI thread; the result shows on the check page."""
        if self.table is None or self._checking or self._missing_required():
            return
        table, chosen, vault = self.table, self.mapping(), self.vault
        self._checking = True
        show_message(self.checking_label, f"Checking {plural(len(table.rows), 'row')}…")
        self._update_buttons()
        run_in_background(
            lambda: csv_import.plan_import(vault, table, chosen),
            self._on_checked,
            self._on_check_failed,
        )

    def _on_checked(self, plan: ImportPlan) -> None:
        self._checking = False
        show_message(self.checking_label, "")
        if self._closed:
            return
        self.plan = plan
        self._show_plan(plan)
        self._show_step(CHECK)

    def _on_check_failed(self, exc: BaseException) -> None:
        self._checking = False
        show_message(self.checking_label, "")
        show_message(self.match_message, _explain(exc, "The rows could not be checked"))
        self._update_buttons()

    def _show_plan(self, plan: ImportPlan) -> None:
        ready, bad = len(plan.valid), len(plan.bad_rows)
        self.problems_model.set_problems(plan.problems)
        if len(plan.problems) <= MAX_MEASURED_PROBLEMS:
            self.problems_view.resizeRowsToContents()  # wrap long messages
        self.problems_view.setVisible(bool(plan.problems))
        self.skip_bad_rows_box.setChecked(False)
        self.skip_bad_rows_box.setVisible(bool(bad and ready))
        self.skip_bad_rows_box.setText(
            f"Leave out the {plural(bad, 'row')} with problems and import the "
            f"{plural(ready, 'ready row')} now"
        )
        show_message(self.check_message, "")
        if plan.rows_checked == 0:
            self.summary_label.setText("The file lacks a column every patient needs.")
            self.advice_label.setText("Go back and choose the column for each needed field.")
        elif not bad:
            self.summary_label.setText(
                f"All {plural(ready, 'row')} are ready to import."
                if ready != 1
                else "The row is ready to import."
            )
            self.advice_label.setText(_blank_rows_note(plan))
        else:
            self.summary_label.setText(
                f"{plural(ready, 'row')} ready to import; {plural(bad, 'row')} with problems."
            )
            self.advice_label.setText(
                "Nothing is imported while rows have problems. Correct them in the spreadsheet, "
                'save it as CSV UTF-8, and choose "Read the file again". '
                + ("Or leave those rows out and import the others." if ready else "")
                + _blank_rows_note(plan)
            )

    def reload_file(self) -> None:
        """Read the same file again (after it was corrected) and check it again."""
        if self.path is not None and self.load_file(self.path):
            self.check_rows()

    # -- step 4: the import --------------------------------------------------------

    def start_import(self) -> None:
        plan = self.plan
        if plan is None or self._importing or not self._may_import(plan):
            return
        skip_bad_rows = self.skip_bad_rows_box.isChecked()
        vault, relay, cancel = self.vault, self._relay, self._cancel
        cancel.clear()

        def progress(done: int, total: int) -> bool:
            relay.moved.emit(done, total)
            return not cancel.is_set()

        self._importing = True
        self.progress_bar.setRange(0, max(len(plan.valid), 1))
        self.progress_bar.setValue(0)
        self.progress_label.setText(f"Adding {plural(len(plan.valid), 'patient')}…")
        for label in (self.result_label, self.result_detail, self.import_message):
            show_message(label, "")
        self.cancel_button.setEnabled(True)
        self._show_step(IMPORT)
        run_in_background(
            lambda: csv_import.run_import(
                vault, plan, progress=progress, skip_bad_rows=skip_bad_rows
            ),
            self._on_imported,
            self._on_import_failed,
        )

    def cancel_import(self) -> None:
        if not self._importing:
            return
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling… nothing will be imported.")

    def _on_progress(self, done: int, total: int) -> None:
        if not self._importing or self._cancel.is_set():
            return
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(f"Adding patients: {done:,} of {total:,}")

    def _on_imported(self, count: int) -> None:
        self._importing = False
        self.imported_count = count
        self.progress_bar.setValue(self.progress_bar.maximum())
        self.progress_label.setText("Finished.")
        show_message(
            self.result_label,
            f"Imported {plural(count, 'patient')}. "
            + ("They are" if count != 1 else "The patient is")
            + " now in your caseload.",
        )
        plan = self.plan
        if plan is not None and plan.problems:
            show_message(
                self.result_detail,
                f"Left out: {plural(len(plan.bad_rows), 'row')} with problems "
                f"({'row' if len(plan.bad_rows) == 1 else 'rows'} "
                f"{', '.join(str(n) for n in plan.bad_rows[:20])}"
                + (" and more" if len(plan.bad_rows) > 20 else "")
                + "). Correct those rows and import them in a new file.",
            )
        self._update_buttons()
        if self._closed:
            super().accept()

    def _on_import_failed(self, exc: BaseException) -> None:
        self._importing = False
        self.progress_bar.setValue(0)
        if isinstance(exc, ImportCancelled):
            self.progress_label.setText("Cancelled.")
            show_message(
                self.result_label,
                "The import was cancelled. Nothing was imported; your caseload is as it was.",
            )
        else:
            self.progress_label.setText("Stopped.")
            show_message(
                self.import_message,
                _explain(exc, "Nothing was imported: the caseload could not be saved")
                + " Your caseload is as it was.",
            )
        self._update_buttons()
        if self._closed:
            super().reject()

    # -- navigation -------------------------------------------------------------------

    def _may_import(self, plan: ImportPlan) -> bool:
        if plan.ok:
            return bool(plan.valid)
        return bool(plan.valid) and self.skip_bad_rows_box.isChecked()

    def _show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.step_count.setText(f"Step {step + 1} of {len(STEP_TITLES)}")
        self.step_title.setText(STEP_TITLES[step])
        self._update_buttons()

    def _update_buttons(self) -> None:
        step = self.stack.currentIndex()
        busy = self._checking or self._importing
        self.back_button.setVisible(step in (MATCH, CHECK) or (step == IMPORT and not busy))
        self.back_button.setEnabled(not busy)
        self.close_button.setEnabled(not self._importing)
        self.close_button.setVisible(not self.imported_count)
        self.cancel_button.setVisible(step == IMPORT and self._importing)
        self.choose_button.setEnabled(not busy)
        for combo in self.mapping_combos.values():
            combo.setEnabled(not busy)  # a check must describe the columns shown
        self.reload_button.setEnabled(not busy and self.path is not None)
        next_text, next_enabled = self._next_state(step, busy)
        self.next_button.setVisible(bool(next_text))
        self.next_button.setText(next_text)
        self.next_button.setEnabled(next_enabled)
        self.next_button.setDefault(next_enabled)
        if step == IMPORT and self.imported_count:
            self.back_button.setVisible(False)

    def _next_state(self, step: int, busy: bool) -> tuple[str, bool]:
        if step == CHOOSE:
            return ("Next", not busy) if self.table is not None else ("", False)
        if step == MATCH:
            return "Check all rows", not busy and not self._missing_required()
        if step == CHECK and self.plan is not None:
            count = len(self.plan.valid)
            if self.plan.problems and self.skip_bad_rows_box.isChecked():
                return f"Import {plural(count, 'ready row')}", not busy and count > 0
            return f"Import {plural(count, 'patient')}", not busy and self.plan.ok and count > 0
        if step == IMPORT and self.imported_count:
            return "Done", True
        return "", False

    def _go_next(self) -> None:
        step = self.stack.currentIndex()
        if step == CHOOSE:
            self._show_step(MATCH)
        elif step == MATCH:
            self.check_rows()
        elif step == CHECK:
            self.start_import()
        elif step == IMPORT and self.imported_count:
            self.done(QDialog.DialogCode.Accepted)

    def _go_back(self) -> None:
        step = self.stack.currentIndex()
        if self._checking or self._importing or step == CHOOSE:
            return
        if step == IMPORT:
            self._show_step(CHECK if self.plan is not None else MATCH)
        else:
            self._show_step(step - 1)

    def reject(self) -> None:
        """Close or Esc. During the import this cancels it first (nothing is imported)."""
        if self._importing:
            self._closed = True
            self.cancel_import()
            return
        self._closed = True
        super().reject()


# == small helpers ==================================================================


def _table_view(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _blank_rows_note(plan: ImportPlan) -> str:
    if not plan.blank_rows:
        return ""
    return f" {plural(len(plan.blank_rows), 'empty row')} will be skipped."


def _explain(exc: BaseException, failed: str) -> str:
    """A message for the care manager; an unexpected error is named only by its kind."""
    if isinstance(exc, CareNavError):
        return str(exc)
    return (
        f"{failed} ({type(exc).__name__}). Try again; if it happens again, contact your "
        "agency's support."
    )

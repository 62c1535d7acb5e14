"""File > Settings: the automatic lock delay (HIPAA automatic logoff), the agency's
folders of instruments and care-plan templates, and the agency's holiday list (the days
the transitional-care clocks skip; see carenav/services/holidays.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carenav.config import IDLE_LOCK_MAX_MINUTES, Settings
from carenav.services.catalogue import load_catalogue, load_template_catalogue
from carenav.services.holidays import holiday_file_status
from carenav.ui.widgets.layout import paragraph

NO_FOLDER = "No agency folder: the standard instruments only."
NO_TEMPLATE_FOLDER = "No agency folder: the standard care-plan templates only."


def folder_status(folder: str) -> tuple[str, bool]:
    """What the instruments folder gives (or why it cannot be used); True if a problem."""
    if not folder.strip():
        return NO_FOLDER, False
    catalogue = load_catalogue(folder.strip())
    if catalogue.problem:
        return catalogue.problem, True
    return _adds([i.title for i in catalogue.from_agency()], "instrument")


def template_folder_status(folder: str) -> tuple[str, bool]:
    """What the templates folder gives (or why it cannot be used); True if a problem."""
    if not folder.strip():
        return NO_TEMPLATE_FOLDER, False
    catalogue = load_template_catalogue(folder.strip())
    if catalogue.problem:
        return catalogue.problem, True
    return _adds([t.title for t in catalogue.from_agency()], "template")


def _adds(titles: list[str], noun: str) -> tuple[str, bool]:
    if not titles:
        return f"The folder holds no {noun} files (*.json) yet.", False
    return "Adds: " + "; ".join(titles), False


class FolderSetting(QWidget):
    """A folder path with Choose…, and a line saying what the folder gives, checked as typed.

    ``file_filter`` makes it a file setting: Choose… then picks a file of that kind."""

    def __init__(
        self,
        path: str,
        name: str,
        status: Callable[[str], tuple[str, bool]],
        *,
        file_filter: str = "",
    ) -> None:
        super().__init__()
        self._status = status
        self._file_filter = file_filter
        self.edit = QLineEdit(path)
        self.edit.setAccessibleName(name)
        self.edit.setPlaceholderText("none")
        self.edit.textChanged.connect(self.refresh)
        browse = QPushButton("Choose…")
        browse.clicked.connect(lambda: self._choose(name))
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.status)
        self.refresh()

    def text(self) -> str:
        return self.edit.text().strip()

    def _choose(self, title: str) -> None:
        if self._file_filter:
            chosen, _ = QFileDialog.getOpenFileName(
                self, title, self.edit.text(), self._file_filter
            )
        else:
            chosen = QFileDialog.getExistingDirectory(self, title, self.edit.text())
        if chosen:
            self.edit.setText(chosen)

    def refresh(self) -> None:
        text, problem = self._status(self.edit.text())
        self.status.setObjectName("errorText" if problem else "fieldHint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(680)  # room for the folder and file lines without clipping
        self.settings = settings
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "CareNav locks itself when nobody has used it for a while, so a laptop left "
                f"open never shows patient records. Choose 1 to {IDLE_LOCK_MAX_MINUTES} "
                "minutes. It also locks when the screen locks or the laptop goes to sleep."
            )
        )
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, IDLE_LOCK_MAX_MINUTES)
        self.idle_minutes.setSuffix(" minutes")
        self.idle_minutes.setValue(min(max(settings.idle_lock_minutes, 1), IDLE_LOCK_MAX_MINUTES))
        self.idle_minutes.setAccessibleName("Lock after this many idle minutes")
        form = QFormLayout()
        form.addRow("Lock when idle for", self.idle_minutes)
        layout.addLayout(form)

        layout.addSpacing(8)
        layout.addWidget(
            paragraph(
                "Your agency can add its own assessment forms and care-plan templates: put "
                "their files (*.json) in a folder and choose it here. Licensed instruments "
                "your agency holds a licence for are added this way."
            )
        )
        self.instruments = FolderSetting(
            settings.instruments_folder, "Agency instruments folder", folder_status
        )
        self.templates = FolderSetting(
            settings.templates_folder, "Agency care-plan templates folder", template_folder_status
        )
        folders = QFormLayout()
        folders.addRow("Agency instruments folder", self.instruments)
        folders.addRow("Agency care-plan templates", self.templates)
        layout.addLayout(folders)
        # kept for callers and tests that read the instruments folder directly
        self.instruments_folder = self.instruments.edit
        self.folder_status = self.instruments.status

        layout.addSpacing(8)
        layout.addWidget(
            paragraph(
                "Transitional-care deadlines count business days, skipping weekends and "
                "the US federal holidays. If your agency closes on other days, choose a text "
                "file listing them, one a line: 2026-11-27 Day after Thanksgiving. It replaces "
                "the federal list for the years it covers."
            )
        )
        self.holidays = FolderSetting(
            settings.holidays_file,
            "Holiday list file",
            holiday_file_status,
            file_filter="Text files (*.txt *.csv);;All files (*)",
        )
        holidays = QFormLayout()
        holidays.addRow("Holiday list file", self.holidays)
        layout.addLayout(holidays)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        self.settings.idle_lock_minutes = self.idle_minutes.value()
        self.settings.instruments_folder = self.instruments.text()
        self.settings.templates_folder = self.templates.text()
        self.settings.holidays_file = self.holidays.text()
        self.settings.save()
        self.accept()

"""File > Settings: the automatic lock delay (HIPAA automatic logoff) and the agency's
instruments folder."""

from __future__ import annotations

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
from carenav.services.catalogue import load_catalogue
from carenav.ui.widgets.layout import paragraph

NO_FOLDER = "No agency folder: the standard instruments only."


def folder_status(folder: str) -> tuple[str, bool]:
    """What the folder gives (or why it cannot be used) and whether that is a problem."""
    if not folder.strip():
        return NO_FOLDER, False
    catalogue = load_catalogue(folder.strip())
    if catalogue.problem:
        return catalogue.problem, True
    titles = [i.title for i in catalogue.from_agency()]
    if not titles:
        return "The folder holds no instrument files (*.json) yet.", False
    return "Adds: " + "; ".join(titles), False


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
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
                "Your agency can add its own assessment forms: put their definition files "
                "(*.json) in a folder and choose it here. Licensed instruments your agency "
                "holds a licence for are added this way."
            )
        )
        self.instruments_folder = QLineEdit(settings.instruments_folder)
        self.instruments_folder.setAccessibleName("Agency instruments folder")
        self.instruments_folder.setPlaceholderText("none")
        self.instruments_folder.textChanged.connect(self._show_folder_status)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.instruments_folder, 1)
        row.addWidget(browse)
        form2 = QFormLayout()
        form2.addRow("Agency instruments folder", row)
        layout.addLayout(form2)
        self.folder_status = QLabel()
        self.folder_status.setTextFormat(Qt.TextFormat.PlainText)
        self.folder_status.setWordWrap(True)
        layout.addWidget(self.folder_status)
        self._show_folder_status()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Agency instruments folder", self.instruments_folder.text()
        )
        if chosen:
            self.instruments_folder.setText(chosen)

    def _show_folder_status(self) -> None:
        text, problem = folder_status(self.instruments_folder.text())
        self.folder_status.setObjectName("errorText" if problem else "fieldHint")
        self.folder_status.style().unpolish(self.folder_status)
        self.folder_status.style().polish(self.folder_status)
        self.folder_status.setText(text)

    def _save(self) -> None:
        self.settings.idle_lock_minutes = self.idle_minutes.value()
        self.settings.instruments_folder = self.instruments_folder.text().strip()
        self.settings.save()
        self.accept()

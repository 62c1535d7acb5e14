"""File > Settings: the automatic lock delay (HIPAA automatic logoff)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carenav.config import IDLE_LOCK_MAX_MINUTES, Settings
from carenav.ui.widgets.layout import paragraph


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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        self.settings.idle_lock_minutes = self.idle_minutes.value()
        self.settings.save()
        self.accept()

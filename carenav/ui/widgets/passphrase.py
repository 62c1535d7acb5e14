"""A new-passphrase pair (enter twice) with live strength feedback."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from carenav.store.passphrase import MIN_LENGTH, check_passphrase


class NewPassphraseFields(QWidget):
    """Emits ``validity_changed(bool)`` when the pair becomes (un)acceptable."""

    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName("New passphrase")
        self.first.setPlaceholderText(f"At least {MIN_LENGTH} characters; spaces are fine")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName("Repeat the passphrase")
        self.show_text = QCheckBox("Show passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(10)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setObjectName("fieldHint")

        form = QFormLayout()
        form.addRow("New passphrase", self.first)
        form.addRow("Repeat it", self.second)
        form.addRow("", self.show_text)
        form.addRow("Strength", self.meter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.feedback)

        self._valid = False
        self.first.textChanged.connect(self._on_changed)
        self.second.textChanged.connect(self._on_changed)
        self.show_text.toggled.connect(self._on_show_toggled)
        self._on_changed()

    def passphrase(self) -> str:
        return self.first.text()

    def is_valid(self) -> bool:
        return self._valid

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def _on_changed(self) -> None:
        text = self.first.text()
        if not text:
            self.meter.setValue(0)
            self.feedback.setText(
                "Choose a passphrase of a few unrelated words that only you know. "
                "No special characters are required."
            )
            self._set_valid(False)
            return
        verdict = check_passphrase(text)
        self.meter.setValue(verdict.strength if verdict.acceptable else 0)
        if not verdict.acceptable:
            self.feedback.setText(verdict.problem)
            self._set_valid(False)
        elif self.second.text() != text:
            self.feedback.setText(
                f"{verdict.strength_label}. Now type the same passphrase again in 'Repeat it'."
            )
            self._set_valid(False)
        else:
            self.feedback.setText(f"{verdict.strength_label}. The two entries match.")
            self._set_valid(True)

    def _set_valid(self, valid: bool) -> None:
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

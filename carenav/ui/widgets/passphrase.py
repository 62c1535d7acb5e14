"""A new-passphrase pair (enter twice) with live strength feedback."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, WrongPassphrase
from carenav.store.passphrase import MIN_LENGTH, check_passphrase
from carenav.ui.tasks import run_in_background


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


class NewPassphraseDialog(QDialog):
    """A secret the user already has (passphrase or recovery code) plus a new passphrase.

    Subclasses say what the secret is, what to run with it (off the GUI thread)
    and what to do on success.
    """

    wrong_secret_text = "That did not match. Nothing was changed."

    def __init__(
        self,
        *,
        title: str,
        intro: str,
        secret_label: str,
        ok_text: str,
        hide_secret: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        layout.addWidget(intro_label)
        self.secret = QLineEdit()
        self.secret.setAccessibleName(secret_label)
        if hide_secret:
            self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(secret_label, self.secret)
        layout.addLayout(form)
        self.fields = NewPassphraseFields()
        layout.addWidget(self.fields)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.fields.validity_changed.connect(self._update_ok)
        self.secret.textChanged.connect(self._update_ok)
        self.resize(580, self.sizeHint().height())

    # -- for subclasses -------------------------------------------------------

    def secret_ready(self, text: str) -> bool:
        return bool(text)

    def work(self, secret: str, new_passphrase: str) -> Any:
        raise NotImplementedError

    def succeeded(self, result: Any) -> None:
        """Called on the GUI thread after ``work`` returned."""

    # -- flow -----------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _update_ok(self, *_args: object) -> None:
        self.ok_button.setEnabled(self.fields.is_valid() and self.secret_ready(self.secret.text()))

    def _submit(self) -> None:
        secret, new = self.secret.text(), self.fields.passphrase()
        if secret == new:
            self.show_message("The new passphrase must differ from what you typed above.")
            return
        self.ok_button.setEnabled(False)
        self.setCursor(Qt.CursorShape.WaitCursor)
        run_in_background(lambda: self.work(secret, new), self._on_done, self._on_failed)

    def _on_done(self, result: Any) -> None:
        self.unsetCursor()
        self.secret.clear()
        self.fields.clear()
        self.succeeded(result)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.unsetCursor()
        self._update_ok()
        if isinstance(exc, WrongPassphrase):
            text = self.wrong_secret_text
            self.secret.selectAll()
            self.secret.setFocus()
        elif isinstance(exc, CareNavError):
            text = str(exc)
        else:
            text = "This could not be done because of an unexpected error. Nothing was changed."
        self.show_message(text)

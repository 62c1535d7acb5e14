"""File > Change passphrase: re-wraps the vault key; the database is not rewritten."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, WrongPassphrase
from carenav.store.vault import Vault
from carenav.ui.tasks import run_in_background
from carenav.ui.widgets.layout import message_label, paragraph, show_message
from carenav.ui.widgets.passphrase import NewPassphraseFields


class ChangePassphraseDialog(QDialog):
    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change passphrase")
        self.vault = vault
        self.changed = False
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "Type your current passphrase, then the new one twice. Your recovery code "
                "keeps working. Nothing in the caseload changes."
            )
        )
        self.current = QLineEdit()
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setAccessibleName("Current passphrase")
        form = QFormLayout()
        form.addRow("Current passphrase", self.current)
        layout.addLayout(form)
        self.fields = NewPassphraseFields()
        layout.addWidget(self.fields)
        self.message = message_label()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Change passphrase")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.fields.validity_changed.connect(self._update_ok)
        self.current.textChanged.connect(self._update_ok)
        self.resize(560, self.sizeHint().height())

    def _update_ok(self, *_args: object) -> None:
        self.ok_button.setEnabled(self.fields.is_valid() and bool(self.current.text()))

    def _submit(self) -> None:
        old, new = self.current.text(), self.fields.passphrase()
        if old == new:
            show_message(self.message, "The new passphrase is the same as the current one.")
            return
        self.ok_button.setEnabled(False)
        self.setCursor(Qt.CursorShape.WaitCursor)
        run_in_background(
            lambda: self.vault.change_passphrase(old, new), self._on_done, self._on_failed
        )

    def _on_done(self, _result: object) -> None:
        self.unsetCursor()
        self.changed = True
        self.current.clear()
        self.fields.clear()
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.unsetCursor()
        self._update_ok()
        if isinstance(exc, WrongPassphrase):
            text = "The current passphrase is not right. Nothing was changed."
            self.current.selectAll()
            self.current.setFocus()
        elif isinstance(exc, CareNavError):
            text = str(exc)
        else:
            text = "The passphrase could not be changed because of an unexpected error."
        show_message(self.message, text)

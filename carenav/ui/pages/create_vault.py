"""First run: create an encrypted vault, then show the recovery code once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.store.vault import Vault
from carenav.ui.tasks import run_in_background
from carenav.ui.widgets.layout import centred_card, heading, message_label, paragraph, show_message
from carenav.ui.widgets.passphrase import NewPassphraseFields


class CreateVaultPage(QWidget):
    """Emits ``created(vault, recovery_code)``."""

    created = Signal(object, str)
    open_existing_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault_path: Path | None = None
        card = centred_card(self, width=620)
        card.addWidget(heading("Welcome to CareNav"))
        card.addWidget(
            paragraph(
                "CareNav keeps your caseload in an encrypted vault on this laptop. "
                "Choose a passphrase to lock it. Nobody, including your agency, can open "
                "the vault without the passphrase or the recovery code you get next."
            )
        )
        where = QHBoxLayout()
        self.where = QLabel()
        self.where.setObjectName("fieldHint")
        self.where.setWordWrap(True)
        change = QPushButton("Change location…")
        change.clicked.connect(self._choose_location)
        where.addWidget(self.where, 1)
        where.addWidget(change)
        card.addLayout(where)
        self.fields = NewPassphraseFields()
        card.addWidget(self.fields)
        self.message = message_label()
        card.addWidget(self.message)
        self.create_button = QPushButton("Create encrypted vault")
        self.create_button.setObjectName("primary")
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self.create_vault)
        card.addWidget(self.create_button)
        existing = QPushButton("I already have a vault: open it…")
        existing.setFlat(True)
        existing.clicked.connect(self.open_existing_requested)
        card.addWidget(existing, alignment=Qt.AlignmentFlag.AlignRight)
        self.fields.validity_changed.connect(self.create_button.setEnabled)
        self.fields.second.returnPressed.connect(self.create_vault)
        self.busy = False

    def prepare(self, vault_path: Path) -> None:
        self.vault_path = vault_path
        self.where.setText(f"The vault will be saved as {vault_path}")
        self.fields.clear()
        show_message(self.message, "")
        self.fields.first.setFocus()

    def _choose_location(self) -> None:
        start = str(self.vault_path or Path.home())
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Where to keep the vault", start, "CareNav vault (*.cnv)"
        )
        if chosen:
            path = Path(chosen)
            if path.suffix != ".cnv":
                path = path.with_suffix(".cnv")
            self.prepare(path)

    def create_vault(self) -> None:
        if self.busy or not self.fields.is_valid() or self.vault_path is None:
            return
        path, passphrase = self.vault_path, self.fields.passphrase()
        self.busy = True
        self.create_button.setEnabled(False)
        self.create_button.setText("Creating the vault…")
        run_in_background(lambda: Vault.create(path, passphrase), self._on_created, self._on_failed)

    def _on_created(self, result: Any) -> None:
        self.busy = False
        self.create_button.setText("Create encrypted vault")
        vault, code = result
        self.fields.clear()
        self.created.emit(vault, code)

    def _on_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.create_button.setText("Create encrypted vault")
        self.create_button.setEnabled(self.fields.is_valid())
        text = (
            str(exc) if isinstance(exc, CareNavError) else f"The vault could not be created: {exc}"
        )
        show_message(self.message, text)


class RecoveryCodePage(QWidget):
    """Shows the recovery code once; continues only after the user confirms it is stored."""

    confirmed = Signal()
    printed = Signal()  # the window records the print in the audit trail

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = centred_card(self, width=640)
        card.addWidget(heading("Your recovery code"))
        card.addWidget(
            paragraph(
                "If you ever forget your passphrase, this code is the only way back into "
                "your caseload. It is shown only this once. Print it or write it down now, "
                "and keep it somewhere safe away from this laptop, such as your agency's "
                "locked cabinet."
            )
        )
        self.code_label = QLabel()
        self.code_label.setObjectName("recoveryCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(mono.pointSizeF(), 10) * 1.6)
        mono.setWeight(QFont.Weight.DemiBold)
        self.code_label.setFont(mono)
        card.addWidget(self.code_label)
        print_button = QPushButton("Print this code…")
        print_button.clicked.connect(self._print)
        card.addWidget(print_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.stored = QCheckBox(
            "I have printed or written down this recovery code and will keep it safe."
        )
        card.addWidget(self.stored)
        self.continue_button = QPushButton("Continue to my caseload")
        self.continue_button.setObjectName("primary")
        self.continue_button.setEnabled(False)
        self.stored.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        card.addWidget(self.continue_button)

    def show_code(self, code: str) -> None:
        self.code_label.setText(code)
        self.stored.setChecked(False)

    def _finish(self) -> None:
        if not self.stored.isChecked():
            return
        self.code_label.clear()
        self.confirmed.emit()

    def _print(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        doc = QTextDocument()
        doc.setHtml(
            "<h2>CareNav vault recovery code</h2>"
            f"<p style='font-size:20pt; font-family:monospace'>{self.code_label.text()}</p>"
            "<p>Keep this page somewhere safe, away from the laptop.</p>"
        )
        doc.print_(printer)
        self.printed.emit()

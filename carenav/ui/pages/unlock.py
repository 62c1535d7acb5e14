"""The unlock screen, and the recovery-code dialog reached from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from carenav.errors import CareNavError, UnlockDelayed, VaultDamaged, WrongPassphrase
from carenav.store.vault import Vault
from carenav.ui.tasks import run_in_background
from carenav.ui.widgets.layout import centred_card, heading, message_label, paragraph, show_message
from carenav.ui.widgets.passphrase import NewPassphraseDialog


class UnlockPage(QWidget):
    """Asks for the passphrase; emits ``unlocked(vault)`` on success."""

    unlocked = Signal(object)
    damaged = Signal(object)  # the VaultDamaged error: the window offers a restore
    create_requested = Signal()
    open_other_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault_path: Path | None = None
        card = centred_card(self)
        card.addWidget(heading("Unlock your caseload"))
        self.where = paragraph("")
        self.where.setObjectName("fieldHint")
        card.addWidget(self.where)
        self.demo_hint = paragraph("")
        self.demo_hint.setObjectName("demoHint")
        self.demo_hint.setVisible(False)
        card.addWidget(self.demo_hint)

        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.returnPressed.connect(self.try_unlock)
        card.addWidget(self.passphrase)

        self.message = message_label()
        card.addWidget(self.message)

        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setObjectName("primary")
        self.unlock_button.clicked.connect(self.try_unlock)
        card.addWidget(self.unlock_button)

        links = QHBoxLayout()
        self.recovery_button = QPushButton("Forgot passphrase? Use recovery code…")
        self.recovery_button.setFlat(True)
        self.recovery_button.clicked.connect(self._open_recovery)
        self.other_button = QPushButton("Open another vault…")
        self.other_button.setFlat(True)
        self.other_button.clicked.connect(self.open_other_requested)
        links.addWidget(self.recovery_button)
        links.addStretch(1)
        links.addWidget(self.other_button)
        card.addLayout(links)

        self._retry_timer = QTimer(self)
        self._retry_timer.setInterval(1000)
        self._retry_timer.timeout.connect(self._tick)
        self._wait_left = 0
        self.busy = False

    def prepare(self, vault_path: Path, *, demo_passphrase: str = "") -> None:
        self.vault_path = vault_path
        self.where.setText(f"Vault: {vault_path}")
        self.passphrase.clear()
        show_message(self.message, "")
        if demo_passphrase:
            self.demo_hint.setText(
                "This is the practice vault with made-up patients. "
                f"Its passphrase is: {demo_passphrase}"
            )
            self.passphrase.setText(demo_passphrase)
        self.demo_hint.setVisible(bool(demo_passphrase))
        self._set_busy(False)
        self.passphrase.setFocus()

    def try_unlock(self) -> None:
        if self.busy or self.vault_path is None or self._wait_left > 0:
            return
        text = self.passphrase.text()
        if not text:
            show_message(self.message, "Type your passphrase, then press Enter.")
            return
        path = self.vault_path
        self._set_busy(True)
        show_message(self.message, "")
        run_in_background(lambda: Vault.unlock(path, text), self._on_unlocked, self._on_failed)

    def _on_unlocked(self, vault: Any) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        self.unlocked.emit(vault)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, WrongPassphrase | UnlockDelayed):
            self.passphrase.selectAll()
            wait = int(exc.retry_after + 0.999)
            if wait > 0:
                self._start_wait(wait, str(exc))
                return
        if isinstance(exc, VaultDamaged):
            show_message(self.message, str(exc))
            self.damaged.emit(exc)
            return
        if not isinstance(exc, CareNavError):
            exc = CareNavError("The vault could not be opened because of an unexpected error.")
        show_message(self.message, str(exc))

    def _start_wait(self, seconds: int, text: str) -> None:
        self._wait_left = seconds
        self._wait_text = text.split(" You can try")[0].split(" Wait ")[0]
        self.unlock_button.setEnabled(False)
        self._tick_text()
        self._retry_timer.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._retry_timer.stop()
            self._wait_left = 0
            self.unlock_button.setEnabled(True)
            show_message(self.message, "You can try again now.")
            return
        self._tick_text()

    def _tick_text(self) -> None:
        show_message(
            self.message, f"{self._wait_text} You can try again in {self._wait_left} seconds."
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.unlock_button.setEnabled(not busy and self._wait_left == 0)
        self.unlock_button.setText("Unlocking…" if busy else "Unlock")
        self.passphrase.setEnabled(not busy)

    def _open_recovery(self) -> None:
        if self.vault_path is None:
            return
        dialog = RecoveryDialog(self.vault_path, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.vault is not None:
            self.unlocked.emit(dialog.vault)


class RecoveryDialog(NewPassphraseDialog):
    """Unlock with the recovery code and choose a new passphrase at once."""

    wrong_secret_text = "That recovery code did not unlock the vault. Check each group of five."

    def __init__(self, vault_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(
            title="Unlock with recovery code",
            intro="Type the recovery code you printed or wrote down when the vault was "
            "created, then choose a new passphrase. The old passphrase stops working.",
            secret_label="Recovery code",
            ok_text="Unlock and set passphrase",
            hide_secret=False,
            parent=parent,
        )
        self.vault_path = vault_path
        self.vault: Vault | None = None
        self.code = self.secret
        self.code.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")

    def secret_ready(self, text: str) -> bool:
        return len(text.strip()) >= 25

    def work(self, secret: str, new_passphrase: str) -> Any:
        return Vault.unlock_with_recovery_code(self.vault_path, secret, new_passphrase)

    def succeeded(self, result: Any) -> None:
        self.vault = result

"""File > Change passphrase: re-wraps the vault key; the database is not rewritten."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from carenav.store.vault import Vault
from carenav.ui.widgets.passphrase import NewPassphraseDialog


class ChangePassphraseDialog(NewPassphraseDialog):
    wrong_secret_text = "The current passphrase is not right. Nothing was changed."

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(
            title="Change passphrase",
            intro="Type your current passphrase, then the new one twice. Your recovery "
            "code keeps working. Nothing in the caseload changes.",
            secret_label="Current passphrase",
            ok_text="Change passphrase",
            hide_secret=True,
            parent=parent,
        )
        self.vault = vault
        self.changed = False
        self.current = self.secret

    def work(self, secret: str, new_passphrase: str) -> Any:
        self.vault.change_passphrase(secret, new_passphrase)

    def succeeded(self, result: Any) -> None:
        self.changed = True

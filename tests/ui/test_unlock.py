"""Unlock screen: back-off message, recovery-code dialog, damaged vault message."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from carenav.errors import WrongPassphrase
from carenav.store.vault import Vault, throttle_path_for
from carenav.ui.pages.unlock import RecoveryDialog, UnlockPage

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "seven lanterns over the harbour"


@pytest.fixture
def made(vault_path: Path) -> tuple[Path, str]:
    vault, code = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    return vault_path, code


def test_backoff_disables_unlock_and_counts_down(qtbot: Any, made: tuple[Path, str]) -> None:
    path, _ = made
    throttle_path_for(path).write_text(json.dumps({"failures": 8, "last_failure": time.time()}))
    page = UnlockPage()
    qtbot.addWidget(page)
    page.prepare(path)
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "try again in" in page.message.text(), timeout=5000)
    assert "Too many unsuccessful attempts" in page.message.text()
    assert not page.unlock_button.isEnabled()


def test_damaged_vault_is_explained_not_called_a_wrong_passphrase(
    qtbot: Any, made: tuple[Path, str]
) -> None:
    path, _ = made
    path.write_bytes(b"")
    page = UnlockPage()
    qtbot.addWidget(page)
    page.prepare(path)
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=5000)
    assert "damaged" in page.message.text()
    assert "passphrase did not unlock" not in page.message.text()
    assert path.stat().st_size == 0  # nothing created in its place


def test_recovery_dialog_sets_a_new_passphrase(qtbot: Any, made: tuple[Path, str]) -> None:
    path, code = made
    dialog = RecoveryDialog(path)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.code, "wrong-code-wrong-code-wrong-1")
    qtbot.keyClicks(dialog.fields.first, NEW_PASSPHRASE)
    qtbot.keyClicks(dialog.fields.second, NEW_PASSPHRASE)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not unlock" in dialog.message.text(), timeout=5000)
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, code.lower().replace("-", " "))
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.vault is not None
    dialog.vault.close()
    Vault.unlock(path, NEW_PASSPHRASE).close()


def test_change_passphrase_dialog(qtbot: Any, made: tuple[Path, str]) -> None:
    from carenav.ui.pages.change_passphrase import ChangePassphraseDialog

    path, code = made
    vault = Vault.unlock(path, PASSPHRASE)
    dialog = ChangePassphraseDialog(vault)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.current, "not my passphrase at all")
    qtbot.keyClicks(dialog.fields.first, NEW_PASSPHRASE)
    qtbot.keyClicks(dialog.fields.second, NEW_PASSPHRASE)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not right" in dialog.message.text(), timeout=5000)
    dialog.current.clear()
    qtbot.keyClicks(dialog.current, PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.changed
    vault.close()
    Vault.unlock(path, NEW_PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(path, PASSPHRASE)
    Vault.unlock_with_recovery_code(path, code, "yet another fine passphrase").close()

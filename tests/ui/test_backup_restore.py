"""Backup settings, restore and damaged-vault dialogs, driven with real widgets offscreen."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from carenav.config import Settings
from carenav.errors import VaultDamaged
from carenav.services.patients import create_patient, list_patients
from carenav.store.backup import backup_vault
from carenav.store.header import KdfParams
from carenav.store.vault import Vault
from carenav.ui.pages.backup_restore import (
    BackupSettingsDialog,
    DamagedVaultDialog,
    RestoreDialog,
)

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_patient(vault: Vault, family: str) -> None:
    create_patient(vault, {"family_name": family, "given_name": "Ana", "birth_date": "1950-01-02"})


def texts(dialog: QDialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


@pytest.fixture
def backed_up(vault_path: Path, usb: Path) -> tuple[Path, Path]:
    """A closed vault with 1 patient in its backup and 2 in the vault itself."""
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    add_patient(vault, "Backedup")
    info = backup_vault(vault, usb / "carenav-backup-2025-03-01")
    add_patient(vault, "Later")
    vault.close()
    return vault_path, info.path


def test_settings_dialog_backs_up_now_and_saves_the_folder(
    qtbot: QtBot, vault_path: Path, usb: Path
) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    add_patient(vault, "Okafor")
    settings = Settings()
    dialog = BackupSettingsDialog(settings, vault=vault)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.backup_now_button.isEnabled()  # no folder yet
    assert "choose a backup folder" in dialog.last_label.text()
    dialog.set_folder(str(usb))
    dialog.keep_days.setValue(10)
    assert dialog.backup_now_button.isEnabled()
    qtbot.mouseClick(dialog.backup_now_button, Qt.MouseButton.LeftButton)
    assert not dialog.buttons.isEnabled()  # busy: cannot close mid-backup
    qtbot.waitUntil(lambda: dialog.last_info is not None, timeout=10_000)
    assert dialog.buttons.isEnabled()
    assert dialog.last_info is not None and dialog.last_info.patients == 1
    assert [p.name for p in usb.iterdir()] == [dialog.last_info.path.name]
    assert "Backed up 1 patients" in dialog.last_label.text()
    dialog.accept()
    reloaded = Settings.load()
    assert reloaded.backup_folder == str(usb) and reloaded.backup_keep_days == 10
    vault.close()


def test_settings_dialog_reports_an_unplugged_folder(
    qtbot: QtBot, vault_path: Path, tmp_path: Path
) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    dialog = BackupSettingsDialog(Settings(backup_folder=str(tmp_path / "gone")), vault=vault)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "not available" in dialog.last_label.text()
    qtbot.mouseClick(dialog.backup_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert "plug the drive in" in dialog.message.text()
    vault.close()


def test_restore_dialog_checks_first_and_keeps_the_current_vault(
    qtbot: QtBot, backed_up: tuple[Path, Path]
) -> None:
    vault_path, backup = backed_up
    dialog = RestoreDialog(vault_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.cancel_button.isDefault() and not dialog.restore_button.isDefault()
    assert not dialog.restore_button.isEnabled()
    assert "before-restore" in texts(dialog)
    dialog.file.setText(str(backup))
    qtbot.keyClicks(dialog.secret, "a wrong passphrase here")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert "did not open this backup" in dialog.message.text()
    assert not dialog.restore_button.isEnabled()
    dialog.secret.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=10_000)
    assert "holds 1 patients" in dialog.summary.text()
    assert dialog.restore_button.isEnabled() and dialog.cancel_button.isDefault()
    before = sha(vault_path)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.result_info is not None and dialog.result_info.kept is not None
    assert sha(dialog.result_info.kept / vault_path.name) == before
    with Vault.unlock(vault_path, PASSPHRASE) as restored:
        assert [p.family_name for p in list_patients(restored)] == ["Backedup"]


def test_damaged_vault_dialog_defaults_to_quit_and_restores_after_quarantine(
    qtbot: QtBot, backed_up: tuple[Path, Path], usb: Path
) -> None:
    vault_path, _ = backed_up
    data = bytearray(vault_path.read_bytes())
    data[4096 * 2 + 10] ^= 0x01
    vault_path.write_bytes(bytes(data))
    with pytest.raises(VaultDamaged) as caught:
        Vault.unlock(vault_path, PASSPHRASE)
    damaged = sha(vault_path)
    dialog = DamagedVaultDialog(vault_path, caught.value.detail, str(usb))
    qtbot.addWidget(dialog)
    dialog.show()
    shown = texts(dialog)
    assert "Nothing has been deleted" in shown and caught.value.detail in shown
    assert dialog.quit_button.isDefault() and not dialog.restore_button.isDefault()
    assert all("delete" not in b.text().lower() for b in dialog.buttons.buttons())
    qtbot.keyClicks(dialog.secret, PASSPHRASE)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=10_000)
    assert "1 patients" in dialog.summary.text()
    assert dialog.quit_button.isDefault()
    assert sha(vault_path) == damaged  # finding a backup changes nothing
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.quarantined is not None
    assert sha(dialog.quarantined / vault_path.name) == damaged
    with Vault.unlock(vault_path, PASSPHRASE) as restored:
        assert [p.family_name for p in list_patients(restored)] == ["Backedup"]


def test_damaged_vault_dialog_without_a_backup_folder_changes_nothing(
    qtbot: QtBot, backed_up: tuple[Path, Path]
) -> None:
    vault_path, _ = backed_up
    before = sha(vault_path)
    dialog = DamagedVaultDialog(vault_path, "the database file is empty", "")
    qtbot.addWidget(dialog)
    dialog.show()
    assert "No backup folder is set" in dialog.where.text()
    qtbot.keyClicks(dialog.secret, PASSPHRASE)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert "Choose a backup file first" in dialog.message.text()
    with qtbot.waitSignal(dialog.rejected, timeout=2_000):
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert sha(vault_path) == before
    assert not [p for p in vault_path.parent.iterdir() if p.is_dir()]

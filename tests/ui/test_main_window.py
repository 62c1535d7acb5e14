"""The whole window: first run, recovery code, unlock, lock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.main_window import WINDOW_TITLE, MainWindow

PASSPHRASE = "correct horse battery staple"


def visible_texts(window: MainWindow) -> str:
    parts = [w.text() for w in window.findChildren(QLabel)]
    parts += [w.text() for w in window.findChildren(QLineEdit)]
    return "\n".join(parts)


@pytest.fixture
def window(qtbot: Any, vault_path: Path) -> MainWindow:
    win = MainWindow(vault_path)
    qtbot.addWidget(win)
    win.show()
    return win


def create_through_first_run(qtbot: Any, window: MainWindow) -> None:
    page = window.create_page
    assert window.stack.currentWidget() is page
    assert not page.create_button.isEnabled()
    qtbot.keyClicks(page.fields.first, "short")
    assert "at least 15 characters" in page.fields.feedback.text()
    page.fields.first.clear()
    qtbot.keyClicks(page.fields.first, PASSPHRASE)
    assert not page.create_button.isEnabled()  # not repeated yet
    qtbot.keyClicks(page.fields.second, PASSPHRASE)
    assert page.create_button.isEnabled()
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=10000)


def test_first_run_shows_recovery_code_then_caseload(
    qtbot: Any, window: MainWindow, vault_path: Path
) -> None:
    create_through_first_run(qtbot, window)
    page = window.recovery_page
    code = page.code_label.text()
    assert len(code) == 29 and code.count("-") == 4
    assert not page.continue_button.isEnabled()
    page.stored.setChecked(True)
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.caseload_page
    assert page.code_label.text() == ""  # shown once only
    assert vault_path.exists() and vault_path.with_name(vault_path.name + ".keys").exists()
    assert window.windowTitle() == WINDOW_TITLE
    # The recovery code really opens the vault.
    window.lock()
    vault = Vault.unlock_with_recovery_code(vault_path, code, "a brand new passphrase here")
    vault.close()


def test_unlock_wrong_then_right_passphrase_and_lock_clears_views(
    qtbot: Any, vault_path: Path
) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    create_patient(
        vault, {"family_name": "Zyskowski", "given_name": "Irena", "birth_date": "1939-04-05"}
    )
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    unlock = window.unlock_page
    assert window.stack.currentWidget() is unlock
    assert not window.new_patient_action.isEnabled()

    qtbot.keyClicks(unlock.passphrase, "this is not the passphrase")
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "did not unlock" in unlock.message.text(), timeout=10000)
    assert window.vault is None

    unlock.passphrase.clear()
    qtbot.keyClicks(unlock.passphrase, PASSPHRASE)
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.caseload_page, timeout=10000)
    model = window.caseload_page.model
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "Zyskowski, Irena"
    assert window.new_patient_action.isEnabled()

    window.open_patient(model.id_at(0))
    assert window.stack.currentWidget() is window.chart_page
    assert "Zyskowski" in visible_texts(window)
    assert "Zyskowski" not in window.windowTitle()

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.unlock_page
    assert window.vault is None
    assert model.rowCount() == 0
    assert "Zyskowski" not in visible_texts(window)
    assert unlock.passphrase.text() == ""


def test_new_patient_then_search_finds_it(qtbot: Any, vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    assert "No patients yet" in window.caseload_page.empty_hint.text()
    assert window.vault is not None
    create_patient(
        window.vault,
        {"family_name": "Haddad", "given_name": "Samir", "birth_date": "1952-11-30"},
    )
    window.caseload_page.refresh()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.caseload_page.search, "hadd")
    qtbot.waitUntil(lambda: window.caseload_page.model.rowCount() == 1, timeout=2000)
    qtbot.keyClick(window.caseload_page.search, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.chart_page


def unlock_window(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)


def test_damaged_vault_offers_a_restore_instead_of_a_wrong_passphrase(
    qtbot: Any, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from carenav.ui.pages import backup_restore

    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    data = bytearray(vault_path.read_bytes())
    data[len(data) // 2] ^= 0x04
    vault_path.write_bytes(bytes(data))
    offered: list[str] = []

    def fake_exec(dialog: Any) -> int:
        offered.append(dialog.windowTitle())
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(backup_restore.DamagedVaultDialog, "exec", fake_exec)
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: bool(offered), timeout=10000)
    assert "damaged" in window.unlock_page.message.text()
    assert window.vault is None
    assert vault_path.read_bytes() == bytes(data)  # nothing touched when the user declines


def test_a_second_window_on_the_same_vault_is_refused(
    qtbot: Any, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from carenav.store.instance_lock import InstanceLock

    Vault.create(vault_path, PASSPHRASE)[0].close()
    other = InstanceLock.acquire(vault_path)  # another CareNav holds the vault
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert "already open in another CareNav window" in told[0]
    assert window.vault is None
    assert window.stack.currentWidget() is window.unlock_page
    other.release()
    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    window.lock()


def test_lock_closes_open_menus(qtbot: Any, vault_path: Path) -> None:
    from PySide6.QtWidgets import QApplication, QMenu

    Vault.create(vault_path, PASSPHRASE)[0].close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    menu = QMenu(window)
    menu.addAction("Copy phone number")
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=2000)
    window.lock("idle")
    assert QApplication.activePopupWidget() is None
    assert window.stack.currentWidget() is window.unlock_page


def test_daily_backup_after_unlock_is_taken_and_audited(
    qtbot: Any, vault_path: Path, tmp_path: Path
) -> None:
    from carenav.config import Settings
    from carenav.services.audit import AuditFilter, events

    usb = tmp_path / "usb"
    usb.mkdir()
    settings = Settings.load()
    settings.backup_folder = str(usb)
    settings.save()
    Vault.create(vault_path, PASSPHRASE)[0].close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: len(list(usb.glob("carenav-backup-*.cnvbackup"))) == 1, timeout=15000)
    qtbot.waitUntil(lambda: "Last backup" in window.backup_label.text(), timeout=5000)
    assert window.vault is not None
    actions = [e.action for e in events(window.vault, AuditFilter())]
    assert "backup" in actions
    window.lock()


def test_idle_lock_with_an_open_record_dialog_keeps_what_was_typed(
    qtbot: Any, vault_path: Path
) -> None:
    from PySide6.QtWidgets import QDialog, QLineEdit

    from carenav.services.drafts import drafts_for

    vault, _ = Vault.create(vault_path, PASSPHRASE)
    patient_id = create_patient(
        vault, {"family_name": "Lindqvist", "given_name": "Astrid", "birth_date": "1944-08-01"}
    )
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    window.open_patient(patient_id)
    dialog = window.chart_page.sections["Medications"].add_record()
    name = dialog.editors["name"].widget
    assert isinstance(name, QLineEdit)
    qtbot.keyClicks(name, "Spironolactone")

    window.lock("idle")  # must not wait for an answer from anyone
    assert window.vault is None
    assert not any(d.isVisible() for d in window.findChildren(QDialog))

    unlock_window(qtbot, window)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    assert window.vault is not None
    drafts = drafts_for(window.vault, patient_id)
    assert any("Spironolactone" in str(d.payload) for d in drafts)
    window.lock()


def test_printing_the_recovery_code_is_audited(qtbot: Any, window: MainWindow) -> None:
    from carenav.services.audit import AuditFilter, events

    create_through_first_run(qtbot, window)
    window.recovery_page.printed.emit()  # what a finished print job signals
    assert window.vault is not None
    printed = [e for e in events(window.vault, AuditFilter()) if e.action == "print"]
    assert [e.detail for e in printed] == ["recovery code"]
    window.lock()

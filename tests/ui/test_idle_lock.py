"""Automatic logoff (idle, screen lock, suspend) and clipboard hygiene (security.md A-2..A-4, L3).

The window tests build a real MainWindow on a real vault, unlock it through the
unlock page, and wire the watcher and listener to ``window.lock`` the way the
main window does.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtDBus import QDBusConnection
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from carenav.config import IDLE_LOCK_DEFAULT_MINUTES
from carenav.services.patients import create_patient
from carenav.store.engine import DataKey
from carenav.store.vault import Vault
from carenav.ui.clipboard import CONCEAL_MIME_TYPE, SecureClipboard
from carenav.ui.idle import InactivityWatcher, clamp_minutes
from carenav.ui.main_window import MainWindow
from carenav.ui.screen_lock import ScreenLockListener

PASSPHRASE = "correct horse battery staple"
FAMILY_NAME = "Wrzesniewski"
PHONE = "555-010-4242"


# -- helpers and fixtures ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locking must never stop to ask: any question fails the test."""

    def unexpected(box: QMessageBox) -> int:
        raise AssertionError(f"unexpected message box: {box.text()}")

    monkeypatch.setattr(QMessageBox, "exec", unexpected)


@pytest.fixture
def seeded(vault_path: Path) -> uuid.UUID:
    vault, _code = Vault.create(vault_path, PASSPHRASE)
    try:
        return create_patient(
            vault,
            {
                "family_name": FAMILY_NAME,
                "given_name": "Halina",
                "birth_date": "1941-06-07",
                "phone_mobile": PHONE,
            },
        )
    finally:
        vault.close()


@pytest.fixture
def window(qtbot: Any, vault_path: Path, seeded: uuid.UUID) -> MainWindow:
    win = MainWindow(vault_path)
    qtbot.addWidget(win)
    win.show()
    qtbot.keyClicks(win.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(win.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.caseload_page, timeout=10000)
    assert win.caseload_page.model.rowCount() == 1
    return win


@pytest.fixture
def watcher(qtbot: Any) -> Iterator[InactivityWatcher]:
    idle = InactivityWatcher()
    yield idle
    idle.stop()
    idle.deleteLater()


def live_connections_to(db_path: Path) -> int:
    """sqlcipher3 connections still open on this vault file (security.md A-4)."""
    gc.collect()
    # Connections are not tracked by the collector themselves: find them among the
    # objects that refer to them (pools, sessions, wrappers).
    found = {
        id(referent): referent
        for holder in gc.get_objects()
        for referent in (holder, *gc.get_referents(holder))
        if isinstance(referent, sqlcipher3.dbapi2.Connection)
    }
    count = 0
    for connection in found.values():
        try:
            files = [row[2] for row in connection.execute("PRAGMA database_list").fetchall()]
        except sqlcipher3.dbapi2.Error:
            continue  # closed: not live
        if str(db_path) in files:
            count += 1
    return count


def assert_locked(window: MainWindow, key: DataKey, vault_path: Path) -> None:
    assert window.vault is None
    assert window.stack.currentWidget() is window.unlock_page
    assert window.caseload_page.model.rowCount() == 0
    assert key.wiped
    assert live_connections_to(vault_path) == 0
    shown = [w.text() for w in window.findChildren(QLabel) + window.findChildren(QLineEdit)]
    assert not [text for text in shown if FAMILY_NAME in text]


# -- idle lock (A-2, A-4) ----------------------------------------------------------


def test_idle_window_locks_closes_every_connection_and_wipes_the_key(
    qtbot: Any, window: MainWindow, watcher: InactivityWatcher, vault_path: Path
) -> None:
    assert window.vault is not None
    key = window.vault.data_key
    assert not key.wiped
    assert live_connections_to(vault_path) >= 1  # so the check after the lock can fail
    watcher.idle.connect(window.lock)
    watcher.set_timeout_ms(200)
    watcher.start()

    qtbot.waitUntil(lambda: window.vault is None, timeout=5000)

    assert_locked(window, key, vault_path)
    assert watcher.is_paused and not watcher.is_counting


def test_key_presses_every_100_ms_keep_the_window_unlocked(
    qtbot: Any, window: MainWindow, watcher: InactivityWatcher, vault_path: Path
) -> None:
    assert window.vault is not None
    key = window.vault.data_key
    watcher.idle.connect(window.lock)
    watcher.set_timeout_ms(600)  # 6x the typing interval: robust on a busy CI machine
    watcher.start()
    target = window.caseload_page.table
    for _ in range(15):
        qtbot.keyClick(target, Qt.Key.Key_Shift)
        qtbot.wait(100)
    assert window.vault is not None
    assert window.caseload_page.model.rowCount() == 1
    assert not key.wiped

    qtbot.waitUntil(lambda: window.vault is None, timeout=5000)  # typing stopped: it locks
    assert_locked(window, key, vault_path)


def test_mouse_moves_count_as_activity(qtbot: Any, window: MainWindow) -> None:
    watcher = InactivityWatcher(parent=window)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.set_timeout_ms(600)
    watcher.start()
    target = window.caseload_page.table.viewport()
    for step in range(12):
        point = QPointF(10 + step, 10)
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            point,
            target.mapToGlobal(point),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(target, move)
        qtbot.wait(100)
    assert fired == []
    qtbot.waitUntil(lambda: fired == [True], timeout=3000)
    watcher.stop()


def test_idle_is_emitted_once_per_idle_period_and_not_while_paused(
    qtbot: Any, watcher: InactivityWatcher
) -> None:
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.set_timeout_ms(50)
    watcher.start()
    qtbot.wait(300)
    assert fired == [True]  # once, not every 50 ms
    assert watcher.is_paused

    watcher.resume()
    watcher.pause()
    qtbot.wait(150)
    assert fired == [True]

    watcher.resume()
    qtbot.waitUntil(lambda: fired == [True, True], timeout=1000)


def test_timeout_minutes_default_to_5_and_are_kept_within_1_to_15(
    watcher: InactivityWatcher,
) -> None:
    assert IDLE_LOCK_DEFAULT_MINUTES == 5
    assert watcher.timeout_ms == 5 * 60_000
    for asked, kept in ((0, 1), (-3, 1), (1, 1), (7, 7), (15, 15), (16, 15), (600, 15)):
        watcher.set_timeout_minutes(asked)
        assert watcher.timeout_ms == kept * 60_000
        assert clamp_minutes(asked) == kept


def test_a_new_timeout_restarts_the_count(qtbot: Any, watcher: InactivityWatcher) -> None:
    watcher.start()
    slack = 1.05  # Qt's coarse timers may report up to 5% more than the interval
    assert 0 < watcher.remaining_ms() <= 5 * 60_000 * slack
    watcher.set_timeout_ms(10_000)
    assert 9_000 < watcher.remaining_ms() <= 10_000 * slack
    watcher.pause()
    assert watcher.remaining_ms() == -1


# -- screen lock and suspend (A-3, F17) --------------------------------------------


def test_screen_lock_and_suspend_handlers_lock_the_window_at_once(
    qtbot: Any, window: MainWindow, vault_path: Path
) -> None:
    listener = ScreenLockListener(parent=window)
    reasons: list[str] = []
    listener.locked.connect(reasons.append)
    listener.locked.connect(lambda _reason: window.lock())
    assert window.vault is not None
    key = window.vault.data_key

    listener.on_screensaver_active(False)  # the screen saver stopping locks nothing
    listener.on_prepare_for_sleep(False)  # nor does waking up
    assert reasons == [] and window.vault is not None

    listener.on_screensaver_active(True)
    assert reasons == ["screen"]
    assert_locked(window, key, vault_path)

    listener.on_prepare_for_sleep(True)
    assert reasons == ["screen", "suspend"]


def test_without_a_bus_the_listener_is_unavailable_and_silent(
    qtbot: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    nowhere = QDBusConnection.connectToBus("unix:path=/nonexistent/carenav-bus", "carenav-none")
    try:
        listener = ScreenLockListener(session_bus=nowhere, system_bus=nowhere)
        assert listener.available is False
        assert not listener.session_connected and not listener.system_connected
    finally:
        QDBusConnection.disconnectFromBus("carenav-none")
    default = ScreenLockListener()  # the desktop's own buses, or none here
    assert isinstance(default.available, bool)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.fixture
def private_bus() -> Iterator[str]:
    """A dbus-daemon of our own (skipped where D-Bus is not installed)."""
    if not sys.platform.startswith("linux") or shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        if not address:
            pytest.skip("dbus-daemon did not start")
        yield address
    finally:
        daemon.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.wait(timeout=5)


def send_signal(address: str, path: str, member: str, value: bool) -> None:
    argument = "boolean:true" if value else "boolean:false"
    subprocess.run(
        ["dbus-send", f"--bus={address}", "--type=signal", path, member, argument],
        check=True,
        timeout=10,
    )


def test_real_dbus_signals_from_the_screen_saver_and_logind_are_heard(
    qtbot: Any, private_bus: str
) -> None:
    if shutil.which("dbus-send") is None:
        pytest.skip("dbus-send is not installed")
    name = f"carenav-test-{uuid.uuid4().hex}"
    bus = QDBusConnection.connectToBus(private_bus, name)
    try:
        assert bus.isConnected()
        listener = ScreenLockListener(session_bus=bus, system_bus=bus)
        assert listener.available
        reasons: list[str] = []
        listener.locked.connect(reasons.append)
        saver = "org.freedesktop.ScreenSaver"
        send_signal(private_bus, "/org/freedesktop/ScreenSaver", f"{saver}.ActiveChanged", False)
        send_signal(
            private_bus, "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", True
        )
        qtbot.waitUntil(lambda: reasons == ["screen"], timeout=3000)
        manager = "org.freedesktop.login1.Manager"
        send_signal(private_bus, "/org/freedesktop/login1", f"{manager}.PrepareForSleep", True)
        qtbot.waitUntil(lambda: reasons == ["screen", "suspend"], timeout=3000)
        listener.deleteLater()
    finally:
        QDBusConnection.disconnectFromBus(name)


# -- clipboard (L3) ----------------------------------------------------------------


@pytest.fixture
def clipboard(qtbot: Any) -> Iterator[SecureClipboard]:
    secure = SecureClipboard(clear_after_ms=200)
    yield secure
    secure.clear_if_ours()
    QGuiApplication.clipboard().clear()
    secure.deleteLater()


def test_copied_text_is_marked_secret_and_cleared_after_the_timeout(
    qtbot: Any, clipboard: SecureClipboard
) -> None:
    clipboard.copy(PHONE)
    system = QGuiApplication.clipboard()
    mime = system.mimeData()
    assert mime.text() == PHONE
    assert bytes(mime.data(CONCEAL_MIME_TYPE).data()) == b"secret"
    assert clipboard.holds_ours
    qtbot.waitUntil(lambda: system.text() == "", timeout=1000)
    assert not clipboard.holds_ours


def test_something_the_user_copied_since_is_never_cleared(
    qtbot: Any, clipboard: SecureClipboard
) -> None:
    clipboard.copy(PHONE)
    system = QGuiApplication.clipboard()
    system.setText("the user's own shopping list")
    qtbot.wait(350)
    assert system.text() == "the user's own shopping list"
    assert clipboard.clear_if_ours() is False
    assert system.text() == "the user's own shopping list"


def test_clear_if_ours_empties_the_clipboard_on_lock(clipboard: SecureClipboard) -> None:
    clipboard.copy(PHONE)
    assert clipboard.clear_if_ours() is True
    assert QGuiApplication.clipboard().text() == ""
    assert clipboard.clear_if_ours() is False  # nothing of ours left


def test_default_clear_time_is_30_seconds(qtbot: Any) -> None:
    secure = SecureClipboard()
    assert secure.clear_after_ms == 30_000
    secure.deleteLater()


def test_copy_phone_number_from_the_chart_and_lock_clears_it(
    qtbot: Any, window: MainWindow, seeded: uuid.UUID
) -> None:
    window.open_patient(seeded)
    chart = window.chart_page
    assert chart.copy_phone_action.isEnabled()
    chart.copy_phone_action.trigger()
    system = QGuiApplication.clipboard()
    assert system.text() == PHONE
    assert CONCEAL_MIME_TYPE in system.mimeData().formats()
    assert "cleared from the clipboard in 30 seconds" in chart.save_message.text()

    assert chart.clipboard.clear_if_ours()  # what the main window's lock does
    window.lock()
    assert system.text() == ""
    assert not chart.copy_phone_action.isEnabled()


def test_settings_dialog_changes_the_idle_delay_within_the_hipaa_limit(
    qtbot: Any, tmp_path: Path
) -> None:
    from carenav.config import Settings
    from carenav.ui.pages.preferences import PreferencesDialog

    settings = Settings()
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.idle_minutes.value() == 5
    dialog.idle_minutes.setValue(40)  # more than allowed: held at the limit
    assert dialog.idle_minutes.value() == 15
    dialog.idle_minutes.setValue(10)
    dialog._save()
    assert Settings.load().idle_lock_minutes == 10

"""Lock CareNav when the desktop locks the screen or the laptop goes to sleep.

Like KeePassXC's ScreenLockListenerDBus: on Linux the desktop announces both on
D-Bus. The screen saver sends ``ActiveChanged(bool)`` on the session bus
(org.freedesktop.ScreenSaver, org.gnome.ScreenSaver, org.xfce.ScreenSaver) and
logind sends ``PrepareForSleep(bool)`` on the system bus. Where there is no bus
(another platform, a minimal session) ``available`` is False and nothing
happens: no exception and no log noise.

Signals are accepted from any sender on the bus: the only thing one can make
CareNav do is lock, which is always safe.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

SCREEN_SAVER_INTERFACES = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("/org/xfce/ScreenSaver", "org.xfce.ScreenSaver"),
)
LOGIN1_PATH = "/org/freedesktop/login1"
LOGIN1_INTERFACE = "org.freedesktop.login1.Manager"

REASON_SCREEN = "screen"
REASON_SUSPEND = "suspend"


def _slot(signature: str) -> Any:
    """Qt's SLOT() text for a slot of this object (PySide wants text; its stubs say bytes)."""
    return "1" + signature


class ScreenLockListener(QObject):
    """Emits ``locked(reason)`` with "screen" or "suspend"."""

    locked = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        session_bus: object | None = None,
        system_bus: object | None = None,
    ) -> None:
        """Listen on the desktop's buses (or on the given QDBusConnections, for tests)."""
        super().__init__(parent)
        self.session_connected = False
        self.system_connected = False
        if sys.platform.startswith("linux"):
            self._connect(session_bus, system_bus)

    @property
    def available(self) -> bool:
        """True when at least one of the desktop's buses is being listened to."""
        return self.session_connected or self.system_connected

    def _connect(self, session_bus: object | None, system_bus: object | None) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a Qt build without D-Bus
            return
        session = session_bus if session_bus is not None else QDBusConnection.sessionBus()
        system = system_bus if system_bus is not None else QDBusConnection.systemBus()
        assert isinstance(session, QDBusConnection) and isinstance(system, QDBusConnection)
        if session.isConnected():
            self.session_connected = all(
                session.connect(
                    "", path, interface, "ActiveChanged", self, _slot("on_screensaver_active(bool)")
                )
                for path, interface in SCREEN_SAVER_INTERFACES
            )
        if system.isConnected():
            self.system_connected = system.connect(
                "",
                LOGIN1_PATH,
                LOGIN1_INTERFACE,
                "PrepareForSleep",
                self,
                _slot("on_prepare_for_sleep(bool)"),
            )

    @Slot(bool)
    def on_screensaver_active(self, active: bool) -> None:
        """The screen saver started (True) or stopped (False)."""
        if active:
            self.locked.emit(REASON_SCREEN)

    @Slot(bool)
    def on_prepare_for_sleep(self, starting: bool) -> None:
        """The laptop is about to sleep (True) or has woken up (False)."""
        if starting:
            self.locked.emit(REASON_SUSPEND)

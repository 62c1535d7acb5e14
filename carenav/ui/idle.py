"""Automatic logoff: notice when nobody has touched CareNav for a while.

Like KeePassXC's InactivityTimer: an application-wide event filter sees every
key press, mouse click or move, wheel turn and hover, and re-arms a single-shot
timer. When the timer runs out, ``idle`` is emitted once; the main window
locks. QTimer counts on a monotonic clock, so changing the wall clock (or a
time-zone jump) neither triggers nor delays the lock.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from carenav.config import IDLE_LOCK_DEFAULT_MINUTES, IDLE_LOCK_MAX_MINUTES

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.HoverEnter,
        QEvent.Type.HoverLeave,
        QEvent.Type.HoverMove,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)
MINUTE_MS = 60_000


def clamp_minutes(minutes: int) -> int:
    """Idle minutes kept within 1..15 (HIPAA automatic logoff: never longer)."""
    return min(max(int(minutes), 1), IDLE_LOCK_MAX_MINUTES)


class InactivityWatcher(QObject):
    """Emits ``idle`` once per idle period; any user input starts the period again."""

    idle = Signal()

    def __init__(
        self, minutes: int = IDLE_LOCK_DEFAULT_MINUTES, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._timer.setInterval(clamp_minutes(minutes) * MINUTE_MS)
        self._paused = True
        self._installed = False

    # -- settings -----------------------------------------------------------

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(clamp_minutes(minutes) * MINUTE_MS)

    def set_timeout_ms(self, milliseconds: int) -> None:
        """Exact timeout (tests use milliseconds); restarts the count if running."""
        self._timer.setInterval(max(int(milliseconds), 1))
        if not self._paused:
            self._timer.start()

    # -- life cycle -----------------------------------------------------------

    def start(self) -> None:
        """Install the application-wide event filter and start counting."""
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.resume()

    def stop(self) -> None:
        """Stop counting and remove the event filter (before the watcher is thrown away)."""
        self.pause()
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def pause(self) -> None:
        """Stop counting (while the vault is locked nothing needs locking)."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        """Count again from zero (after unlocking)."""
        self._paused = False
        self._timer.start()

    @property
    def is_paused(self) -> bool:
        return self._paused

    @property
    def is_counting(self) -> bool:
        return self._timer.isActive()

    def remaining_ms(self) -> int:
        """Milliseconds left before ``idle`` (-1 when paused)."""
        return self._timer.remainingTime() if self._timer.isActive() else -1

    # -- Qt -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._paused and event.type() in ACTIVITY_EVENTS:
            self._timer.start()
        return False

    def _on_timeout(self) -> None:
        if self._paused:
            return
        self._paused = True  # once per idle period; resume() after unlocking
        self.idle.emit()

"""Copy patient details without leaving them on the clipboard.

Like KeePassXC's Clipboard: the text is marked as secret for clipboard managers
(``x-kde-passwordManagerHint: secret``) so history tools do not keep it, and it
is cleared after a short time, on lock and on quit, but only while the
clipboard still holds what CareNav put there: something the user copied since
is never touched.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

CONCEAL_MIME_TYPE = "x-kde-passwordManagerHint"
CONCEAL_VALUE = b"secret"
DEFAULT_CLEAR_MS = 30_000


def concealed_mime_data(text: str) -> QMimeData:
    data = QMimeData()
    data.setText(text)
    data.setData(CONCEAL_MIME_TYPE, CONCEAL_VALUE)
    return data


class SecureClipboard(QObject):
    """``copy(text)``; cleared after ``clear_after_ms`` or by ``clear_if_ours()``."""

    def __init__(self, parent: QObject | None = None, *, clear_after_ms: int = DEFAULT_CLEAR_MS):
        super().__init__(parent)
        self._ours: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(int(clear_after_ms), 1))
        self._timer.timeout.connect(self.clear_if_ours)

    @property
    def clear_after_ms(self) -> int:
        return self._timer.interval()

    @property
    def holds_ours(self) -> bool:
        """True while the clipboard still holds the text CareNav put there."""
        return self._ours is not None and _clipboard_text(QClipboard.Mode.Clipboard) == self._ours

    def copy(self, text: str) -> None:
        """Put text on the clipboard (and the X11 selection), marked secret; start the countdown."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setMimeData(concealed_mime_data(text), QClipboard.Mode.Clipboard)
        if clipboard.supportsSelection():
            clipboard.setMimeData(concealed_mime_data(text), QClipboard.Mode.Selection)
        self._ours = text
        self._timer.start()

    def clear_if_ours(self) -> bool:
        """Empty the clipboard if it still holds our text (on timeout, lock and quit)."""
        self._timer.stop()
        ours, self._ours = self._ours, None
        if ours is None:
            return False
        cleared = False
        clipboard = QGuiApplication.clipboard()
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        for mode in modes:
            if _clipboard_text(mode) == ours:
                clipboard.clear(mode)
                cleared = True
        return cleared


def _clipboard_text(mode: QClipboard.Mode) -> str:
    return QGuiApplication.clipboard().text(mode)

"""Run slow work (key derivation, imports) off the GUI thread.

``run_in_background(fn, on_done, on_error)`` runs ``fn`` on Qt's global
thread pool and delivers the result or the exception back on the GUI
thread through queued signals.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _NoCollectionHere:
    """Keeps Python's cyclic garbage collector off while worker jobs run.

    A collection triggered on a worker thread may free Qt widgets left in
    reference cycles (closed dialogs), and Qt objects must be destroyed on the
    thread that owns them: doing it elsewhere crashes the app. Collections
    then happen on the GUI thread only.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = True

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0 and self._was_enabled:
                gc.enable()


_no_collection = _NoCollectionHere()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        with _no_collection:
            try:
                result = self.fn()
            except BaseException as exc:  # delivered to the GUI thread, never swallowed
                self.relay.failed.emit(exc)
            else:
                self.relay.done.emit(result)


_live: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    relay = _Relay()
    _live.add(relay)

    def finish_ok(result: Any) -> None:
        _live.discard(relay)
        on_done(result)

    def finish_error(exc: Any) -> None:
        _live.discard(relay)
        on_error(exc)

    relay.done.connect(finish_ok)
    relay.failed.connect(finish_error)
    QThreadPool.globalInstance().start(_Job(fn, relay))

"""The Qt bindings must not corrupt Python's reference counts.

PySide6 6.12.0 returns True/False from ``SignalInstance.emit()`` and
``disconnect()`` without a reference of its own, so every call lowers the count
of True or False by one; on Python 3.11 the interpreter aborts once it reaches
zero ("bool_dealloc: deallocating True or False"), i.e. after enough clicks. The
project pins PySide6 below 6.12 for this reason (pyproject.toml); this test fails
on any version that brings the bug back, before a care manager meets it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    plain = Signal()
    carrying = Signal(object)


def test_emitting_and_disconnecting_keep_the_counts_of_true_and_false() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.carrying.connect(received.append)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for n in range(200):
        emitter.plain.emit()
        emitter.carrying.emit(n)
        slot = emitter.plain.connect(lambda: None)
        emitter.plain.disconnect(slot)
    after = (sys.getrefcount(True), sys.getrefcount(False))
    assert len(received) == 200
    assert after == before

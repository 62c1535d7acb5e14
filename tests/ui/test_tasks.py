"""Background work: results and errors come back on the GUI thread; no GC on workers."""

from __future__ import annotations

import gc
import threading
from typing import Any

from carenav.ui.tasks import run_in_background


def test_result_and_error_are_delivered_on_the_gui_thread(qtbot: Any) -> None:
    seen: dict[str, Any] = {}
    gui_thread = threading.get_ident()

    def work() -> tuple[bool, int]:
        return gc.isenabled(), threading.get_ident()

    run_in_background(work, lambda r: seen.update(result=r, at=threading.get_ident()), print)
    qtbot.waitUntil(lambda: "result" in seen, timeout=3000)
    collector_on, worker_thread = seen["result"]
    assert collector_on is False  # no garbage collection while a worker runs
    assert worker_thread != gui_thread
    assert seen["at"] == gui_thread
    assert gc.isenabled()

    def fail() -> None:
        raise ValueError("expected")

    run_in_background(fail, print, lambda exc: seen.update(error=exc))
    qtbot.waitUntil(lambda: "error" in seen, timeout=3000)
    assert isinstance(seen["error"], ValueError)
    assert gc.isenabled()

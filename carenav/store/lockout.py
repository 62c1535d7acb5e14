"""Back-off after failed unlocks (NIST SP 800-63B rate limiting).

Attempts 1 to 5 are free; after that each attempt must wait
min(2 ** (failures - 5), 300) seconds. The count survives a restart in a
small state file beside the vault that holds no patient information, and a
successful unlock resets it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from carenav.store.header import atomic_write

FREE_ATTEMPTS = 5
MAX_DELAY_SECONDS = 300.0


def delay_after(failures: int) -> float:
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return float(min(2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS))


class UnlockThrottle:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def _load(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return int(data["failures"]), float(data["last_failure"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0

    @property
    def failures(self) -> int:
        return self._load()[0]

    def _save(self, failures: int, last_failure: float) -> None:
        payload = json.dumps({"failures": failures, "last_failure": last_failure})
        with contextlib.suppress(OSError):
            atomic_write(self.path, payload.encode("utf-8"))

    def wait_remaining(self) -> float:
        failures, last = self._load()
        now = self.clock()
        if last > now:
            # The clock went backwards: the delay restarts from now, once. Saving
            # it keeps a clock set back by days from locking the vault for days.
            last = now
            self._save(failures, now)
        return max(0.0, last + delay_after(failures) - now)

    def record_failure(self) -> int:
        failures, _ = self._load()
        failures += 1
        self._save(failures, self.clock())
        return failures

    def reset(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

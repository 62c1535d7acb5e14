"""Starting, killing and reading the fault-injection child process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from carenav.store.header import KdfParams

PASSPHRASE = "correct horse battery staple"
OTHER_PASSPHRASE = "purple elephants dance at noon"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
SEEDED = 25
CHILD = Path(__file__).with_name("fault_child.py")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class ChildRun:
    lines: list[str]
    returncode: int
    killed: bool
    seconds_after_ready: float

    def acknowledged_ids(self) -> list[str]:
        return [line for line in self.lines if HEX_ID.match(line)]


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line.startswith("ready"):
        _out, err = child.communicate(timeout=30)
        raise AssertionError(f"the child did not start: {line!r} {err[-2000:]}")
    return line.strip()


def kill_after(child: subprocess.Popen[str], delay: float) -> ChildRun:
    """SIGKILL the child ``delay`` seconds after it became ready; collect what it said."""
    start_time = time.monotonic()
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        os.kill(child.pid, signal.SIGKILL)
    out, err = child.communicate(timeout=60)
    if not killed:
        assert child.returncode == 0, err[-2000:]
    # a line cut short by the kill was never acknowledged
    lines = out.split("\n")
    complete = lines[:-1] if not out.endswith("\n") else lines
    return ChildRun(
        lines=[line for line in complete if line],
        returncode=child.returncode,
        killed=killed,
        seconds_after_ready=time.monotonic() - start_time,
    )

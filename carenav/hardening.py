"""Process hardening applied before anything else runs (security.md 8, L4).

A crash must never write the process memory (decrypted records, the data key)
to disk: core dumps are turned off (``RLIMIT_CORE`` = 0) and, on Linux, the
process is marked not dumpable (``prctl(PR_SET_DUMPABLE, 0)``), which also
stops other processes of the same user from reading its memory through
``ptrace`` or ``/proc/<pid>/mem``. This is what KeePassXC does at start.
Where a mechanism does not exist (Windows, macOS) it is skipped and reported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from dataclasses import dataclass, field

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


@dataclass(frozen=True)
class HardeningReport:
    """What ``harden_process`` applied, and what it could not (with the reason)."""

    core_dumps_disabled: bool
    not_dumpable: bool
    skipped: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.core_dumps_disabled and self.not_dumpable


def _disable_core_dumps() -> str | None:
    """Set RLIMIT_CORE to (0, 0); the reason it was skipped, or None when applied."""
    try:
        import resource
    except ImportError:
        return "core-dump limit: not available on this system"
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        return f"core-dump limit: {type(exc).__name__}"
    return None


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name or "libc.so.6", use_errno=True)
    except OSError:
        return None


def _set_not_dumpable() -> str | None:
    """prctl(PR_SET_DUMPABLE, 0) on Linux; the reason it was skipped, or None when applied."""
    if not sys.platform.startswith("linux"):
        return "not-dumpable flag: Linux only"
    libc = _libc()
    if libc is None:
        return "not-dumpable flag: the C library could not be loaded"
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        return f"not-dumpable flag: prctl failed (errno {ctypes.get_errno()})"
    return None


def is_dumpable() -> bool | None:
    """The process's dumpable flag on Linux (None where there is no such flag)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = _libc()
    if libc is None:
        return None
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


def harden_process() -> HardeningReport:
    """Disable core dumps and mark the process not dumpable. Safe to call twice."""
    core_skip = _disable_core_dumps()
    dump_skip = _set_not_dumpable()
    return HardeningReport(
        core_dumps_disabled=core_skip is None,
        not_dumpable=dump_skip is None,
        skipped=tuple(reason for reason in (core_skip, dump_skip) if reason),
    )

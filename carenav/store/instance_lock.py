"""One CareNav window per vault: an advisory lock on ``<db>.lock``.

Two windows writing the same vault would each keep their own view of the
caseload and their own drafts; the second one is refused with a plain message
instead. The lock is ``flock(LOCK_EX | LOCK_NB)`` on a small file beside the
database holding only the process id (no patient information). The operating
system releases a ``flock`` when the process ends in any way, so a crash or a
``kill -9`` never leaves a stale lock behind; the file itself may stay and is
reused. The command line (``backup``, ``check``) does not take the lock: it
must work while the app is open.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from carenav.errors import VaultError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; see InstanceLock.acquire
    fcntl = None  # type: ignore[assignment]


class VaultInUse(VaultError):
    """Another CareNav process holds this vault's lock."""

    exit_code = 4

    def __init__(self) -> None:
        super().__init__(
            "This vault is already open in another CareNav window on this computer. "
            "Switch to that window, or close it first."
        )


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """Held from unlock until lock or quit. Use ``InstanceLock.acquire(db_path)``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db_path: Path) -> InstanceLock:
        """Take the vault's lock or raise ``VaultInUse``; never waits."""
        path = lock_path_for(Path(db_path))
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise VaultInUse() from None
        except BaseException:
            os.close(fd)
            raise
        lock = cls(path, fd)
        lock._write_pid()
        return lock

    def _write_pid(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode("ascii"), 0)
        with contextlib.suppress(OSError):
            os.fchmod(self._fd, 0o600)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up. Safe to call twice. The file is left for the next holder."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

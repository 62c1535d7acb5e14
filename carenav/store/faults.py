"""Storage failures translated into messages a care manager can act on.

SQLite reports a full disk as ``SQLITE_FULL`` ("database or disk is full")
and a refused write (a file-size limit, a failing or removed drive) as
``SQLITE_IOERR`` ("disk I/O error"); the operating system as ``ENOSPC``,
``EDQUOT`` or ``EFBIG``. In every case the transaction being committed was
rolled back and everything committed before it is intact (security.md F3),
so the message says exactly that.
"""

from __future__ import annotations

import errno

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy.exc import DBAPIError

from carenav.errors import CareNavError

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
SQLITE_MESSAGES = ("database or disk is full", "disk i/o error")


class StorageFull(CareNavError):
    """The last change could not be written; nothing saved before it was lost."""

    exit_code = 1

    def __init__(self) -> None:
        super().__init__(
            "CareNav could not save your last change because the disk is full or could "
            "not be written to. Everything saved before it is safe. Free some disk space "
            "(or reconnect the drive), then save again."
        )


def _is_storage_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
        return True
    if isinstance(exc, sqlcipher.DatabaseError):
        text = str(exc).lower()
        return any(message in text for message in SQLITE_MESSAGES)
    return False


def translate_storage_error(exc: BaseException) -> CareNavError | None:
    """``StorageFull`` when ``exc`` (or the driver error SQLAlchemy wrapped) is a
    full or unwritable disk; None for anything else (let it propagate)."""
    candidates: list[BaseException] = [exc]
    if isinstance(exc, DBAPIError) and isinstance(exc.orig, BaseException):
        candidates.append(exc.orig)
    if exc.__cause__ is not None:
        candidates.append(exc.__cause__)
    if any(_is_storage_failure(candidate) for candidate in candidates):
        return StorageFull()
    return None

"""The SQLCipher engine: raw key first on every connection, then safe settings.

Never a passphrase in a URL (see reference/security.md section 1.6): the
``sqlite`` dialect with the ``sqlcipher3`` driver and a connect listener
registered with ``insert=True`` so it runs before anything else touches the
connection.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from carenav.errors import SQLCipherUnavailable, VaultLocked


class DataKey:
    """The vault's 256-bit data key in a mutable buffer that is zeroed on lock."""

    def __init__(self, key: bytearray) -> None:
        if len(key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._key = key

    def pragma(self) -> str:
        if not any(self._key):
            raise VaultLocked()
        hex_key = self._key.hex()
        if len(hex_key) != 64 or not all(c in "0123456789abcdef" for c in hex_key):
            raise ValueError("invalid data key")
        return f"PRAGMA key = \"x'{hex_key}'\""

    def raw(self) -> bytes:
        if not any(self._key):
            raise VaultLocked()
        return bytes(self._key)

    def wipe(self) -> None:
        for i in range(len(self._key)):
            self._key[i] = 0

    @property
    def wiped(self) -> bool:
        return not any(self._key)


SAFE_PRAGMAS = (
    "PRAGMA cipher_memory_security = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA busy_timeout = 5000",
)
# 32 MiB of decrypted pages per pooled connection (SQLite's default is 2 MiB): the Today
# list reads several indexes in turn, and every page read again after eviction is
# decrypted and authenticated again. Filled only as pages are read. Set with the journal
# mode, after the key is known to be right (the pragma reads the database).
PAGE_CACHE_PRAGMA = "PRAGMA cache_size = -32768"


def key_connection(dbapi_conn: Any, key: DataKey) -> None:
    """Key a fresh DB-API connection and apply the settings CareNav relies on."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute(key.pragma())
        version = cur.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise SQLCipherUnavailable()
        # Process-wide: SQLCipher would otherwise write to stderr on a wrong key.
        cur.execute("PRAGMA cipher_log_level = NONE")
        for pragma in SAFE_PRAGMAS:
            cur.execute(pragma)
    finally:
        cur.close()


def set_durable_journal(dbapi_conn: Any) -> None:
    """WAL, full sync and the page cache: for pooled connections, once the key is right."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute(PAGE_CACHE_PRAGMA)
    finally:
        cur.close()


def raw_connect(db_path: Path, key: DataKey) -> Any:
    """A single keyed DB-API connection, outside any pool (integrity checks, backups)."""
    conn = sqlcipher.connect(str(db_path), isolation_level=None, check_same_thread=False)
    try:
        key_connection(conn, key)
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def raw_connection(db_path: Path, key: DataKey) -> Iterator[Any]:
    conn = raw_connect(db_path, key)
    try:
        yield conn
    finally:
        conn.close()


def make_engine(db_path: Path, key: DataKey) -> Engine:
    # SQLAlchemy logs result rows (patient data) at DEBUG: never let it. INFO
    # (statements only; parameters are hidden) is allowed for diagnosis.
    sql_log = logging.getLogger("sqlalchemy.engine")
    if sql_log.getEffectiveLevel() < logging.INFO:
        sql_log.setLevel(logging.INFO)
    engine = create_engine(
        f"sqlite:///{db_path}",
        module=sqlcipher,
        hide_parameters=True,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        key_connection(dbapi_conn, key)
        set_durable_journal(dbapi_conn)

    return engine


def checkpoint(engine: Engine) -> None:
    """Fold the write-ahead log into the database file (on lock and close)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

"""Schema migrations with Alembic, run inside one transaction on the vault.

An older vault is copied (still encrypted, with ``VACUUM INTO``) before it is
migrated, so a failed or unwanted migration can always be undone by hand.

The upgrade runs with foreign keys off inside one explicit ``BEGIN IMMEDIATE``
transaction (SQLite's own procedure for schema changes): the driver would
otherwise commit each DDL statement on its own, and a batch migration that
rebuilds ``patient`` would cascade-delete every chart record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from carenav.errors import NewerVaultVersion

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    has_tables: bool

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def _config(script_location: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    return cfg


def schema_state(engine: Engine, script_location: Path | None = None) -> SchemaState:
    script = ScriptDirectory.from_config(_config(script_location or MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = inspect(conn).get_table_names()
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except Exception:  # alembic raises several kinds for unknown ids
            known = False
        if not known:
            raise NewerVaultVersion(f"database schema {current}")
    return SchemaState(current=current, head=head, has_tables=bool(tables))


def upgrade(engine: Engine, script_location: Path | None = None) -> None:
    """Bring the schema to head in one transaction: all steps apply, or none do."""
    cfg = _config(script_location or MIGRATIONS_DIR)
    with engine.connect() as conn:
        # Only takes effect outside a transaction, so it comes before BEGIN.
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            _refuse_broken_links(conn)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.commit()


def _refuse_broken_links(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} broken record link(s)")


def backup_before_migration(engine: Engine, db_path: Path, from_revision: str) -> Path:
    """An encrypted copy (same key) of the vault as it was before migrating."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{db_path.name}.pre-migration-{from_revision}-{stamp}"
    target = db_path.with_name(f"{base}.bak")
    attempt = 1
    while target.exists():  # a second try within the same second keeps the first copy
        attempt += 1
        target = db_path.with_name(f"{base}-{attempt}.bak")
    escaped = str(target).replace("'", "''")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql(f"VACUUM INTO '{escaped}'")
    target.chmod(0o600)
    return target

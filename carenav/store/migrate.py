"""Schema migrations with Alembic, run inside one transaction on the vault.

An older vault is copied (still encrypted, with ``VACUUM INTO``) before it is
migrated, so a failed or unwanted migration can always be undone by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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


def schema_state(engine: Engine, script_location: Path = MIGRATIONS_DIR) -> SchemaState:
    script = ScriptDirectory.from_config(_config(script_location))
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


def upgrade(engine: Engine, script_location: Path = MIGRATIONS_DIR) -> None:
    cfg = _config(script_location)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def backup_before_migration(engine: Engine, db_path: Path, from_revision: str) -> Path:
    """An encrypted copy (same key) of the vault as it was before migrating."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.pre-migration-{from_revision}-{stamp}.bak")
    escaped = str(target).replace("'", "''")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql(f"VACUUM INTO '{escaped}'")
    target.chmod(0o600)
    return target

"""Schema migrations: a fresh vault is at head; an older one is backed up, then upgraded
in one transaction that applies completely or not at all."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from carenav.errors import MigrationFailed, VaultDamaged
from carenav.models import CaseNote, Condition, MedicationStatement, RelatedPerson
from carenav.services.chart import add_chart_record, load_chart
from carenav.services.patients import create_patient, list_patients
from carenav.store import migrate
from carenav.store.audit import audit_head_path_for
from carenav.store.engine import DataKey, raw_connection
from carenav.store.header import KdfParams, normalise_secret, read_header
from carenav.store.vault import Vault, header_path_for

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
FIRST = str(ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_current_head())  # today's head
SECOND = "9999_pronouns"
SQLITE_MAGIC = b"SQLite format 3\x00"
MARKER = "Zqxmigrant"
CARENAV_MIGRATIONS = migrate.MIGRATIONS_DIR

REVISION_HEAD = '''
"""pronouns and visit reminders"""
import sqlalchemy as sa
from alembic import op

revision = "9999_pronouns"
down_revision = "@FIRST@"
branch_labels = None
depends_on = None


def downgrade() -> None:
    pass


def upgrade() -> None:
'''

# What autogenerate writes with render_as_batch: SQLite rebuilds the patient table.
GOOD_STEPS = """
    op.create_table(
        "visit_reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Uuid(), sa.ForeignKey("patient.id"), nullable=False),
    )
    with op.batch_alter_table("patient", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("pronouns", sa.String(40), nullable=False, server_default=""))
"""

FAILING_STEPS = (
    GOOD_STEPS
    + """
    op.execute("UPDATE patient SET family_name = 'changed by a half-run migration'")
    raise RuntimeError("step three of the migration failed")
"""
)

BREAKS_LINKS_STEPS = """
    op.execute(
        "INSERT INTO condition (id, created_at, updated_at, version, patient_id, text, "
        "icd10_code, clinical_status) VALUES (X'00112233445566778899aabbccddeeff', "
        "'2026-01-01', '2026-01-01', 1, X'ffffffffffffffffffffffffffffffff', 'orphan', '', "
        "'active')"
    )
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_key(db_path: Path) -> DataKey:
    header = read_header(header_path_for(db_path))
    key = header.slots_of_kind("passphrase")[0].open(normalise_secret(PASSPHRASE), header.vault_id)
    assert key is not None
    return DataKey(key)


def revision_and_tables(db_path: Path) -> tuple[str, set[str], list[str]]:
    with raw_connection(db_path, data_key(db_path)) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = [r[1] for r in conn.execute("PRAGMA table_info(patient)")]
    return str(revision), tables, columns


def migrations_with(tmp_path: Path, steps: str) -> Path:
    """A copy of CareNav's migrations with one more revision after today's head."""
    folder = tmp_path / f"migrations-{hashlib.sha256(steps.encode()).hexdigest()[:8]}"
    shutil.copytree(
        CARENAV_MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    body = (
        REVISION_HEAD.replace("@FIRST@", FIRST)
        + textwrap.indent(textwrap.dedent(steps).strip("\n"), "    ")
        + "\n"
    )
    (folder / "versions" / f"{SECOND}.py").write_text(body)
    return folder


@pytest.fixture
def old_vault(vault_path: Path) -> Path:
    """A closed vault at 0001 with a patient and a full chart."""
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    patient_id = create_patient(
        vault, {"family_name": MARKER, "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    create_patient(
        vault, {"family_name": "Second", "given_name": "Kofi", "birth_date": "1961-07-30"}
    )
    add_chart_record(vault, Condition, patient_id, {"text": "Heart failure", "icd10_code": "I50.9"})
    add_chart_record(vault, MedicationStatement, patient_id, {"name": "Furosemide"})
    add_chart_record(vault, RelatedPerson, patient_id, {"name": "Ada Abara"})
    add_chart_record(vault, CaseNote, patient_id, {"text": "Weighed daily."})
    vault.close()
    assert revision_and_tables(vault_path)[0] == FIRST
    return vault_path


def chart_summary(vault: Vault) -> list[tuple[str, int, int, int, int]]:
    rows = []
    for patient in list_patients(vault):
        chart = load_chart(vault, patient.id)
        counts = (len(chart.problems), len(chart.medications), len(chart.family), len(chart.notes))
        rows.append((patient.family_name, *counts))
    return rows


EXPECTED_DATA = [("Second", 0, 0, 0, 0), (MARKER, 1, 1, 1, 1)]  # in name order


def test_fresh_vault_is_at_head(vault: Vault) -> None:
    state = migrate.schema_state(vault.engine)
    assert state.current == state.head == FIRST
    assert state.is_current and state.has_tables
    assert vault.migration_backup is None
    assert list(vault.db_path.parent.glob("*.bak")) == []


def test_older_vault_is_backed_up_then_migrated(
    old_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations_with(tmp_path, GOOD_STEPS))
    before = sha256(old_vault)

    vault = Vault.unlock(old_vault, PASSPHRASE)
    backups = list(old_vault.parent.glob(f"caseload.cnv.pre-migration-{FIRST}-*.bak"))
    assert len(backups) == 1
    assert vault.migration_backup == backups[0]
    state = migrate.schema_state(vault.engine)
    assert (state.current, state.head) == (SECOND, SECOND)
    assert chart_summary(vault) == EXPECTED_DATA
    with vault.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("SELECT DISTINCT pronouns FROM patient").all() == [("",)]
    vault.close()

    revision, tables, columns = revision_and_tables(old_vault)
    assert revision == SECOND
    assert "visit_reminder" in tables and "pronouns" in columns

    backup = backups[0]
    raw = backup.read_bytes()
    assert not raw.startswith(SQLITE_MAGIC)
    assert MARKER.encode() not in raw and MARKER.encode("utf-16-le") not in raw
    assert backup.stat().st_mode & 0o077 == 0
    with raw_connection(backup, data_key(old_vault)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (FIRST,)
        names = sorted(r[0] for r in conn.execute("SELECT family_name FROM patient"))
        assert names == sorted([MARKER, "Second"])
        assert conn.execute("SELECT count(*) FROM condition").fetchone() == (1,)
    assert sha256(old_vault) != before


def test_failed_migration_leaves_the_vault_as_it_was(
    old_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations_with(tmp_path, FAILING_STEPS))
    with pytest.raises(MigrationFailed, match="left exactly as it was") as failure:
        Vault.unlock(old_vault, PASSPHRASE)
    assert "step three" in str(failure.value.__cause__)
    assert failure.value.backup is not None and Path(str(failure.value.backup)).exists()

    revision, tables, columns = revision_and_tables(old_vault)
    assert revision == FIRST
    assert "visit_reminder" not in tables  # DDL rolled back with the rest
    assert "pronouns" not in columns
    assert len(list(old_vault.parent.glob(f"*.pre-migration-{FIRST}-*.bak"))) == 1

    # with the old migrations the vault opens as before, every record intact
    monkeypatch.undo()
    with Vault.unlock(old_vault, PASSPHRASE) as vault:
        assert chart_summary(vault) == EXPECTED_DATA
        assert vault.check().sound


def test_a_fixed_migration_can_run_after_a_failed_one(
    old_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations_with(tmp_path, FAILING_STEPS))
    with pytest.raises(MigrationFailed):
        Vault.unlock(old_vault, PASSPHRASE)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations_with(tmp_path, GOOD_STEPS))
    with Vault.unlock(old_vault, PASSPHRASE) as vault:
        assert migrate.schema_state(vault.engine).current == SECOND
        assert chart_summary(vault) == EXPECTED_DATA


def test_migration_that_breaks_record_links_is_rolled_back(
    old_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations_with(tmp_path, BREAKS_LINKS_STEPS))
    with pytest.raises(MigrationFailed) as failure:
        Vault.unlock(old_vault, PASSPHRASE)
    assert "1 broken record link" in str(failure.value.__cause__)
    revision, _, _ = revision_and_tables(old_vault)
    assert revision == FIRST
    with raw_connection(old_vault, data_key(old_vault)) as conn:
        assert conn.execute("SELECT count(*) FROM condition").fetchone() == (1,)


def test_migration_can_be_refused(
    old_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations_with(tmp_path, GOOD_STEPS))
    before = sha256(old_vault)
    with pytest.raises(VaultDamaged, match="needs an upgrade"):
        Vault.unlock(old_vault, PASSPHRASE, allow_migration=False)
    assert sha256(old_vault) == before
    assert list(old_vault.parent.glob("*.bak")) == []


def test_a_second_backup_in_the_same_second_keeps_the_first(vault: Vault) -> None:
    first = migrate.backup_before_migration(vault.engine, vault.db_path, FIRST)
    first_bytes = first.read_bytes()
    second = migrate.backup_before_migration(vault.engine, vault.db_path, FIRST)
    assert second != first
    assert first.read_bytes() == first_bytes
    assert second.name.startswith(f"caseload.cnv.pre-migration-{FIRST}-")
    assert second.name.endswith(".bak")
    for backup in (first, second):
        assert revision_and_tables_with(backup, vault)[0] == FIRST


def revision_and_tables_with(backup: Path, vault: Vault) -> tuple[str, set[str]]:
    assert vault._key is not None
    with raw_connection(backup, vault._key) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return str(revision), tables


def test_a_vault_from_the_first_release_is_migrated_to_head(vault_path: Path) -> None:
    """The real upgrade path: a 0001 vault (no caseload index) opens and is migrated."""
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(vault, {"family_name": MARKER, "given_name": "Ines", "birth_date": "1950-01-02"})
    vault.close()
    with Vault.unlock(vault_path, PASSPHRASE) as vault:  # back to 0001, the real way
        cfg = Config()
        cfg.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        with vault.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001_caseload")
    audit_head_path_for(vault_path).unlink()  # a first-release vault never had an audit trail
    with Vault.unlock(vault_path, PASSPHRASE) as vault:
        assert vault.migration_backup is not None
        assert vault.migration_backup.name.startswith("caseload.cnv.pre-migration-0001_caseload-")
        assert [p.family_name for p in list_patients(vault)] == [MARKER]
    with raw_connection(vault_path, data_key(vault_path)) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "ix_patient_caseload_order" in indexes
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"audit_event", "draft"} <= tables
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (FIRST,)

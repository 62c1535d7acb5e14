"""The audit trail viewer: lazy model, filters, chain status line, CSV export."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from carenav.models import CaseNote
from carenav.services.chart import add_chart_record, load_chart
from carenav.services.patients import create_patient
from carenav.store.audit import AuditEntry
from carenav.store.vault import Vault
from carenav.ui.pages.audit_viewer import AuditTableModel, AuditViewerDialog

PATIENT = {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}


@pytest.fixture
def busy_vault(vault: Vault) -> Vault:
    """1 creation + 1 patient + 3 notes + 1 chart opened + 450 backups = 456 entries."""
    pid = create_patient(vault, PATIENT)
    for n in range(3):
        add_chart_record(vault, CaseNote, pid, {"text": f"Visit {n}"})
    load_chart(vault, pid)
    with vault.session() as session:
        vault.audit.append(session, [AuditEntry("backup", detail="automatic")] * 450)
    return vault


def cell(model: AuditTableModel, row: int, column: int) -> str:
    return str(model.data(model.index(row, column)))


def test_the_model_passes_qt_checks_and_reads_newest_first_in_blocks(busy_vault: Vault) -> None:
    model = AuditTableModel(busy_vault)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert model.rowCount() == 456 and model.columnCount() == 8
    assert cell(model, 0, 7) == "456" and cell(model, 0, 1) == "Backed up"
    assert cell(model, 455, 7) == "1" and cell(model, 455, 1) == "Vault created"
    assert cell(model, 450, 1) == "Chart opened" and cell(model, 450, 2) == "Patient"
    assert cell(model, 451, 5) == ""
    assert cell(model, 452, 2) == "Case note"
    full_id = model.data(model.index(452, 3), Qt.ItemDataRole.ToolTipRole)
    assert len(full_id) == 32 and cell(model, 452, 3) == full_id[:8]
    assert model.rowCount(model.index(0, 0)) == 0
    model.clear()
    assert model.rowCount() == 0 and model.entry(0) is None


def test_the_dialog_shows_an_intact_chain_and_filters(qtbot: QtBot, busy_vault: Vault) -> None:
    dialog = AuditViewerDialog(busy_vault)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Audit trail"
    assert dialog.chain_label.text() == "Audit trail intact: 456 entries"
    assert dialog.count_label.text() == "456 entries shown"
    actions = [dialog.action_combo.itemText(i) for i in range(dialog.action_combo.count())]
    assert actions == ["All actions", "Backed up", "Chart opened", "Record added", "Vault created"]

    dialog.action_combo.setCurrentIndex(actions.index("Record added"))
    assert dialog.model.rowCount() == 4
    records = [dialog.record_combo.itemText(i) for i in range(dialog.record_combo.count())]
    assert records == ["All records", "Case note", "Patient"]
    dialog.record_combo.setCurrentIndex(records.index("Case note"))
    assert dialog.model.rowCount() == 3
    assert dialog.count_label.text() == "3 entries shown"

    today = date.today()
    dialog.from_date.setDate(QDate(today.year, today.month, today.day))
    assert dialog.model.rowCount() == 3
    yesterday = today - timedelta(days=1)
    dialog.to_date.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    assert dialog.model.rowCount() == 0
    assert "before the 'From' day" in dialog.message.text()
    dialog.clear()
    assert dialog.model.rowCount() == 0 and dialog.vault is None


def test_a_broken_chain_is_said_in_plain_words(qtbot: QtBot, busy_vault: Vault) -> None:
    with busy_vault.raw_connection() as conn:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("UPDATE audit_event SET detail = 'edited' WHERE seq = 7")
    dialog = AuditViewerDialog(busy_vault)
    qtbot.addWidget(dialog)
    assert not dialog.check_chain()
    assert dialog.chain_label.text() == (
        "Audit trail not intact: entry 7 was changed after it was written. "
        "First bad entry: 7. Keep the vault as it is and contact your agency's support."
    )


def test_export_writes_the_filtered_entries_and_is_recorded(
    qtbot: QtBot, busy_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "exported.csv"
    asked: list[str] = []

    def choose(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), "CSV files (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    dialog = AuditViewerDialog(busy_vault)
    qtbot.addWidget(dialog)
    dialog.action_combo.setCurrentIndex(dialog.action_combo.findData("record_created"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    lines = target.read_text("utf-8").splitlines()
    assert len(lines) == 1 + 4 and all(",record_created," in line for line in lines[1:])
    assert Path(asked[0]).name.startswith("audit-trail-") and asked[0].endswith(".csv")
    assert dialog.message.text() == f"Exported 4 entries to {target}."
    assert dialog.action_combo.currentData() == "record_created"  # the filter is kept
    dialog.action_combo.setCurrentIndex(0)
    assert dialog.model.rowCount() == 457
    assert dialog.model.data(dialog.model.index(0, 1)) == "Exported"


def test_a_failed_export_says_what_to_do(
    qtbot: QtBot, busy_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "unplugged-usb" / "audit.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(missing), ""))
    )
    dialog = AuditViewerDialog(busy_vault)
    qtbot.addWidget(dialog)
    assert dialog.export_csv() is None
    assert dialog.message.text().startswith("The audit trail was not exported")
    assert "Choose another folder" in dialog.message.text()
    assert dialog.model.rowCount() == 456  # nothing recorded: nothing was exported

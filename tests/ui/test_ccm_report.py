"""Go > Chronic-care minutes report: the month's minutes per patient, month by month,
sorting, the CSV export with its one warning per unlock, and opening a chart."""

from __future__ import annotations

import csv
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from carenav.services.audit import AuditFilter, events
from carenav.services.contacts import log_contact
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.item_models.ccm_report import CLINICIAN, NEXT, PATIENT, TOTAL
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.ccm_report import CcmReportDialog

PASSPHRASE = "correct horse battery staple"
TODAY = date(2026, 11, 20)  # the report opens on November 2026


def at(day: date, hour: int = 11) -> datetime:
    return datetime(day.year, day.month, day.day, hour).astimezone()


@pytest.fixture
def caseload(vault: Vault) -> dict[str, uuid.UUID]:
    def patient(family: str, given: str, programs: list[str]) -> uuid.UUID:
        values = {"family_name": family, "given_name": given, "birth_date": "1940-03-04"}
        return create_patient(vault, {**values, "programs": programs})

    ids = {
        "ruth": patient("Abernathy", "Ruth", ["ccm"]),
        "samuel": patient("Okonjo", "Samuel", ["ccm_complex"]),
        "lan": patient("Nguyen", "Lan", ["ccm"]),
        "ada": patient("Lindqvist", "Ada", []),
    }

    def log(who: str, day: date, minutes: int, spent_by: str = "staff") -> None:
        values = {"occurred_at": at(day), "minutes": minutes, "spent_by": spent_by}
        log_contact(vault, ids[who], values)

    log("ruth", date(2026, 11, 3), 12)
    log("ruth", date(2026, 11, 17), 14)
    log("samuel", date(2026, 11, 5), 40)
    log("samuel", date(2026, 11, 6), 25, "clinician")
    log("ada", date(2026, 11, 9), 30)
    log("lan", date(2026, 10, 30), 45)  # October only
    log("ruth", date(2026, 10, 2), 8)
    return ids


@pytest.fixture
def dialog(qtbot: Any, vault: Vault, caseload: dict[str, uuid.UUID]) -> CcmReportDialog:
    widget = CcmReportDialog(vault, today=TODAY)
    qtbot.addWidget(widget)
    QAbstractItemModelTester(widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    widget.show()
    return widget


def table(dialog: CcmReportDialog) -> list[tuple[str, ...]]:
    model = dialog.model
    return [
        tuple(str(model.data(model.index(r, c))) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_the_month_opens_with_each_patients_minutes_and_codes(dialog: CcmReportDialog) -> None:
    assert dialog.month_label.text() == "November 2026 (this month)"
    assert not dialog.next_button.isEnabled()
    assert table(dialog) == [
        ("Abernathy, Ruth", "CCM", "26", "26", "0", "99490", "14 min to 99439"),
        ("Lindqvist, Ada", "Not enrolled", "30", "30", "0", "—", "—"),
        ("Nguyen, Lan", "CCM", "0", "0", "0", "—", "20 min to 99490"),
        ("Okonjo, Samuel", "Complex CCM", "65", "40", "25", "99487", "25 min to 99489"),
    ]
    assert dialog.summary.text() == (
        "3 patients in CCM, 2 met the first threshold   ·   "
        "1 more with minutes, not enrolled   ·   121 minutes in all"
    )
    assert dialog.windowTitle() == "Chronic-care minutes report"  # no patient in a title


def test_previous_and_next_step_through_months(qtbot: Any, dialog: CcmReportDialog) -> None:
    qtbot.mouseClick(dialog.previous_button, Qt.MouseButton.LeftButton)
    assert dialog.month_label.text() == "October 2026"
    assert dialog.next_button.isEnabled()
    rows = {r[0]: r for r in table(dialog)}
    assert set(rows) == {"Abernathy, Ruth", "Nguyen, Lan", "Okonjo, Samuel"}  # Ada: no minutes
    assert rows["Nguyen, Lan"][2:6] == ("45", "45", "0", "99490, 99439")
    assert rows["Abernathy, Ruth"][2] == "8"
    assert rows["Okonjo, Samuel"][2] == "0"
    qtbot.keyClick(dialog.table, Qt.Key.Key_PageUp)
    assert dialog.month_label.text() == "September 2026"
    qtbot.keyClick(dialog.table, Qt.Key.Key_PageDown)
    qtbot.keyClick(dialog.table, Qt.Key.Key_PageDown)
    assert dialog.month_label.text() == "November 2026 (this month)"
    qtbot.keyClick(dialog.table, Qt.Key.Key_PageDown)  # no months ahead of today
    assert dialog.month_label.text() == "November 2026 (this month)"


def test_a_month_with_nobody_says_so(qtbot: Any, vault: Vault) -> None:
    widget = CcmReportDialog(vault, today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.model.rowCount() == 0
    assert widget.empty_hint.isVisible() and not widget.table.isVisible()
    assert "November 2026" in widget.empty_hint.text()
    assert not widget.export_button.isEnabled()


def test_columns_sort_by_value(dialog: CcmReportDialog) -> None:
    header = dialog.table.horizontalHeader()
    dialog.table.sortByColumn(TOTAL, Qt.SortOrder.DescendingOrder)
    assert [r[0] for r in table(dialog)] == [
        "Okonjo, Samuel",
        "Lindqvist, Ada",
        "Abernathy, Ruth",
        "Nguyen, Lan",
    ]
    assert header.sortIndicatorSection() == TOTAL
    dialog.table.sortByColumn(CLINICIAN, Qt.SortOrder.DescendingOrder)
    assert table(dialog)[0][0] == "Okonjo, Samuel"
    dialog.table.sortByColumn(NEXT, Qt.SortOrder.AscendingOrder)
    assert [r[0] for r in table(dialog)][:3] == ["Abernathy, Ruth", "Nguyen, Lan", "Okonjo, Samuel"]
    dialog.table.sortByColumn(PATIENT, Qt.SortOrder.AscendingOrder)
    assert table(dialog)[0][0] == "Abernathy, Ruth"


def open_reports(window: MainWindow) -> list[CcmReportDialog]:
    return [d for d in window.findChildren(CcmReportDialog) if d.isVisible()]


class Warnings:
    """Answers the 'leaves the vault' warning when it appears, and counts it."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.shown: list[str] = []

    def arm(self) -> None:
        QTimer.singleShot(0, self._respond)

    def _respond(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        self.shown.append(box.text() + "\n" + box.informativeText())
        for button in box.findChildren(QPushButton):
            if button.text().replace("&", "") == self.answer:
                button.click()
                return
        raise AssertionError(f"no {self.answer!r} button")


def test_export_warns_once_then_writes_the_csv(
    qtbot: Any,
    dialog: CcmReportDialog,
    vault: Vault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suggested: list[str] = []
    target = tmp_path / "exports" / "november"
    target.parent.mkdir()

    def save_as(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        suggested.append(start)
        return str(target), "CSV files (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    statuses: list[str] = []
    dialog.exported.connect(statuses.append)

    declined = Warnings("Cancel")
    declined.arm()
    assert dialog.export() is None
    assert len(declined.shown) == 1 and "names" in declined.shown[0]
    assert suggested == [] and not target.with_suffix(".csv").exists()

    accepted = Warnings("Export anyway")
    accepted.arm()
    written = dialog.export()
    assert len(accepted.shown) == 1  # asked again: the first answer was no
    assert written == target.with_suffix(".csv")
    assert Path(suggested[0]).name == "ccm-minutes-2026-11.csv"  # no patient in the name
    with written.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"Abernathy, Ruth", "Lindqvist, Ada", "Nguyen, Lan", "Okonjo, Samuel"}
    assert (rows["Okonjo, Samuel"]["total_minutes"], rows["Okonjo, Samuel"]["codes"]) == (
        "65",
        "99487x1",
    )
    assert rows["Nguyen, Lan"]["minutes_to_next"] == "20"
    assert str(written) in dialog.message.text()
    assert statuses and str(written) in statuses[0]

    again = Warnings("Export anyway")
    again.arm()
    qtbot.mouseClick(dialog.previous_button, Qt.MouseButton.LeftButton)
    second = dialog.export()  # October: no warning this time
    QApplication.processEvents()
    assert again.shown == []
    assert second is not None and Path(suggested[1]).name == "ccm-minutes-2026-10.csv"
    details = [e.detail for e in events(vault, AuditFilter(action="export"))]
    assert details[-2:] == [
        "CCM minutes report for 2026-11 (4 patients) as CSV with names",
        "CCM minutes report for 2026-10 (3 patients) as CSV with names",
    ]


def test_a_folder_that_cannot_be_written_says_what_to_do(
    dialog: CcmReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "unplugged-drive" / "ccm.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a: (str(missing), "CSV files (*.csv)")
    )
    Warnings("Export anyway").arm()
    assert dialog.export() is None
    assert dialog.message.text().startswith("The report was not saved:")
    assert "Choose another folder" in dialog.message.text()
    assert dialog.message.objectName() == "errorText"


def test_enter_opens_the_chart_from_the_window(qtbot: Any, vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    for family, given in (("Abernathy", "Ruth"), ("Okonjo", "Samuel")):
        values = {"family_name": family, "given_name": given, "birth_date": "1940-03-04"}
        create_patient(vault, {**values, "programs": ["ccm"]})
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.caseload_page, timeout=10000)
    assert window.ccm_report_action.isEnabled()

    qtbot.keyClick(
        window,
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    report = window.findChild(CcmReportDialog)
    assert report is not None and report.isVisible()
    assert [r[0] for r in table(report)] == ["Abernathy, Ruth", "Okonjo, Samuel"]
    report.table.setCurrentIndex(report.model.index(1, PATIENT))
    qtbot.keyClick(report.table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.chart_page
    patient = window.chart_page.patient
    assert patient is not None and patient.family_name == "Okonjo"
    assert not open_reports(window)

    again = window.show_ccm_report()
    assert again is not None and open_reports(window) == [again]
    window.lock()  # locking closes the report with everything else
    assert not open_reports(window)
    assert not window.ccm_report_action.isEnabled()


def test_a_lock_while_the_file_is_chosen_writes_nothing(
    dialog: CcmReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "late.csv"

    def lock_meanwhile(*_a: Any) -> tuple[str, str]:
        dialog.reject()  # what locking does to an open report
        return str(target), "CSV files (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lock_meanwhile)
    Warnings("Export anyway").arm()
    assert dialog.export() is None
    assert not target.exists()
    assert dialog.vault is None and dialog.model.rowCount() == 0  # closing forgets it all

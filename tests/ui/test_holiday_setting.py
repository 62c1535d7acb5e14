"""File > Settings: the agency holiday list file, checked as it is typed, applied by the
window at unlock and on saving; a broken file leaves the federal holidays in use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from carenav.config import Settings
from carenav.services.holidays import FEDERAL_ONLY, agency_holidays, set_agency_holidays
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.preferences import PreferencesDialog

PASSPHRASE = "correct horse battery staple"
GOOD = "2026-11-26 Thanksgiving Day\n2026-11-27 Day after Thanksgiving\n2027-11-25 Thanksgiving\n"
BAD = "2026-11-26 Thanksgiving Day\n# closures\n2026-11-27\n"


@pytest.fixture(autouse=True)
def _federal_afterwards() -> Iterator[None]:
    set_agency_holidays(None)
    yield
    set_agency_holidays(None)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_the_holiday_file_is_checked_as_typed_and_saved(qtbot: Any, tmp_path: Path) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    field = dialog.holidays
    assert field.status.text() == FEDERAL_ONLY
    assert field.status.objectName() == "fieldHint"

    good = write(tmp_path, "agency.txt", GOOD)
    qtbot.keyClicks(field.edit, str(good))
    assert field.status.text() == (
        "Holidays for 2026 (2 days), 2027 (1 day). "
        "The US federal holidays are used for other years."
    )
    assert field.status.objectName() == "fieldHint"

    bad = write(tmp_path, "bad.txt", BAD)
    field.edit.setText(str(bad))
    assert field.status.text().startswith("Holiday list line 3: 2026-11-27 has no holiday name")
    assert field.status.text().endswith("Until then the US federal holidays are used.")
    assert field.status.objectName() == "errorText"

    field.edit.setText(str(tmp_path / "nowhere.txt"))
    assert "There is no file at" in field.status.text()

    field.edit.setText(str(good))
    dialog._save()
    assert Settings.load().holidays_file == str(good)
    assert agency_holidays() is None  # the dialog saves; the window applies


def test_choose_picks_a_file(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write(tmp_path, "agency.txt", GOOD)
    asked: list[str] = []

    def pick(_parent: Any, title: str, _start: str, _filter: str) -> tuple[str, str]:
        asked.append(title)
        return str(good), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick)
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.holidays._choose("Holiday list file")
    assert asked == ["Holiday list file"]
    assert dialog.holidays.text() == str(good)
    assert dialog.holidays.status.text().startswith("Holidays for 2026 (2 days)")


def test_the_window_applies_the_list_and_a_broken_one_never_stops_it(
    qtbot: Any, tmp_path: Path, vault_path: Path
) -> None:
    bad = write(tmp_path, "agency.txt", BAD)
    Settings(holidays_file=str(bad)).save()
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.caseload_page, timeout=10000)
    status = window.status_label.text()
    assert status.startswith("The agency holiday list was not used: Holiday list line 3")
    assert status.endswith("The US federal holidays are used.")
    assert agency_holidays() is None

    bad.write_text(GOOD, "utf-8")  # fixed; saving Settings applies it at once

    def save_settings() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PreferencesDialog)
        dialog.holidays.edit.setText(str(bad))
        dialog._save()

    QTimer.singleShot(0, save_settings)
    window.preferences()
    applied = agency_holidays()
    assert applied is not None and applied.name(date(2026, 11, 27)) == "Day after Thanksgiving"
    assert window.status_label.text().startswith("CareNav now locks after")
    window.lock()

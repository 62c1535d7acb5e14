"""Go > Resource directory on a real vault: the empty directory, search as you type with
the category and language filters, the detail pane, entries kept by hand with their
errors beside the fields, a CSV import with a bad row (nothing saved), the export read
back, the year-old flag, and Ctrl+Shift+R / Alt+Left / lock in the main window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QPushButton, QWidget

from carenav.services import directory
from carenav.store.vault import Vault
from carenav.ui.item_models.directory import ORGANISATION, SERVICE, VERIFIED
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.coordination.directory_dialog import DirectoryEntryDialog
from carenav.ui.pages.coordination.directory_page import EMPTY_TEXT, DirectoryPage

PASSPHRASE = "correct horse battery staple"
TODAY = date(2026, 12, 1)
HEADER = (
    "organisation,organisation_phone,address,city,state,postal_code,service,categories,"
    "hours,languages,eligibility,what_to_bring,last_verified\n"
)
ROWS = (
    "Hope Street Food Bank (made up),555-0142,12 Hope St,Springfield,IL,62701,Food pantry,"
    "food,Tue and Thu 9-12,English; Spanish,Anyone in the county,Photo ID,2026-10-01\n"
    "Hope Street Food Bank (made up),555-0142,12 Hope St,Springfield,IL,62701,Senior boxes,"
    "food; home-delivered-meals,Fridays,English,Aged 60 and over,,2026-10-01\n"
    "Maple Table Meals (made up),555-0150,4 Maple Ave,Springfield,IL,62702,Meals on wheels,"
    "home-delivered-meals,Mon-Fri,English; Vietnamese,Homebound adults,,2024-06-01\n"
    "Riverbend Rides (made up),555-0160,9 River Rd,Springfield,IL,62703,Door-to-door rides,"
    "transportation,Mon-Sat,English; Spanish,Medical appointments,,2026-08-01\n"
)


@pytest.fixture
def page(qtbot: Any, vault: Vault) -> DirectoryPage:
    widget = DirectoryPage(today=TODAY)
    qtbot.addWidget(widget)
    QAbstractItemModelTester(widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    widget.resize(1300, 740)
    widget.show()
    widget.show_for(vault)
    return widget


def shown(page: DirectoryPage) -> list[tuple[str, str]]:
    model = page.model
    return [
        (model.data(model.index(r, ORGANISATION)), model.data(model.index(r, SERVICE)))
        for r in range(model.rowCount())
    ]


def when_modal(kind: type[QWidget], act: Callable[[Any], None]) -> list[QWidget]:
    seen: list[QWidget] = []
    tries = [0]

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            seen.append(widget)
            try:
                act(widget)
            except BaseException:
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.reject()
                raise
            return
        tries[0] += 1
        if tries[0] < 300:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def click(box: QMessageBox, text: str) -> None:
    for button in box.findChildren(QPushButton):
        if button.text().replace("&", "") == text:
            button.click()
            return
    raise AssertionError(f"no {text!r} button")


def test_an_empty_directory_says_how_to_fill_it(page: DirectoryPage) -> None:
    assert page.empty_hint.isVisible() and page.empty_hint.text() == EMPTY_TEXT
    assert "Import CSV" in EMPTY_TEXT and "Add organisation" in EMPTY_TEXT
    assert not page.results.isVisible()
    assert not page.export_button.isEnabled() and page.import_button.isEnabled()
    assert not page.edit_button.isEnabled() and page.add_button.isEnabled()


def test_find_a_food_bank_by_category_and_language_as_you_type(
    qtbot: Any, vault: Vault, page: DirectoryPage
) -> None:
    directory.import_csv_text(vault, HEADER + ROWS)
    page.show_for(vault)
    assert not page.empty_hint.isVisible() and page.model.rowCount() == 4
    assert page.summary.text() == "4 of 4 services"
    page.set_category("food")
    assert shown(page) == [
        ("Hope Street Food Bank (made up)", "Food pantry"),
        ("Hope Street Food Bank (made up)", "Senior boxes"),
    ]
    qtbot.keyClicks(page.search, "pantry")
    assert shown(page) == [("Hope Street Food Bank (made up)", "Food pantry")]
    detail = page.detail.text()
    for words in ("12 Hope St, Springfield, IL 62701", "Anyone in the county", "Photo ID"):
        assert words in detail
    page.search.clear()
    page.set_category("")
    languages = [page.language.itemText(i) for i in range(page.language.count())]
    assert languages == ["Any language", "English", "Spanish", "Vietnamese"]
    page.language.setCurrentIndex(languages.index("Vietnamese"))
    assert shown(page) == [("Maple Table Meals (made up)", "Meals on wheels")]
    page.language.setCurrentIndex(0)
    qtbot.keyClicks(page.search, "zzz")
    assert page.model.rowCount() == 0 and "No service matches" in page.summary.text()


def test_an_entry_verified_over_a_year_ago_is_flagged(vault: Vault, page: DirectoryPage) -> None:
    directory.import_csv_text(vault, HEADER + ROWS)
    page.show_for(vault)
    row = next(i for i, r in enumerate(shown(page)) if r[1] == "Meals on wheels")
    index = page.model.index(row, VERIFIED)
    assert page.model.data(index) == "1 Jun 2024 (over a year ago)"
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole).name() == "#fff4d6"
    fresh = page.model.index(0 if row else 1, VERIFIED)
    assert page.model.data(fresh, Qt.ItemDataRole.BackgroundRole) is None
    page.select_service(page.model.rows()[row].service_id)
    assert "over a year ago: check the details" in page.detail.text()


def test_an_organisation_is_added_with_errors_beside_the_fields(
    qtbot: Any, vault: Vault, page: DirectoryPage
) -> None:
    def fill(dialog: DirectoryEntryDialog) -> None:
        assert dialog.windowTitle() == "Add an organisation"
        qtbot.keyClicks(dialog.service_edits["name"], "Legal clinic")
        dialog.service_edits["last_verified"].setText("2026-13-01")  # type: ignore[union-attr]
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()
        assert dialog.errors["org.name"].text()  # the organisation's name is needed
        assert "category" in dialog.errors["service.categories"].text()
        assert dialog.errors["service.last_verified"].text()
        assert directory.count_services(vault) == 0  # nothing saved half-way
        qtbot.keyClicks(dialog.org_edits["name"], "Prairie Legal Aid (made up)")
        qtbot.keyClicks(dialog.org_edits["city"], "Springfield")
        dialog.service_edits["last_verified"].setText("2026-11-20")  # type: ignore[union-attr]
        dialog.set_categories(["legal-aid"])
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    seen = when_modal(DirectoryEntryDialog, fill)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert seen
    assert shown(page) == [("Prairie Legal Aid (made up)", "Legal clinic")]
    assert page.message.text() == "Organisation and service added."
    assert "Legal aid" in page.detail.text()

    def add_service(dialog: DirectoryEntryDialog) -> None:
        assert dialog.org_edits["name"].text() == "Prairie Legal Aid (made up)"
        qtbot.keyClicks(dialog.service_edits["name"], "Tenant hotline")
        dialog.set_categories(["legal-aid", "housing"])
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(DirectoryEntryDialog, add_service)
    page.add_service()
    assert shown(page)[1] == ("Prairie Legal Aid (made up)", "Tenant hotline")
    assert page.selected() is not None and page.selected().name == "Tenant hotline"  # type: ignore[union-attr]

    def rename(dialog: DirectoryEntryDialog) -> None:
        assert dialog.service_edits["name"].text() == "Tenant hotline"  # type: ignore[union-attr]
        dialog.org_edits["phone"].setText("555-0199")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(DirectoryEntryDialog, rename)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter changes the selected entry
    phones = {v.organisation_phone for v in directory.search_services(vault)}
    assert phones == {"555-0199"}  # the organisation's phone, for both its services

    when_modal(QMessageBox, lambda box: click(box, "Keep"))
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert directory.count_services(vault) == 2
    when_modal(QMessageBox, lambda box: click(box, "Remove service"))
    assert page.remove_entry()
    assert shown(page) == [("Prairie Legal Aid (made up)", "Legal clinic")]
    when_modal(QMessageBox, lambda box: click(box, "Remove organisation"))
    assert page.remove_organisation()
    assert directory.count_services(vault) == 0 and page.empty_hint.isVisible()


def test_a_csv_with_a_bad_row_imports_nothing_and_names_the_row(
    vault: Vault, page: DirectoryPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "agency.csv"
    bad_row = "Broken Bridge (made up),555-0170,,,,,Rides,flying carpets,,,,,\n"
    bad.write_text(HEADER + ROWS + bad_row, encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(bad), "CSV files (*.csv)")
    )
    assert page.import_csv() is None
    assert directory.count_services(vault) == 0  # all or nothing
    text = page.message.text()
    assert page.message.objectName() == "errorText" and page.message.isVisible()
    assert "Nothing was imported" in text and "Row 6" in text and "categories" in text
    assert page.empty_hint.isVisible()
    bad.write_text(HEADER + ROWS, encoding="utf-8")  # corrected: the same file again
    report = page.import_csv()
    assert report is not None and report.added == 4 and report.organisations_added == 3
    assert page.message.text() == ("Imported agency.csv: 4 services added, 3 new organisations.")
    assert page.model.rowCount() == 4


def test_the_export_writes_the_whole_directory(
    vault: Vault, page: DirectoryPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory.import_csv_text(vault, HEADER + ROWS)
    page.show_for(vault)
    page.search.setText("pantry")  # the export is the whole directory, not the search
    target = tmp_path / "out" / "shared-directory"
    target.parent.mkdir()
    suggested: list[str] = []

    def save_as(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        suggested.append(start)
        return str(target), "CSV files (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    written = page.export_csv()
    assert written == target.with_suffix(".csv")
    assert Path(suggested[0]).name == "resource-directory-2026-12-01.csv"
    assert written.read_bytes().decode("utf-8") == directory.directory_csv(vault)
    assert written.read_bytes().decode("utf-8").count("(made up)") == 4
    assert page.message.text() == f"Saved 4 services to {written}."
    unwritable = tmp_path / "missing" / "folder" / "x.csv"
    assert page.export_csv(unwritable) is None
    assert page.message.objectName() == "errorText" and "not saved" in page.message.text()


def test_the_window_opens_the_directory_and_lock_clears_it(
    qtbot: Any, vault_path: Path, vault: Vault
) -> None:
    directory.import_csv_text(vault, HEADER + ROWS)
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    assert not window.coordination.directory_action.isEnabled()  # locked
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    assert window.coordination.directory_action.shortcut().toString() == "Ctrl+Shift+R"
    window.coordination.directory_action.trigger()
    page = window.coordination.directory_page
    assert window.stack.currentWidget() is page and page.model.rowCount() == 4
    window.back_action.trigger()  # Alt+Left
    assert window.stack.currentWidget() is window.caseload_page
    window.coordination.directory_action.trigger()
    qtbot.keyClicks(page.search, "rides")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter goes to the results
    assert page.table.hasFocus() or page.focusWidget() is page.table
    closed: list[bool] = []

    def lock_now(dialog: DirectoryEntryDialog) -> None:
        qtbot.keyClicks(dialog.service_edits["name"], "typed")
        window.lock("idle")
        closed.append(not dialog.isVisible())

    when_modal(DirectoryEntryDialog, lock_now)
    page.edit_entry()
    assert closed == [True]  # locking closes the form without a question
    assert page.vault is None and page.model.rowCount() == 0 and page.detail.text() == ""
    assert window.stack.currentWidget() is window.unlock_page
    assert window.windowTitle() == "CareNav"

"""File > Import caseload, driven like a care manager would, against a real vault."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtTest import QAbstractItemModelTester

from carenav.services import csv_import
from carenav.services.patients import count_patients, create_patient, list_patients
from carenav.store.vault import Vault
from carenav.ui.pages import import_caseload
from carenav.ui.pages.import_caseload import CHECK, CHOOSE, IMPORT, MATCH, ImportCaseloadDialog

LEFT = Qt.MouseButton.LeftButton
# Spanish headers CareNav does not recognise: the care manager matches them by hand.
BAD_FILE = (
    "Apellido,Nombre,DOB,Teléfono,Language\n"
    "Okafor,Ada,1950-01-02,555-010-2000,Igbo\n"
    "Diaz,Rosa,03/04/1950,,Spanish\n"
)
GOOD_FILE = BAD_FILE.replace("03/04/1950", "1950-04-03")


@pytest.fixture
def dialog(qtbot: Any, vault: Vault) -> ImportCaseloadDialog:
    dlg = ImportCaseloadDialog(vault)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def write(tmp_path: Path, text: str, name: str = "caseload.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cell(
    model: Any, row: int, column: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole
) -> Any:
    return model.data(model.index(row, column, QModelIndex()), role)


def header_texts(model: Any) -> list[str]:
    return [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]


def match_spanish_columns(qtbot: Any, dialog: ImportCaseloadDialog) -> None:
    assert dialog.stack.currentIndex() == MATCH
    assert dialog.mapping()["family_name"] is None  # "Apellido" is not recognised
    assert not dialog.next_button.isEnabled()
    assert "Family name and Given name" in dialog.match_message.text()
    for target, header in (("family_name", "Apellido"), ("given_name", "Nombre")):
        combo = dialog.mapping_combos[target]
        combo.setFocus()
        combo.setCurrentIndex(combo.findText(header))
    assert dialog.mapping()["family_name"] == "Apellido"
    assert dialog.next_button.isEnabled() and dialog.next_button.text() == "Check all rows"


def check(qtbot: Any, dialog: ImportCaseloadDialog) -> None:
    qtbot.mouseClick(dialog.next_button, LEFT)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == CHECK, timeout=10000)


def test_bad_row_is_reported_then_the_corrected_file_imports(
    qtbot: Any, dialog: ImportCaseloadDialog, vault: Vault, tmp_path: Path
) -> None:
    path = write(tmp_path, BAD_FILE)
    assert dialog.windowTitle() == "Import caseload"
    assert dialog.load_file(path)
    assert dialog.file_label.text() == "File: caseload.csv, 2 patient rows"
    match_spanish_columns(qtbot, dialog)
    assert "Teléfono" in dialog.unused_label.text()
    check(qtbot, dialog)

    problems = dialog.problems_model
    assert problems.rowCount() == 1
    assert cell(problems, 0, 0) == "3"
    assert cell(problems, 0, 1) == 'Date of birth ("DOB")'
    assert "YYYY-MM-DD" in cell(problems, 0, 2)
    assert dialog.summary_label.text() == "1 row ready to import; 1 row with problems."
    assert "Read the file again" in dialog.advice_label.text()
    assert not dialog.next_button.isEnabled()
    assert count_patients(vault) == 0

    # The care manager corrects the spreadsheet, saves, and reads the file again.
    write(tmp_path, GOOD_FILE)
    qtbot.mouseClick(dialog.reload_button, LEFT)
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.plan.ok, timeout=10000)
    assert dialog.mapping()["family_name"] == "Apellido"  # the manual matching is kept
    assert dialog.summary_label.text() == "All 2 rows are ready to import."
    assert dialog.next_button.text() == "Import 2 patients"
    qtbot.mouseClick(dialog.next_button, LEFT)
    qtbot.waitUntil(lambda: dialog.imported_count == 2, timeout=10000)

    assert dialog.stack.currentIndex() == IMPORT
    assert dialog.result_label.text() == "Imported 2 patients. They are now in your caseload."
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == 2
    assert dialog.next_button.text() == "Done" and not dialog.close_button.isVisible()
    assert dialog.windowTitle() == "Import caseload"
    qtbot.mouseClick(dialog.next_button, LEFT)
    assert dialog.result() == ImportCaseloadDialog.DialogCode.Accepted and not dialog.isVisible()
    patients = {p.family_name: p for p in list_patients(vault)}
    assert set(patients) == {"Okafor", "Diaz"}
    assert patients["Okafor"].preferred_language == "Igbo"
    assert str(patients["Diaz"].birth_date) == "1950-04-03"


def test_import_only_the_ready_rows_when_asked(
    qtbot: Any, dialog: ImportCaseloadDialog, vault: Vault, tmp_path: Path
) -> None:
    dialog.load_file(write(tmp_path, BAD_FILE))
    match_spanish_columns(qtbot, dialog)
    check(qtbot, dialog)
    box = dialog.skip_bad_rows_box
    assert box.isVisible() and not box.isChecked()
    assert box.text() == "Leave out the 1 row with problems and import the 1 ready row now"
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))  # on the tick box
    assert dialog.next_button.isEnabled() and dialog.next_button.text() == "Import 1 ready row"
    qtbot.mouseClick(dialog.next_button, LEFT)
    qtbot.waitUntil(lambda: dialog.imported_count == 1, timeout=10000)
    assert "Imported 1 patient." in dialog.result_label.text()
    assert "(row 3)" in dialog.result_detail.text()
    assert [p.family_name for p in list_patients(vault)] == ["Okafor"]


def test_duplicate_of_a_patient_in_the_caseload_is_shown(
    qtbot: Any, dialog: ImportCaseloadDialog, vault: Vault, tmp_path: Path
) -> None:
    create_patient(
        vault, {"family_name": "Okafor", "given_name": "Ada", "birth_date": "1950-01-02"}
    )
    dialog.load_file(write(tmp_path, GOOD_FILE))
    match_spanish_columns(qtbot, dialog)
    check(qtbot, dialog)
    assert cell(dialog.problems_model, 0, 0) == "2"
    assert cell(dialog.problems_model, 0, 1) == "Whole row"
    assert "already in the caseload" in cell(dialog.problems_model, 0, 2)
    assert count_patients(vault) == 1


def test_cancel_really_cancels(
    qtbot: Any,
    dialog: ImportCaseloadDialog,
    vault: Vault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = "".join(f"Family{i},Given,1950-01-01\n" for i in range(450))
    dialog.load_file(write(tmp_path, "Last Name,First Name,DOB\n" + rows))
    check(qtbot, dialog)
    assert dialog.next_button.text() == "Import 450 patients"

    # Hold the import at its second progress report until Cancel has been clicked.
    clicked = threading.Event()
    real_run_import = csv_import.run_import

    def held_run_import(*args: Any, progress: Any, **kwargs: Any) -> int:
        def held(done: int, total: int) -> bool:
            if done >= 100:
                clicked.wait(10)
            return bool(progress(done, total))

        return real_run_import(*args, progress=held, **kwargs)

    monkeypatch.setattr(csv_import, "run_import", held_run_import)
    qtbot.mouseClick(dialog.next_button, LEFT)
    assert dialog.stack.currentIndex() == IMPORT
    qtbot.waitUntil(lambda: dialog.cancel_button.isVisible(), timeout=5000)
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert "nothing will be imported" in dialog.progress_label.text()
    clicked.set()
    qtbot.waitUntil(lambda: "cancelled" in dialog.result_label.text(), timeout=10000)
    assert dialog.result_label.text() == (
        "The import was cancelled. Nothing was imported; your caseload is as it was."
    )
    assert dialog.imported_count == 0
    assert count_patients(vault) == 0
    assert not dialog.cancel_button.isVisible()
    # Back to the check: the same rows can still be imported later.
    qtbot.mouseClick(dialog.back_button, LEFT)
    assert dialog.stack.currentIndex() == CHECK and dialog.next_button.isEnabled()


def test_file_not_in_utf8_is_refused_with_advice(
    dialog: ImportCaseloadDialog, tmp_path: Path
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Last Name,First Name,DOB\nMuñoz,José,1950-01-01\n".encode("cp1252"))
    assert not dialog.load_file(path)
    assert dialog.stack.currentIndex() == CHOOSE
    assert dialog.choose_message.isVisible()
    assert "CSV UTF-8" in dialog.choose_message.text()
    assert not dialog.next_button.isVisible()


def test_preview_shows_rows_as_they_would_be_imported(
    qtbot: Any, dialog: ImportCaseloadDialog, tmp_path: Path
) -> None:
    rows = "".join(f"Family{i},Given,1950-01-01,ccm;tcm,High\n" for i in range(30))
    dialog.load_file(
        write(tmp_path, "Last Name,First Name,DOB,Programs,Risk\nLee,Min,06/05/1960,,\n" + rows)
    )
    model = dialog.preview_model
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert model.rowCount() == 20
    assert header_texts(model) == [
        "Row",
        "Family name",
        "Given name",
        "Date of birth",
        "Programmes",
        "Risk tier",
    ]
    assert cell(model, 0, 0) == "2"
    assert cell(model, 0, 3) == "06/05/1960"
    assert "YYYY-MM-DD" in cell(model, 0, 3, Qt.ItemDataRole.ToolTipRole)
    assert cell(model, 0, 3, Qt.ItemDataRole.BackgroundRole) is not None
    assert cell(model, 1, 4) == "Chronic care management, Transitional care management"
    assert cell(model, 1, 5) == "High"
    assert cell(model, 1, 4, Qt.ItemDataRole.BackgroundRole) is None
    # Un-choosing a column removes it from the preview.
    dialog.set_column("programs", None)
    assert "Programmes" not in header_texts(model)
    assert "Programs" in dialog.unused_label.text()


def test_problem_model_behaves(qtbot: Any, dialog: ImportCaseloadDialog, tmp_path: Path) -> None:
    dialog.load_file(write(tmp_path, "Last Name,First Name,DOB\n,A,1950-01-01\nB,,x\n"))
    QAbstractItemModelTester(
        dialog.problems_model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    check(qtbot, dialog)
    rows = [cell(dialog.problems_model, r, 0) for r in range(dialog.problems_model.rowCount())]
    assert rows == ["2", "3", "3"]
    assert header_texts(dialog.problems_model) == ["Row", "Column", "Problem"]


def test_no_text_smaller_than_ten_points() -> None:
    sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)pt", import_caseload.DIALOG_STYLE)]
    assert sizes and min(sizes) >= 10
    assert "px" not in re.sub(
        r"(border|radius|padding|margin)[^;]*;", "", import_caseload.DIALOG_STYLE
    )


def test_columns_cannot_change_while_the_rows_are_checked(
    qtbot: Any,
    dialog: ImportCaseloadDialog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog.load_file(write(tmp_path, GOOD_FILE))
    match_spanish_columns(qtbot, dialog)
    looked = threading.Event()
    real_plan_import = csv_import.plan_import

    def held_plan_import(*args: Any) -> csv_import.ImportPlan:
        looked.wait(10)
        return real_plan_import(*args)

    monkeypatch.setattr(csv_import, "plan_import", held_plan_import)
    qtbot.mouseClick(dialog.next_button, LEFT)
    assert not dialog.mapping_combos["family_name"].isEnabled()
    assert not dialog.next_button.isEnabled() and not dialog.back_button.isEnabled()
    assert dialog.checking_label.text() == "Checking 2 rows…"
    looked.set()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == CHECK, timeout=10000)
    assert dialog.mapping_combos["family_name"].isEnabled()
    assert not dialog.checking_label.isVisible()
    assert dialog.plan is not None and dialog.plan.ok

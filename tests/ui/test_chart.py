"""The patient chart page, the record dialog and New patient, against a real vault."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QDate, QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from carenav.errors import StaleRecord
from carenav.models import (
    AllergyIntolerance,
    CaseNote,
    Condition,
    MedicationStatement,
    RelatedPerson,
)
from carenav.services.chart import add_chart_record, load_chart, update_chart_record
from carenav.services.patients import age_on, count_patients, create_patient, get_patient
from carenav.store.vault import Vault
from carenav.ui.pages.chart import ChartPage, NewPatientDialog
from carenav.ui.pages.chart.chart_page import LEAVE_QUESTION
from carenav.ui.pages.chart.editors import DateField
from carenav.ui.pages.chart.fields import MEDICATIONS, NOTES
from carenav.ui.pages.chart.record_dialog import RecordDialog
from carenav.ui.pages.chart.record_section import RecordSection
from carenav.ui.pages.chart.record_table import RecordTableModel

BIRTH = date(1938, 1, 2)
PATIENT: dict[str, Any] = {
    "family_name": "Abernathy",
    "given_name": "Ruth",
    "preferred_name": "Ruthie",
    "birth_date": BIRTH.isoformat(),
    "preferred_language": "Vietnamese",
    "interpreter_needed": True,
    "phone_mobile": "555-010-1111",
    "address_line": "12 Quince Lane",
    "city": "Springfield",
    "programs": ["ccm", "tcm"],
    "risk_tier": "very_high",
    "member_id": "MCD-778812",
}
NOTE_TEXT = "Weight up two kilos; ankles swollen. Daughter Mai will call the clinic."
# Everything above that would identify the patient or describe their care.
PHI = (
    "Abernathy",
    "Ruth",
    "Springfield",
    "Quince",
    "555-010",
    "MCD-778812",
    "Vietnamese",
    "Penicillin",
    "Metformin",
    "Mai Abernathy",
    "ankles swollen",
    "Heart failure",
    "1938",
)


# -- helpers ------------------------------------------------------------------------


def answer_message_boxes(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[QMessageBox]:
    """Replace QMessageBox.exec: click the button with each text in turn; record the boxes."""
    asked: list[QMessageBox] = []
    queue = list(answers)

    def fake_exec(box: QMessageBox) -> int:
        asked.append(box)
        wanted = queue.pop(0)
        button = next(b for b in box.buttons() if b.text().replace("&", "") == wanted)
        button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return asked


def button_text(button: QAbstractButton | None) -> str:
    assert button is not None
    return button.text().replace("&", "")


def shown_texts(root: QWidget) -> str:
    """Every piece of text held by labels, text boxes, readers and item models under root."""
    parts = [w.text() for w in root.findChildren(QLabel)]
    parts += [w.text() for w in root.findChildren(QLineEdit)]
    parts += [w.toPlainText() for w in root.findChildren(QTextEdit)]
    parts += [w.toPlainText() for w in root.findChildren(QPlainTextEdit)]
    for model in root.findChildren(QAbstractItemModel):
        list_model = isinstance(model, QAbstractListModel)
        columns = 1 if list_model else model.columnCount(QModelIndex())
        for row in range(model.rowCount(QModelIndex())):
            for column in range(columns):
                index = model.index(row, column)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(index, role)
                    if value is not None:
                        parts.append(str(value))
    return "\n".join(parts)


def activate(qtbot: Any, window: QWidget) -> None:
    """Make the window active (keyboard focus and shortcuts need it)."""
    if QApplication.activeWindow() is not window:
        with qtbot.waitActive(window):
            window.activateWindow()


def line(page: ChartPage, field: str) -> QLineEdit:
    widget = page.form.editor(field).widget
    assert isinstance(widget, QLineEdit)
    return widget


def retype(qtbot: Any, box: QLineEdit | QPlainTextEdit, text: str) -> None:
    box.clear()
    qtbot.keyClicks(box, text)


def choose(combo: QWidget, label: str) -> None:
    assert isinstance(combo, QComboBox)
    index = combo.findText(label)
    assert index >= 0, label
    combo.setCurrentIndex(index)


# -- fixtures -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question the test did not answer fails the test instead of waiting forever."""

    def unexpected(box: QMessageBox) -> int:
        raise AssertionError(f"unexpected message box: {box.text()}")

    monkeypatch.setattr(QMessageBox, "exec", unexpected)


@pytest.fixture
def new_patient_dialog(vault: Vault) -> Iterator[NewPatientDialog]:
    """Not handed to qtbot: closing a dialog with typed text would (rightly) ask first."""
    dialog = NewPatientDialog(vault)
    yield dialog
    dialog.form.clear()
    dialog.done(0)
    dialog.deleteLater()


@pytest.fixture
def patient_id(vault: Vault) -> uuid.UUID:
    pid = create_patient(vault, PATIENT)
    add_chart_record(
        vault,
        AllergyIntolerance,
        pid,
        {"substance": "Penicillin", "reaction": "hives", "severity": "severe"},
    )
    add_chart_record(
        vault,
        MedicationStatement,
        pid,
        {"name": "Metformin", "dose": "500 mg", "frequency": "twice a day", "status": "active"},
    )
    add_chart_record(
        vault,
        RelatedPerson,
        pid,
        {"name": "Mai Abernathy", "relationship": "daughter", "primary_caregiver": True},
    )
    add_chart_record(vault, CaseNote, pid, {"kind": "visit", "subject": "", "text": NOTE_TEXT})
    add_chart_record(vault, Condition, pid, {"text": "Heart failure", "icd10_code": "I50.22"})
    return pid


@pytest.fixture
def page(qtbot: Any, vault: Vault, patient_id: uuid.UUID) -> ChartPage:
    chart = ChartPage()
    qtbot.addWidget(chart)
    chart.resize(1280, 760)
    chart.show()
    chart.show_patient(vault, patient_id)
    return chart


# -- banner -------------------------------------------------------------------------


def test_banner_shows_name_age_language_risk_and_allergies(page: ChartPage) -> None:
    banner = page.banner
    assert banner.name_label.text() == 'Abernathy, Ruth "Ruthie"'
    assert banner.birth_label.text() == f"{age_on(BIRTH)} years old · born 2 Jan 1938"
    assert banner.language_label.text() == "Speaks Vietnamese"
    assert banner.interpreter_badge.text() == "Interpreter needed"
    assert banner.interpreter_badge.isVisibleTo(page)
    assert banner.risk_badge.text() == "Very high risk"
    assert banner.risk_badge.objectName() == "badgeAmber"
    assert not banner.status_badge.isVisibleTo(page)  # active patients need no badge
    assert banner.programmes_label.text() == (
        "Programmes: Chronic care management, Transitional care management"
    )
    assert banner.allergies_label.text() == "Allergies: Penicillin (hives, severe)"
    assert banner.allergies_label.objectName() == "allergyAlert"
    assert "Abernathy" not in page.windowTitle()


def test_banner_says_when_no_allergies_are_recorded(qtbot: Any, vault: Vault) -> None:
    pid = create_patient(
        vault,
        {
            "family_name": "Okafor",
            "given_name": "Ben",
            "birth_date": "1960-07-30",
            "risk_tier": "low",
        },
    )
    chart = ChartPage()
    qtbot.addWidget(chart)
    chart.show_patient(vault, pid)
    assert chart.banner.allergies_label.text() == "No allergies recorded"
    assert chart.banner.allergies_label.objectName() == "allergyNone"
    assert chart.banner.risk_badge.text() == "Low risk"
    assert chart.banner.risk_badge.objectName() == "badgeNeutral"
    assert not chart.banner.interpreter_badge.isVisibleTo(chart)


def test_every_section_is_filled_from_the_chart(page: ChartPage) -> None:
    meds = page.sections["Medications"].model
    assert meds.rowCount() == 1
    assert [meds.index(0, c).data() for c in range(4)] == [
        "Metformin",
        "500 mg",
        "By mouth",
        "twice a day",
    ]
    family = page.sections["Family and caregivers"].model
    assert family.index(0, 0).data() == "Mai Abernathy"
    assert family.index(0, 1).data() == "Daughter"
    assert family.index(0, 3).data() == "Primary caregiver"
    problems = page.sections["Problems"].model
    assert problems.index(0, 0).data() == "Heart failure"
    assert problems.index(0, 1).data() == "I50.22"
    assert page.sections["Care team"].model.rowCount() == 0
    assert not page.sections["Care team"].empty_hint.isHidden()
    assert page.sections["Medications"].empty_hint.isHidden()
    assert page.tabs.tabText(3) == "Problems (1)"


# -- demographics -------------------------------------------------------------------


def test_edit_demographics_through_the_widgets_and_save(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    assert not page.save_button.isEnabled() and not page.revert_button.isEnabled()
    retype(qtbot, line(page, "city"), "Shelbyville")
    retype(qtbot, line(page, "preferred_name"), "Ruthie B")
    page.form.editor("interpreter_needed").widget.click()  # type: ignore[attr-defined]
    assert page.has_unsaved_changes()
    assert page.save_button.isEnabled() and page.revert_button.isEnabled()

    with qtbot.waitSignal(page.patient_changed) as signal:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert signal.args == [patient_id]
    saved = get_patient(vault, patient_id)
    assert saved.city == "Shelbyville"
    assert saved.preferred_name == "Ruthie B"
    assert saved.interpreter_needed is False
    assert saved.family_name == "Abernathy"  # untouched fields stay as they were
    assert not page.has_unsaved_changes()
    assert not page.save_button.isEnabled()
    assert page.save_message.text() == "Changes saved."
    assert page.banner.name_label.text() == 'Abernathy, Ruth "Ruthie B"'
    assert not page.banner.interpreter_badge.isVisibleTo(page)


def test_ctrl_s_saves_and_a_second_save_uses_the_new_version(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    activate(qtbot, page)
    retype(qtbot, line(page, "postal_code"), "62701")
    qtbot.keyClick(line(page, "postal_code"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert get_patient(vault, patient_id).postal_code == "62701"
    retype(qtbot, line(page, "postal_code"), "62702")
    assert page.save_changes() is True
    assert get_patient(vault, patient_id).postal_code == "62702"


def test_programmes_and_risk_tier_are_saved_as_codes(
    page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    programmes = page.form.editor("programs").widget
    programmes.set_code_checked("rpm", True)  # type: ignore[attr-defined]
    programmes.set_code_checked("tcm", False)  # type: ignore[attr-defined]
    choose(page.form.editor("risk_tier").widget, "High")
    assert page.save_changes()
    saved = get_patient(vault, patient_id)
    assert saved.programs == ["ccm", "rpm"]
    assert saved.risk_tier == "high"
    assert page.banner.risk_badge.text() == "High risk"


def test_invalid_demographics_show_messages_beside_the_fields_and_save_nothing(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    activate(qtbot, page)
    before = get_patient(vault, patient_id)
    line(page, "family_name").clear()
    dob = page.form.editor("birth_date").widget.line  # type: ignore[attr-defined]
    retype(qtbot, dob, "2090-01-01")
    retype(qtbot, line(page, "city"), "Shelbyville")

    assert page.save_changes() is False

    family = page.form.editor("family_name")
    birth = page.form.editor("birth_date")
    assert family.message.text() == "Family name is required."
    assert family.message.isVisibleTo(page)
    assert birth.message.text() == "Date of birth cannot be in the future."
    assert not page.form.editor("city").message.isVisibleTo(page)
    assert family.widget.hasFocus()
    assert "correct the details marked in red" in page.save_message.text()
    after = get_patient(vault, patient_id)
    assert (after.family_name, after.birth_date, after.city) == ("Abernathy", BIRTH, "Springfield")
    assert after.version == before.version
    assert dob.text() == "2090-01-01" and line(page, "city").text() == "Shelbyville"
    assert page.has_unsaved_changes()

    # Correcting the fields clears the messages on the next save.
    qtbot.keyClicks(line(page, "family_name"), "Abernathy-Lee")
    retype(qtbot, dob, "1938-01-03")
    assert page.save_changes() is True
    assert not family.message.isVisibleTo(page) and not birth.message.text()
    assert get_patient(vault, patient_id).family_name == "Abernathy-Lee"


def test_calendar_fills_the_date_box(page: ChartPage) -> None:
    consent = page.form.editor("consent_date").widget
    assert isinstance(consent, DateField)
    consent.menu.aboutToShow.emit()  # the calendar opens on today when the box is empty
    assert consent.calendar.selectedDate() == QDate.currentDate()
    consent.calendar.clicked.emit(QDate(2024, 5, 1))
    assert consent.text() == "2024-05-01"
    assert page.has_unsaved_changes()


def test_badly_typed_date_gets_the_format_message(qtbot: Any, page: ChartPage) -> None:
    consent = page.form.editor("consent_date").widget.line  # type: ignore[attr-defined]
    qtbot.keyClicks(consent, "3/4/2024")
    choose(page.form.editor("consent_method").widget, "Verbal")
    assert page.save_changes() is False
    assert page.form.editor("consent_date").message.text() == (
        "Enter the date as YYYY-MM-DD, for example 1948-03-27."
    )


def test_a_stale_save_says_so_and_keeps_the_edits(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    from carenav.services.patients import update_patient

    update_patient(vault, patient_id, {"city": "Capital City"})  # saved elsewhere meanwhile
    retype(qtbot, line(page, "city"), "Shelbyville")
    assert page.save_changes() is False
    assert str(StaleRecord()) in page.save_message.text()
    assert get_patient(vault, patient_id).city == "Capital City"
    assert line(page, "city").text() == "Shelbyville"


def test_revert_puts_back_the_saved_details(qtbot: Any, page: ChartPage) -> None:
    retype(qtbot, line(page, "city"), "Shelbyville")
    qtbot.mouseClick(page.revert_button, Qt.MouseButton.LeftButton)
    assert line(page, "city").text() == "Springfield"
    assert not page.has_unsaved_changes()


# -- leaving with unsaved changes ---------------------------------------------------


def test_maybe_leave_without_changes_does_not_ask(
    page: ChartPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_message_boxes(monkeypatch)
    assert page.maybe_leave() is True
    assert asked == []


def test_maybe_leave_cancel_keeps_the_edits(
    qtbot: Any,
    page: ChartPage,
    vault: Vault,
    patient_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retype(qtbot, line(page, "city"), "Shelbyville")
    asked = answer_message_boxes(monkeypatch, "Cancel")
    assert page.maybe_leave() is False
    box = asked[0]
    assert box.text() == LEAVE_QUESTION
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Save)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert "Abernathy" not in box.windowTitle()
    assert line(page, "city").text() == "Shelbyville"
    assert page.has_unsaved_changes()
    assert get_patient(vault, patient_id).city == "Springfield"


def test_maybe_leave_save_saves(
    qtbot: Any,
    page: ChartPage,
    vault: Vault,
    patient_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retype(qtbot, line(page, "city"), "Shelbyville")
    answer_message_boxes(monkeypatch, "Save")
    assert page.maybe_leave() is True
    assert get_patient(vault, patient_id).city == "Shelbyville"
    assert not page.has_unsaved_changes()


def test_maybe_leave_save_with_bad_input_stays(
    page: ChartPage, vault: Vault, patient_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    line(page, "given_name").clear()
    answer_message_boxes(monkeypatch, "Save")
    assert page.maybe_leave() is False
    assert page.form.editor("given_name").message.text() == "Given name is required."
    assert get_patient(vault, patient_id).given_name == "Ruth"


def test_maybe_leave_discard_reverts(
    qtbot: Any,
    page: ChartPage,
    vault: Vault,
    patient_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retype(qtbot, line(page, "city"), "Shelbyville")
    answer_message_boxes(monkeypatch, "Discard")
    assert page.maybe_leave() is True
    assert line(page, "city").text() == "Springfield"
    assert not page.has_unsaved_changes()
    assert get_patient(vault, patient_id).city == "Springfield"


# -- records through the dialog ------------------------------------------------------


def open_dialog(section: RecordSection, opener: Callable[[], object]) -> RecordDialog:
    opener()
    assert section.dialog is not None
    return section.dialog


def test_add_edit_and_remove_a_medication_through_the_dialog(
    qtbot: Any,
    page: ChartPage,
    vault: Vault,
    patient_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = page.sections["Medications"]
    page.show_section(4)

    dialog = open_dialog(section, section.add_button.click)
    assert dialog.windowTitle() == "Add medication"
    qtbot.keyClicks(dialog.editors["name"].widget, "Amlodipine")
    qtbot.keyClicks(dialog.editors["dose"].widget, "5 mg")
    qtbot.keyClicks(dialog.editors["frequency"].widget, "once a day")
    qtbot.keyClicks(dialog.editors["start_date"].widget.line, "2024-02-01")  # type: ignore[attr-defined]
    choose(dialog.editors["route"].widget, "By mouth")
    with qtbot.waitSignal(page.patient_changed):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    meds = {m.name: m for m in load_chart(vault, patient_id).medications}
    assert meds["Amlodipine"].dose == "5 mg"
    assert meds["Amlodipine"].start_date == date(2024, 2, 1)
    assert meds["Amlodipine"].status == "active"
    row = section.model.row_of(meds["Amlodipine"].id)
    assert section.model.index(row, 0).data() == "Amlodipine"
    assert section.model.index(row, 7).data() == "1 Feb 2024"
    assert section.selected_record().name == "Amlodipine"  # the new row is selected

    # Enter on the table edits the selected record.
    section.table.setFocus()
    qtbot.keyClick(section.table, Qt.Key.Key_Return)
    dialog = section.dialog
    assert dialog is not None and dialog.windowTitle() == "Edit medication"
    assert dialog.editors["name"].widget.text() == "Amlodipine"  # type: ignore[attr-defined]
    retype(qtbot, dialog.editors["dose"].widget, "10 mg")  # type: ignore[arg-type]
    choose(dialog.editors["status"].widget, "On hold")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    edited = next(m for m in load_chart(vault, patient_id).medications if m.name == "Amlodipine")
    assert (edited.dose, edited.status, edited.version) == ("10 mg", "on_hold", 2)

    # Delete asks first; Keep (the default) keeps it, Remove removes it.
    section.table.selectRow(section.model.row_of(edited.id))
    asked = answer_message_boxes(monkeypatch, "Keep", "Remove")
    qtbot.keyClick(section.table, Qt.Key.Key_Delete)
    assert button_text(asked[0].defaultButton()) == "Keep"
    assert button_text(asked[0].escapeButton()) == "Keep"
    assert "medication" in asked[0].text()
    assert any(m.name == "Amlodipine" for m in load_chart(vault, patient_id).medications)
    with qtbot.waitSignal(page.patient_changed):
        qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    remaining = [m.name for m in load_chart(vault, patient_id).medications]
    assert remaining == ["Metformin"]
    assert section.model.rowCount() == 1


def test_record_dialog_keeps_what_was_typed_and_shows_messages_beside_fields(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Medications"]
    dialog = open_dialog(section, section.add_record)
    dialog.show()
    qtbot.keyClicks(dialog.editors["dose"].widget, "5 mg")
    qtbot.keyClicks(dialog.editors["start_date"].widget.line, "2024-03-01")  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.editors["stop_date"].widget.line, "2024-02-01")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.editors["name"].message.text() == "Medication is required."
    assert dialog.editors["dose"].widget.text() == "5 mg"  # type: ignore[attr-defined]
    assert len(load_chart(vault, patient_id).medications) == 1

    qtbot.keyClicks(dialog.editors["name"].widget, "Amlodipine")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert not dialog.editors["name"].message.text()
    assert dialog.editors["stop_date"].message.text() == "The stop date is before the start date."

    retype(qtbot, dialog.editors["stop_date"].widget.line, "2024-04-01")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert len(load_chart(vault, patient_id).medications) == 2


def test_stale_record_edit_gets_the_stale_message(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Medications"]
    section.table.selectRow(0)
    dialog = open_dialog(section, section.edit_selected)
    metformin = section.selected_record()
    update_chart_record(vault, MedicationStatement, metformin.id, {"dose": "1000 mg"})
    retype(qtbot, dialog.editors["dose"].widget, "750 mg")  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == str(StaleRecord())
    assert dialog.editors["dose"].widget.text() == "750 mg"  # type: ignore[attr-defined]
    assert load_chart(vault, patient_id).medications[0].dose == "1000 mg"


def test_cancel_with_typed_text_asks_before_discarding(
    qtbot: Any, page: ChartPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = page.sections["Allergies"]
    dialog = open_dialog(section, section.add_record)
    qtbot.keyClicks(dialog.editors["substance"].widget, "Latex")
    asked = answer_message_boxes(monkeypatch, "Keep editing", "Discard")
    dialog.reject()
    assert button_text(asked[0].defaultButton()) == "Keep editing"
    assert dialog.isVisible()
    assert dialog.editors["substance"].widget.text() == "Latex"  # type: ignore[attr-defined]
    dialog.reject()
    assert len(asked) == 2
    assert not dialog.isVisible()


def test_adding_an_allergy_updates_the_banner(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Allergies"]
    dialog = open_dialog(section, section.add_button.click)
    assert dialog.windowTitle() == "Add allergy"
    qtbot.keyClicks(dialog.editors["substance"].widget, "Sulfa drugs")
    choose(dialog.editors["severity"].widget, "Moderate")
    dialog.accept()
    assert page.banner.allergies_label.text() == (
        "Allergies: Penicillin (hives, severe); Sulfa drugs (moderate)"
    )
    assert [a.substance for a in load_chart(vault, patient_id).allergies] == [
        "Penicillin",
        "Sulfa drugs",
    ]


def test_family_member_flags_are_saved_from_checkboxes(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Family and caregivers"]
    dialog = open_dialog(section, section.add_record)
    qtbot.keyClicks(dialog.editors["name"].widget, "Tom Ng")
    choose(dialog.editors["relationship"].widget, "Friend or neighbour")
    dialog.editors["emergency_contact"].widget.click()  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.editors["phone"].widget, "call me")
    dialog.accept()
    assert "digits" in dialog.editors["phone"].message.text()
    retype(qtbot, dialog.editors["phone"].widget, "555-010-9999")  # type: ignore[arg-type]
    dialog.accept()
    tom = next(p for p in load_chart(vault, patient_id).family if p.name == "Tom Ng")
    assert (tom.relationship, tom.emergency_contact, tom.primary_caregiver) == (
        "friend",
        True,
        False,
    )
    assert tom.phone == "555-010-9999"


def test_notes_are_newest_first_and_readable(
    qtbot: Any, vault: Vault, patient_id: uuid.UUID
) -> None:
    add_chart_record(
        vault,
        CaseNote,
        patient_id,
        {
            "written_at": datetime.now(UTC) - timedelta(days=30),
            "kind": "call",
            "subject": "Old call",
            "text": "An older note.",
        },
    )
    chart = ChartPage()
    qtbot.addWidget(chart)
    chart.show_patient(vault, patient_id)
    notes = chart.sections["Notes"]
    assert notes.model.index(0, 1).data() == "Home visit"
    assert notes.model.index(1, 2).data() == "Old call"
    assert notes.reader is not None
    assert NOTE_TEXT in notes.reader.toPlainText()  # newest is selected and shown
    notes.table.selectRow(1)
    assert "An older note." in notes.reader.toPlainText()
    assert "Phone call" in notes.reader.toPlainText()


def test_note_dialog_adds_a_note_with_its_time(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Notes"]
    dialog = open_dialog(section, section.add_record)
    choose(dialog.editors["kind"].widget, "Care coordination")
    qtbot.keyClicks(dialog.editors["text"].widget, "Faxed the care plan to the clinic.")
    dialog.accept()
    newest = load_chart(vault, patient_id).notes[0]
    assert newest.kind == "coordination"
    assert newest.text == "Faxed the care plan to the clinic."
    assert abs(newest.written_at - datetime.now(UTC)) < timedelta(minutes=2)


# -- removing the patient, navigation -----------------------------------------------


def test_remove_patient_asks_with_cancel_as_default(
    qtbot: Any,
    page: ChartPage,
    vault: Vault,
    patient_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = answer_message_boxes(monkeypatch, "Cancel", "Remove patient")
    page.remove_patient_action.trigger()
    assert button_text(asked[0].defaultButton()) == "Cancel"
    assert button_text(asked[0].escapeButton()) == "Cancel"
    assert count_patients(vault) == 1
    assert page.banner.name_label.text().startswith("Abernathy")

    with qtbot.waitSignal(page.patient_removed) as signal:
        page.remove_patient_action.trigger()
    assert signal.args == [patient_id]
    assert count_patients(vault) == 0
    assert page.banner.name_label.text() == ""


def test_back_button_and_escape_ask_to_go_back(qtbot: Any, page: ChartPage) -> None:
    with qtbot.waitSignal(page.back_requested):
        qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.back_requested):
        qtbot.keyClick(page.sections["Problems"].table, Qt.Key.Key_Escape)
    with qtbot.waitSignal(page.back_requested):
        qtbot.keyClick(line(page, "city"), Qt.Key.Key_Escape)
    with qtbot.waitSignal(page.back_requested):
        table = page.sections["Notes"].table
        qtbot.keyClick(table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)


def test_ctrl_number_switches_sections(qtbot: Any, page: ChartPage) -> None:
    activate(qtbot, page)
    line(page, "city").setFocus()
    qtbot.keyClick(line(page, "city"), Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentIndex() == 5
    assert page.sections["Notes"].table.hasFocus()
    qtbot.keyClick(page.sections["Notes"].table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentIndex() == 0


# -- clearing on lock ---------------------------------------------------------------


def test_clear_leaves_no_patient_text_anywhere(
    qtbot: Any, page: ChartPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = shown_texts(page)
    for text in PHI:
        assert text in before, text  # the check below would otherwise prove nothing
    retype(qtbot, line(page, "city"), "Shelbyville")  # unsaved edits go too
    section = page.sections["Medications"]
    section.table.selectRow(0)
    dialog = open_dialog(section, section.edit_selected)

    page.clear()

    after = shown_texts(page)
    for text in (*PHI, "Shelbyville"):
        assert text not in after, text
    assert not dialog.isVisible()
    assert not page.has_unsaved_changes()
    assert page.tabs.tabText(3) == "Problems"
    assert not section.add_button.isEnabled()


# -- New patient --------------------------------------------------------------------


def test_new_patient_dialog_adds_a_patient(
    qtbot: Any, vault: Vault, new_patient_dialog: NewPatientDialog
) -> None:
    dialog = new_patient_dialog
    assert dialog.windowTitle() == "New patient"
    form = dialog.form
    qtbot.keyClicks(form.editor("family_name").widget, "Okafor")
    qtbot.keyClicks(form.editor("given_name").widget, "Ben")
    qtbot.keyClicks(form.editor("birth_date").widget.line, "1960-07-30")  # type: ignore[attr-defined]
    qtbot.keyClicks(form.editor("phone_mobile").widget, "555-010-7777")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    created = get_patient(vault, dialog.created_id)
    assert (created.family_name, created.given_name, created.birth_date) == (
        "Okafor",
        "Ben",
        date(1960, 7, 30),
    )
    assert created.phone_mobile == "555-010-7777"
    assert (created.preferred_language, created.risk_tier, created.status) == (
        "English",
        "moderate",
        "active",
    )


def test_new_patient_dialog_shows_messages_for_missing_names(
    qtbot: Any, vault: Vault, new_patient_dialog: NewPatientDialog
) -> None:
    dialog = new_patient_dialog
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    qtbot.keyClicks(dialog.form.editor("birth_date").widget.line, "1960-07-30")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    family = dialog.form.editor("family_name")
    assert family.message.text() == "Family name is required."
    assert dialog.form.editor("given_name").message.text() == "Given name is required."
    assert family.widget.hasFocus()
    assert dialog.form.editor("birth_date").widget.text() == "1960-07-30"  # type: ignore[attr-defined]
    assert count_patients(vault) == 0


# -- the table model ----------------------------------------------------------------


def test_record_table_model_passes_the_model_tester(
    qtbot: Any, vault: Vault, patient_id: uuid.UUID
) -> None:
    chart = load_chart(vault, patient_id)
    for kind, records in ((MEDICATIONS, chart.medications), (NOTES, chart.notes)):
        model = RecordTableModel(kind)
        tester = QAbstractItemModelTester(
            model, QAbstractItemModelTester.FailureReportingMode.Fatal
        )
        model.set_records(records)
        assert model.rowCount() == len(records) == 1
        assert model.columnCount() == len(kind.columns)
        assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == (
            kind.columns[0].header
        )
        assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == records[0].id
        model.clear()
        assert model.rowCount() == 0
        del tester

"""Nothing typed is lost when the vault locks: chart drafts, the restore banner, New patient."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QMessageBox

from carenav.models import MedicationStatement
from carenav.services.chart import add_chart_record, load_chart
from carenav.services.drafts import drafts_for, save_draft
from carenav.services.patients import count_patients, create_patient, get_patient
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.chart import ChartPage, NewPatientDialog
from carenav.ui.pages.chart.draft_banner import (
    FORM_NEW_PATIENT,
    FORM_PATIENT,
    draft_time_text,
    form_values,
    parse_record_form_name,
    record_form_name,
)
from carenav.ui.pages.chart.fields import NOTES
from carenav.ui.pages.chart.record_dialog import RecordDialog

PASSPHRASE = "correct horse battery staple"
MARKER = "Qzv-lock-draft-5521"


# -- helpers and fixtures -------------------------------------------------------------


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


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving a draft must never ask: any question not answered by the test fails it."""

    def unexpected(box: QMessageBox) -> int:
        raise AssertionError(f"unexpected message box: {box.text()}")

    monkeypatch.setattr(QMessageBox, "exec", unexpected)


def line(widget: object) -> QLineEdit:
    assert isinstance(widget, QLineEdit)
    return widget


@pytest.fixture
def patient_id(vault: Vault) -> uuid.UUID:
    pid = create_patient(
        vault,
        {"family_name": "Oyelaran", "given_name": "Bisi", "birth_date": "1944-09-10"},
    )
    add_chart_record(vault, MedicationStatement, pid, {"name": "Furosemide", "dose": "40 mg"})
    return pid


@pytest.fixture
def page(qtbot: Any, vault: Vault, patient_id: uuid.UUID) -> ChartPage:
    chart = ChartPage()
    qtbot.addWidget(chart)
    chart.resize(1280, 760)
    chart.show()
    chart.show_patient(vault, patient_id)
    return chart


def reopen(page: ChartPage, vault: Vault, patient_id: uuid.UUID) -> None:
    """What the main window does on lock and after the next unlock."""
    page.clear()
    page.show_patient(vault, patient_id)


# -- the demographics form ------------------------------------------------------------


def test_save_draft_keeps_unsaved_details_and_the_banner_restores_them(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    city = line(page.form.editor("city").widget)
    qtbot.keyClicks(city, MARKER)
    assert page.has_unsaved_changes()
    assert not page.draft_banner.isVisible()

    assert page.save_draft() is True
    assert not page.has_unsaved_changes()  # kept: nothing left to ask about
    assert get_patient(vault, patient_id).city == ""  # a draft, not a save
    [draft] = drafts_for(vault, patient_id)
    assert draft.form == FORM_PATIENT
    assert draft.payload == {"city": MARKER}

    reopen(page, vault, patient_id)
    assert city.text() == ""
    assert page.draft_banner.isVisible()
    when = draft.updated_at.astimezone().strftime("%H:%M")
    assert page.draft_banner.text.text() == (
        f"You have unsaved changes from {when} (the vault locked)."
    )

    qtbot.mouseClick(page.draft_banner.restore_button, Qt.MouseButton.LeftButton)
    assert city.text() == MARKER
    assert page.has_unsaved_changes()  # back in the form, still not saved
    assert not page.draft_banner.isVisible()
    assert drafts_for(vault, patient_id) == []
    assert "Save them" in page.save_message.text()
    assert page.save_changes()
    assert get_patient(vault, patient_id).city == MARKER


def test_nothing_unsaved_means_no_draft_and_no_banner(
    page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    assert page.save_draft() is False
    assert drafts_for(vault, patient_id) == []
    reopen(page, vault, patient_id)
    assert not page.draft_banner.isVisible()


def test_a_second_lock_adds_to_a_draft_that_was_not_restored(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    qtbot.keyClicks(line(page.form.editor("city").widget), "Tamworth")
    page.save_draft()
    reopen(page, vault, patient_id)
    assert page.draft_banner.isVisible()  # ignored: the user types elsewhere
    qtbot.keyClicks(line(page.form.editor("payer").widget), "Medicaid")
    page.save_draft()
    [draft] = drafts_for(vault, patient_id)
    assert draft.payload == {"city": "Tamworth", "payer": "Medicaid"}


def test_discard_asks_with_keep_as_the_default(
    qtbot: Any,
    page: ChartPage,
    vault: Vault,
    patient_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    qtbot.keyClicks(line(page.form.editor("city").widget), MARKER)
    page.save_draft()
    reopen(page, vault, patient_id)

    asked = answer_message_boxes(monkeypatch, "Keep", "Discard")
    qtbot.mouseClick(page.draft_banner.discard_button, Qt.MouseButton.LeftButton)
    box = asked[0]
    default = box.defaultButton()
    assert default is not None and default.text() == "Keep"
    assert box.escapeButton() is default
    assert "Discard the unsaved changes from" in box.text()
    assert len(drafts_for(vault, patient_id)) == 1  # kept
    assert page.draft_banner.isVisible()

    qtbot.mouseClick(page.draft_banner.discard_button, Qt.MouseButton.LeftButton)
    assert drafts_for(vault, patient_id) == []
    assert not page.draft_banner.isVisible()
    assert line(page.form.editor("city").widget).text() == ""


# -- record dialogs ---------------------------------------------------------------------


def test_an_open_add_dialog_is_kept_closed_without_asking_and_reopened(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Medications"]
    dialog = section.add_record()
    assert isinstance(dialog, RecordDialog)
    qtbot.keyClicks(line(dialog.editors["name"].widget), "Spironolactone")
    qtbot.keyClicks(line(dialog.editors["dose"].widget), "25 mg")

    assert page.save_draft() is True
    assert not dialog.isVisible()
    assert section.dialog is None
    [draft] = drafts_for(vault, patient_id)
    assert draft.form == "add:Medications"
    assert draft.payload == {"name": "Spironolactone", "dose": "25 mg"}

    reopen(page, vault, patient_id)
    qtbot.mouseClick(page.draft_banner.restore_button, Qt.MouseButton.LeftButton)
    restored = section.dialog
    assert restored is not None and restored.isVisible()
    assert restored.record is None
    assert restored.draft_key == draft.record_id
    assert line(restored.editors["name"].widget).text() == "Spironolactone"
    assert page.tabs.currentIndex() == 4  # Medications and allergies
    qtbot.mouseClick(restored.save_button, Qt.MouseButton.LeftButton)
    names = sorted(m.name for m in load_chart(vault, patient_id).medications)
    assert names == ["Furosemide", "Spironolactone"]
    assert drafts_for(vault, patient_id) == []


def test_an_open_edit_dialog_is_restored_onto_the_same_record(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    section = page.sections["Medications"]
    section.table.selectRow(0)
    dialog = section.edit_selected()
    assert dialog is not None and dialog.record is not None
    medication_id = dialog.record.id
    dose = line(dialog.editors["dose"].widget)
    dose.clear()
    qtbot.keyClicks(dose, "80 mg")
    page.save_draft()
    [draft] = drafts_for(vault, patient_id)
    assert (draft.form, draft.record_id, draft.payload) == (
        "edit:Medications",
        medication_id,
        {"dose": "80 mg"},
    )

    reopen(page, vault, patient_id)
    page.restore_drafts()
    restored = section.dialog
    assert restored is not None and restored.record is not None
    assert restored.record.id == medication_id
    assert line(restored.editors["name"].widget).text() == "Furosemide"
    assert line(restored.editors["dose"].widget).text() == "80 mg"
    restored.accept()
    [medication] = load_chart(vault, patient_id).medications
    assert medication.dose == "80 mg"


def test_details_and_a_dialog_are_both_kept_and_both_restored(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    qtbot.keyClicks(line(page.form.editor("payer").widget), "Medicare")
    dialog = page.sections["Notes"].add_record()
    assert dialog is not None
    note = dialog.editors["text"].widget
    qtbot.keyClicks(note, MARKER)
    written_at = dialog.editors["written_at"].value()

    page.save_draft()
    assert {d.form for d in drafts_for(vault, patient_id)} == {FORM_PATIENT, "add:Notes"}

    reopen(page, vault, patient_id)
    page.restore_drafts()
    assert line(page.form.editor("payer").widget).text() == "Medicare"
    restored = page.sections["Notes"].dialog
    assert restored is not None
    assert restored.editors["text"].value() == MARKER
    restored_at = restored.editors["written_at"].value()
    assert abs(restored_at - written_at) < timedelta(minutes=1)
    assert drafts_for(vault, patient_id) == []
    restored.close_without_saving()


def test_a_question_open_in_a_dialog_does_not_block_the_lock(
    qtbot: Any, page: ChartPage, vault: Vault, patient_id: uuid.UUID
) -> None:
    dialog = page.sections["Problems"].add_record()
    assert dialog is not None
    qtbot.keyClicks(line(dialog.editors["text"].widget), "Falls at home")
    question = QMessageBox(dialog)
    question.setText("Discard what you typed?")
    question.show()

    assert page.save_draft() is True
    assert not question.isVisible()
    assert not dialog.isVisible()
    assert drafts_for(vault, patient_id)[0].payload == {"text": "Falls at home"}


# -- New patient -------------------------------------------------------------------------


@pytest.fixture
def shown_new_patient(qtbot: Any, vault: Vault) -> Iterator[NewPatientDialog]:
    dialog = NewPatientDialog(vault)
    dialog.show()
    yield dialog
    dialog.form.clear()
    dialog.done(0)
    dialog.deleteLater()


def test_an_open_new_patient_dialog_is_kept_and_offered_again(
    qtbot: Any, page: ChartPage, vault: Vault, shown_new_patient: NewPatientDialog
) -> None:
    assert not shown_new_patient.draft_banner.isVisible()
    form = shown_new_patient.form
    qtbot.keyClicks(line(form.editor("family_name").widget), "Achterberg")
    qtbot.keyClicks(line(form.editor("phone_mobile").widget), "555-010-9090")

    assert page.save_draft() is True
    assert not shown_new_patient.isVisible()
    assert shown_new_patient.result() == QDialog.DialogCode.Rejected
    [draft] = drafts_for(vault, None)
    assert draft.form == FORM_NEW_PATIENT
    assert draft.payload == {"family_name": "Achterberg", "phone_mobile": "555-010-9090"}

    again = NewPatientDialog(vault)
    qtbot.addWidget(again)
    again.show()
    assert again.draft_banner.isVisible()
    assert "You have an unsaved new patient from" in again.draft_banner.text.text()
    again.restore_draft()
    assert line(again.form.editor("family_name").widget).text() == "Achterberg"
    assert again.form.is_dirty()
    assert not again.draft_banner.isVisible()
    qtbot.keyClicks(line(again.form.editor("given_name").widget), "Jo")
    qtbot.keyClicks(again.form.editor("birth_date").widget.line, "1950-01-02")  # type: ignore[attr-defined]
    again.accept()
    assert again.result() == QDialog.DialogCode.Accepted
    assert get_patient(vault, again.created_id).phone_mobile == "555-010-9090"
    assert drafts_for(vault, None) == []


def test_two_unsaved_new_patients_never_overwrite_each_other(
    qtbot: Any, vault: Vault, shown_new_patient: NewPatientDialog
) -> None:
    qtbot.keyClicks(line(shown_new_patient.form.editor("family_name").widget), "First")
    assert shown_new_patient.keep_as_draft()
    second = NewPatientDialog(vault)
    qtbot.addWidget(second)
    qtbot.keyClicks(line(second.form.editor("family_name").widget), "Second")  # banner ignored
    assert second.keep_as_draft()
    names = sorted(str(d.payload["family_name"]) for d in drafts_for(vault, None))
    assert names == ["First", "Second"]
    assert count_patients(vault) == 0


def test_discarding_a_new_patient_draft_asks_first(
    qtbot: Any, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_draft(
        vault,
        form=FORM_NEW_PATIENT,
        patient_id=None,
        record_id=uuid.uuid4(),
        payload={"family_name": "Gone"},
    )
    dialog = NewPatientDialog(vault)
    qtbot.addWidget(dialog)
    asked = answer_message_boxes(monkeypatch, "Keep", "Discard")
    assert dialog.discard_draft() is False
    default = asked[0].defaultButton()
    assert default is not None and default.text() == "Keep"
    assert len(drafts_for(vault, None)) == 1
    assert dialog.discard_draft() is True
    assert drafts_for(vault, None) == []
    assert not dialog.draft_banner.isVisible()


# -- the whole window: the lock the main window will run ------------------------------


def test_locking_the_window_keeps_the_draft_and_offers_it_after_unlock(
    qtbot: Any, vault_path: Path
) -> None:
    vault, _code = Vault.create(vault_path, PASSPHRASE)
    pid = create_patient(
        vault, {"family_name": "Nakashima", "given_name": "Emi", "birth_date": "1947-03-04"}
    )
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()

    def unlock() -> None:
        qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
        qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)

    unlock()
    window.open_patient(pid)
    chart = window.chart_page
    qtbot.keyClicks(line(chart.form.editor("city").widget), MARKER)

    assert chart.save_draft()  # what MainWindow.lock() will call first
    assert window.lock()  # no question: the form is no longer dirty
    assert window.vault is None
    assert MARKER not in line(chart.form.editor("city").widget).text()
    folder = b"".join(p.read_bytes() for p in vault_path.parent.iterdir() if p.is_file())
    assert MARKER.encode() not in folder

    unlock()
    window.open_patient(pid)
    assert chart.draft_banner.isVisible()
    chart.restore_drafts()
    assert line(chart.form.editor("city").widget).text() == MARKER


# -- small pieces ---------------------------------------------------------------------------


def test_draft_time_is_the_time_today_and_the_date_otherwise() -> None:
    now = datetime.now(UTC)
    assert draft_time_text(now) == now.astimezone().strftime("%H:%M")
    long_ago = datetime(2025, 3, 3, 14, 5, tzinfo=UTC)
    assert draft_time_text(long_ago, today=date(2026, 1, 1)).startswith("3 Mar 2025, ")


def test_record_form_names_round_trip() -> None:
    assert record_form_name("Medications", editing=True) == "edit:Medications"
    assert parse_record_form_name("add:Family and caregivers") == (
        "Family and caregivers",
        False,
    )
    assert parse_record_form_name(FORM_PATIENT) is None
    assert parse_record_form_name("edit:") is None


def test_form_values_turn_text_back_into_times_and_drop_unknown_fields() -> None:
    values = form_values(
        NOTES.fields,
        {"written_at": "2026-02-03T10:20:00+00:00", "text": "x", "nonsense": "y"},
    )
    assert values == {"written_at": datetime(2026, 2, 3, 10, 20, tzinfo=UTC), "text": "x"}
    assert form_values(NOTES.fields, {"written_at": "not a time"}) == {}

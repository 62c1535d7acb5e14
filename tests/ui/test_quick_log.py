"""The quick-log dialog: keyboard-only logging, follow-ups completed, the timer, refusals."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from carenav.services import contacts
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.quick_log import TITLE, QuickLogDialog

PASSPHRASE = "correct horse battery staple"


def patient(vault: Vault, family: str) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": family, "given_name": "Ida", "birth_date": date(1940, 5, 6)}
    )


def yesterday_at(hour: int) -> datetime:
    day = date.today() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour).astimezone()


def activate(qtbot: Any, widget: QWidget) -> None:
    if QApplication.activeWindow() is not widget:
        with qtbot.waitActive(widget):
            widget.activateWindow()


@pytest.fixture
def window(qtbot: Any, vault_path: Path) -> MainWindow:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    calls = patient(vault, "Nakamura")
    contacts.schedule_follow_up(
        vault,
        calls,
        {"due_at": yesterday_at(9), "purpose": "Weight check", "recurrence_days": 7},
    )
    vault.close()
    win = MainWindow(vault_path)
    qtbot.addWidget(win)
    win.show()
    qtbot.keyClicks(win.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(win.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.vault is not None, timeout=10000)
    return win


def test_keyboard_only_from_a_chart_saves_a_contact(qtbot: Any, window: MainWindow) -> None:
    vault = window.vault
    assert vault is not None
    pid = window.caseload_page.model.id_at(0)
    assert pid is not None
    window.open_patient(pid)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.quick_log_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == TITLE
    assert dialog.patient_label.text() == "Nakamura, Ida"
    activate(qtbot, dialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.kind, timeout=2000)

    qtbot.keyClick(dialog.kind, Qt.Key.Key_Down)  # Phone call -> Home visit
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.outcome
    qtbot.keyClick(dialog.outcome, Qt.Key.Key_Down)  # Reached -> No answer
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.minutes
    dialog.minutes.selectAll()
    qtbot.keyClicks(dialog.minutes, "25")
    qtbot.keyClick(dialog.minutes, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.notes
    qtbot.keyClicks(dialog.notes, "Left a card on the door")
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.save_button
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert not dialog.isVisible()
    assert window.quick_log_dialog is None  # forgotten once closed (it deletes itself)
    assert window.status_label.text() == "Contact logged."
    logged = contacts.contacts_for(vault, pid)
    assert [(c.kind, c.outcome, c.minutes, c.notes, c.counts_for_ccm) for c in logged] == [
        ("home-visit", "no-answer", 25, "Left a card on the door", True)
    ]
    window.lock()


def test_completing_the_follow_up_from_today_clears_it_and_schedules_the_next(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = window.vault
    assert vault is not None
    asked: list[str] = []

    def answer_yes(*args: Any) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        assert args[4] == QMessageBox.StandardButton.Yes  # Yes is the default
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    today = window.today_page
    assert today.model.rowCount() == 1
    activate(qtbot, window)
    window.show_today()
    qtbot.keyClick(today.table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.chart_page
    dialog = window.quick_log_dialog
    assert dialog is not None and dialog.follow_up is not None
    assert dialog.kind.currentData() == "phone"
    dialog.minutes.setText("12")
    assert dialog.save()

    assert asked and "repeats every 7 days" in asked[0]
    assert today.model.rowCount() == 0  # the worklist updated
    pid = dialog.follow_up.patient_id
    assert [c.minutes for c in contacts.contacts_for(vault, pid)] == [12]
    far = datetime.now().astimezone() + timedelta(days=30)
    upcoming = contacts.follow_ups_due(vault, until=far, patient_id=pid)
    assert [f.due_at for f in upcoming] == [dialog.follow_up.due_at + timedelta(days=7)]
    assert upcoming[0].purpose == "Weight check"
    window.lock()


def test_the_timer_counts_and_stopping_fills_the_minutes_rounded_up(
    qtbot: Any, vault: Vault
) -> None:
    pid = patient(vault, "Timed")
    dialog = QuickLogDialog(vault, patient_id=pid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.timer_button, Qt.MouseButton.LeftButton)
    assert dialog.timer_button.text() == "Stop timer"
    qtbot.waitUntil(lambda: dialog.timer_label.text() == "00:01", timeout=3000)
    dialog.elapsed_ms = lambda: 61_000  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.timer_button, Qt.MouseButton.LeftButton)
    assert dialog.minutes.text() == "2"
    assert dialog.timer_label.text() == "Timed 01:01"
    assert dialog.timer_button.text() == "Start timer"


def test_a_bad_value_is_explained_beside_its_field_and_nothing_is_lost(
    qtbot: Any, vault: Vault
) -> None:
    pid = patient(vault, "Careful")
    dialog = QuickLogDialog(vault, patient_id=pid)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.minutes.setText("twenty")
    qtbot.keyClicks(dialog.notes, "Daughter asked about respite care")
    assert not dialog.save()
    assert dialog.isVisible()
    assert "whole number" in dialog.errors["minutes"].text()
    assert not dialog.errors["minutes"].isHidden()
    assert dialog.minutes.text() == "twenty"
    assert dialog.notes.toPlainText() == "Daughter asked about respite care"
    assert contacts.contacts_for(vault, pid) == []

    dialog.minutes.setText("20")
    assert dialog.save()
    assert dialog.errors["minutes"].isHidden()
    assert [c.minutes for c in contacts.contacts_for(vault, pid)] == [20]


def test_without_a_chart_the_patient_is_found_by_search(qtbot: Any, vault: Vault) -> None:
    patient(vault, "Abernathy")
    wanted = patient(vault, "Zielinski")
    dialog = QuickLogDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.save()
    assert "Find the patient" in dialog.errors["patient"].text()
    qtbot.keyClicks(dialog.search, "zieli")
    assert dialog.results.count() == 1
    assert dialog.results.item(0).text().startswith("Zielinski, Ida")
    assert dialog.patient_id == wanted
    dialog.minutes.setText("5")
    assert dialog.save()
    assert [c.minutes for c in contacts.contacts_for(vault, wanted)] == [5]


def test_cancel_asks_before_dropping_what_was_typed_and_keeps_editing_by_default(
    qtbot: Any, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def keep_editing(box: QMessageBox) -> int:
        asked.append(box.text())
        assert box.defaultButton() is not None
        assert box.defaultButton().text() == "Keep editing"
        box.defaultButton().click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", keep_editing)
    dialog = QuickLogDialog(vault, patient_id=patient(vault, "Patient"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.notes, "Son will call back")
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Escape)
    assert asked and "Discard what you typed?" in asked[0]
    assert dialog.isVisible()
    assert dialog.notes.toPlainText() == "Son will call back"
    dialog.close_quietly()  # what locking does: no question
    assert not dialog.isVisible()
    assert len(asked) == 1


def test_locking_closes_an_open_quick_log_without_a_question(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unexpected(box: QMessageBox) -> int:
        raise AssertionError(f"unexpected message box: {box.text()}")

    monkeypatch.setattr(QMessageBox, "exec", unexpected)
    dialog = window.quick_log()
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.notes, "Typed, then stepped away")
    window.lock("idle")
    assert window.vault is None
    assert window.quick_log_dialog is None


def test_a_quick_log_typed_when_the_vault_locks_comes_back_next_time(
    qtbot: Any, window: MainWindow, vault_path: Path
) -> None:
    from carenav.services.drafts import drafts_for
    from carenav.ui.pages.quick_log import QUICK_LOG_FORM

    pid = window.caseload_page.model.id_at(0)
    window.open_patient(pid)
    dialog = window.quick_log()
    assert dialog is not None and dialog.patient_id == pid
    dialog.minutes.setText("14")
    qtbot.keyClicks(dialog.notes, "Daughter says the scale is broken")
    window.lock("idle")
    folder = b"".join(p.read_bytes() for p in vault_path.parent.iterdir() if p.is_file())
    assert b"scale is broken" not in folder  # kept, but encrypted

    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    assert window.vault is not None
    assert [d.form for d in drafts_for(window.vault, pid)] == [QUICK_LOG_FORM]
    window.open_patient(pid)
    assert not window.chart_page.draft_banner.isVisible()  # offered by the quick log itself
    again = window.quick_log()
    assert again is not None
    assert again.notes.toPlainText() == "Daughter says the scale is broken"
    assert again.minutes.text() == "14"
    assert "back" in again.message.text()
    assert drafts_for(window.vault, pid) == []  # taken back into the dialog
    again.close_quietly()


def test_a_call_carries_a_check_in_form_that_trends_in_the_chart(qtbot: Any, vault: Vault) -> None:
    from carenav.services import assessments

    pid = patient(vault, "Okafor")
    other = patient(vault, "Lindqvist")
    dialog = QuickLogDialog(vault, patient_id=pid)
    qtbot.addWidget(dialog)
    dialog.show()
    offered = [dialog.check_in.itemData(i) for i in range(dialog.check_in.count())]
    assert offered[0] is None and {"hf-checkin", "phq2"} <= set(offered)
    assert "phq9" not in offered  # only short forms marked as check-ins
    assert not dialog.check_in_button.isEnabled()
    dialog.check_in.setCurrentIndex(offered.index("hf-checkin"))
    assert dialog.check_in_button.isEnabled()
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    form_window = dialog.check_in_dialog
    assert form_window is not None and form_window.isVisible()
    assert form_window.windowTitle() == "Heart failure check-in"  # never the patient's name
    form = form_window.form
    answers = {k: "no" for k in ("gain", "swelling", "breath", "pillows", "dizzy", "red")}
    form.set_answers(answers | {"gain": "yes", "swelling": "yes", "meds": "yes", "weight": 184.0})
    with qtbot.waitSignal(form.completed):
        assert form.complete() is True, form.message.text()
    assert dialog.check_in_status.text() == "Signed: Heart failure check-in, 2 (yellow zone)"
    assert not dialog.check_in.isEnabled() and not dialog.check_in_button.isEnabled()
    form_window.close()

    dialog.minutes.setText("12")
    assert dialog.save() is True
    [contact] = contacts.contacts_for(vault, pid)
    assert contact.check_in_response_id == dialog.check_in_id
    [point] = assessments.score_series(vault, pid, "hf-checkin")
    assert (point.value, point.band) == (2, "yellow zone")
    # a signed check-in of one patient cannot be attached to another's contact
    with pytest.raises(contacts.InvalidInput, match="not a signed form of this patient"):
        contacts.log_contact(
            vault,
            other,
            {"occurred_at": yesterday_at(10), "check_in_response_id": contact.check_in_response_id},
        )


def test_a_signed_check_in_stays_linked_when_the_vault_locks(qtbot: Any, vault: Vault) -> None:
    pid = patient(vault, "Moreau")
    dialog = QuickLogDialog(vault, patient_id=pid)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check_in.setCurrentIndex(dialog.check_in.findData("phq2"))
    form_window = dialog.open_check_in()
    assert form_window is not None
    with qtbot.waitSignal(form_window.form.completed):
        form_window.form.set_answers({"q1": "1", "q2": "1"})
        assert form_window.form.complete() is True
    signed = dialog.check_in_id
    assert signed is not None
    form_window.close()
    assert dialog.keep_as_draft() is True  # only a check-in, nothing typed: still kept

    again = QuickLogDialog(vault, patient_id=pid)
    qtbot.addWidget(again)
    assert again.check_in_id == signed
    assert again.check_in_status.text() == "Signed: PHQ-2 depression screen, 2 (negative)"
    assert not again.check_in.isEnabled() and again.check_in.currentData() == "phq2"
    again.minutes.setText("6")
    assert again.save() is True
    [contact] = contacts.contacts_for(vault, pid)
    assert contact.check_in_response_id == signed

"""The chart's Follow-up tab: transitional-care clocks, CCM minutes, schedule and contacts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from carenav.models import FollowUp
from carenav.services import assessments, contacts, transitions
from carenav.services.catalogue import load_catalogue
from carenav.services.patients import create_patient, get_patient
from carenav.store.vault import Vault
from carenav.ui.pages.chart.follow_up_dialogs import DischargeDialog, EpisodeDialog, ScheduleDialog
from carenav.ui.pages.chart.follow_up_tab import FollowUpPanel

TODAY = date.today()


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour).astimezone()


@pytest.fixture
def pid(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": "Mbeki",
            "given_name": "Rosa",
            "birth_date": date(1946, 8, 9),
            "programs": ["ccm"],
        },
    )


def panel_for(qtbot: Any, vault: Vault, pid: uuid.UUID) -> FollowUpPanel:
    panel = FollowUpPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 900)
    panel.show()
    panel.show_patient(vault, get_patient(vault, pid))
    return panel


def texts(panel: FollowUpPanel) -> str:
    from PySide6.QtWidgets import QApplication, QLabel

    QApplication.processEvents()  # widgets added to a shown layout appear on the next turn
    return "\n".join(label.text() for label in panel.findChildren(QLabel) if label.isVisible())


def test_an_empty_chart_says_what_to_do(qtbot: Any, vault: Vault, pid: uuid.UUID) -> None:
    panel = panel_for(qtbot, vault, pid)
    assert not panel.tcm_box.isVisible()
    assert panel.ccm_box.isVisible()  # enrolled in CCM: the month's minutes, even at 0
    assert "0 minutes this month (staff 0, clinician 0)" in panel.ccm_label.text()
    assert "20 more minutes for 99490" in panel.ccm_label.text()
    assert panel.schedule_empty.isVisible() and not panel.schedule_table.isVisible()
    assert panel.contacts_empty.isVisible()
    assert not panel.done_button.isEnabled()


def test_minutes_contacts_and_a_check_in_are_shown(
    qtbot: Any, vault: Vault, pid: uuid.UUID
) -> None:
    signed = assessments.complete(
        vault,
        patient_id=pid,
        instrument=load_catalogue(None).get("phq2"),
        answers={"q1": "2", "q2": "1"},
    )
    when = datetime.now(UTC) - timedelta(minutes=30)
    contacts.log_contact(
        vault,
        pid,
        {
            "occurred_at": when,
            "minutes": 14,
            "notes": "Talked about the new scale.\nSecond line.",
            "check_in_response_id": signed.response.id,
        },
    )
    contacts.log_contact(
        vault,
        pid,
        {"occurred_at": when - timedelta(minutes=5), "minutes": 7, "spent_by": "clinician"},
    )
    panel = panel_for(qtbot, vault, pid)
    assert "21 minutes this month (staff 14, clinician 7)" in panel.ccm_label.text()
    assert "Reached 99490 × 1" in panel.ccm_label.text()
    table = panel.contact_table
    assert table.rowCount() == 2
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row[1:5] == ["Phone call", "Patient", "Reached", "14"]
    assert row[5] == "PHQ-2 depression screen: 3 (positive)"
    assert row[6] == "Talked about the new scale."
    assert table.item(1, 4).text() == "7 (clinician)"


def test_schedule_reschedule_cancel_and_log_as_done(
    qtbot: Any, vault: Vault, pid: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = panel_for(qtbot, vault, pid)
    dialog = ScheduleDialog(vault, pid, panel)
    qtbot.addWidget(dialog)
    dialog.day.setText("2026-02-30")
    dialog.accept()
    assert dialog.errors["due_at"].text() == "That date does not exist. Check the month and day."
    assert dialog.result() == 0  # still open; nothing typed is lost
    assert dialog.day.text() == "2026-02-30"
    next_week = TODAY + timedelta(days=7)
    dialog.day.setText(next_week.isoformat())
    dialog.at.setText("25:00")
    dialog.accept()
    assert "Hours go from 00 to 23" in dialog.errors["time"].text()
    dialog.at.setText("14:30")
    dialog.purpose.setText("Weight and symptom check")
    dialog.repeat.setText("abc")
    dialog.accept()
    assert "whole number" in dialog.errors["recurrence_days"].text()
    dialog.repeat.setText("14")
    dialog.accept()
    assert dialog.result() == ScheduleDialog.DialogCode.Accepted
    panel.refresh()
    table = panel.schedule_table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (1, 2, 3)] == [
        "Phone call",
        "Weight and symptom check",
        "every 14 days",
    ]

    table.selectRow(0)
    assert panel.done_button.isEnabled()
    with qtbot.waitSignal(panel.log_requested) as asked:
        panel.done_button.click()
    assert asked.args == [dialog.scheduled_id]

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert panel.cancel_selected() is True
    assert panel.schedule_table.rowCount() == 0 and panel.schedule_empty.isVisible()
    assert "cancelled" in panel.notice.text()
    with vault.session() as session:
        follow_up = session.get(FollowUp, dialog.scheduled_id)
        assert follow_up is not None and follow_up.status == "cancelled"


def test_a_discharge_starts_the_clocks_and_the_episode_is_updated_and_closed(
    qtbot: Any, vault: Vault, pid: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = panel_for(qtbot, vault, pid)
    dialog = DischargeDialog(vault, pid, panel)
    qtbot.addWidget(dialog)
    dialog.day.setText((TODAY + timedelta(days=3)).isoformat())
    dialog.accept()
    assert "cannot be in the future" in dialog.errors["discharge_date"].text()
    dialog.day.setText(TODAY.isoformat())
    dialog.facility.setText("Riverside General")
    dialog.complexity.setCurrentIndex(dialog.complexity.findData("high"))
    dialog.accept()
    assert dialog.result() == DischargeDialog.DialogCode.Accepted
    panel.refresh()
    assert panel.tcm_box.isVisible()
    shown = texts(panel)
    assert "Transitional care: discharged" in shown and "from Riverside General" in shown
    assert "High complexity" in shown
    assert "hours left (0 attempts so far)" in shown
    assert "Face-to-face visit: by" in shown and "7 days left" in shown
    assert "Medicines not reconciled yet" in shown

    contacts.log_contact(
        vault, pid, {"occurred_at": datetime.now(UTC), "outcome": "reached", "minutes": 10}
    )
    [clock] = transitions.open_episodes(vault, patient_id=pid)
    editor = EpisodeDialog(vault, clock.episode, panel)
    qtbot.addWidget(editor)
    editor.med_rec.setText("yesterday")
    editor.accept()
    assert "YYYY-MM-DD" in editor.errors["med_rec_on"].text()
    editor.med_rec.setText(TODAY.isoformat())
    editor.accept()
    assert editor.result() == EpisodeDialog.DialogCode.Accepted
    panel.refresh()
    shown = texts(panel)
    assert "Contact within 2 business days: done" in shown
    assert "Medicines reconciled on" in shown

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert panel.close_episode(panel.clocks[0]) is True
    assert not panel.tcm_box.isVisible()
    assert transitions.open_episodes(vault, patient_id=pid) == []


def test_clearing_drops_every_row(qtbot: Any, vault: Vault, pid: uuid.UUID) -> None:
    contacts.log_contact(vault, pid, {"occurred_at": datetime.now(UTC), "minutes": 5})
    panel = panel_for(qtbot, vault, pid)
    assert panel.contact_table.rowCount() == 1
    panel.clear()
    assert panel.contact_table.rowCount() == 0 and panel.patient is None


def test_a_follow_up_completed_elsewhere_cannot_be_cancelled_and_nothing_breaks(
    qtbot: Any, vault: Vault, pid: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = datetime.now(UTC) + timedelta(days=2)
    follow_up = contacts.schedule_follow_up(vault, pid, {"due_at": due, "purpose": "Scales"})
    panel = panel_for(qtbot, vault, pid)
    panel.schedule_table.selectRow(0)
    contacts.cancel_follow_up(vault, follow_up.id)  # e.g. from the calendar, meanwhile
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert panel.cancel_selected() is False
    assert "already completed or cancelled" in panel.message.text()
    assert panel.schedule_table.rowCount() == 0  # shown again as it is now

"""The Today panel: the worklist grouped by urgency, opened with Enter, and Ctrl+T."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication

from carenav.services import contacts
from carenav.services.patients import create_patient
from carenav.services.worklist import WorkItem
from carenav.store.vault import Vault
from carenav.ui.item_models.worklist import GROUP, PATIENT, WHAT, WHEN, WorklistModel
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.today import EMPTY_TEXT, TodayPage

PASSPHRASE = "correct horse battery staple"
TODAY = date.today()


def texts(model: WorklistModel) -> list[tuple[str, ...]]:
    return [
        tuple(str(model.data(model.index(r, c))) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def patient(vault: Vault, family: str, programs: list[str] | None = None) -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": family,
            "given_name": "Ada",
            "birth_date": date(1944, 3, 2),
            "programs": programs or [],
        },
    )


def yesterday_at(hour: int) -> datetime:
    day = TODAY - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour).astimezone()


@pytest.fixture
def seeded(vault: Vault) -> dict[str, Any]:
    calls = patient(vault, "Okonkwo")
    ccm = patient(vault, "Baptiste", ["ccm"])
    follow_up = contacts.schedule_follow_up(
        vault, calls, {"due_at": yesterday_at(10), "purpose": "Weight check"}
    )
    return {"calls": calls, "ccm": ccm, "follow_up": follow_up.id}


# -- the model ---------------------------------------------------------------------------


def test_model_groups_by_urgency_and_says_hours_left_for_transitional_care(qtbot: Any) -> None:
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    a, b = uuid.uuid4(), uuid.uuid4()
    items = [  # in the worklist's own order: minutes before coming-up work
        WorkItem(a, "ccm-minutes", date(2026, 11, 30), "below-threshold", "5 of 20", "contacts"),
        WorkItem(b, "plan-review", date(2026, 11, 27), "due-soon", "Care plan review", "care-plan"),
        WorkItem(b, "transition", now + timedelta(hours=30), "due-today", "TCM", "transition"),
        WorkItem(a, "follow-up", now - timedelta(days=2), "overdue", "Phone call", "follow-up"),
    ]
    model = WorklistModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_items(items, {a: "Ahn, Mia", b: "Berg, Ole"}, today=now.date(), now=now)
    rows = texts(model)
    assert [r[GROUP] for r in rows] == ["Overdue", "Today", "Coming up", "Minutes this month"]
    assert rows[0][PATIENT] == "Ahn, Mia" and rows[0][WHAT] == "Phone call"
    assert rows[0][WHEN].endswith("(2 days ago)")
    assert rows[1][WHEN].startswith("30 hours left (by ")
    assert rows[2][WHEN] == "27 Nov 2026"
    assert rows[3][WHEN] == "by 30 Nov 2026"
    assert model.item_at(1) is items[2]
    model.clear()
    assert model.rowCount() == 0


# -- the page ----------------------------------------------------------------------------


def test_today_lists_an_overdue_follow_up_and_a_ccm_patient_and_enter_opens(
    qtbot: Any, vault: Vault, seeded: dict[str, Any]
) -> None:
    page = TodayPage()
    qtbot.addWidget(page)
    page.show()
    page.show_for(vault)
    rows = texts(page.model)
    assert rows[0][GROUP] == "Overdue"
    assert rows[0][PATIENT] == "Okonkwo, Ada"
    assert rows[0][WHAT] == "Phone call: Weight check"
    ccm = next(r for r in rows if r[GROUP] == "Minutes this month")
    assert ccm[PATIENT] == "Baptiste, Ada"
    assert ccm[WHAT].startswith("0 of 20 care-management minutes")
    assert "Overdue: 1" in page.counts.text()
    assert not page.empty_hint.isVisible()

    page.focus_list()
    page.table.selectRow(0)
    with qtbot.waitSignal(page.open_requested) as signal:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert signal.args == [seeded["calls"], "follow-up", seeded["follow_up"]]

    page.clear()
    assert page.model.rowCount() == 0 and page.counts.text() == ""


def test_nothing_due_shows_a_calm_empty_state(qtbot: Any, vault: Vault) -> None:
    patient(vault, "Quiet")
    page = TodayPage()
    qtbot.addWidget(page)
    page.show()
    page.show_for(vault)
    assert page.model.rowCount() == 0
    assert page.empty_hint.isVisible() and page.empty_hint.text() == EMPTY_TEXT
    assert not page.table.isVisible()


# -- the window --------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: Any, vault_path: Path) -> MainWindow:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    calls = patient(vault, "Okonkwo")
    contacts.schedule_follow_up(vault, calls, {"due_at": yesterday_at(10), "purpose": "Scales"})
    vault.close()
    win = MainWindow(vault_path)
    qtbot.addWidget(win)
    win.show()
    qtbot.keyClicks(win.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(win.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.vault is not None, timeout=10000)
    return win


def test_after_unlock_today_sits_above_the_caseload_and_ctrl_t_comes_back(
    qtbot: Any, window: MainWindow
) -> None:
    assert window.stack.currentWidget() is window.caseload_page
    assert window.today_page.isVisible()
    assert window.caseload_page.isAncestorOf(window.today_page)
    assert texts(window.today_page.model)[0][WHAT] == "Phone call: Scales"

    window.open_patient(window.caseload_page.model.id_at(0))
    assert window.stack.currentWidget() is window.chart_page
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.caseload_page
    assert QApplication.focusWidget() is window.today_page.table

    qtbot.mouseClick(window.today_page.caseload_button, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is window.caseload_page.search

    window.lock()
    assert window.today_page.model.rowCount() == 0
    assert not window.today_action.isEnabled()


def test_an_assessment_item_opens_the_assessments_tab(qtbot: Any, window: MainWindow) -> None:
    assert window.vault is not None
    pid = window.caseload_page.model.id_at(0)
    assert pid is not None
    window.open_work_item(pid, "assessments", None)
    assert window.stack.currentWidget() is window.chart_page
    assert window.chart_page.tabs.currentIndex() == 6
    window.open_work_item(pid, "care-plan", None)
    assert window.chart_page.tabs.currentIndex() == 7
    window.open_work_item(pid, "transition", uuid.uuid4())
    assert window.chart_page.tabs.currentIndex() == 8  # Follow-up: the clocks are there
    assert window.chart_page.tabs.tabText(8) == "Follow-up"
    window.open_work_item(pid, "contacts", None)
    assert window.chart_page.tabs.currentIndex() == 8
    window.lock()


def test_the_calendar_opens_from_the_go_menu_and_alt_left_comes_back(
    qtbot: Any, window: MainWindow
) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(
        window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.stack.currentWidget() is window.calendar_page
    assert window.windowTitle() == "CareNav"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.stack.currentWidget() is window.caseload_page
    window.show_calendar()
    assert window.lock_action.isEnabled()  # Ctrl+L works on the calendar too
    window.lock()
    assert window.vault is None
    assert not window.calendar_action.isEnabled()

"""The calendar page: agenda, month view, rescheduling by dialog and by drag and drop."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QLabel, QTableView

from carenav.models import FollowUp
from carenav.services.contacts import cancel_follow_up, schedule_follow_up
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.item_models.schedule import HEADING_ROLE, ScheduleModel
from carenav.ui.pages.calendar import CalendarPage, RescheduleDialog, follow_up_mime

TODAY = date(2030, 12, 10)  # pinned: "overdue" then means due before this day began


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


def due_of(vault: Vault, follow_up_id: uuid.UUID) -> datetime:
    with vault.session() as session:
        follow_up = session.get(FollowUp, follow_up_id)
        assert follow_up is not None
        return follow_up.due_at.astimezone()


@pytest.fixture
def schedule(vault: Vault) -> dict[str, Any]:
    ruth = create_patient(
        vault, {"family_name": "Abernathy", "given_name": "Ruth", "birth_date": "1938-01-02"}
    )
    lan = create_patient(
        vault, {"family_name": "Nguyen", "given_name": "Lan", "birth_date": "1950-06-07"}
    )
    gone = create_patient(
        vault,
        {
            "family_name": "Diaz",
            "given_name": "Rosa",
            "birth_date": "1962-03-04",
            "status": "discharged",
        },
    )

    def add(patient: Any, due: datetime, purpose: str, kind: str = "phone") -> uuid.UUID:
        values = {"due_at": due, "purpose": purpose, "kind": kind}
        return schedule_follow_up(vault, patient, values).id

    ids = {
        "later": add(lan, local(TODAY + timedelta(days=3), 9, 30), "Check blood pressure log"),
        "tomorrow": add(ruth, local(TODAY + timedelta(days=1), 14, 0), "Medication review"),
        "today": add(lan, local(TODAY, 10, 15), "Pharmacy refill", "home-visit"),
        "overdue": add(ruth, local(TODAY - timedelta(days=2), 11, 0), "Missed call back"),
        "far": add(ruth, local(TODAY + timedelta(days=20), 9, 0), "Outside the agenda"),
        "discharged": add(gone, local(TODAY, 12, 0), "Not on the caseload"),
        "cancelled": add(lan, local(TODAY, 13, 0), "Cancelled one"),
    }
    cancel_follow_up(vault, ids["cancelled"])
    return {"vault": vault, "ids": ids, "ruth": ruth, "lan": lan}


@pytest.fixture
def page(qtbot: Any, schedule: dict[str, Any]) -> CalendarPage:
    widget = CalendarPage()
    qtbot.addWidget(widget)
    QAbstractItemModelTester(
        widget.agenda_model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    widget.show_for(schedule["vault"], today=TODAY)
    widget.resize(1100, 700)
    widget.show()
    return widget


def rows(model: ScheduleModel) -> list[tuple[str, ...]]:
    return [
        tuple(str(model.data(model.index(r, c))) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_agenda_lists_overdue_first_then_days_in_order(
    page: CalendarPage, schedule: dict[str, Any]
) -> None:
    model = page.agenda_model
    later = TODAY + timedelta(days=3)
    headings = [
        model.data(model.index(r, 0))
        for r in range(model.rowCount())
        if model.data(model.index(r, 0), HEADING_ROLE)
    ]
    assert headings == ["Overdue", "Today", "Tomorrow", later.strftime("%A ") + f"{later.day} Dec"]
    assert [r[2:] for r in rows(model) if r[2]] == [
        ("Abernathy, Ruth", "Missed call back"),
        ("Nguyen, Lan", "Pharmacy refill"),
        ("Abernathy, Ruth", "Medication review"),
        ("Nguyen, Lan", "Check blood pressure log"),
    ]
    overdue_row = model.row_of(schedule["ids"]["overdue"])
    assert model.data(model.index(overdue_row, 0)).startswith("Overdue · 8 Dec 2030, 11:00")
    assert model.data(model.index(overdue_row, 2), Qt.ItemDataRole.ForegroundRole) is not None
    today_row = model.row_of(schedule["ids"]["today"])
    assert model.data(model.index(today_row, 0)) == "10:15"
    assert model.data(model.index(today_row, 1)) == "Home visit"
    assert model.data(model.index(today_row, 2), Qt.ItemDataRole.ForegroundRole) is None
    for absent in ("far", "discharged", "cancelled"):
        assert model.row_of(schedule["ids"][absent]) == -1


def test_month_view_bolds_days_with_follow_ups_and_lists_the_selected_day(
    page: CalendarPage,
) -> None:
    page.tabs.setCurrentIndex(1)
    calendar = page.month
    bold = QFont.Weight.Bold
    assert calendar.dateTextFormat(QDate(2030, 12, 10)).fontWeight() == bold
    assert calendar.dateTextFormat(QDate(2030, 12, 8)).fontWeight() == bold  # overdue, still due
    assert calendar.dateTextFormat(QDate(2030, 12, 12)).fontWeight() != bold
    assert calendar.counts()[date(2030, 12, 11)] == 1
    assert calendar.counts()[date(2030, 12, 30)] == 1
    assert date(2030, 12, 12) not in calendar.counts()

    calendar.setSelectedDate(QDate(2030, 12, 13))
    assert [r[2] for r in rows(page.day_model) if r[2]] == ["Nguyen, Lan"]
    assert page.day_title.text() == "Friday 13 Dec: 1 follow-up"
    calendar.setSelectedDate(QDate(2030, 12, 12))
    assert page.day_model.rowCount() == 0
    assert "nothing scheduled" in page.day_title.text()


def test_reschedule_dialog_moves_the_follow_up(
    qtbot: Any, page: CalendarPage, schedule: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    follow_up_id = schedule["ids"]["tomorrow"]
    seen: list[RescheduleDialog] = []

    def fake_exec(dialog: RescheduleDialog) -> int:
        seen.append(dialog)
        assert dialog.windowTitle() == "Reschedule follow-up"
        dialog.date_edit.clear()
        qtbot.keyClicks(dialog.date_edit, "2030-12-31")
        dialog.time_edit.clear()
        qtbot.keyClicks(dialog.time_edit, "25:00")
        dialog.accept()  # refused: the hour is wrong
        assert dialog.time_error.isVisibleTo(dialog)
        assert "23" in dialog.time_error.text()
        assert due_of(schedule["vault"], follow_up_id) == local(TODAY + timedelta(days=1), 14)
        dialog.time_edit.clear()
        qtbot.keyClicks(dialog.time_edit, "08:45")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(RescheduleDialog, "exec", fake_exec)
    page.agenda.setCurrentIndex(page.agenda_model.index(page.agenda_model.row_of(follow_up_id), 0))
    page.reschedule_selected()
    assert seen
    assert due_of(schedule["vault"], follow_up_id) == local(date(2030, 12, 31), 8, 45)
    assert page.agenda_model.row_of(follow_up_id) == -1  # now beyond the 14-day agenda
    assert page.month.counts()[date(2030, 12, 31)] == 1


def test_reschedule_dialog_refuses_a_malformed_date(
    qtbot: Any, page: CalendarPage, schedule: dict[str, Any]
) -> None:
    follow_up_id = schedule["ids"]["today"]
    item = page.agenda_model.item_at(page.agenda_model.row_of(follow_up_id))
    assert item is not None
    dialog = page.reschedule_dialog(item)
    qtbot.addWidget(dialog)
    assert dialog.date_edit.text() == "2030-12-10"
    assert dialog.time_edit.text() == "10:15"
    dialog.date_edit.setText("12/31/2030")
    dialog.accept()
    assert "YYYY-MM-DD" in dialog.date_error.text()
    assert dialog.result() != RescheduleDialog.DialogCode.Accepted
    assert due_of(schedule["vault"], follow_up_id) == local(TODAY, 10, 15)


def test_dropping_on_a_day_moves_the_follow_up_and_keeps_the_time(
    page: CalendarPage, schedule: dict[str, Any]
) -> None:
    follow_up_id = schedule["ids"]["later"]
    assert page.drop_on_day(follow_up_mime(follow_up_id), QDate(2030, 12, 20))
    assert due_of(schedule["vault"], follow_up_id) == local(date(2030, 12, 20), 9, 30)
    assert page.month.counts()[date(2030, 12, 20)] == 1
    assert date(2030, 12, 13) not in page.month.counts()


def test_a_real_drop_event_on_a_calendar_cell_moves_the_follow_up(
    page: CalendarPage, schedule: dict[str, Any]
) -> None:
    page.tabs.setCurrentIndex(1)
    view = page.month.findChild(QTableView)
    assert view is not None
    model = view.model()
    cell = next(
        model.index(r, c)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        if model.index(r, c).data() == 18 or model.index(r, c).data() == "18"
    )
    centre = view.visualRect(cell).center()
    assert page.month.date_at(centre) == date(2030, 12, 18)
    follow_up_id = schedule["ids"]["today"]
    mime = follow_up_mime(follow_up_id)
    action, button, no_keys = (
        Qt.DropAction.MoveAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(centre, action, mime, button, no_keys)
    QApplication.sendEvent(view.viewport(), enter)  # makes the day the drag's target
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(centre), action, mime, button, no_keys)
    QApplication.sendEvent(view.viewport(), drop)
    assert due_of(schedule["vault"], follow_up_id) == local(date(2030, 12, 18), 10, 15)


def test_enter_and_double_click_open_the_patient(
    qtbot: Any, page: CalendarPage, schedule: dict[str, Any]
) -> None:
    model = page.agenda_model
    row = model.row_of(schedule["ids"]["today"])
    page.agenda.setFocus()
    page.agenda.setCurrentIndex(model.index(row, 0))
    with qtbot.waitSignal(page.open_patient, timeout=1000) as blocker:
        qtbot.keyClick(page.agenda, Qt.Key.Key_Return)
    assert blocker.args == [schedule["lan"]]

    heading_row = model.heading_rows()[0]
    page.agenda.setCurrentIndex(model.index(heading_row, 0))
    with qtbot.assertNotEmitted(page.open_patient):
        qtbot.keyClick(page.agenda, Qt.Key.Key_Return)


def test_clear_leaves_no_patient_text(page: CalendarPage) -> None:
    page.tabs.setCurrentIndex(1)
    page.month.setSelectedDate(QDate(2030, 12, 11))
    assert page.day_model.rowCount() > 0
    page.clear()
    assert page.agenda_model.rowCount() == 0
    assert page.day_model.rowCount() == 0
    assert page.month.counts() == {}
    assert page.month.dateTextFormat(QDate(2030, 12, 10)).fontWeight() != QFont.Weight.Bold
    assert page.week.grid.rowCount() == 0
    assert page.day_view.grid.rowCount() == 0
    texts = [label.text() for label in page.findChildren(QLabel)]
    texts.append(page.windowTitle())
    for name in ("Abernathy", "Nguyen", "Ruth", "Lan", "Medication", "Pharmacy"):
        assert not any(name in text for text in texts)


def test_week_and_day_views_show_each_day_in_time_order(
    qtbot: Any, page: CalendarPage, schedule: dict[str, Any]
) -> None:
    page.tabs.setCurrentWidget(page.week)
    grid = page.week.grid
    assert grid.days[0] == date(2030, 12, 9)  # the Monday of the pinned day's week
    assert grid.columnCount() == 7
    assert grid.horizontalHeaderItem(1).text() == "Tue 10 Dec (today)"
    names = {
        day: [(i.local_due.strftime("%H:%M"), i.patient_name) for i in grid.items_on(column)]
        for column, day in enumerate(grid.days)
    }
    assert names[date(2030, 12, 10)] == [("10:15", "Nguyen, Lan")]
    assert names[date(2030, 12, 11)] == [("14:00", "Abernathy, Ruth")]
    assert names[date(2030, 12, 13)] == [("09:30", "Nguyen, Lan")]
    assert names[date(2030, 12, 12)] == []
    assert page.week.title.text() == "Mon 9 Dec to Sun 15 Dec: 3 follow-ups"

    grid.setFocus()
    grid.setCurrentCell(0, 2)
    assert page.selected_item() is not None
    with qtbot.waitSignal(page.open_patient, timeout=1000) as blocker:
        qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert blocker.args == [schedule["ruth"]]

    page.week.step(-1)  # the week before holds the overdue call, marked in amber
    sunday = page.week.grid.item(0, 6)
    assert sunday is not None and sunday.text().startswith("Overdue · 11:00  Phone call")
    assert sunday.background().color().name() == "#fff4d6"
    page.week.step(2)
    assert page.week.grid.days[0] == date(2030, 12, 16)
    assert page.week.title.text().endswith("no follow-ups")

    page.tabs.setCurrentWidget(page.day_view)
    assert page.day_view.grid.days == [TODAY]
    assert [i.purpose for i in page.day_view.grid.items_on(0)] == ["Pharmacy refill"]
    page.day_view.step(1)
    assert [i.purpose for i in page.day_view.grid.items_on(0)] == ["Medication review"]


def test_the_first_follow_up_has_the_keyboard_cursor_but_keeps_its_amber(
    qtbot: Any, page: CalendarPage, schedule: dict[str, Any]
) -> None:
    current = page.agenda.currentIndex()
    assert current.row() == page.agenda_model.row_of(schedule["ids"]["overdue"])
    assert not page.agenda.selectionModel().isSelected(current)
    page.agenda.setFocus()
    with qtbot.waitSignal(page.open_patient, timeout=1000) as blocker:
        qtbot.keyClick(page.agenda, Qt.Key.Key_Enter)
    assert blocker.args == [schedule["ruth"]]


def test_a_drop_on_another_day_of_the_week_grid_moves_the_follow_up(
    page: CalendarPage, schedule: dict[str, Any]
) -> None:
    page.tabs.setCurrentIndex(page.tabs.indexOf(page.week))
    grid = page.week.grid
    follow_up_id = schedule["ids"]["today"]
    assert any(item.id == follow_up_id for item in grid.items_on(grid.days.index(TODAY)))
    target = next(d for d in grid.days if d != TODAY)
    column = grid.days.index(target)
    point = QPointF(grid.columnViewportPosition(column) + 8, 8)  # an empty cell counts too
    mime = follow_up_mime(follow_up_id)
    action, button, no_keys = (
        Qt.DropAction.MoveAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(point.toPoint(), action, mime, button, no_keys)
    QApplication.sendEvent(grid.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(point, action, mime, button, no_keys)
    QApplication.sendEvent(grid.viewport(), drop)
    assert due_of(schedule["vault"], follow_up_id) == local(target, 10, 15)  # the time stays
    assert any(item.id == follow_up_id for item in grid.items_on(column))  # shown moved
    other = QMimeData()  # kept referenced: the event does not own it
    other.setText("some text from another program")
    foreign = QDragEnterEvent(point.toPoint(), action, other, button, no_keys)
    QApplication.sendEvent(grid.viewport(), foreign)
    assert not foreign.isAccepted()  # only CareNav follow-ups can be dropped

"""The calendar of scheduled follow-ups: an agenda of the coming two weeks and a month view.

- **Agenda** (the default): overdue follow-ups first, in amber, then the next 14
  days under "Today", "Tomorrow", "Thursday 3 Dec"...
- **Month**: Qt's own calendar; days with follow-ups are bold with a count, and the
  selected day's follow-ups are listed beside it. Drag a follow-up from that list
  onto another day to move it there at the same time of day.

"Reschedule…" moves the selected follow-up to a typed date and time; Enter or a
double-click opens the patient. Nothing about a patient reaches a window title.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import (
    QByteArray,
    QDate,
    QEvent,
    QItemSelectionModel,
    QMimeData,
    QObject,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QPen,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carenav.dates import MONTHS
from carenav.errors import CareNavError, InvalidInput
from carenav.models.codes import CONTACT_KINDS
from carenav.services.contacts import ScheduledItem, follow_up_counts_by_day, reschedule
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_datetime
from carenav.ui.item_models.schedule import (
    AMBER_BACKGROUND,
    AMBER_TEXT,
    ScheduleModel,
    agenda_window,
    day_heading,
    local_start,
    scheduled_between,
)
from carenav.ui.widgets.layout import heading, message_label, show_message

AGENDA_DAYS = 14
FOLLOW_UP_MIME = "application/x-carenav-follow-up"
BADGE_FILL = QColor("#1d5fa8")
FADE_OTHER_MONTH = QColor(255, 255, 255, 160)
WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PAGE_STYLE = """
QLabel#sectionTitle { font-size: 13pt; font-weight: 600; color: #12355b; }
"""
CALENDAR_STYLE = """
QCalendarWidget QAbstractItemView { selection-background-color: #cfe0f5;
    selection-color: #102a43; }
QCalendarWidget QWidget#qt_calendar_navigationbar { background: #eef2f6; }
QCalendarWidget QToolButton { color: #12355b; font-weight: 600; padding: 4px 8px; }
"""


def follow_up_mime(follow_up_id: uuid.UUID) -> QMimeData:
    """Drag data carrying only the follow-up's id (never anything about the patient)."""
    mime = QMimeData()
    mime.setData(FOLLOW_UP_MIME, QByteArray(follow_up_id.hex.encode("ascii")))
    return mime


def follow_up_id_from(mime: QMimeData | None) -> uuid.UUID | None:
    if mime is None or not mime.hasFormat(FOLLOW_UP_MIME):
        return None
    try:
        return uuid.UUID(hex=bytes(mime.data(FOLLOW_UP_MIME).data()).decode("ascii"))
    except ValueError:
        return None


def to_date(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def short_day(day: date) -> str:
    """'Tue 10 Dec'."""
    return f"{WEEKDAY_SHORT[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ScheduleTable(QTableView):
    """A day-grouped list of follow-ups: Enter opens, a drag carries the follow-up id."""

    open_row = Signal(int)

    def __init__(self, model: ScheduleModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((300, 130, 220)):  # "Overdue · 21 Nov 2026, 10:00"
            self.setColumnWidth(column, width)
        model.modelReset.connect(self._span_headings)
        self.doubleClicked.connect(lambda index: self.open_row.emit(index.row()))

    def schedule_model(self) -> ScheduleModel:
        model = self.model()
        assert isinstance(model, ScheduleModel)
        return model

    def _span_headings(self) -> None:
        self.clearSpans()
        model = self.schedule_model()
        for row in model.heading_rows():
            self.setSpan(row, 0, 1, model.columnCount())

    def selected_item(self) -> ScheduledItem | None:
        index = self.currentIndex()
        return self.schedule_model().item_at(index.row()) if index.isValid() else None

    def focus_first_item(self) -> None:
        """Put the keyboard cursor on the first follow-up without selecting it, so an
        overdue row keeps its amber until the care manager moves onto it."""
        model = self.schedule_model()
        for row in range(model.rowCount()):
            if model.item_at(row) is not None:
                flag = QItemSelectionModel.SelectionFlag.NoUpdate
                self.selectionModel().setCurrentIndex(model.index(row, 0), flag)
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N803 (Qt name)
        item = self.selected_item()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(follow_up_mime(item.id))
        drag.exec(Qt.DropAction.MoveAction)


class FollowUpCalendar(QCalendarWidget):
    """QCalendarWidget with bold days and a count badge; accepts dropped follow-ups."""

    follow_up_dropped = Signal(object, QDate)  # follow-up id, the day it was dropped on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[date, int] = {}
        self._today = date.today()
        self.setGridVisible(True)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setStyleSheet(CALENDAR_STYLE)
        self.setMinimumSize(460, 340)
        self._view = self.findChild(QTableView)
        if self._view is not None:
            self._view.setAcceptDrops(True)
            self._view.viewport().setAcceptDrops(True)
            self._view.viewport().installEventFilter(self)

    def counts(self) -> dict[date, int]:
        return dict(self._counts)

    def set_counts(self, counts: dict[date, int]) -> None:
        """Bold the days that have follow-ups (and forget earlier ones)."""
        self.setDateTextFormat(QDate(), QTextCharFormat())  # a null date resets all formats
        self._counts = dict(counts)
        for day in self._counts:
            bold = QTextCharFormat()
            bold.setFontWeight(QFont.Weight.Bold)
            self.setDateTextFormat(to_qdate(day), bold)
        self.updateCells()

    def set_today(self, today: date) -> None:
        self._today = today
        self.updateCells()

    def paintCell(self, painter: QPainter, rect: QRect, day: QDate) -> None:
        super().paintCell(painter, rect, day)
        if to_date(day) == self._today:
            painter.save()
            painter.setPen(QPen(BADGE_FILL, 2))
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
            painter.restore()
        count = self._counts.get(to_date(day), 0)
        if count:
            self._paint_badge(painter, rect, count)
        if day.month() != self.monthShown():
            painter.fillRect(rect, FADE_OTHER_MONTH)  # neighbouring months' days are faded

    def _paint_badge(self, painter: QPainter, rect: QRect, count: int) -> None:
        painter.save()
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        text = str(count)
        metrics = painter.fontMetrics()
        width = max(metrics.horizontalAdvance(text) + 8, metrics.height())
        badge = QRect(rect.right() - width - 2, rect.top() + 2, width, metrics.height())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_FILL)
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setPen(QPen(QColor("#ffffff")))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def date_at(self, pos: QPoint) -> date | None:
        """The day under a point of the calendar's grid (viewport coordinates)."""
        if self._view is None:
            return None
        index = self._view.indexAt(pos)
        try:
            number = int(str(index.data()))
        except ValueError:
            return None  # a day-name heading or outside the grid
        first = date(self.yearShown(), self.monthShown(), 1)
        if number > 20 and index.row() < 3:
            first = (first - timedelta(days=1)).replace(day=1)  # last month's tail
        elif number < 15 and index.row() > 3:
            first = (first + timedelta(days=32)).replace(day=1)  # next month's start
        try:
            return first.replace(day=number)
        except ValueError:
            return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent | QDragMoveEvent):
            if follow_up_id_from(event.mimeData()) is not None:
                day = self.date_at(event.position().toPoint())
                if day is not None:
                    event.acceptProposedAction()
                    return True
            event.ignore()
            return True
        if isinstance(event, QDropEvent):
            follow_up_id = follow_up_id_from(event.mimeData())
            day = self.date_at(event.position().toPoint())
            if follow_up_id is not None and day is not None:
                event.acceptProposedAction()
                self.follow_up_dropped.emit(follow_up_id, to_qdate(day))
            return True
        return super().eventFilter(watched, event)


class DaysGrid(QTableWidget):
    """One column per day (7 for the week view, 1 for the day view), follow-ups in time
    order down each column. Enter or a double-click opens the patient; dragging a
    follow-up onto another day's column moves it there (its time stays)."""

    open_item = Signal(object)  # ScheduledItem
    follow_up_dropped = Signal(object, QDate)  # follow-up id, the day it was dropped on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[date] = []
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.itemDoubleClicked.connect(self._open_cell)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDropIndicatorShown(False)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N803 (Qt name)
        item = self.selected_item()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(follow_up_mime(item.id))
        drag.exec(Qt.DropAction.MoveAction)

    def day_at(self, x: int) -> date | None:
        """The day of the column under viewport position ``x`` (empty rows count too)."""
        column = self.columnAt(x)
        return self.days[column] if 0 <= column < len(self.days) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if follow_up_id_from(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if follow_up_id_from(event.mimeData()) is not None and (
            self.day_at(event.position().toPoint().x()) is not None
        ):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        follow_up_id = follow_up_id_from(event.mimeData())
        day = self.day_at(event.position().toPoint().x())
        if follow_up_id is None or day is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.follow_up_dropped.emit(follow_up_id, to_qdate(day))

    def show_days(
        self, days: list[date], items: list[ScheduledItem], today: date, now: datetime
    ) -> None:
        self.clear_days()
        self.days = list(days)
        by_day: dict[date, list[ScheduledItem]] = {day: [] for day in days}
        for item in items:
            by_day.setdefault(item.local_due.date(), []).append(item)
        self.setColumnCount(len(days))
        self.setRowCount(max((len(by_day[day]) for day in days), default=0))
        for column, day in enumerate(days):
            header = QTableWidgetItem(self._header_text(day, today))
            if day == today:
                font = header.font()
                font.setBold(True)
                header.setFont(font)
            self.setHorizontalHeaderItem(column, header)
            for row, item in enumerate(by_day[day]):
                overdue = item.due_at < now
                when = f"Overdue · {item.local_due:%H:%M}" if overdue else f"{item.local_due:%H:%M}"
                cell = QTableWidgetItem(
                    f"{when}  {code_label(CONTACT_KINDS, item.kind)}\n"
                    f"{item.patient_name}\n{item.purpose}".rstrip()
                )
                cell.setData(Qt.ItemDataRole.UserRole, item)
                cell.setToolTip(cell.text())
                cell.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                if overdue:
                    cell.setForeground(AMBER_TEXT)
                    cell.setBackground(AMBER_BACKGROUND)
                self.setItem(row, column, cell)
        self.resizeRowsToContents()

    @staticmethod
    def _header_text(day: date, today: date) -> str:
        return f"{short_day(day)} (today)" if day == today else short_day(day)

    def clear_days(self) -> None:
        self.clear()
        self.setRowCount(0)
        self.setColumnCount(0)
        self.days = []

    def item_in(self, row: int, column: int) -> ScheduledItem | None:
        cell = self.item(row, column)
        data = cell.data(Qt.ItemDataRole.UserRole) if cell is not None else None
        return data if isinstance(data, ScheduledItem) else None

    def selected_item(self) -> ScheduledItem | None:
        return self.item_in(self.currentRow(), self.currentColumn())

    def items_on(self, column: int) -> list[ScheduledItem]:
        found = (self.item_in(row, column) for row in range(self.rowCount()))
        return [item for item in found if item is not None]

    def _open_cell(self, cell: QTableWidgetItem) -> None:
        item = self.item_in(cell.row(), cell.column())
        if item is not None:
            self.open_item.emit(item)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.selected_item()
            if item is not None:
                self.open_item.emit(item)
                return
        super().keyPressEvent(event)


class DaysView(QWidget):
    """The week (7 days from Monday) or day view: Previous / This week / Next and a grid."""

    moved = Signal()

    def __init__(self, span: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span = span
        self.start = date.today()
        noun = "week" if span == 7 else "day"
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        previous = QPushButton(f"◀ Previous {noun}")
        current = QPushButton("This week" if span == 7 else "Today")
        following = QPushButton(f"Next {noun} ▶")
        self.grid = DaysGrid()
        self.grid.setAccessibleName(f"Follow-ups of the {noun}")
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        for button in (previous, current, following):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.grid, 1)
        previous.clicked.connect(lambda: self.step(-1))
        following.clicked.connect(lambda: self.step(1))
        current.clicked.connect(self._back_to_today)
        self._today = date.today()

    def go_to(self, day: date, today: date) -> None:
        self._today = today
        self.start = day - timedelta(days=day.weekday()) if self.span == 7 else day

    def step(self, direction: int) -> None:
        self.start += timedelta(days=direction * self.span)
        self.moved.emit()

    def _back_to_today(self) -> None:
        self.go_to(self._today, self._today)
        self.moved.emit()

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.span)]

    def time_window(self) -> tuple[datetime, datetime]:
        return local_start(self.start), local_start(self.start + timedelta(days=self.span))

    def show_items(self, items: list[ScheduledItem], now: datetime) -> None:
        days = self.days()
        if self.span == 1:
            when = day_heading(days[0], self._today)
        else:
            when = f"{short_day(days[0])} to {short_day(days[-1])}"
        noun = "follow-up" if len(items) == 1 else "follow-ups"
        self.title.setText(f"{when}: {len(items) or 'no'} {noun}")
        self.grid.show_days(days, items, self._today, now)

    def clear(self) -> None:
        self.title.clear()
        self.grid.clear_days()


DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_PATTERN = re.compile(r"(\d{1,2}):(\d{2})")


def parse_day(text: str) -> date:
    text = text.strip()
    if not DATE_PATTERN.fullmatch(text):
        raise ValueError("Write the date as YYYY-MM-DD, for example 2026-12-03.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("That date does not exist. Check the month and day.") from None


def parse_time(text: str) -> time:
    match = TIME_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ValueError("Write the time as HH:MM on a 24-hour clock, for example 14:30.")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValueError("Hours go from 00 to 23 and minutes from 00 to 59.")
    return time(hours, minutes)


class RescheduleDialog(QDialog):
    """Move one follow-up to a typed date and time; errors appear beside each field."""

    def __init__(self, vault: Vault, item: ScheduledItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.item = item
        self.setWindowTitle("Reschedule follow-up")
        self.setModal(True)
        local = item.local_due
        summary = QLabel(
            f"{code_label(CONTACT_KINDS, item.kind)} with {item.patient_name}, "
            f"now due {format_datetime(item.due_at)}"
        )
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        self.date_edit = QLineEdit(local.date().isoformat())
        self.date_edit.setPlaceholderText("YYYY-MM-DD")
        self.date_edit.setAccessibleName("New date")
        self.time_edit = QLineEdit(f"{local:%H:%M}")
        self.time_edit.setPlaceholderText("HH:MM")
        self.time_edit.setAccessibleName("New time")
        self.date_error = message_label()
        self.time_error = message_label()
        self.message = message_label()
        form = QFormLayout()
        form.addRow("New date", self._field(self.date_edit, self.date_error))
        form.addRow("New time", self._field(self.time_edit, self.time_error))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Reschedule")
        self.save_button.setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self.date_edit.setFocus()
        self.date_edit.selectAll()

    @staticmethod
    def _field(edit: QLineEdit, error: QLabel) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        edit.setMaximumWidth(140)
        row.addWidget(edit)
        row.addWidget(error, 1)
        return box

    def new_due(self) -> datetime | None:
        """The typed moment as an aware local datetime; shows errors and gives None."""
        day = when = None
        try:
            day = parse_day(self.date_edit.text())
            show_message(self.date_error, "")
        except ValueError as exc:
            show_message(self.date_error, str(exc))
        try:
            when = parse_time(self.time_edit.text())
            show_message(self.time_error, "")
        except ValueError as exc:
            show_message(self.time_error, str(exc))
        if day is None or when is None:
            return None
        return datetime.combine(day, when).astimezone()

    def accept(self) -> None:
        show_message(self.message, "")
        due = self.new_due()
        if due is None:
            return
        try:
            reschedule(self.vault, self.item.id, due)
        except InvalidInput as exc:
            show_message(self.date_error, exc.errors.pop("due_at", ""))
            show_message(self.message, " ".join(exc.errors.values()))
            return
        except CareNavError as exc:
            show_message(self.message, str(exc))
            return
        super().accept()


class CalendarPage(QWidget):
    """Agenda, month, week and day views of scheduled follow-ups; emits open_patient(id)."""

    open_patient = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault: Vault | None = None
        self._today = date.today()
        self._pinned_today: date | None = None
        self._known: dict[uuid.UUID, ScheduledItem] = {}
        self.setStyleSheet(PAGE_STYLE)

        self.agenda_model = ScheduleModel(self)
        self.agenda = ScheduleTable(self.agenda_model)
        self.agenda.setAccessibleName("Agenda: follow-ups of the coming two weeks")
        self.agenda_hint = QLabel()
        self.agenda_hint.setObjectName("fieldHint")
        agenda_page = QWidget()
        agenda_layout = QVBoxLayout(agenda_page)
        agenda_layout.addWidget(self.agenda, 1)
        agenda_layout.addWidget(self.agenda_hint)

        self.month = FollowUpCalendar()
        self.day_model = ScheduleModel(self)
        self.day_list = ScheduleTable(self.day_model)
        self.day_list.setAccessibleName("Follow-ups of the selected day")
        day_header = self.day_list.horizontalHeader()
        for column in range(3):
            day_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        drag_hint = QLabel("Drag a follow-up onto another day to move it; the time stays.")
        drag_hint.setObjectName("fieldHint")
        drag_hint.setWordWrap(True)
        self.day_title = QLabel()
        self.day_title.setObjectName("sectionTitle")
        side = QVBoxLayout()
        side.addWidget(self.day_title)
        side.addWidget(self.day_list, 1)
        side.addWidget(drag_hint)
        month_page = QWidget()
        month_layout = QHBoxLayout(month_page)
        month_layout.addWidget(self.month, 3)
        month_layout.addLayout(side, 4)

        self.tabs = QTabWidget()
        self.tabs.addTab(agenda_page, "Agenda")
        self.tabs.addTab(month_page, "Month")
        self.week = DaysView(7)
        self.day_view = DaysView(1)
        self.tabs.addTab(self.week, "Week")
        self.tabs.addTab(self.day_view, "Day")

        self.reschedule_button = QPushButton("Reschedule…")
        self.reschedule_button.setToolTip("Move the selected follow-up to another date or time")
        self.open_button = QPushButton("Open patient")
        self.open_button.setToolTip("Open the selected follow-up's patient (Enter)")
        self.message = message_label()
        top = QHBoxLayout()
        top.addWidget(heading("Calendar"))
        top.addStretch(1)
        top.addWidget(self.reschedule_button)
        top.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        for table in (self.agenda, self.day_list):
            table.open_row.connect(lambda row, t=table: self._open_row(t, row))
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.open_button.clicked.connect(self._open_selected)
        self.month.currentPageChanged.connect(lambda _y, _m: self._load_month())
        self.month.selectionChanged.connect(self._load_day)
        self.month.follow_up_dropped.connect(self._on_dropped)
        for view in (self.week, self.day_view):
            view.moved.connect(lambda v=view: self._load_days(v))
            view.grid.open_item.connect(lambda item: self.open_patient.emit(item.patient_id))
            view.grid.follow_up_dropped.connect(self._on_dropped)

    # -- showing --------------------------------------------------------------

    def show_for(self, vault: Vault, today: date | None = None) -> None:
        """Show the vault's schedule; ``today`` pins the page to a day (tests, screenshots),
        and then "overdue" means due before that day began."""
        self.vault = vault
        self._pinned_today = today
        self._today = today or date.today()
        self.month.blockSignals(True)
        self.month.setSelectedDate(to_qdate(self._today))
        self.month.blockSignals(False)
        self.month.set_today(self._today)
        for view in (self.week, self.day_view):
            view.go_to(self._today, self._today)
        self.refresh()
        self.agenda.focus_first_item()

    def refresh(self) -> None:
        if self.vault is None:
            return
        show_message(self.message, "")
        self._known.clear()
        self._load_agenda()
        self._load_month()
        self._load_days(self.week)
        self._load_days(self.day_view)

    def clear(self) -> None:
        """Forget everything shown (the vault locked)."""
        self.vault = None
        self._known.clear()
        self.agenda_model.clear()
        self.day_model.clear()
        self.month.set_counts({})
        self.agenda_hint.clear()
        self.day_title.clear()
        self.week.clear()
        self.day_view.clear()
        show_message(self.message, "")

    def _now(self) -> datetime:
        if self._pinned_today is not None:
            return local_start(self._pinned_today)
        return datetime.now().astimezone()

    def _remember(self, items: list[ScheduledItem]) -> list[ScheduledItem]:
        self._known.update((item.id, item) for item in items)
        return items

    def _load_agenda(self) -> None:
        assert self.vault is not None
        now = self._now()
        _start, end = agenda_window(self._today, AGENDA_DAYS)
        overdue = self._remember(scheduled_between(self.vault, None, now))
        coming = self._remember(scheduled_between(self.vault, now, end))
        self.agenda_model.set_items(coming, today=self._today, overdue=overdue)
        if not overdue and not coming:
            self.agenda_hint.setText("No follow-ups are scheduled for the next two weeks.")
        else:
            self.agenda_hint.setText(
                f"{len(overdue)} overdue, {len(coming)} in the next {AGENDA_DAYS} days. "
                "Enter opens the patient."
            )

    def _load_month(self) -> None:
        if self.vault is None:
            return
        first = date(self.month.yearShown(), self.month.monthShown(), 1)
        start, end = local_start(first - timedelta(days=7)), local_start(first + timedelta(44))
        self.month.set_counts(follow_up_counts_by_day(self.vault, start, end))
        self._load_day()

    def _load_day(self) -> None:
        if self.vault is None:
            return
        day = to_date(self.month.selectedDate())
        items = self._remember(
            scheduled_between(self.vault, local_start(day), local_start(day + timedelta(days=1)))
        )
        self.day_model.set_items(items, today=self._today)
        when = day_heading(day, self._today)
        if items:
            noun = "follow-up" if len(items) == 1 else "follow-ups"
            self.day_title.setText(f"{when}: {len(items)} {noun}")
        else:
            self.day_title.setText(f"{when}: nothing scheduled")

    def _load_days(self, view: DaysView) -> None:
        if self.vault is None:
            return
        items = self._remember(scheduled_between(self.vault, *view.time_window()))
        view.show_items(items, self._now())

    # -- acting on a follow-up ------------------------------------------------

    def selected_item(self) -> ScheduledItem | None:
        """The follow-up selected in the view on show."""
        shown = self.tabs.currentWidget()
        if shown is self.week or shown is self.day_view:
            assert isinstance(shown, DaysView)
            return shown.grid.selected_item()
        table = self.day_list if self.tabs.currentIndex() == 1 else self.agenda
        return table.selected_item()

    def _open_row(self, table: ScheduleTable, row: int) -> None:
        item = table.schedule_model().item_at(row)
        if item is not None:
            self.open_patient.emit(item.patient_id)

    def _open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_patient.emit(item.patient_id)

    def reschedule_dialog(self, item: ScheduledItem) -> RescheduleDialog:
        assert self.vault is not None
        return RescheduleDialog(self.vault, item, self)

    def reschedule_selected(self) -> None:
        item = self.selected_item()
        if self.vault is None or item is None:
            show_message(self.message, "Select a follow-up first, then choose Reschedule….")
            return
        dialog = self.reschedule_dialog(item)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def drop_on_day(self, mime: QMimeData, day: QDate) -> bool:
        """Move the dragged follow-up to ``day``, keeping its time of day."""
        follow_up_id = follow_up_id_from(mime)
        if follow_up_id is None:
            return False
        return self._on_dropped(follow_up_id, day)

    def _on_dropped(self, follow_up_id: uuid.UUID, day: QDate) -> bool:
        item = self._known.get(follow_up_id)
        if self.vault is None or item is None:
            return False
        local = item.local_due
        due = datetime.combine(to_date(day), local.time().replace(tzinfo=None)).astimezone()
        if due == item.due_at:
            return False
        try:
            reschedule(self.vault, follow_up_id, due)
        except CareNavError as exc:
            show_message(self.message, str(exc))
            return False
        self.refresh()
        return True

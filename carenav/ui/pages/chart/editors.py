"""One editing widget per FieldSpec, with its message shown directly beneath it.

``FieldEditors`` builds the widgets for a list of field descriptions, lays them
out in QFormLayouts, reads and writes plain values (strings, bools, code lists,
aware datetimes) and shows the per-field messages of an InvalidInput.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from carenav.services.validation import parse_date
from carenav.ui.pages.chart.fields import FieldKind, FieldSpec


class DateField(QWidget):
    """A YYYY-MM-DD text box (may be left empty) with a calendar to pick from."""

    text_changed = Signal(str)

    def __init__(self, placeholder: str = "YYYY-MM-DD", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.line.setMaxLength(10)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._on_picked)
        self.calendar.activated.connect(self._on_picked)
        self.menu = QMenu(self)
        picker = QWidgetAction(self.menu)
        picker.setDefaultWidget(self.calendar)
        self.menu.addAction(picker)
        self.menu.aboutToShow.connect(self._prepare_calendar)
        self.button = QToolButton()
        self.button.setText("Calendar")
        self.button.setToolTip("Pick the date from a calendar")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(self.menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)
        self.line.textChanged.connect(self.text_changed)

    def text(self) -> str:
        return self.line.text().strip()

    def set_date(self, value: date | None) -> None:
        self.line.setText(value.isoformat() if value else "")

    def _prepare_calendar(self) -> None:
        try:
            current = parse_date(self.text())
        except ValueError:
            current = None
        chosen = current or date.today()
        self.calendar.setSelectedDate(QDate(chosen.year, chosen.month, chosen.day))

    def _on_picked(self, picked: QDate) -> None:
        self.line.setText(picked.toString("yyyy-MM-dd"))
        self.menu.close()
        self.line.setFocus()


class ChoiceList(QListWidget):
    """A list of checkable choices (programmes)."""

    def __init__(self, choices: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for code, label in choices.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        rows = min(len(choices), 10)
        self.setMinimumHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 4)
        self.setMinimumWidth(self.sizeHintForColumn(0) + 2 * self.frameWidth() + 8)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def checked_codes(self) -> list[str]:
        return [
            str(self.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_checked_codes(self, wanted: Iterable[str]) -> None:
        chosen = set(wanted)
        for row in range(self.count()):
            item = self.item(row)
            code = item.data(Qt.ItemDataRole.UserRole)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)

    def set_code_checked(self, code: str, checked: bool) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                item.setCheckState(state)


class FieldEditor:
    """The widget for one field plus the red message label beneath it."""

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec
        self.widget: QWidget = self._make_widget()
        self.widget.setAccessibleName(spec.label)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.row = QWidget()
        column = QVBoxLayout(self.row)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.widget)
        column.addWidget(self.message)

    def _make_widget(self) -> QWidget:
        spec = self.spec
        if spec.kind is FieldKind.MULTILINE:
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)
            box.setMinimumHeight(90)
            return box
        if spec.kind is FieldKind.DATE:
            return DateField(spec.hint or "YYYY-MM-DD")
        if spec.kind is FieldKind.DATETIME:
            when = QDateTimeEdit()
            when.setCalendarPopup(True)
            when.setDisplayFormat("yyyy-MM-dd  HH:mm")
            return when
        if spec.kind is FieldKind.CHOICE:
            combo = QComboBox()
            if spec.blank_label:
                combo.addItem(spec.blank_label, "")
            for code, label in spec.choices.items():
                combo.addItem(label, code)
            return combo
        if spec.kind is FieldKind.CHOICES:
            return ChoiceList(spec.choices)
        if spec.kind is FieldKind.YES_NO:
            return QCheckBox(spec.label)
        line = QLineEdit()
        line.setPlaceholderText(spec.hint)
        return line

    # -- values ---------------------------------------------------------------

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, DateField):
            return w.text()
        if isinstance(w, QDateTimeEdit):
            local: datetime = w.dateTime().toPython()  # type: ignore[assignment]
            return local.astimezone().astimezone(UTC)
        if isinstance(w, QComboBox):
            return w.currentData() if w.currentIndex() >= 0 else ""
        if isinstance(w, ChoiceList):
            return w.checked_codes()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        assert isinstance(w, QLineEdit)
        return w.text()

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value or ""))
        elif isinstance(w, DateField):
            w.set_date(value if isinstance(value, date) else None)
            if isinstance(value, str):
                w.line.setText(value)
        elif isinstance(w, QDateTimeEdit):
            moment = value if isinstance(value, datetime) else datetime.now(UTC)
            local = moment.astimezone()
            w.setDateTime(
                QDateTime(
                    QDate(local.year, local.month, local.day),
                    QTime(local.hour, local.minute, local.second, local.microsecond // 1000),
                )
            )
        elif isinstance(w, QComboBox):
            index = w.findData(value if value is not None else "")
            w.setCurrentIndex(index if index >= 0 else 0)
        elif isinstance(w, ChoiceList):
            w.set_checked_codes(value or [])
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        else:
            assert isinstance(w, QLineEdit)
            w.setText(str(value or ""))

    def connect_changed(self, slot: Callable[[], None]) -> None:
        w = self.widget
        if isinstance(w, QPlainTextEdit):
            w.textChanged.connect(slot)
        elif isinstance(w, DateField):
            w.text_changed.connect(lambda _t: slot())
        elif isinstance(w, QDateTimeEdit):
            w.dateTimeChanged.connect(lambda _d: slot())
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda _i: slot())
        elif isinstance(w, ChoiceList):
            w.itemChanged.connect(lambda _item: slot())
        elif isinstance(w, QCheckBox):
            w.toggled.connect(lambda _on: slot())
        else:
            assert isinstance(w, QLineEdit)
            w.textChanged.connect(lambda _t: slot())

    # -- messages -------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def focus(self) -> None:
        self.widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(self.widget, QLineEdit):
            self.widget.selectAll()


class FieldEditors:
    """The editors of one form, in order, keyed by field name."""

    def __init__(self, specs: Iterable[FieldSpec]) -> None:
        self.editors: dict[str, FieldEditor] = {s.name: FieldEditor(s) for s in specs}

    def __getitem__(self, name: str) -> FieldEditor:
        return self.editors[name]

    def add_rows(self, form: QFormLayout, names: Iterable[str] | None = None) -> None:
        for name in names if names is not None else self.editors:
            editor = self.editors[name]
            spec = editor.spec
            if spec.kind is FieldKind.YES_NO:
                form.addRow("", editor.row)
                continue
            caption = QLabel(f"{spec.label} *" if spec.required else spec.label)
            caption.setBuddy(editor.widget)
            form.addRow(caption, editor.row)

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, editor in self.editors.items():
            editor.set_value(values.get(name))

    def connect_changed(self, slot: Callable[[], None]) -> None:
        for editor in self.editors.values():
            editor.connect_changed(slot)

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show each message beside its field, focus the first; return messages with no field."""
        self.clear_errors()
        first: FieldEditor | None = None
        for name, editor in self.editors.items():
            if name in errors:
                editor.show_message(errors[name])
                first = first or editor
        if first is not None:
            first.focus()
        return {k: v for k, v in errors.items() if k not in self.editors}

    def clear_errors(self) -> None:
        for editor in self.editors.values():
            editor.show_message("")

    def first_with_error(self) -> FieldEditor | None:
        return next((e for e in self.editors.values() if e.message.text()), None)

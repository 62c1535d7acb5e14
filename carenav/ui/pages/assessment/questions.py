"""The blocks of an assessment form: one widget per item of the instrument's definition.

- **Question blocks** show the question text, a "Required" mark, the help hint, the
  answer widget and, when needed, a message beneath it. An answer widget is empty until
  something is chosen or typed: nothing defaults to 0 or to the first option.
- **Keyboard.** Tab moves from question to question: a group of options is one stop.
  Inside a group the arrow keys move (and choose, for single-answer questions), the
  digit keys 1-9 choose the option at that position, Space chooses or ticks the
  focused option and Delete clears the answer. Multi-line text boxes pass Tab on.
- **Display blocks** show a section heading, a paragraph, a "Start <screener>" button
  or the patient's chart records of one kind.
- **Read-only blocks** show a signed form: the question and the answer given, as text.

Answer widgets report ``changed(True)`` when the answer should be kept at once (a
choice) and ``changed(False)`` while text is being typed (kept after a short pause);
``committed`` when typing is over (the focus left the box).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from carenav.instruments import Item
from carenav.models import codes
from carenav.ui.formatting import code_label, format_date

DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): n - 1 for n in range(1, 10)}
BACK_KEYS = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Left})
FORWARD_KEYS = frozenset({Qt.Key.Key_Down, Qt.Key.Key_Right})
CLEAR_KEYS = frozenset({Qt.Key.Key_Delete, Qt.Key.Key_Backspace})
COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
SHORT_TEXT_MAX = 120  # a text answer this short gets a one-line box
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_PROBLEM = "Enter the date as YYYY-MM-DD, for example 2025-03-14."
NOT_ANSWERED = "Not answered"
NONE_RECORDED = "None recorded"


def plain_label(text: str, name: str = "", *, wrap: bool = True) -> QLabel:
    """A label that never interprets its text as HTML (definitions and records are text)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def quiet_button(text: str) -> QPushButton:
    """A push button that Enter in a text box never presses by accident."""
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.setDefault(False)
    return button


# -- answer widgets ------------------------------------------------------------------------


class Answer(QWidget):
    """The part of a question block that takes the answer."""

    changed = Signal(bool)  # True: keep the answer at once; False: after a pause (typing)
    committed = Signal()  # typing is over

    def value(self) -> Any:
        """The answer as the scoring engine takes it, or None for "not answered yet"."""
        return None

    def set_value(self, value: Any) -> None:
        """Show an answer (from a draft or a signed form) without reporting a change."""

    def problem(self) -> str:
        """What is wrong with what was typed ("" when nothing is)."""
        return ""

    def focus_answer(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)


class _OptionRadio(QRadioButton):
    def __init__(self, text: str, owner: OptionsAnswer) -> None:
        super().__init__(text)
        self._owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._owner.option_key(self, event):
            super().keyPressEvent(event)


class _OptionCheck(QCheckBox):
    def __init__(self, text: str, owner: OptionsAnswer) -> None:
        super().__init__(text)
        self._owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._owner.option_key(self, event):
            super().keyPressEvent(event)


class OptionsAnswer(Answer):
    """Radio buttons (one answer) or check boxes (several), in a QButtonGroup.

    The group is one Tab stop: the chosen option, or the first when none is.
    """

    def __init__(
        self,
        labels: Sequence[str],
        values: Sequence[Any],
        *,
        multiple: bool = False,
        horizontal: bool = False,
    ) -> None:
        super().__init__()
        self.multiple = multiple
        self.values = list(values)
        layout: QHBoxLayout | QVBoxLayout = QHBoxLayout(self) if horizontal else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12 if horizontal else 2)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not multiple)
        self.buttons: list[QAbstractButton] = []
        for n, label in enumerate(labels):
            button: QAbstractButton = (
                _OptionCheck(label, self) if multiple else _OptionRadio(label, self)
            )
            self.group.addButton(button, n)
            layout.addWidget(button)
            self.buttons.append(button)
        if horizontal:
            layout.addStretch(1)
        self._last: Any = None
        self.group.idClicked.connect(self._clicked)
        self._fix_tab_stop()

    def value(self) -> Any:
        if self.multiple:
            chosen = [v for v, b in zip(self.values, self.buttons, strict=True) if b.isChecked()]
            return chosen or None
        index = self.group.checkedId()
        return None if index < 0 else self.values[index]

    def set_value(self, value: Any) -> None:
        self._uncheck_all()
        if value is not None:
            wanted = list(value) if self.multiple and isinstance(value, list) else [value]
            for v, button in zip(self.values, self.buttons, strict=True):
                if v in wanted:
                    button.setChecked(True)
                    if not self.multiple:
                        break
        self._last = self.value()
        self._fix_tab_stop()

    def focus_answer(self) -> None:
        self._tab_stop().setFocus(Qt.FocusReason.OtherFocusReason)

    # -- keys and clicks ---------------------------------------------------------------

    def option_key(self, button: QAbstractButton, event: QKeyEvent) -> bool:
        """Handle a key pressed on one of the options; False leaves it to Qt."""
        if event.modifiers() & COMMAND_MODIFIERS:
            return False  # shortcuts such as Ctrl+Return or Ctrl+Down belong to the form
        key = Qt.Key(event.key())
        index = self.buttons.index(button)
        if key in DIGIT_KEYS:
            if DIGIT_KEYS[key] < len(self.buttons):
                self.choose(DIGIT_KEYS[key])
            return True
        if key in BACK_KEYS or key in FORWARD_KEYS:
            step = -1 if key in BACK_KEYS else 1
            target = min(max(index + step, 0), len(self.buttons) - 1)
            if self.multiple:
                self.buttons[target].setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self.choose(target)
            return True
        if key in CLEAR_KEYS:
            self.clear()
            return True
        return False

    def choose(self, index: int) -> None:
        """Choose (or, for check boxes, tick or untick) the option at ``index``."""
        button = self.buttons[index]
        if self.multiple:
            button.setChecked(not button.isChecked())
        else:
            button.setChecked(True)
        button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._report()

    def clear(self) -> None:
        focused = self.focusWidget()
        self._uncheck_all()
        self._fix_tab_stop()
        if isinstance(focused, QAbstractButton):
            focused.setFocus(Qt.FocusReason.OtherFocusReason)
        self._report()

    def _clicked(self, _index: int) -> None:
        self._report()

    def _report(self) -> None:
        now = self.value()
        if now != self._last:
            self._last = now
            self._fix_tab_stop(keep_focus=True)
            self.changed.emit(True)

    def _uncheck_all(self) -> None:
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(not self.multiple)

    def _tab_stop(self) -> QAbstractButton:
        checked = next((b for b in self.buttons if b.isChecked()), None)
        return checked if checked is not None and not self.multiple else self.buttons[0]

    def _fix_tab_stop(self, *, keep_focus: bool = False) -> None:
        """Only one option of the group is reached with Tab (as Qt does for focus-in)."""
        stop = self._tab_stop()
        if keep_focus and isinstance(self.focusWidget(), QAbstractButton):
            stop = self.focusWidget()  # type: ignore[assignment]
        for button in self.buttons:
            wanted = Qt.FocusPolicy.StrongFocus if button is stop else Qt.FocusPolicy.ClickFocus
            if button.focusPolicy() != wanted:
                button.setFocusPolicy(wanted)


class _LineAnswer(Answer):
    """A one-line box with an optional quiet note beside it."""

    def __init__(self, placeholder: str = "", *, width_chars: int = 0, note: str = "") -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        if width_chars:
            self.edit.setMaximumWidth(self.edit.fontMetrics().averageCharWidth() * width_chars + 24)
        self.note = plain_label(note, "helpText", wrap=False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.edit, 1 if not width_chars else 0)
        layout.addWidget(self.note)
        if width_chars:
            layout.addStretch(1)
        self.note.setVisible(bool(note))
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self._finished)

    def _edited(self, _text: str) -> None:
        self.changed.emit(False)

    def _finished(self) -> None:
        self.committed.emit()

    def text(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else self._shown(value))

    def _shown(self, value: Any) -> str:
        return str(value)


class NumberAnswer(_LineAnswer):
    """A whole number or a decimal; empty means "not answered yet" (never 0)."""

    def __init__(self, item: Item) -> None:
        self.whole = item.type == "integer"
        self.low, self.high = item.min, item.max
        kind = "A whole number" if self.whole else "A number"
        if self.low is not None and self.high is not None:
            note = f"{kind} from {self.low:g} to {self.high:g}"
        elif self.low is not None:
            note = f"{kind}, {self.low:g} or more"
        elif self.high is not None:
            note = f"{kind}, up to {self.high:g}"
        else:
            note = kind
        super().__init__(width_chars=12, note=note)
        sign = "-?" if self.low is None or self.low < 0 else ""
        pattern = rf"{sign}\d{{0,9}}" if self.whole else rf"{sign}\d{{0,9}}([.,]\d{{0,6}})?"
        self.edit.setValidator(QRegularExpressionValidator(pattern, self.edit))

    def _number(self) -> float | int | None:
        text = self.text().replace(",", ".")
        if text in ("", "-", "."):
            return None
        try:
            number: float | int = int(text) if self.whole else float(text)
        except ValueError:
            return None
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            return None
        return number

    def value(self) -> Any:
        return self._number()

    def problem(self) -> str:
        if self.text() and self._number() is None:
            wanted = self.note.text()
            return f"{self.text()} is not accepted: enter {wanted[0].lower()}{wanted[1:]}."
        return ""

    def _shown(self, value: Any) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)


class DateAnswer(_LineAnswer):
    """A date typed as YYYY-MM-DD, with the date in words beside it to check."""

    def __init__(self) -> None:
        super().__init__("YYYY-MM-DD", width_chars=12)
        self.edit.setMaxLength(10)
        self.edit.setValidator(QRegularExpressionValidator(r"[0-9-]{0,10}", self.edit))
        self.edit.textChanged.connect(self._preview)

    def _date(self) -> date | None:
        text = self.text()
        if not ISO_DATE.fullmatch(text):
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None

    def value(self) -> Any:
        found = self._date()
        return found.isoformat() if found else None

    def problem(self) -> str:
        return DATE_PROBLEM if self.text() and self._date() is None else ""

    def _preview(self, _text: str) -> None:
        found = self._date()
        self.note.setText(format_date(found) if found else "")
        self.note.setVisible(found is not None)


class ShortTextAnswer(_LineAnswer):
    def __init__(self, max_length: int) -> None:
        super().__init__()
        self.edit.setMaxLength(max_length)

    def value(self) -> Any:
        return self.edit.text() if self.edit.text().strip() else None


class _PlainText(QPlainTextEdit):
    left = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.left.emit()


class LongTextAnswer(Answer):
    """Several lines of text; Tab moves on; at most ``max_length`` characters fit."""

    def __init__(self, max_length: int | None) -> None:
        super().__init__()
        self.max_length = max_length
        self.edit = _PlainText()
        self.edit.setTabChangesFocus(True)
        lines = 4
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * lines + 18)
        self.count = plain_label("", "helpText", wrap=False)
        self.count.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.count)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._typed)
        self.edit.left.connect(self._finished)
        self._loading = False

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self.edit.setPlainText("" if value is None else str(value))
        finally:
            self._loading = False
        self._show_count()

    def _typed(self) -> None:
        if self._loading:
            return
        text = self.edit.toPlainText()
        if self.max_length is not None and len(text) > self.max_length:
            self._loading = True  # keep what fits, like a form field's maximum length
            try:
                self.edit.setPlainText(text[: self.max_length])
                self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
            finally:
                self._loading = False
        self._show_count()
        self.changed.emit(False)

    def _finished(self) -> None:
        self.committed.emit()

    def _show_count(self) -> None:
        if self.max_length is None:
            return
        used = len(self.edit.toPlainText())
        self.count.setText(f"{used} of {self.max_length} characters")
        self.count.setVisible(used >= self.max_length * 0.8)


def answer_widget(item: Item) -> Answer:
    """The answer widget for one question item."""
    if item.type in ("choice", "multi-choice"):
        return OptionsAnswer(
            [o.display for o in item.options],
            [o.code for o in item.options],
            multiple=item.type == "multi-choice",
        )
    if item.type == "boolean":
        return OptionsAnswer(["Yes", "No"], [True, False], horizontal=True)
    if item.type in ("integer", "decimal"):
        return NumberAnswer(item)
    if item.type == "date":
        return DateAnswer()
    max_length = item.max_length
    if max_length is not None and max_length <= SHORT_TEXT_MAX:
        return ShortTextAnswer(max_length)
    return LongTextAnswer(max_length)


# -- blocks --------------------------------------------------------------------------------


class QuestionBlock(QFrame):
    """One question: its text, marks, hint, answer widget and a message beneath."""

    def __init__(self, item: Item, number: int, *, required: bool) -> None:
        super().__init__()
        self.setObjectName("question")
        self.item = item
        self.required = required
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        self.text_label = plain_label(f"{number}.  {item.text}", "questionText")
        if required:
            top = QHBoxLayout()
            top.setSpacing(12)
            top.addWidget(self.text_label, 1)
            mark = plain_label("Required", "requiredMark", wrap=False)
            top.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
            layout.addLayout(top)
        else:
            layout.addWidget(self.text_label)
        hint = item.help
        if hint:
            layout.addWidget(plain_label(hint, "helpText"))
        self.answer = answer_widget(item)
        self.answer.setAccessibleName(item.text)
        layout.addWidget(self.answer)
        self.problem_label: QLabel | None = None
        self.answer.committed.connect(self.check_typed)
        self.answer.changed.connect(self._answer_changed)

    def value(self) -> Any:
        return self.answer.value()

    def set_value(self, value: Any) -> None:
        self.answer.set_value(value)

    def focus_answer(self) -> None:
        self.answer.focus_answer()

    def check_typed(self) -> None:
        """Say what is wrong with what was typed, once typing is over."""
        problem = self.answer.problem()
        if problem:
            self.show_problem(problem)
        elif self.problem_label is not None and self.property("problem"):
            self.clear_problem()

    def show_problem(self, text: str) -> None:
        if self.problem_label is None:
            self.problem_label = plain_label("", "problemText")
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(1, self.problem_label)  # beside the question, above the answer
        self.problem_label.setText(text)
        self.problem_label.setVisible(True)
        self._set_flag("problem", True)

    def clear_problem(self) -> None:
        if self.problem_label is not None:
            self.problem_label.clear()
            self.problem_label.setVisible(False)
        self._set_flag("problem", False)

    @property
    def problem_text(self) -> str:
        label = self.problem_label
        return label.text() if label is not None and not label.isHidden() else ""

    def set_current(self, current: bool) -> None:
        self._set_flag("current", current)

    def _answer_changed(self, _immediate: bool) -> None:
        if self.problem_text and not self.answer.problem() and self.value() is not None:
            self.clear_problem()  # answered now: the message has done its job

    def _set_flag(self, name: str, on: bool) -> None:
        if bool(self.property(name)) != on:
            self.setProperty(name, on)
            self.style().unpolish(self)
            self.style().polish(self)


class DisplayBlock(QFrame):
    """A section heading, a paragraph, a screener button or the patient's records."""

    screener_requested = Signal(str)

    def __init__(
        self,
        item: Item,
        *,
        screener_title: str = "",
        context_lines: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("note")
        self.item = item
        self.is_section = item.section
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(8)
        self.text_label = plain_label(
            item.text, "sectionHeading" if self.is_section else "displayText"
        )
        layout.addWidget(self.text_label)
        self.screener_button: QPushButton | None = None
        self.context_label: QLabel | None = None
        screener = item.screener
        if screener and screener_title:
            self.screener_button = quiet_button(f"Start {screener_title}")
            self.screener_button.clicked.connect(self._start_screener)
            row = QHBoxLayout()
            row.addWidget(self.screener_button)
            row.addStretch(1)
            layout.addLayout(row)
        if context_lines is not None:
            shown = "\n".join(f"•  {line}" for line in context_lines) or NONE_RECORDED
            self.context_label = plain_label(shown, "contextList")
            self.context_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.context_label)

    def value(self) -> Any:
        return None

    def _start_screener(self) -> None:
        self.screener_requested.emit(self.item.screener)


class ReadOnlyBlock(QFrame):
    """A question of a signed form and the answer given, as text."""

    def __init__(self, item: Item, number: int, value: Any) -> None:
        super().__init__()
        self.setObjectName("question")
        self.item = item
        self._value = value
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        self.text_label = plain_label(f"{number}.  {item.text}", "questionText")
        layout.addWidget(self.text_label)
        answered = value not in (None, "", [])
        self.answer_label = plain_label(
            answer_words(item, value) if answered else NOT_ANSWERED,
            "answerText" if answered else "notAnswered",
        )
        self.answer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.answer_label)

    def value(self) -> Any:
        return self._value


def answer_words(item: Item, value: Any) -> str:
    """An answer as a care manager reads it back."""
    if item.type == "choice":
        option = item.option(str(value))
        return option.display if option else str(value)
    if item.type == "multi-choice" and isinstance(value, list):
        chosen = [o.display for o in item.options if o.code in value]
        return "\n".join(chosen) or "None chosen"
    if item.type == "boolean":
        return "Yes" if value else "No"
    if item.type == "decimal" and isinstance(value, float):
        return f"{value:g}"
    if item.type == "date" and isinstance(value, str):
        try:
            return f"{format_date(date.fromisoformat(value))} ({value})"
        except ValueError:
            return value
    return str(value)


# -- the patient's chart records beside a question ------------------------------------------


def context_lines(chart: Any, kind: str) -> list[str]:
    """One line per chart record of ``kind`` ("problems", "medications", ...)."""
    if kind == "problems":
        return [
            _joined(c.text, code_label(codes.CONDITION_STATUSES, c.clinical_status))
            for c in chart.problems
        ]
    if kind == "medications":
        return [
            _joined(
                m.name,
                m.dose,
                m.frequency,
                ""
                if m.status == "active"
                else code_label(codes.MEDICATION_STATUSES, m.status).lower(),
            )
            for m in chart.medications
        ]
    if kind == "caregivers":
        return [
            _joined(
                p.name,
                code_label(codes.RELATIONSHIPS, p.relationship),
                "primary caregiver" if p.primary_caregiver else "",
            )
            for p in chart.family
        ]
    if kind == "care-team":
        return [
            _joined(m.name, code_label(codes.CARE_TEAM_ROLES, m.role), m.organization)
            for m in chart.care_team
        ]
    if kind == "allergies":
        return [
            _joined(
                a.substance,
                a.reaction,
                code_label(codes.ALLERGY_SEVERITIES, a.severity).lower()
                if a.severity != "unknown"
                else "",
            )
            for a in chart.allergies
        ]
    return []


def _joined(*parts: str) -> str:
    return " · ".join(p.strip() for p in parts if p and p.strip())

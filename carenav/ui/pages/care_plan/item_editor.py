"""The editor beside the plan tree: one page per kind of row, saved as it is typed.

Need, goal, intervention and plan details each have a page generated from field
descriptions (carenav.ui.pages.chart.fields). A change is written to the vault when
the field is committed (Enter, leaving the field, a choice picked) and after a short
pause in typing, so nothing typed is lost. A value the vault refuses stays in its
field with the message beneath it, and is kept (``unsaved``) until it is corrected;
the panel turns such values into encrypted drafts when the vault locks.

The goal page also lists its progress notes and the education given, with buttons
that open small dialogs (``RecordDialog``); plan details list the denied services
and appeals (advocacy). A "new item" page asks for the one required text of a new
need, goal or intervention before the record exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.instruments.definition import DOMAINS
from carenav.models import AdvocacyRecord, EducationRecord, GoalProgress, codes
from carenav.ui.formatting import code_label, format_date
from carenav.ui.item_models.care_plan import GOAL, INTERVENTION, NEED, PLAN
from carenav.ui.pages.chart.editors import DateField, FieldEditor, FieldEditors
from carenav.ui.pages.chart.fields import (
    FieldSpec,
    choice,
    date_field,
    multiline,
    text,
)

PAUSE_MS = 700  # save typed text after this pause
DOMAIN_LABELS = {d: d.replace("-", " ").capitalize() for d in sorted(DOMAINS)}

NEED_FIELDS = (
    text("text", "Need", required=True),
    choice("domain", "Area", DOMAIN_LABELS),
    text("evidence", "Evidence", hint="What shows this need (a score, what was seen)"),
)
GOAL_FIELDS = (
    text("text", "Goal, in the patient's words", required=True),
    text("measure", "Measure", hint="e.g. morning weight written in the log"),
    text("target_value", "Target", hint="e.g. at least 6 of 7 days"),
    date_field("target_date", "Target date"),
    choice("priority", "Priority", codes.GOAL_PRIORITIES),
    choice("status", "Status", codes.GOAL_STATUSES),
    multiline("patient_facing", "Wording for the printed plan"),
)
INTERVENTION_FIELDS = (
    text("what", "What is done", required=True),
    choice("category", "Kind", codes.INTERVENTION_CATEGORIES),
    choice("responsible", "Who is responsible", codes.RESPONSIBLE),
    text("responsible_name", "Their name", hint="Required for a provider or an agency"),
    text("frequency", "How often", hint="e.g. daily, every Monday"),
    date_field("due_date", "Due date"),
    choice("status", "Status", codes.INTERVENTION_STATUSES),
)
PLAN_GROUPS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "The plan",
        (
            text("title", "Title", required=True),
            date_field("next_review", "Next review"),
            date_field("period_start", "Start date"),
            date_field("period_end", "End date"),
        ),
    ),
    (
        "The patient",
        (
            multiline("preferences", "Priorities and preferences"),
            multiline("strengths", "Strengths"),
            multiline("barriers", "Barriers"),
        ),
    ),
    (
        "Outcome",
        (
            multiline("expected_outcome", "Expected outcome"),
            multiline("prognosis", "Prognosis"),
        ),
    ),
    (
        "Symptoms and medicines",
        (
            multiline("symptom_management", "Symptom management"),
            multiline("medication_management", "Medication management"),
        ),
    ),
    (
        "Services and coordination",
        (
            multiline("community_services", "Community and social services"),
            multiline("coordination", "Coordination with agencies and specialists"),
        ),
    ),
)
PLAN_FIELDS = tuple(spec for _title, specs in PLAN_GROUPS for spec in specs)
PROGRESS_FIELDS = (
    date_field("noted_on", "Date", required=True),
    text("value", "Value", hint="e.g. 182 lb, 5 of 7 days"),
    multiline("note", "Note"),
)
EDUCATION_FIELDS = (
    date_field("given_on", "Date", required=True),
    text("topic", "Topic", required=True),
    text("recipient", "Given to", hint="e.g. patient, daughter"),
    choice("method", "How", codes.EDUCATION_METHODS),
    choice("understanding", "Understanding", codes.UNDERSTANDING),
    multiline("note", "Note"),
)
ADVOCACY_FIELDS = (
    text("service", "Service denied", required=True),
    text("payer", "Payer"),
    date_field("denied_on", "Date denied"),
    text("reason_given", "Reason given"),
    multiline("alternative", "Alternative proposed"),
    multiline("appeal_steps", "Appeal steps"),
    date_field("appeal_deadline", "Appeal deadline"),
    choice("status", "Status", codes.ADVOCACY_STATUSES),
)
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    NEED: NEED_FIELDS,
    GOAL: GOAL_FIELDS,
    INTERVENTION: INTERVENTION_FIELDS,
    PLAN: PLAN_FIELDS,
}
NEW_LABELS = {
    NEED: ("New need", "Need", "Add need"),
    GOAL: ("New goal", "Goal, in the patient's words", "Add goal"),
    INTERVENTION: ("New intervention", "What is done", "Add intervention"),
}
NAME_NEEDED = "Name the provider or agency: CMS asks who is responsible for each intervention."


def values_of(specs: Sequence[FieldSpec], record: Any) -> dict[str, Any]:
    return {spec.name: getattr(record, spec.name) for spec in specs}


def wrapped(words: str, name: str = "") -> QLabel:
    label = QLabel(words)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


def clear_layout(layout: Any) -> None:
    while (item := layout.takeAt(0)) is not None:
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


# -- saving as it is typed ---------------------------------------------------------------


class AutoSave(QObject):
    """Writes each changed field of one record through ``save(record_id, changes)``.

    Pending fields are saved on commit (editing finished, focus left, a choice made)
    or after a pause in typing. Refused values keep their text and show the message
    beneath their field; they are listed by ``unsaved()`` until they are accepted.
    """

    def __init__(
        self,
        editors: FieldEditors,
        save: Callable[[uuid.UUID, dict[str, Any]], Any],
        on_saved: Callable[[Any], None],
        on_other_error: Callable[[str], None],
    ) -> None:
        super().__init__()
        self.editors = editors
        self.save = save
        self.on_saved = on_saved
        self.on_other_error = on_other_error
        self.record_id: uuid.UUID | None = None
        self.pending: set[str] = set()
        self.refused: dict[str, str] = {}  # field -> message, while its value is refused
        self.loading = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PAUSE_MS)
        self.timer.timeout.connect(self.flush)
        for name, editor in editors.editors.items():
            self._watch(name, editor)

    def _watch(self, name: str, editor: FieldEditor) -> None:
        editor.connect_changed(partial(self._changed, name))
        widget = editor.widget
        if isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.flush)
        elif isinstance(widget, DateField):
            widget.line.editingFinished.connect(self.flush)
            widget.calendar.clicked.connect(lambda _d: QTimer.singleShot(0, self.flush))
            widget.calendar.activated.connect(lambda _d: QTimer.singleShot(0, self.flush))
        elif isinstance(widget, QPlainTextEdit):
            widget.installEventFilter(self)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(lambda _i: self.flush())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.flush()
        return False

    def _changed(self, name: str) -> None:
        if self.loading or self.record_id is None:
            return
        self.pending.add(name)
        widget = self.editors[name].widget
        if isinstance(widget, QComboBox):
            QTimer.singleShot(0, self.flush)  # a choice is a commit
        else:
            self.timer.start()

    def load(self, record_id: uuid.UUID | None, values: Mapping[str, Any]) -> None:
        """Show another record (save what is pending for the one shown first)."""
        self.flush()
        self.loading = True
        try:
            self.record_id = record_id
            self.pending.clear()
            self.refused.clear()
            self.editors.set_values(values)
            self.editors.clear_errors()
        finally:
            self.loading = False

    def put_back(self, typed: Mapping[str, Any]) -> None:
        """Put values typed earlier (refused, or kept in a draft) back, and try them again."""
        self.loading = True
        try:
            for name, value in typed.items():
                if name in self.editors.editors:
                    self.editors[name].set_value(value)
                    self.pending.add(name)
        finally:
            self.loading = False
        self.flush()

    def flush(self) -> bool:
        """Save every pending field now. True when nothing is left refused."""
        self.timer.stop()
        if self.record_id is None or not self.pending:
            return not self.refused
        record_id = self.record_id
        changes = {name: self.editors[name].value() for name in sorted(self.pending)}
        self.pending.clear()
        while changes:
            try:
                record = self.save(record_id, changes)
            except InvalidInput as exc:
                mine = {n: m for n, m in exc.errors.items() if n in changes}
                if not mine:
                    self._refuse_all(changes, " ".join(exc.errors.values()))
                    break
                for name, message in mine.items():
                    self.refused[name] = message
                    self.editors[name].show_message(message)
                changes = {n: v for n, v in changes.items() if n not in mine}
                continue
            except CareNavError as exc:
                self._refuse_all(changes, str(exc))
                break
            for name in changes:
                self.refused.pop(name, None)
                self.editors[name].show_message("")
            self.on_saved(record)
            break
        return not self.refused

    def _refuse_all(self, changes: Mapping[str, Any], message: str) -> None:
        for name in changes:
            self.refused[name] = message
        self.on_other_error(message)

    def unsaved(self) -> dict[str, Any]:
        """The refused values as typed (for a draft), by field name."""
        return {name: self.editors[name].value() for name in self.refused}

    def forget(self) -> None:
        """Drop everything (the vault is locking; what mattered was kept first)."""
        self.timer.stop()
        self.loading = True
        try:
            self.record_id = None
            self.pending.clear()
            self.refused.clear()
            self.editors.set_values({})
            self.editors.clear_errors()
        finally:
            self.loading = False


# -- small dialogs: progress note, education, denied service -----------------------------


class RecordDialog(QDialog):
    """Add or change one progress note, education record or advocacy record.

    ``save(values)`` writes it; a refusal keeps the dialog open with the message
    beneath each field. ``typed()`` is what a draft keeps if the vault locks.
    """

    def __init__(
        self,
        title: str,
        specs: Sequence[FieldSpec],
        values: Mapping[str, Any],
        save: Callable[[dict[str, Any]], Any],
        parent: QWidget | None = None,
        *,
        intro: str = "",
        suggestions: Sequence[str] = (),
        save_text: str = "Save",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(560)
        self._save = save
        self.saved: Any = None
        self.editors = FieldEditors(specs)
        for editor in self.editors.editors.values():
            if isinstance(editor.widget, QPlainTextEdit):
                editor.widget.setMinimumHeight(70)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        self.editors.add_rows(form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        if intro:
            layout.addWidget(wrapped(intro, "fieldHint"))
        layout.addLayout(form)
        if suggestions and "topic" in self.editors.editors:
            layout.addWidget(self._suggestion_row(suggestions))
        self.message = wrapped("", "errorText")
        self.message.setVisible(False)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.editors.set_values(values)
        self._start = self.editors.values()
        first = next(iter(self.editors.editors.values()))
        second = list(self.editors.editors.values())[1] if len(self.editors.editors) > 1 else first
        # the date is filled in already: start on the next field
        (second if isinstance(first.widget, DateField) else first).focus()

    def _suggestion_row(self, topics: Sequence[str]) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(6)
        line.addWidget(wrapped("Topics from the template:", "fieldHint"))
        for topic in topics[:6]:
            button = QPushButton(topic)
            button.setObjectName("topicChip")
            button.setAutoDefault(False)
            button.setToolTip("Use this topic")
            button.clicked.connect(lambda _c=False, t=topic: self._use_topic(t))
            line.addWidget(button)
        line.addStretch(1)
        return row

    def _use_topic(self, topic: str) -> None:
        self.editors["topic"].set_value(topic)
        self.editors["topic"].focus()

    def typed(self) -> dict[str, Any]:
        """The fields changed since the dialog opened (what a draft keeps)."""
        now = self.editors.values()
        return {name: value for name, value in now.items() if value != self._start.get(name)}

    def accept(self) -> None:
        self.message.setVisible(False)
        try:
            self.saved = self._save(self.editors.values())
        except InvalidInput as exc:
            leftover = self.editors.show_errors(exc.errors)
            if leftover:
                self.message.setText(" ".join(leftover.values()))
                self.message.setVisible(True)
            return
        except CareNavError as exc:
            self.editors.clear_errors()
            self.message.setText(str(exc))
            self.message.setVisible(True)
            return
        super().accept()

    def close_now(self) -> None:
        """Close at once with every field emptied (the vault is locking)."""
        self.editors.set_values({})
        super().reject()


# -- the pages -----------------------------------------------------------------------------


class FormPage(QWidget):
    """A heading, a line of context, and the fields of one kind of record."""

    def __init__(self, kind: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.editors = FieldEditors(FIELDS[kind])
        for editor in self.editors.editors.values():
            if isinstance(editor.widget, QPlainTextEdit):
                editor.widget.setMinimumHeight(72)
                editor.widget.setMaximumHeight(110)
            elif isinstance(editor.widget, QComboBox):  # long labels must not widen the page
                editor.widget.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                editor.widget.setMinimumContentsLength(8)
        self.heading = wrapped(heading, "editorHeading")
        self.context = wrapped("", "editorContext")
        self.context.setVisible(False)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(10)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.context)

    def rows(self, *rows: str | tuple[str, str]) -> QVBoxLayout:
        """Fields with their labels above them; a pair of names shares one line."""
        column = QVBoxLayout()
        column.setSpacing(8)
        for row in rows:
            if isinstance(row, str):
                column.addLayout(self._labelled(row))
                continue
            line = QHBoxLayout()
            line.setSpacing(12)
            for name in row:
                line.addLayout(self._labelled(name), 1)
            column.addLayout(line)
        return column

    def _labelled(self, name: str) -> QVBoxLayout:
        editor = self.editors[name]
        spec = editor.spec
        caption = QLabel(f"{spec.label} *" if spec.required else spec.label)
        caption.setBuddy(editor.widget)
        box = QVBoxLayout()
        box.setSpacing(3)
        box.addWidget(caption)
        box.addWidget(editor.row)
        return box

    def form(self, names: Sequence[str] | None = None) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # labels above their fields: the editor is narrow, the texts are long
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setVerticalSpacing(5)
        self.editors.add_rows(form, names)
        return form

    def set_context(self, words: str) -> None:
        self.context.setText(words)
        self.context.setVisible(bool(words))


@dataclass
class ListedRecord:
    """One line of a list under a goal or in plan details."""

    words: str
    record: Any


class RecordList(QWidget):
    """A titled list of short lines with a button to add one (progress, education, appeals)."""

    edit_requested = Signal(object)

    def __init__(self, title: str, button_text: str, empty: str, *, editable: bool = False) -> None:
        super().__init__()
        self.empty_text = empty
        self.editable = editable
        self.title = wrapped(title, "listTitle")
        self.add_button = QPushButton(button_text)
        self.add_button.setObjectName("listButton")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.add_button)
        self.lines = QVBoxLayout()
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.lines.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(self.lines)

    def set_items(self, items: Sequence[ListedRecord], *, limit: int = 6) -> None:
        clear_layout(self.lines)
        if not items:
            self.lines.addWidget(wrapped(self.empty_text, "listEmpty"))
            return
        for item in items[:limit]:
            if not self.editable:
                self.lines.addWidget(wrapped(item.words, "listLine"))
                continue
            row = QHBoxLayout()
            row.addWidget(wrapped(item.words, "listLine"), 1)
            edit = QPushButton("Edit…")
            edit.setAccessibleName(f"Edit {item.words}")
            edit.clicked.connect(lambda _c=False, r=item.record: self.edit_requested.emit(r))
            row.addWidget(edit, 0, Qt.AlignmentFlag.AlignTop)
            self.lines.addLayout(row)
        if len(items) > limit:
            self.lines.addWidget(wrapped(f"and {len(items) - limit} earlier", "listEmpty"))

    def texts(self) -> list[str]:
        return [label.text() for label in self.findChildren(QLabel, "listLine")]

    def clear(self) -> None:
        clear_layout(self.lines)


def progress_words(note: GoalProgress) -> str:
    parts = [format_date(note.noted_on)]
    if note.value:
        parts.append(note.value)
    line = " · ".join(parts)
    return f"{line}: {note.note}" if note.note else line


def education_words(record: EducationRecord) -> str:
    how = code_label(codes.EDUCATION_METHODS, record.method).lower()
    understood = code_label(codes.UNDERSTANDING, record.understanding).lower()
    to = f" to {record.recipient}" if record.recipient else ""
    return (
        f"{format_date(record.given_on)} · {record.topic}{to} ({how}; understanding: {understood})"
    )


def advocacy_words(record: AdvocacyRecord) -> str:
    status = code_label(codes.ADVOCACY_STATUSES, record.status)
    parts = [f"{record.service}: {status}"]
    if record.payer:
        parts.append(record.payer)
    if record.appeal_deadline is not None:
        parts.append(f"appeal by {format_date(record.appeal_deadline)}")
    return " · ".join(parts)


class NewItemPage(QWidget):
    """Asks for the text of a new need, goal or intervention; Enter adds, Esc cancels."""

    add_confirmed = Signal(str, str)  # kind, text
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = NEED
        self.heading = wrapped("", "editorHeading")
        self.context = wrapped("", "editorContext")
        self.caption = QLabel()
        self.line = QLineEdit()
        self.line.setMaxLength(300)
        self.caption.setBuddy(self.line)
        self.line.returnPressed.connect(self._confirm)
        self.message = wrapped("", "errorText")
        self.message.setVisible(False)
        self.add_button = QPushButton()
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self._confirm)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        hint = wrapped("Enter adds it; the other details come next. Esc cancels.", "fieldHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.context)
        layout.addWidget(self.caption)
        layout.addWidget(self.line)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        layout.addStretch(1)

    def start(self, kind: str, context: str, typed: str = "") -> None:
        heading, caption, button = NEW_LABELS[kind]
        self.kind = kind
        self.heading.setText(heading)
        self.context.setText(context)
        self.context.setVisible(bool(context))
        self.caption.setText(caption)
        self.line.setAccessibleName(caption)
        self.add_button.setText(button)
        self.line.setText(typed)
        self.show_message("")
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_message(self, words: str) -> None:
        self.message.setText(words)
        self.message.setVisible(bool(words))

    def _confirm(self) -> None:
        words = self.line.text().strip()
        if not words:
            self.show_message(f"Write the {self.kind} first.")
            self.line.setFocus()
            return
        self.add_confirmed.emit(self.kind, words)


# -- the editor ------------------------------------------------------------------------------


class ItemEditor(QWidget):
    """The stacked pages; ``show_item(kind, record, context)`` picks one and loads it."""

    record_saved = Signal(object)  # a need, goal, intervention or the plan, just written
    leave_requested = Signal()  # Esc: back to the tree
    add_progress_requested = Signal()
    add_education_requested = Signal()
    add_advocacy_requested = Signal()
    edit_advocacy_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("itemEditor")
        self.save_record: Callable[[str, uuid.UUID, dict[str, Any]], Any] | None = None
        self.kind: str | None = None
        self.record: Any = None
        self.stack = QStackedWidget()
        self.blank = self._blank_page()
        self.new_page = NewItemPage()
        self.pages: dict[str, FormPage] = {
            NEED: self._need_page(),
            GOAL: self._goal_page(),
            INTERVENTION: self._intervention_page(),
            PLAN: self._plan_page(),
        }
        self.savers = {
            kind: AutoSave(
                page.editors,
                partial(self._save, kind),
                self._on_saved,
                self._show_problem,
            )
            for kind, page in self.pages.items()
        }
        self.scrolls: dict[str, QScrollArea] = {}
        self.stack.addWidget(self.blank)
        self.stack.addWidget(self._scrolled(self.new_page, "new"))
        for kind, page in self.pages.items():
            self.stack.addWidget(self._scrolled(page, kind))
        self.problem = wrapped("", "errorText")
        self.problem.setVisible(False)
        self.saved_note = wrapped("", "savedNote")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.saved_note)
        responsible = self.pages[INTERVENTION].editors["responsible"].widget
        assert isinstance(responsible, QComboBox)
        responsible.currentIndexChanged.connect(lambda _i: self._check_named())
        name = self.pages[INTERVENTION].editors["responsible_name"].widget
        assert isinstance(name, QLineEdit)
        name.textChanged.connect(lambda _t: self._check_named())

    # -- building --------------------------------------------------------------------

    def _scrolled(self, page: QWidget, key: str) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setObjectName("editorScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        holder.setObjectName("editorPage")
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(18, 14, 18, 14)
        inner.addWidget(page)
        inner.addStretch(1)
        scroll.setWidget(holder)
        self.scrolls[key] = scroll
        return scroll

    def _blank_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(
            wrapped(
                "Choose a need, goal or intervention on the left to see and change it. "
                "Press Insert to add one.",
                "editorHint",
            )
        )
        layout.addStretch(1)
        return page

    def _need_page(self) -> FormPage:
        page = FormPage(NEED, "Need")
        page.layout_.addLayout(page.form())
        self.need_source = wrapped("", "editorContext")
        page.layout_.addWidget(self.need_source)
        return page

    def _goal_page(self) -> FormPage:
        page = FormPage(GOAL, "Goal")
        page.layout_.addLayout(
            page.rows(
                "text",
                "measure",
                ("target_value", "target_date"),
                ("priority", "status"),
                "patient_facing",
            )
        )
        self.progress_list = RecordList("Progress", "Add progress note…", "No progress noted yet.")
        self.progress_list.add_button.clicked.connect(self.add_progress_requested)
        self.education_list = RecordList(
            "Education given", "Record education…", "No education recorded for this goal yet."
        )
        self.education_list.add_button.clicked.connect(self.add_education_requested)
        page.layout_.addWidget(self.progress_list)
        page.layout_.addWidget(self.education_list)
        return page

    def _intervention_page(self) -> FormPage:
        page = FormPage(INTERVENTION, "Intervention")
        page.layout_.addLayout(
            page.rows(
                "what",
                "category",
                ("responsible", "responsible_name"),
                ("frequency", "due_date"),
                "status",
            )
        )
        return page

    def _plan_page(self) -> FormPage:
        page = FormPage(PLAN, "Plan details")
        for title, specs in PLAN_GROUPS:
            page.layout_.addWidget(wrapped(title, "groupTitle"))
            page.layout_.addLayout(page.form([s.name for s in specs]))
        self.advocacy_list = RecordList(
            "Denied services and appeals",
            "Record a denied service…",
            "No denied services recorded.",
            editable=True,
        )
        self.advocacy_list.title.setObjectName("groupTitle")
        self.advocacy_list.add_button.clicked.connect(self.add_advocacy_requested)
        self.advocacy_list.edit_requested.connect(self.edit_advocacy_requested)
        page.layout_.addWidget(self.advocacy_list)
        return page

    # -- showing ----------------------------------------------------------------------

    def show_blank(self) -> None:
        self.flush()
        self.kind, self.record = None, None
        self.stack.setCurrentWidget(self.blank)
        self._show_problem("")

    def show_new(self, kind: str, context: str, typed: str = "") -> None:
        self.flush()
        self.kind, self.record = None, None
        self.stack.setCurrentWidget(self.scrolls["new"])
        self._show_problem("")
        self.new_page.start(kind, context, typed)

    def is_adding(self) -> bool:
        return self.stack.currentWidget() is self.scrolls["new"]

    def show_item(self, kind: str, record: Any, context: str = "") -> None:
        """Load a record into its page (what is pending for the shown one is saved first)."""
        self.flush()
        page = self.pages[kind]
        again = (
            kind == self.kind
            and self.record is not None
            and record.id == self.record.id
            and self.stack.currentWidget() is self.scrolls[kind]
        )
        self.kind, self.record = kind, record
        if not again:  # the same record again (a refresh): leave the fields as they are
            self.savers[kind].load(record.id, values_of(FIELDS[kind], record))
        page.set_context(context)
        if kind == NEED:
            source = code_label(codes.NEED_SOURCES, record.source)
            words = f"From: {source}"
            if record.template:
                words += f" (template: {record.template})"
            self.need_source.setText(words)
        if kind == INTERVENTION:
            self._check_named()
        self.stack.setCurrentWidget(self.scrolls[kind])
        self._show_problem("")

    def update_record(self, record: Any) -> None:
        """The shown record was changed elsewhere in the panel (keep typed fields)."""
        if self.record is not None and record.id == self.record.id:
            self.record = record

    def set_goal_lists(
        self, progress: Sequence[GoalProgress], education: Sequence[EducationRecord]
    ) -> None:
        self.progress_list.set_items([ListedRecord(progress_words(p), p) for p in progress])
        self.education_list.set_items([ListedRecord(education_words(e), e) for e in education])

    def set_advocacy(self, records: Sequence[AdvocacyRecord]) -> None:
        self.advocacy_list.set_items([ListedRecord(advocacy_words(a), a) for a in records])

    def focus_first(self) -> None:
        if self.is_adding():
            self.new_page.line.setFocus()
        elif self.kind is not None:
            next(iter(self.pages[self.kind].editors.editors.values())).focus()

    def focus_field(self, name: str) -> bool:
        if self.kind is None or name not in self.pages[self.kind].editors.editors:
            return False
        editor = self.pages[self.kind].editors[name]
        self.scrolls[self.kind].ensureWidgetVisible(editor.row)
        editor.focus()
        return True

    def editor(self, kind: str, name: str) -> FieldEditor:
        return self.pages[kind].editors[name]

    # -- saving -----------------------------------------------------------------------

    def _save(self, kind: str, record_id: uuid.UUID, changes: dict[str, Any]) -> Any:
        if self.save_record is None:
            raise InvalidInput({"plan": "The care plan is not open."})
        return self.save_record(kind, record_id, changes)

    def _on_saved(self, record: Any) -> None:
        if self.record is not None and record.id == self.record.id:
            self.record = record
        self.saved_note.setText(f"Saved at {datetime.now():%H:%M}")
        self._show_problem("")
        self.record_saved.emit(record)

    def _show_problem(self, words: str) -> None:
        self.problem.setText(words)
        self.problem.setVisible(bool(words))

    def _check_named(self) -> None:
        """A provider or agency must be named (CMS): say so beside the name field."""
        editors = self.pages[INTERVENTION].editors
        if "responsible_name" in self.savers[INTERVENTION].refused:
            return
        needs_name = editors["responsible"].value() in ("provider", "agency")
        missing = needs_name and not str(editors["responsible_name"].value()).strip()
        editors["responsible_name"].show_message(NAME_NEEDED if missing else "")

    def flush(self) -> bool:
        """Save every pending field of the shown page. True if nothing is left refused."""
        if self.kind is None:
            return True
        return self.savers[self.kind].flush()

    def unsaved(self) -> dict[str, Any]:
        """Refused values of the shown record, as typed."""
        if self.kind is None:
            return {}
        return self.savers[self.kind].unsaved()

    def put_back(self, typed: Mapping[str, Any]) -> None:
        if self.kind is not None:
            self.savers[self.kind].put_back(typed)

    def new_item_text(self) -> str:
        return self.new_page.line.text().strip() if self.is_adding() else ""

    def clear(self) -> None:
        """Forget every value (the vault is locking; keep what matters first)."""
        for saver in self.savers.values():
            saver.forget()
        for page in self.pages.values():
            page.set_context("")
        self.need_source.setText("")
        self.progress_list.clear()
        self.education_list.clear()
        self.advocacy_list.clear()
        self.new_page.line.clear()
        self.new_page.context.clear()
        self.saved_note.clear()
        self.kind, self.record = None, None
        self.stack.setCurrentWidget(self.blank)
        self._show_problem("")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self.is_adding():
                self.new_page.cancelled.emit()
            else:
                self.flush()
                self.leave_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def today_values(name: str) -> dict[str, Any]:
    return {name: date.today()}

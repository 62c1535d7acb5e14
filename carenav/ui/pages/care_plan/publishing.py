"""Publishing a care plan: the CMS checklist beside the editor, the reasons recorded for
elements left out on purpose, the list of what is missing when publishing is refused,
and the publish dialog with the changes since the previous version."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from carenav.services.plan_coverage import ElementStatus
from carenav.ui.pages.care_plan.item_editor import (
    clear_layout,
    wrapped,
)
from carenav.ui.pages.care_plan.style import DIALOG_STYLE


def set_style_name(label: QLabel, name: str) -> None:
    if label.objectName() != name:
        label.setObjectName(name)
        label.style().unpolish(label)
        label.style().polish(label)


# -- dialogs -----------------------------------------------------------------------------------


class ReasonDialog(QDialog):
    """Why a CMS element is left out; Record stays off until there is a reason."""

    def __init__(self, element: ElementStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Left out on purpose")
        self.setModal(True)
        self.setMinimumWidth(500)
        self.setStyleSheet(DIALOG_STYLE)
        self.reason = QLineEdit(element.exception)
        self.reason.setMaxLength(500)
        self.reason.setAccessibleName("Why it is left out")
        self.reason.setPlaceholderText("For example: prognosis to be discussed with Dr Okafor")
        buttons = QDialogButtonBox()
        self.record_button = buttons.addButton(
            "Record reason", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setObjectName("primary")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._on_text)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(wrapped(element.label, "dialogHeading"))
        layout.addWidget(wrapped(f"To include it: {element.how_to_meet}", "howToMeet"))
        layout.addWidget(wrapped("Why is it left out of this plan?"))
        layout.addWidget(self.reason)
        if element.exception:
            layout.addWidget(
                wrapped("Empty the reason and press Record to take it back.", "fieldHint")
            )
        layout.addWidget(buttons)
        self._had_reason = bool(element.exception)
        cancel.setAutoDefault(False)
        self._on_text(self.reason.text())

    def _on_text(self, words: str) -> None:
        self.record_button.setEnabled(bool(words.strip()) or self._had_reason)

    def reason_text(self) -> str:
        return self.reason.text().strip()


class MissingElementsDialog(QDialog):
    """Publishing is held back: these CMS elements are missing. Add them, or say why."""

    def __init__(self, gaps: list[ElementStatus], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Before publishing")
        self.setModal(True)
        self.setMinimumWidth(660)
        self.setStyleSheet(DIALOG_STYLE)
        self.gaps = gaps
        self.reasons: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        count = len(gaps)
        layout.addWidget(
            wrapped(
                f"The plan is missing {count} element{'s' if count != 1 else ''} "
                "CMS asks for in chronic care management",
                "dialogHeading",
            )
        )
        layout.addWidget(
            wrapped(
                "Add them to the plan, or write why each one is left out. "
                "The reasons are kept with the plan.",
                "fieldHint",
            )
        )
        cards = QWidget()
        column = QVBoxLayout(cards)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(8)
        for gap in gaps:
            column.addWidget(self._gap_card(gap))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(cards)
        scroll.setMinimumHeight(min(120 * len(gaps), 420))
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox()
        self.record_button = buttons.addButton(
            "Record reasons", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setObjectName("primary")
        self.back_button = buttons.addButton(
            "Go back and add them", QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._on_text()
        first = next(iter(self.reasons.values()), None)
        if first is not None:
            first.setFocus()

    def _gap_card(self, gap: ElementStatus) -> QFrame:
        card = QFrame()
        card.setObjectName("gapCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(12, 8, 12, 10)
        inner.setSpacing(4)
        inner.addWidget(wrapped(gap.label, "elementMissing"))
        inner.addWidget(wrapped(gap.how_to_meet, "howToMeet"))
        line = QLineEdit()
        line.setMaxLength(500)
        line.setPlaceholderText("Or: why it is left out")
        line.setAccessibleName(f"Why {gap.label} is left out")
        line.textChanged.connect(lambda _t: self._on_text())
        self.reasons[gap.code] = line
        inner.addWidget(line)
        return card

    def _on_text(self) -> None:
        typed = self.typed_reasons()
        self.record_button.setEnabled(bool(typed))
        everything = len(typed) == len(self.gaps)
        self.record_button.setText("Record reasons and publish" if everything else "Record reasons")

    def typed_reasons(self) -> dict[str, str]:
        return {
            code: line.text().strip() for code, line in self.reasons.items() if line.text().strip()
        }

    def missing_texts(self) -> list[str]:
        return [label.text() for label in self.findChildren(QLabel, "elementMissing")]


class PublishDialog(QDialog):
    """Version N: what changed since the last version, and an optional note."""

    def __init__(self, number: int, changes: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Publish version {number}")
        self.setModal(True)
        self.setMinimumWidth(600)
        self.setStyleSheet(DIALOG_STYLE)
        self.note = QLineEdit()
        self.note.setMaxLength(500)
        self.note.setAccessibleName("What changed")
        self.note.setPlaceholderText("e.g. reviewed at the home visit; new goal for walking")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(wrapped(f"Publish version {number} of the care plan", "dialogHeading"))
        layout.addWidget(
            wrapped(
                "The plan is frozen as it is now, so it can be printed and agreed. "
                "You can go on editing afterwards; the changes become the next version.",
                "fieldHint",
            )
        )
        if number == 1:
            layout.addWidget(wrapped("This is the first version."))
        else:
            layout.addWidget(wrapped(f"Changes since version {number - 1}:", "subHeading"))
            lines = QVBoxLayout()
            lines.setSpacing(3)
            for words in changes[:40] or ["No changes found."]:
                lines.addWidget(wrapped(f"• {words}", "changeLine"))
            if len(changes) > 40:
                lines.addWidget(wrapped(f"and {len(changes) - 40} more", "fieldHint"))
            lines.addStretch(1)
            holder = QWidget()
            holder.setLayout(lines)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(holder)
            scroll.setMaximumHeight(260)
            layout.addWidget(scroll)
        caption = QLabel("What changed, in a few words (optional)")
        caption.setBuddy(self.note)
        layout.addWidget(caption)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox()
        self.publish_button = buttons.addButton(
            f"Publish version {number}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.publish_button.setObjectName("primary")
        self.publish_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.note.setFocus()
        self.change_texts = changes

    def note_text(self) -> str:
        return self.note.text().strip()


# -- the CMS checklist ----------------------------------------------------------------------


class Checklist(QFrame):
    """The nine elements, met (✓) or missing with how to meet them and a way to excuse them."""

    go_requested = Signal(str)  # element code
    reason_requested = Signal(str)  # element code

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistCard")
        self.setAccessibleName("CMS care-plan elements")
        self.title = wrapped("CMS care-plan elements", "checklistTitle")
        self.summary = wrapped("", "checklistIntro")
        self.rows = QVBoxLayout()
        self.rows.setSpacing(8)
        content = QWidget()
        content.setObjectName("checklistContent")
        inner = QVBoxLayout(content)
        inner.setContentsMargins(12, 12, 8, 12)
        inner.setSpacing(8)
        inner.addWidget(self.title)
        inner.addWidget(self.summary)
        inner.addLayout(self.rows)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("checklistScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(scroll)
        self.elements: list[ElementStatus] = []

    def set_elements(self, elements: list[ElementStatus], *, required: bool) -> None:
        self.elements = elements
        clear_layout(self.rows)
        done = sum(1 for e in elements if e.met)
        excused = sum(1 for e in elements if not e.met and e.exception)
        words = f"{done} of {len(elements)} in place"
        if excused:
            words += f", {excused} left out with a reason"
        words += (
            ". Needed before publishing (chronic or principal care management)."
            if required
            else ". Guidance only: this patient is not in CCM or PCM."
        )
        self.summary.setText(words)
        for element in elements:
            self.rows.addWidget(self._row(element))

    def _row(self, element: ElementStatus) -> QWidget:
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if element.met:
            layout.addWidget(wrapped(f"✓  {element.label}", "elementMet"))
            return row
        if element.exception:
            layout.addWidget(wrapped(f"–  {element.label}", "elementExcused"))
            layout.addWidget(wrapped(f"Left out: {element.exception}", "exceptionText"))
        else:
            layout.addWidget(wrapped(f"○  {element.label}", "elementMissing"))
            layout.addWidget(wrapped(element.how_to_meet, "howToMeet"))
        links = QHBoxLayout()
        links.setContentsMargins(0, 0, 0, 0)
        links.setSpacing(2)
        go = QPushButton("Go to it")
        go.setFlat(True)
        go.setAccessibleName(f"Go to {element.label}")
        go.clicked.connect(lambda _c=False, code=element.code: self.go_requested.emit(code))
        why = QPushButton(
            "Change the reason…" if element.exception else "Record why it is left out…"
        )
        why.setFlat(True)
        why.setAccessibleName(f"Record why {element.label} is left out")
        why.clicked.connect(lambda _c=False, code=element.code: self.reason_requested.emit(code))
        links.addWidget(go)
        links.addWidget(why)
        links.addStretch(1)
        layout.addLayout(links)
        return row

    def texts(self) -> list[str]:
        names = ("elementMet", "elementMissing", "elementExcused")
        return [lab.text() for lab in self.findChildren(QLabel) if lab.objectName() in names]

    def clear(self) -> None:
        self.elements = []
        clear_layout(self.rows)
        self.summary.clear()


# -- the panel -------------------------------------------------------------------------------

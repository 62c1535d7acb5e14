"""Risk tier: the suggested tier with its reasons, and the care manager's decision.

The suggestion (carenav.services.risk) is shown large with every fact that added
points; the tier it gives is pre-selected. Choosing another tier opens a box for
the reason, which is then required. "Confirm tier" records the decision and sets
the patient's tier; a problem is shown in plain words and the dialog stays open.
The window title never names the patient.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.models import RiskAssessment
from carenav.models.codes import RISK_TIERS
from carenav.services.patients import get_patient
from carenav.services.risk import (
    OVERRIDE_REASON_MAX,
    RiskReason,
    RiskSuggestion,
    decide_risk_tier,
    suggested_risk_tier,
)
from carenav.store.vault import Vault
from carenav.ui.pages.chart.dialogs import confirm_removal
from carenav.ui.pages.chart.style import CHART_STYLE

TITLE = "Risk tier"
HIGH_TIERS = ("high", "very_high")
RULE_HINT = (
    "Points: 0-1 low, 2-3 moderate, 4-5 high, 6 or more very high; an urgent safety "
    "flag makes it at least high. The suggestion is a starting point: you decide."
)
RISK_STYLE = """
QLabel#suggestedTier { font-size: 22pt; font-weight: 700; color: #12355b; }
QLabel#suggestedTierHigh { font-size: 22pt; font-weight: 700; color: #7a4b00; }
QLabel#tierCaption { color: #52606d; font-weight: 600; }
QLabel#reasonText { color: #1f2933; }
QLabel#reasonPoints { color: #12355b; font-weight: 700; }
QLabel#checkedText { color: #52606d; }
QFrame#reasonCard { background: #ffffff; border: 1px solid #d9dee5; border-radius: 8px; }
"""


def tier_name(code: str) -> str:
    return RISK_TIERS.get(code, code)


def points_text(points: int) -> str:
    return "1 point" if points == 1 else f"{points} points"


def _label(text: str, name: str, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class RiskTierDialog(QDialog):
    """Confirm or override the suggested tier of one patient. After accept, ``decision``
    is the recorded RiskAssessment."""

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.patient_id = patient_id
        self.decision: RiskAssessment | None = None
        self.suggestion: RiskSuggestion = suggested_risk_tier(vault, patient_id, today)
        self.current_tier = get_patient(vault, patient_id).risk_tier
        self.setWindowTitle(TITLE)
        self.setModal(True)
        self.setStyleSheet(CHART_STYLE + RISK_STYLE)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(self._summary())
        layout.addWidget(self._reasons_card())
        layout.addWidget(_label(RULE_HINT, "fieldHint"))
        layout.addWidget(self._choice_box())
        layout.addWidget(self._reason_box())
        self.message = _label("", "errorText")
        self.message.setVisible(False)
        layout.addWidget(self.message)
        layout.addWidget(self._buttons())
        self.setMinimumWidth(640)
        self._update_reason_box()

    # -- building ---------------------------------------------------------------------

    def _summary(self) -> QHBoxLayout:
        suggested = self.suggestion.tier
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(_label("Suggested tier", "tierCaption"))
        name = "suggestedTierHigh" if suggested in HIGH_TIERS else "suggestedTier"
        self.suggested_label = _label(tier_name(suggested), name, wrap=False)
        column.addWidget(self.suggested_label)
        column.addWidget(_label(points_text(self.suggestion.points), "fieldHint"))
        current = QVBoxLayout()
        current.setSpacing(2)
        current.addWidget(_label("Current tier", "tierCaption"))
        badge = "badgeAmber" if self.current_tier in HIGH_TIERS else "badgeNeutral"
        self.current_label = _label(tier_name(self.current_tier), badge, wrap=False)
        current.addWidget(self.current_label, 0, Qt.AlignmentFlag.AlignLeft)
        current.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(column, 1)
        row.addLayout(current)
        return row

    def _reasons_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("reasonCard")
        grid = QGridLayout(card)
        grid.setContentsMargins(14, 12, 14, 12)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(0, 1)
        counted = [r for r in self.suggestion.breakdown if r.counts]
        checked = [r for r in self.suggestion.breakdown if not r.counts]
        grid.addWidget(_label("Why", "sectionTitle"), 0, 0, 1, 2)
        self.reason_labels: list[QLabel] = []
        if not counted:
            grid.addWidget(_label("None of the facts below adds points.", "checkedText"), 1, 0)
        for row, reason in enumerate(counted, start=1):
            text = _label(f"• {reason.text}", "reasonText")
            grid.addWidget(text, row, 0)
            grid.addWidget(_label(self._points(reason), "reasonPoints", wrap=False), row, 1)
            self.reason_labels.append(text)
        start = max(len(counted), 1) + 1
        if checked:
            grid.setRowMinimumHeight(start, 8)  # a little air before the facts that added nothing
            start += 1
            grid.addWidget(_label("Also checked (no points)", "tierCaption"), start, 0, 1, 2)
        self.checked_labels = [_label(f"• {r.text}", "checkedText") for r in checked]
        for offset, label in enumerate(self.checked_labels, start=start + 1):
            grid.addWidget(label, offset, 0, 1, 2)
        return card

    @staticmethod
    def _points(reason: RiskReason) -> str:
        if reason.points:
            return f"+{reason.points}"
        return f"at least {tier_name(reason.floor or '')}"

    def _choice_box(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 4, 0, 0)
        row.addWidget(_label("Your decision:", "tierCaption", wrap=False))
        self.tier_group = QButtonGroup(self)
        self.tier_buttons: dict[str, QRadioButton] = {}
        for code in RISK_TIERS:
            text = tier_name(code)
            if code == self.suggestion.tier:
                text += " (suggested)"
            button = QRadioButton(text)
            button.setObjectName(f"tier_{code}")
            self.tier_group.addButton(button)
            self.tier_buttons[code] = button
            row.addWidget(button)
        row.addStretch(1)
        self.tier_buttons[self.suggestion.tier].setChecked(True)
        for button in self.tier_buttons.values():
            button.toggled.connect(self._update_reason_box)
        return box

    def _reason_box(self) -> QWidget:
        self.reason_area = QWidget()
        column = QVBoxLayout(self.reason_area)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.reason_caption = _label("", "tierCaption")
        column.addWidget(self.reason_caption)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("overrideReason")
        self.reason_edit.setPlaceholderText(
            "For example: lives alone and fell twice this month; not yet on the chart"
        )
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(self.reason_edit.fontMetrics().lineSpacing() * 4 + 16)
        column.addWidget(self.reason_edit)
        column.addWidget(_label(f"Required; up to {OVERRIDE_REASON_MAX} characters.", "fieldHint"))
        return self.reason_area

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox()
        self.confirm_button = self.buttons.addButton(
            "Confirm tier", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm_button.setObjectName("primary")
        self.confirm_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.cancel_button.clicked.disconnect()
        self.cancel_button.clicked.connect(self.cancel)
        return self.buttons

    # -- behaviour ----------------------------------------------------------------------

    def chosen_tier(self) -> str:
        return next(code for code, b in self.tier_buttons.items() if b.isChecked())

    def overriding(self) -> bool:
        return self.chosen_tier() != self.suggestion.tier

    def _update_reason_box(self) -> None:
        overriding = self.overriding()
        self.reason_area.setVisible(overriding)
        if overriding:
            self.reason_caption.setText(
                f"Why {tier_name(self.chosen_tier())} rather than the suggested "
                f"{tier_name(self.suggestion.tier)}?"
            )
        self.message.setVisible(False)
        self._fit()

    def accept(self) -> None:
        """Record the decision; on a problem keep the dialog open and say what to do."""
        reason = self.reason_edit.toPlainText() if self.overriding() else ""
        try:
            self.decision = decide_risk_tier(
                self.vault,
                self.patient_id,
                suggestion=self.suggestion,
                decided_tier=self.chosen_tier(),
                override_reason=reason,
            )
        except InvalidInput as exc:
            self._show_message(" ".join(exc.errors.values()))
            if "override_reason" in exc.errors:
                self.reason_edit.setFocus()
            return
        except CareNavError as exc:
            self._show_message(str(exc))
            return
        super().accept()

    def cancel(self) -> None:
        """Cancel button or Esc: ask first when a reason was typed."""
        typed = self.overriding() and self.reason_edit.toPlainText().strip()
        if typed and not confirm_removal(
            self,
            title=TITLE,
            question="Discard the reason you typed?",
            detail="The risk tier has not been changed.",
            remove_text="Discard",
            keep_text="Keep editing",
        ):
            return
        self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self._fit()

    def _fit(self) -> None:
        """Grow (or shrink) to what is shown: the reason box comes and goes."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), self.sizeHint().height())

"""The chart's Assessments tab: start a form, see what needs doing, read the history.

From the top: "Start assessment…" (every installed form, the comprehensive
assessment first) with the rescreens coming due beside it; a red safety banner
when the newest form of an instrument raised an urgent flag; the unfinished
forms, to resume or discard; then the completed forms with the trend of the
chosen one, and beside them the needs the assessments suggest for the care plan.

The panel only reads through carenav.services.assessments and asks for the
rest with signals, which the chart connects: ``start_requested(instrument_id)``,
``resume_requested(instrument_id, amends_id or None)`` and
``open_response_requested(response_id)``; ``needs_changed()`` follows an accepted
or dismissed need and ``forms_changed()`` a discarded unfinished form.
``clear()`` drops every patient detail (the vault is locking).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.instruments import Instrument
from carenav.models import SuggestedNeed
from carenav.models.codes import RISK_TIERS
from carenav.services import assessments as svc
from carenav.services.catalogue import FIRST, Catalogue, load_catalogue
from carenav.services.patients import get_patient
from carenav.services.risk import suggested_risk_tier
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_date, format_datetime
from carenav.ui.item_models.assessments import short_name
from carenav.ui.pages.assessment.history import AssessmentHistory
from carenav.ui.pages.chart.dialogs import confirm_removal

DUE_AHEAD_DAYS = 30
NEEDS_TITLE = "Suggested needs for the care plan"
NO_NEEDS = "No open suggestions. Needs found by assessments appear here."
REASON_MAX = 500

PANEL_STYLE = """
QLabel#sectionTitle { font-size: 13pt; font-weight: 600; color: #12355b; }
QLabel#fieldHint { color: #52606d; }
QFrame#safetyBanner { background: #fdecea; border: 2px solid #b42318; border-radius: 8px; }
QFrame#safetyBanner QLabel { color: #8a1c12; background: transparent; border: none; }
QLabel#safetyTitle { font-size: 13pt; font-weight: 700; }
QLabel#safetyText { font-size: 12pt; font-weight: 600; }
QFrame#unfinishedBox { background: #eef5fb; border: 1px solid #b6cde8; border-radius: 8px; }
QFrame#unfinishedBox QLabel { background: transparent; border: none; color: #174c87; }
QLabel#unfinishedTitle { font-weight: 600; }
QLabel#dueSoon { background: #e6f0fa; color: #174c87; border: 1px solid #b6cde8;
    border-radius: 6px; padding: 4px 10px; }
QLabel#dueOverdue { background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    border-radius: 6px; padding: 4px 10px; font-weight: 600; }
QFrame#needCard { background: #ffffff; border: 1px solid #d9dee5; border-radius: 8px; }
QFrame#needCard QLabel { background: transparent; border: none; }
QLabel#needTitle { font-weight: 600; color: #12355b; }
QLabel#needMeta { color: #52606d; }
QScrollArea#needsScroll, QWidget#needsColumn, QScrollArea#assessmentsScroll,
    QWidget#assessmentsContent { background: transparent; border: none; }
QToolButton#acceptedToggle { border: none; color: #12355b; font-weight: 600; padding: 4px 0; }
QLabel#acceptedNeed { color: #334e68; padding-left: 18px; }
QMenu::item { padding: 6px 28px 6px 20px; }
"""


def local_date(when: datetime) -> date:
    return when.astimezone().date() if when.tzinfo is not None else when.date()


def touched_text(when: datetime, today: date | None = None) -> str:
    """'today at 14:32', or '3 Mar 2026, 14:32' for another day (local time)."""
    local = when.astimezone() if when.tzinfo is not None else when
    if local.date() == (today or date.today()):
        return f"today at {local:%H:%M}"
    return format_datetime(when)


def due_text(name: str, due: svc.DueScreening, today: date) -> str:
    band = f", {due.last_band}" if due.last_band else ""
    last = f"(last: {due.last_value}{band})"
    if due.due < today:
        return f"{name} rescreen overdue since {format_date(due.due)} {last}"
    if due.due == today:
        return f"{name} rescreen due today {last}"
    return f"{name} rescreen due {format_date(due.due)} {last}"


def notice_text(name: str, notice: svc.SafetyNotice) -> str:
    """'PHQ-9 on 4 Mar 2026: item 9 above 0: … Assess safety today.'"""
    label = notice.label
    if label.startswith(name + " "):
        label = label[len(name) + 1 :]
    return f"{name} on {format_date(local_date(notice.raised_at))}: {label}"


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget and sub-layout in a layout."""
    while (item := layout.takeAt(0)) is not None:
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        child = item.layout()
        if child is not None:
            clear_layout(child)


def layout_texts(layout: QLayout) -> list[str]:
    """The text of each line of a layout: a label's, or a sub-layout's labels joined."""
    texts: list[str] = []
    for n in range(layout.count()):
        item = layout.itemAt(n)
        widget = item.widget() if item is not None else None
        inner = item.layout() if item is not None else None
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif inner is not None:
            parts = [i.widget() for i in (inner.itemAt(k) for k in range(inner.count())) if i]
            texts.append(" ".join(p.text() for p in parts if isinstance(p, QLabel)))
    return texts


def wrapped(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


class DismissNeedDialog(QDialog):
    """Asks why a suggested need does not apply; Dismiss stays off until there is a reason."""

    def __init__(self, need: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dismiss suggested need")
        self.setModal(True)
        self.setMinimumWidth(460)
        question = wrapped(f"Why does “{need}” not apply?")
        question.setObjectName("dismissQuestion")
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setPlaceholderText("For example: already receiving home-delivered meals")
        self.reason.setAccessibleName("Reason")
        self.buttons = QDialogButtonBox()
        self.dismiss_button = self.buttons.addButton(
            "Dismiss need", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.dismiss_button.setEnabled(False)
        self.dismiss_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._on_text_changed)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(question)
        layout.addWidget(self.reason)
        layout.addWidget(wrapped("The reason is kept with the patient's assessment record."))
        layout.addWidget(self.buttons)

    def reason_text(self) -> str:
        return self.reason.text().strip()

    def _on_text_changed(self, text: str) -> None:
        has_reason = bool(text.strip())
        self.dismiss_button.setEnabled(has_reason)
        self.dismiss_button.setDefault(has_reason)
        self.cancel_button.setDefault(not has_reason)


class AssessmentsPanel(QWidget):
    start_requested = Signal(str)  # instrument id
    resume_requested = Signal(str, object)  # instrument id, amended response id or None
    open_response_requested = Signal(object)  # response id
    needs_changed = Signal()  # a suggested need was accepted or dismissed
    forms_changed = Signal()  # an unfinished form was discarded
    risk_tier_requested = Signal()  # the care manager wants to confirm or change the tier

    def __init__(self, parent: QWidget | None = None, *, instruments_folder: str = "") -> None:
        super().__init__(parent)
        self.setStyleSheet(PANEL_STYLE)
        self.instruments_folder = instruments_folder  # the agency's (File > Settings)
        self.vault: Vault | None = None
        self.patient_id: uuid.UUID | None = None
        self.instruments: dict[str, Instrument] = {}
        self.dialog: DismissNeedDialog | None = None
        self._focus_chain: list[QWidget] = []

        self.history = AssessmentHistory()
        self.history.open_requested.connect(self.open_response_requested)
        content = QWidget()
        content.setObjectName("assessmentsContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(10)
        layout.addLayout(self._top_row())
        layout.addWidget(self._safety_banner())
        layout.addWidget(self._unfinished_box())
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.history)
        self.body.addWidget(self._needs_column())
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 1)
        self.body.setSizes([920, 340])
        layout.addWidget(self.body, 1)
        # on a short screen the whole tab scrolls rather than squeezing the table
        self.page_scroll = QScrollArea()
        self.page_scroll.setObjectName("assessmentsScroll")
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.page_scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.page_scroll)
        self.clear()

    # -- building ----------------------------------------------------------------------

    def _top_row(self) -> QHBoxLayout:
        self.start_button = QPushButton("Start assessment…")
        self.start_button.setObjectName("primary")
        self.start_button.setToolTip("Choose a form to fill in with the patient")
        self.start_menu = QMenu(self.start_button)
        self.start_button.setMenu(self.start_menu)
        self.due_layout = QVBoxLayout()
        self.due_layout.setSpacing(4)
        self.risk_hint = wrapped("", "fieldHint")
        self.risk_button = QPushButton("Risk tier…")
        self.risk_button.setToolTip(
            "See the suggested risk tier and its reasons; confirm or change it"
        )
        self.risk_button.clicked.connect(self.risk_tier_requested)
        risk = QVBoxLayout()
        risk.setSpacing(4)
        risk.addWidget(self.risk_button, 0, Qt.AlignmentFlag.AlignRight)
        risk.addWidget(self.risk_hint)
        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(self.due_layout)
        row.addStretch(1)
        row.addLayout(risk)
        return row

    def _safety_banner(self) -> QFrame:
        self.safety_banner = QFrame()
        self.safety_banner.setObjectName("safetyBanner")
        self.safety_banner.setAccessibleName("Safety concern")
        self.safety_layout = QVBoxLayout()
        return self._titled_box(
            self.safety_banner, "Safety concern", "safetyTitle", self.safety_layout
        )

    def _unfinished_box(self) -> QFrame:
        self.unfinished_box = QFrame()
        self.unfinished_box.setObjectName("unfinishedBox")
        self.unfinished_box.setAccessibleName("Unfinished forms")
        self.unfinished_layout = QVBoxLayout()
        return self._titled_box(
            self.unfinished_box, "Unfinished forms", "unfinishedTitle", self.unfinished_layout
        )

    @staticmethod
    def _titled_box(box: QFrame, title: str, name: str, lines: QVBoxLayout) -> QFrame:
        """A strip with its title on the left and one line per item beside it."""
        heading = QLabel(title)
        heading.setObjectName(name)
        heading.setMinimumWidth(150)
        lines.setSpacing(6)
        row = QHBoxLayout(box)
        row.setContentsMargins(14, 8, 14, 8)
        row.setSpacing(14)
        row.addWidget(heading, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(lines, 1)
        return box

    def _needs_column(self) -> QScrollArea:
        heading = wrapped(NEEDS_TITLE, "sectionTitle")
        self.no_needs_hint = wrapped(NO_NEEDS, "fieldHint")
        self.needs_layout = QVBoxLayout()
        self.needs_layout.setSpacing(8)
        self.accepted_toggle = QToolButton()
        self.accepted_toggle.setObjectName("acceptedToggle")
        self.accepted_toggle.setCheckable(True)
        self.accepted_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.accepted_toggle.toggled.connect(self._on_accepted_toggled)
        self.accepted_box = QWidget()
        self.accepted_layout = QVBoxLayout(self.accepted_box)
        self.accepted_layout.setContentsMargins(0, 0, 0, 0)
        self.accepted_layout.setSpacing(4)
        column = QWidget()
        column.setObjectName("needsColumn")
        layout = QVBoxLayout(column)
        layout.setContentsMargins(12, 0, 4, 0)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.no_needs_hint)
        layout.addLayout(self.needs_layout)
        layout.addSpacing(6)
        layout.addWidget(self.accepted_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.accepted_box)
        layout.addStretch(1)
        scroll = self.needs_scroll = QScrollArea()
        scroll.setObjectName("needsScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(column)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setMinimumWidth(300)
        return scroll

    # -- the contract with the chart ---------------------------------------------------

    def catalogue(self) -> Catalogue:
        return load_catalogue(self.instruments_folder)

    def show_patient(self, vault: Vault, patient_id: uuid.UUID) -> None:
        """Read the patient's assessments and fill every part of the tab."""
        changed = patient_id != self.patient_id or vault is not self.vault
        self.vault, self.patient_id = vault, patient_id
        if changed:
            self.history.clear()
        self.refresh()

    def refresh(self) -> None:
        """Read everything again (after a form was signed, resumed or discarded)."""
        if self.vault is None or self.patient_id is None:
            return
        vault, patient_id = self.vault, self.patient_id
        catalogue = self.catalogue()
        self.instruments = {i.id: i for i in catalogue.instruments}
        today = date.today()
        entries = svc.history(vault, patient_id)
        self._fill_start_menu(catalogue)
        self._fill_due(
            svc.screenings_due(
                vault, until=today + timedelta(days=DUE_AHEAD_DAYS), patient_id=patient_id
            ),
            today,
        )
        self._fill_safety(svc.safety_notices(vault, patient_id))
        self._fill_unfinished(svc.in_progress(vault, patient_id), entries)
        self.history.set_history(entries, self.instruments, self._score_series)
        self._fill_needs(
            svc.suggested_needs(vault, patient_id),
            svc.suggested_needs(vault, patient_id, status="accepted"),
        )
        self._fill_risk(vault, patient_id)
        self.start_button.setEnabled(True)
        self.risk_button.setEnabled(True)
        self._update_tab_order()

    def _fill_risk(self, vault: Vault, patient_id: uuid.UUID) -> None:
        """'Suggested: very high (now high)' when the suggestion differs from the chart."""
        suggestion = suggested_risk_tier(vault, patient_id)
        current = get_patient(vault, patient_id).risk_tier
        if suggestion.tier == current:
            self.risk_hint.setText("")
        else:
            self.risk_hint.setText(
                f"Suggested: {code_label(RISK_TIERS, suggestion.tier).lower()} "
                f"(now {code_label(RISK_TIERS, current).lower()})"
            )
        self.risk_hint.setVisible(bool(self.risk_hint.text()))

    def clear(self) -> None:
        """Drop every piece of patient information from every widget and model."""
        if self.dialog is not None:
            self.dialog.reject()
        self.vault = None
        self.patient_id = None
        self.history.clear()
        for layout in (
            self.due_layout,
            self.safety_layout,
            self.unfinished_layout,
            self.needs_layout,
            self.accepted_layout,
        ):
            clear_layout(layout)
        self.safety_banner.setVisible(False)
        self.risk_hint.setText("")
        self.risk_hint.setVisible(False)
        self.risk_button.setEnabled(False)
        self.unfinished_box.setVisible(False)
        self.no_needs_hint.setVisible(False)
        self.accepted_toggle.setText("")
        self.accepted_toggle.setChecked(False)
        self.accepted_toggle.setVisible(False)
        self.accepted_box.setVisible(False)
        self.start_button.setEnabled(False)
        self._focus_chain = []

    def _score_series(self, instrument_id: str) -> list[svc.ScorePoint]:
        if self.vault is None or self.patient_id is None:
            return []
        return svc.score_series(self.vault, self.patient_id, instrument_id)

    def _name(self, instrument_id: str) -> str:
        instrument = self.instruments.get(instrument_id)
        return short_name(instrument) if instrument is not None else instrument_id

    def _title(self, instrument_id: str) -> str:
        instrument = self.instruments.get(instrument_id)
        return instrument.title if instrument is not None else instrument_id

    # -- start and due -------------------------------------------------------------------

    def _fill_start_menu(self, catalogue: Catalogue) -> None:
        self.start_menu.clear()
        for instrument in catalogue.in_menu_order():
            action = self.start_menu.addAction(instrument.title)
            action.setData(instrument.id)
            action.triggered.connect(
                lambda _checked=False, ident=instrument.id: self.start_requested.emit(ident)
            )
            if instrument.id == FIRST:
                self.start_menu.addSeparator()

    def start_menu_items(self) -> list[tuple[str, str]]:
        """(title, instrument id) in menu order."""
        return [(a.text(), str(a.data())) for a in self.start_menu.actions() if a.data()]

    def _fill_due(self, due: list[svc.DueScreening], today: date) -> None:
        clear_layout(self.due_layout)
        for item in due:
            label = wrapped(
                due_text(self._name(item.instrument_id), item, today),
                "dueOverdue" if item.due < today else "dueSoon",
            )
            label.setWordWrap(False)
            self.due_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignLeft)

    def due_texts(self) -> list[str]:
        return layout_texts(self.due_layout)

    # -- safety ----------------------------------------------------------------------------

    def _fill_safety(self, notices: list[svc.SafetyNotice]) -> None:
        clear_layout(self.safety_layout)
        for notice in notices:
            line = QHBoxLayout()
            line.setSpacing(10)
            line.addWidget(
                wrapped(notice_text(self._name(notice.instrument_id), notice), "safetyText"), 1
            )
            view = QPushButton("Open the form")
            view.setAccessibleName(f"Open the {self._name(notice.instrument_id)} form")
            view.clicked.connect(
                lambda _checked=False, rid=notice.response_id: self.open_response_requested.emit(
                    rid
                )
            )
            line.addWidget(view, 0, Qt.AlignmentFlag.AlignTop)
            self.safety_layout.addLayout(line)
        self.safety_banner.setVisible(bool(notices))

    def safety_texts(self) -> list[str]:
        return [w.text() for w in self.safety_banner.findChildren(QLabel, "safetyText")]

    # -- unfinished forms ------------------------------------------------------------------

    def _fill_unfinished(
        self, drafts: list[svc.InProgress], entries: list[svc.HistoryEntry]
    ) -> None:
        clear_layout(self.unfinished_layout)
        signed = {e.response.id: e.response.authored_at for e in entries}
        for draft in drafts:
            what = self._title(draft.instrument_id)
            if draft.amends_id is not None:
                when = signed.get(draft.amends_id)
                of = f" of {format_date(local_date(when))}" if when is not None else ""
                what = f"Correction to the {self._name(draft.instrument_id)}{of}"
            line = QHBoxLayout()
            line.setSpacing(8)
            line.addWidget(wrapped(f"{what}, last changed {touched_text(draft.updated_at)}"), 1)
            resume = QPushButton("Resume")
            resume.setAccessibleName(f"Resume {what}")
            resume.clicked.connect(
                lambda _checked=False, d=draft: self.resume_requested.emit(
                    d.instrument_id, d.amends_id
                )
            )
            discard = QPushButton("Discard…")
            discard.setAccessibleName(f"Discard {what}")
            discard.clicked.connect(lambda _checked=False, d=draft: self.discard_unfinished(d))
            line.addWidget(resume)
            line.addWidget(discard)
            self.unfinished_layout.addLayout(line)
        self.unfinished_box.setVisible(bool(drafts))

    def unfinished_texts(self) -> list[str]:
        return layout_texts(self.unfinished_layout)

    def discard_unfinished(self, draft: svc.InProgress) -> bool:
        """Ask (default Keep), then throw the unfinished form away. True if discarded."""
        if self.vault is None:
            return False
        vault = self.vault
        if not confirm_removal(
            self,
            title="Discard unfinished form",
            question=f"Discard the unfinished {self._name(draft.instrument_id)}?",
            detail="The answers given so far will not be kept.",
            remove_text="Discard",
            keep_text="Keep",
        ):
            return False
        if self.vault is not vault:  # locked while the question was open
            return False
        if not self._try(lambda: svc.discard_in_progress(vault, draft.draft_id), "Discard"):
            return False
        self.refresh()
        self.forms_changed.emit()
        return True

    # -- suggested needs ------------------------------------------------------------------

    def _fill_needs(self, open_needs: list[SuggestedNeed], accepted: list[SuggestedNeed]) -> None:
        clear_layout(self.needs_layout)
        clear_layout(self.accepted_layout)
        for need in open_needs:
            self.needs_layout.addWidget(self._need_card(need))
        self.no_needs_hint.setVisible(not open_needs)
        for need in accepted:
            decided = (
                f" (accepted {format_date(local_date(need.decided_at))})" if need.decided_at else ""
            )
            self.accepted_layout.addWidget(wrapped(f"{need.need}{decided}", "acceptedNeed"))
        self.accepted_toggle.setText(f"Accepted for the care plan ({len(accepted)})")
        self.accepted_toggle.setVisible(bool(accepted))
        self._on_accepted_toggled(self.accepted_toggle.isChecked())

    def _need_card(self, need: SuggestedNeed) -> QFrame:
        card = QFrame()
        card.setObjectName("needCard")
        card.setAccessibleName(need.need)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        layout.addWidget(wrapped(need.need, "needTitle"))
        if need.evidence:
            layout.addWidget(wrapped(need.evidence, "needEvidence"))
        meta = (
            f"From the {self._name(need.questionnaire)} of {format_date(local_date(need.found_at))}"
        )
        if need.referral_category:
            meta = f"Suggested referral: {need.referral_category}. {meta}"
        layout.addWidget(wrapped(meta, "needMeta"))
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        accept = QPushButton("Accept")
        accept.setToolTip("Take this need into the care plan")
        accept.setAccessibleName(f"Accept {need.need}")
        accept.clicked.connect(lambda _checked=False, n=need.id: self.accept_need(n))
        dismiss = QPushButton("Dismiss…")
        dismiss.setToolTip("Say why this need does not apply")
        dismiss.setAccessibleName(f"Dismiss {need.need}")
        dismiss.clicked.connect(lambda _checked=False, n=need: self.dismiss_need(n))
        buttons.addWidget(accept)
        buttons.addWidget(dismiss)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return card

    def need_texts(self) -> list[str]:
        return [label.text() for label in self.findChildren(QLabel, "needTitle")]

    def accepted_texts(self) -> list[str]:
        return layout_texts(self.accepted_layout)

    def accept_need(self, need_id: uuid.UUID) -> bool:
        if self.vault is None:
            return False
        vault = self.vault
        if not self._try(lambda: svc.decide_need(vault, need_id, status="accepted"), "Accept"):
            return False
        self._after_need_decided()
        return True

    def dismiss_need(self, need: SuggestedNeed) -> bool:
        """Ask for a short reason (Cancel changes nothing), then dismiss. True if dismissed."""
        if self.vault is None:
            return False
        vault = self.vault
        self.dialog = DismissNeedDialog(need.need, self)
        try:
            answered = self.dialog.exec() == QDialog.DialogCode.Accepted
            reason = self.dialog.reason_text()
        finally:
            self.dialog.deleteLater()
            self.dialog = None
        if not answered or not reason or self.vault is not vault:
            return False
        decide: Callable[[], object] = lambda: svc.decide_need(  # noqa: E731
            vault, need.id, status="dismissed", note=reason
        )
        if not self._try(decide, "Dismiss"):
            return False
        self._after_need_decided()
        return True

    def _after_need_decided(self) -> None:
        if self.vault is None or self.patient_id is None:
            return
        self._fill_needs(
            svc.suggested_needs(self.vault, self.patient_id),
            svc.suggested_needs(self.vault, self.patient_id, status="accepted"),
        )
        self._update_tab_order()
        self.needs_changed.emit()

    def _on_accepted_toggled(self, shown: bool) -> None:
        self.accepted_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.accepted_box.setVisible(shown and not self.accepted_toggle.isHidden())

    # -- helpers -------------------------------------------------------------------------

    def _try(self, action: Callable[[], object], what: str) -> bool:
        try:
            action()
        except CareNavError as exc:
            QMessageBox.warning(self, what, str(exc))
            self.refresh()
            return False
        return True

    def _update_tab_order(self) -> None:
        """Tab goes top to bottom, then the needs column: the order the eye reads."""
        chain: list[QWidget] = [self.start_button, self.risk_button]
        chain += self.safety_banner.findChildren(QPushButton)
        chain += self.unfinished_box.findChildren(QPushButton)
        chain += [self.history.filter, self.history.open_button, self.history.table]
        chain += [b for b in self.needs_scroll.findChildren(QPushButton) if b.isVisibleTo(self)]
        chain.append(self.accepted_toggle)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._focus_chain = chain

"""The chart's Care plan tab: the plan's needs, goals and interventions, edited in place.

Top: the plan's title, its status ("Draft, not yet published", "Active, version 2",
"Active, version 2, with unpublished changes"), the next review date (amber when
overdue), and "Add from…", "Versions and agreement…" and "Publish version N…".
Left: the tree (carenav.ui.pages.care_plan.tree) of needs with their goals and
interventions. Middle: the editor of the selected row, saved as it is typed. Right:
the nine CMS care-plan elements, required for a patient in chronic or principal care
management and shown as guidance for the others.

The contract with the chart: ``CarePlanPanel(parent=None)``, ``show_patient(vault,
patient_id)``, ``refresh()``, ``clear()`` (drops every patient detail),
``keep_as_draft()`` (the vault is locking: save what can be saved, keep refused
typing as encrypted drafts, close dialogs, never ask) and the signal
``plan_changed()``. Drafts are kept under form names starting with ``care-plan:``
(``DRAFT_PREFIX``); this tab offers them back itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from carenav.errors import CareNavError, InvalidInput
from carenav.models import (
    AdvocacyRecord,
    CarePlan,
    Draft,
    PlanGoal,
    PlanIntervention,
    PlanNeed,
    Record,
)
from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.drafts import discard_draft, draft_values, drafts_for, save_draft
from carenav.services.patients import get_patient
from carenav.services.plan_coverage import ElementStatus, coverage, needs_cms_plan
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date
from carenav.ui.item_models.care_plan import (
    GOAL,
    INTERVENTION,
    NEED,
    PLAN,
    CarePlanModel,
    Node,
    kind_noun,
)
from carenav.ui.pages.care_plan.item_editor import (
    ADVOCACY_FIELDS,
    EDUCATION_FIELDS,
    PROGRESS_FIELDS,
    ItemEditor,
    RecordDialog,
    values_of,
    wrapped,
)
from carenav.ui.pages.care_plan.publishing import (
    Checklist,
    MissingElementsDialog,
    PublishDialog,
    ReasonDialog,
    set_style_name,
)
from carenav.ui.pages.care_plan.style import panel_style
from carenav.ui.pages.care_plan.tree import PlanTree

DRAFT_PREFIX = "care-plan:"
KINDS: dict[str, type[Record]] = {
    NEED: PlanNeed,
    GOAL: PlanGoal,
    INTERVENTION: PlanIntervention,
}
NEXT_FIELD = {NEED: "domain", GOAL: "measure", INTERVENTION: "category"}
ELEMENT_FIELDS = {
    "outcome-prognosis": "expected_outcome",
    "symptom-management": "symptom_management",
    "medication-management": "medication_management",
    "community-services": "community_services",
    "coordination": "coordination",
    "review": "next_review",
}
DIALOG_NAMES = {
    "progress": "a progress note",
    "education": "an education record",
    "advocacy": "a denied service",
    "new-need": "a new need",
    "new-goal": "a new goal",
    "new-intervention": "a new intervention",
    "agreement": "an agreement",
}
DRAFT_NOT_KEPT = "Some typing could not be kept as a draft ({error})."
STATUS_PAUSE_MS = 250


def status_text(plan: CarePlan) -> tuple[str, str]:
    """The badge's words and its style name."""
    if plan.published_version == 0:
        return "Draft, not yet published", "badgeDraft"
    if plan.changed_since_publish:
        return (
            f"Active, version {plan.published_version}, with unpublished changes",
            "badgeChanged",
        )
    return f"Active, version {plan.published_version}", "badgeActive"


def review_text(next_review: date | None, today: date) -> tuple[str, str]:
    if next_review is None:
        return "No review date set", "reviewDate"
    if next_review < today:
        return f"Review overdue since {format_date(next_review)}", "reviewOverdue"
    return f"Next review {format_date(next_review)}", "reviewDate"


def removal_text(node: Node) -> str:
    if node.kind != NEED:
        return f"{kind_noun(node.kind).capitalize()} removed."
    goals = sum(1 for c in node.children if c.kind == GOAL)
    actions = len(node.children) - goals
    if not node.children:
        return "Need removed."
    parts = []
    if goals:
        parts.append(f"{goals} goal{'s' if goals != 1 else ''}")
    if actions:
        parts.append(f"{actions} intervention{'s' if actions != 1 else ''}")
    return f"Need removed, with its {' and '.join(parts)}."


class CarePlanPanel(QWidget):
    plan_changed = Signal()
    print_requested = Signal()  # the chart opens the print preview

    def __init__(self, parent: QWidget | None = None, *, templates_folder: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("carePlanPanel")
        self.setStyleSheet(panel_style(QApplication.font().pointSizeF()))
        self.templates_folder = templates_folder
        self.vault: Vault | None = None
        self.patient_id: uuid.UUID | None = None
        self.plan_id: uuid.UUID | None = None
        self.view: plans.PlanView | None = None
        self.cms_required = False
        self.undo_stack: list[tuple[plans.Removal, str]] = []
        self.dialog: QDialog | None = None
        self.adding: tuple[str, uuid.UUID | None] | None = None  # kind, need id
        self.kept: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}  # refused typing
        self.kept_drafts: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
        self.offered: list[Draft] = []  # dialog drafts waiting to be put back
        self.draft_error = ""
        self.collapsed: set[uuid.UUID] = set()
        self.status_timer = QTimer(self)
        self.status_timer.setSingleShot(True)
        self.status_timer.setInterval(STATUS_PAUSE_MS)
        self.status_timer.timeout.connect(self._refresh_status)

        self.model = CarePlanModel(self)
        self.tree = PlanTree()
        self.tree.setModel(self.model)
        self.editor = ItemEditor()
        self.editor.save_record = self._save_record
        self.checklist = Checklist()
        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_page())
        self.stack.addWidget(self._plan_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._connect()
        self.clear()

    # -- building ------------------------------------------------------------------------

    def _empty_page(self) -> QWidget:
        page = QWidget()
        card = QFrame()
        card.setObjectName("emptyCard")
        card.setMaximumWidth(620)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 30, 36, 30)
        inner.setSpacing(14)
        inner.addWidget(wrapped("No care plan yet", "emptyTitle"))
        inner.addWidget(
            wrapped(
                "A care plan gathers the patient's needs, the goals they want to reach in "
                "their own words, and who does what. Start one, then add needs from the "
                "assessments, the problem list or a template, or type your own.",
                "emptyText",
            )
        )
        self.start_button = QPushButton("Start a care plan")
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self.start_plan)
        inner.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer = QVBoxLayout(page)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        return page

    def _plan_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(10)
        layout.addLayout(self._header())
        layout.addWidget(self._message_strip())
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self._tree_card())
        editor_card = QFrame()
        editor_card.setObjectName("editorCard")
        inner = QVBoxLayout(editor_card)
        inner.setContentsMargins(1, 1, 1, 1)
        inner.addWidget(self.editor)
        self.body.addWidget(editor_card)
        self.body.addWidget(self.checklist)
        self.body.setStretchFactor(0, 5)
        self.body.setStretchFactor(1, 5)
        self.body.setStretchFactor(2, 3)
        self.body.setSizes([480, 440, 320])
        layout.addWidget(self.body, 1)
        return page

    def _header(self) -> QVBoxLayout:
        self.title_label = wrapped("", "planTitle")
        self.title_label.setWordWrap(False)
        self.badge = QLabel()
        self.badge.setObjectName("badgeDraft")
        self.review_label = QLabel()
        self.review_label.setObjectName("reviewDate")
        self.add_from_button = QPushButton("Add from…")
        self.add_from_button.setToolTip(
            "Add needs from the assessments or the problem list, or goals and "
            "interventions from a template"
        )
        self.add_from_button.clicked.connect(self.add_from)
        self.versions_button = QPushButton("Versions and agreement…")
        self.versions_button.setToolTip(
            "See the published versions, compare them, and record the patient's agreement"
        )
        self.versions_button.clicked.connect(self.open_versions)
        self.checklist_button = QPushButton("CMS checklist")
        self.checklist_button.setCheckable(True)
        self.checklist_button.setToolTip("Show or hide the nine CMS care-plan elements")
        self.checklist_button.toggled.connect(self.checklist.setVisible)
        self.print_button = QPushButton("Print care plan…")
        self.print_button.setToolTip("Preview, print or save the plan for the family (Ctrl+P)")
        self.print_button.clicked.connect(self.print_requested)
        self.publish_button = QPushButton("Publish version 1…")
        self.publish_button.setObjectName("primary")
        self.publish_button.clicked.connect(self.publish)
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.title_label, 1)
        for button in (
            self.checklist_button,
            self.add_from_button,
            self.versions_button,
            self.print_button,
            self.publish_button,
        ):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        facts = QHBoxLayout()
        facts.setSpacing(10)
        facts.addWidget(self.badge)
        facts.addWidget(self.review_label)
        facts.addStretch(1)
        rows = QVBoxLayout()
        rows.setSpacing(4)
        rows.addLayout(top)
        rows.addLayout(facts)
        return rows

    def _message_strip(self) -> QFrame:
        self.strip = QFrame()
        self.strip.setObjectName("messageStrip")
        self.strip_text = wrapped("", "stripText")
        self.strip_button = QPushButton("Undo")
        self.strip_button.clicked.connect(self._on_strip_button)
        self.strip_action: Callable[[], None] | None = None
        row = QHBoxLayout(self.strip)
        row.setContentsMargins(14, 6, 8, 6)
        row.addWidget(self.strip_text, 1)
        row.addWidget(self.strip_button)
        return self.strip

    def _tree_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("treeCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(1, 1, 1, 6)
        inner.setSpacing(2)
        inner.addWidget(self.tree, 1)
        self.keys_hint = wrapped(
            "Insert add  ·  Enter edit  ·  Delete remove  ·  Ctrl+↑↓ move", "keysHint"
        )
        self.keys_hint.setToolTip(
            "Insert or Ctrl+N: add a need, goal or intervention. Enter: edit the row. "
            "Delete: remove it (Ctrl+Z undoes). Ctrl+Up and Ctrl+Down: move it."
        )
        self.keys_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.keys_hint)
        return card

    def _connect(self) -> None:
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.edit_requested.connect(self.edit_current)
        self.tree.add_requested.connect(self.add_here)
        self.tree.remove_requested.connect(self.remove_current)
        self.tree.undo_requested.connect(self.undo)
        self.tree.move_requested.connect(self.move_current)
        self.tree.context_requested.connect(self._context_menu)
        self.tree.collapsed.connect(self._on_collapsed)
        self.tree.expanded.connect(self._on_expanded)
        self.editor.record_saved.connect(self._on_record_saved)
        self.editor.leave_requested.connect(self._focus_tree)
        self.editor.new_page.add_confirmed.connect(self._on_add_confirmed)
        self.editor.new_page.cancelled.connect(self._cancel_adding)
        self.editor.add_progress_requested.connect(self.add_progress)
        self.editor.add_education_requested.connect(self.add_education)
        self.editor.add_advocacy_requested.connect(lambda: self.edit_advocacy(None))
        self.editor.edit_advocacy_requested.connect(self.edit_advocacy)
        self.checklist.go_requested.connect(self.go_to_element)
        self.checklist.reason_requested.connect(self.record_exception)

    # -- the contract with the chart ---------------------------------------------------

    def show_patient(self, vault: Vault, patient_id: uuid.UUID) -> None:
        """Show this patient's plan (or the empty state)."""
        if vault is not self.vault or patient_id != self.patient_id:
            self.clear()
            self.vault, self.patient_id = vault, patient_id
            self._take_drafts()
            self.refresh()
            # required for CCM and PCM: shown; guidance for the others: a click away
            self.checklist_button.setChecked(self.cms_required)
            return
        self.refresh()

    def refresh(self) -> None:
        """Read the plan again (after changes made elsewhere, such as a signed assessment)."""
        if self.vault is None or self.patient_id is None:
            return
        self._keep_refused()
        plan = plans.current_plan(self.vault, self.patient_id)
        self.cms_required = needs_cms_plan(get_patient(self.vault, self.patient_id).programs)
        self.start_button.setEnabled(True)
        if plan is None:
            self.plan_id, self.view = None, None
            self.model.clear()
            self.editor.clear()
            self.stack.setCurrentIndex(0)
            self.setFocusProxy(self.start_button)
            return
        self.plan_id = plan.id
        self.stack.setCurrentIndex(1)
        self.setFocusProxy(self.tree)  # the chart's Ctrl+8 puts the keyboard in the tree
        self._reload(self._current_id())
        self._offer_dialog_drafts()

    def clear(self) -> None:
        """Drop every patient detail from every widget and model (the vault is locking)."""
        self._close_dialog()
        for menu in self.findChildren(QMenu):
            menu.close()
        self.status_timer.stop()
        self.vault, self.patient_id, self.plan_id, self.view = None, None, None, None
        self.editor.clear()
        self.model.clear()
        self.checklist.clear()
        self.undo_stack.clear()
        self.kept.clear()
        self.kept_drafts.clear()
        self.offered.clear()
        self.collapsed.clear()
        self.adding = None
        self.title_label.clear()
        self.badge.clear()
        self.review_label.clear()
        self._show_strip("")
        self.publish_button.setText("Publish…")
        self.start_button.setEnabled(False)
        self.stack.setCurrentIndex(0)
        self.setFocusProxy(self.start_button)

    def keep_as_draft(self) -> bool:
        """Save what can be saved and keep refused typing as drafts; never asks.

        Called when the vault locks, before clear(). True if a draft was written.
        ``draft_error`` says what went wrong, if anything.
        """
        self.draft_error = ""
        if self.vault is None or self.patient_id is None:
            return False
        kept = False
        try:
            kept = self._keep_agreements() or kept
            kept = self._keep_dialog() or kept
            kept = self._keep_new_item() or kept
            self._keep_refused()
            for (kind, record_id), values in self.kept.items():
                save_draft(
                    self.vault,
                    form=f"{DRAFT_PREFIX}{kind}",
                    patient_id=self.patient_id,
                    record_id=record_id,
                    payload=draft_values(values),
                )
                kept = True
        except (CareNavError, SQLAlchemyError, OSError) as exc:
            self.draft_error = DRAFT_NOT_KEPT.format(error=type(exc).__name__)
        return kept

    # -- drafts ------------------------------------------------------------------------

    def _keep_agreements(self) -> bool:
        """An agreement being entered (from Versions and agreement…) becomes a draft."""
        from carenav.ui.pages.care_plan.agreement_dialog import AgreementDialog

        kept = False
        for dialog in self.findChildren(AgreementDialog):
            if dialog.isVisible():
                kept = dialog.keep_as_draft() or kept
        return kept

    def _reopen_agreement(self, version_id: uuid.UUID, payload: dict[str, Any]) -> None:
        from carenav.ui.pages.care_plan.agreement_dialog import AgreementDialog

        version = (
            next((v for v in self.view.versions if v.id == version_id), None) if self.view else None
        )
        if version is None or self.vault is None:
            return
        dialog = AgreementDialog(self.vault, version, parent=self)
        dialog.restore(payload)
        if self._exec(dialog):
            self.refresh()
            self.plan_changed.emit()

    def _keep_dialog(self) -> bool:
        dialog = self.dialog
        if dialog is None:
            return False
        assert self.vault is not None
        form = dialog.property("draftForm")
        target = dialog.property("draftTarget")
        kept = False
        if isinstance(dialog, RecordDialog) and form and target:
            typed = draft_values(dialog.typed())
            if typed:
                save_draft(
                    self.vault,
                    form=str(form),
                    patient_id=self.patient_id,
                    record_id=uuid.UUID(str(target)),
                    payload=typed,
                )
                kept = True
        self._close_dialog()
        return kept

    def _keep_new_item(self) -> bool:
        words = self.editor.new_item_text()
        if not words or self.adding is None or self.plan_id is None:
            return False
        assert self.vault is not None
        kind, need_id = self.adding
        save_draft(
            self.vault,
            form=f"{DRAFT_PREFIX}new-{kind}",
            patient_id=self.patient_id,
            record_id=need_id or self.plan_id,
            payload={"text": words},
        )
        return True

    def _keep_refused(self) -> None:
        """Save what is pending in the editor; remember what was refused, as typed."""
        self.editor.flush()
        record = self.editor.record
        if record is None or self.editor.kind is None:
            return
        key = (self.editor.kind, record.id)
        refused = self.editor.unsaved()
        if refused:
            self.kept[key] = refused
        else:
            self.kept.pop(key, None)

    def _take_drafts(self) -> None:
        """Typing kept when the vault locked: field values go back into their records' pages,
        dialogs are offered in the message strip."""
        assert self.vault is not None
        for draft in drafts_for(self.vault, self.patient_id):
            if not draft.form.startswith(DRAFT_PREFIX) or draft.record_id is None:
                continue
            kind = draft.form[len(DRAFT_PREFIX) :]
            if kind in (NEED, GOAL, INTERVENTION, PLAN):
                self.kept[(kind, draft.record_id)] = dict(draft.payload)
                self.kept_drafts[(kind, draft.record_id)] = draft.id
            else:
                self.offered.append(draft)

    def _offer_dialog_drafts(self) -> None:
        if not self.offered:
            if self.kept:
                self._show_strip(
                    "Values typed before the vault locked are back in their fields, "
                    "marked in red until they are corrected."
                )
            return
        what = DIALOG_NAMES.get(self.offered[0].form[len(DRAFT_PREFIX) :], "something")
        self._show_strip(
            f"You were writing {what} when the vault locked.", "Put it back", self._reopen_draft
        )

    def _reopen_draft(self) -> None:
        if not self.offered or self.vault is None:
            return
        draft = self.offered.pop(0)
        discard_draft(self.vault, draft.id)
        kind = draft.form[len(DRAFT_PREFIX) :]
        payload = dict(draft.payload)
        target = draft.record_id
        assert target is not None
        if kind.startswith("new-"):
            new_kind = kind[len("new-") :]
            node = self.model.node(self.model.index_for(target))
            need = node if node is not None and node.kind == NEED else None
            if new_kind == NEED or need is not None:
                self._start_new(new_kind, need, str(payload.get("text", "")))
        elif kind == "agreement":
            self._reopen_agreement(target, payload)
        elif kind == "progress":
            self._select(target)
            self.add_progress(payload)
        elif kind == "education":
            self._select(target)
            self.add_education(payload)
        elif kind == "advocacy":
            record = (
                next((a for a in self.view.advocacy if a.id == target), None) if self.view else None
            )
            self._select(self.plan_id)
            self.edit_advocacy(record, payload)
        self._offer_dialog_drafts()

    def _resolve_kept(self, kind: str, record_id: uuid.UUID) -> None:
        self.kept.pop((kind, record_id), None)
        draft_id = self.kept_drafts.pop((kind, record_id), None)
        if draft_id is not None and self.vault is not None:
            discard_draft(self.vault, draft_id)

    # -- loading and showing -----------------------------------------------------------

    def _reload(self, select: uuid.UUID | None = None) -> None:
        """Read the whole plan and rebuild the tree, keeping the current row if it exists."""
        assert self.vault is not None and self.plan_id is not None
        self._keep_refused()
        self.view = plans.load_plan(self.vault, self.plan_id)
        self.model.set_plan(self.view)
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            node = self.model.node(index)
            if node is not None and node.kind == NEED:
                self.tree.setExpanded(index, node.record_id not in self.collapsed)
        self._update_status(self.view)
        target = self.model.index_for(select) if select is not None else QModelIndex()
        if not target.isValid():
            target = (
                self.model.index(1, 0) if self.model.rowCount() > 1 else self.model.plan_index()
            )
        self.tree.select(target)

    def _current_id(self) -> uuid.UUID | None:
        node = self.model.node(self.tree.currentIndex())
        return node.record_id if node is not None else None

    def _select(self, record_id: uuid.UUID | None) -> None:
        """Make a row current and show it in the editor (also when it was current already)."""
        if record_id is None:
            return
        index = self.model.index_for(record_id)
        self.tree.select(index)
        shown = self.editor.record
        if self.editor.is_adding() or shown is None or shown.id != record_id:
            self._on_current_changed(index, QModelIndex())

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.adding is not None:
            self.adding = None
        self._keep_refused()
        node = self.model.node(current)
        if node is None or self.view is None:
            self.editor.show_blank()
            return
        context = ""
        if node.kind in (GOAL, INTERVENTION) and node.parent is not None:
            context = f"For the need: {node.parent.record.text}"
        self.editor.show_item(node.kind, node.record, context)
        if node.kind == GOAL:
            goal_view = next(
                (g for n in self.view.needs for g in n.goals if g.goal.id == node.record_id), None
            )
            if goal_view is not None:
                self.editor.set_goal_lists(goal_view.progress, goal_view.education)
        elif node.kind == PLAN:
            self.editor.set_advocacy(self.view.advocacy)
        typed = self.kept.get((node.kind, node.record_id))
        if typed:
            self.editor.put_back(typed)

    def _update_status(self, view: plans.PlanView) -> None:
        plan = view.plan
        self.title_label.setText(plan.title)
        words, style = status_text(plan)
        self.badge.setText(words)
        set_style_name(self.badge, style)
        words, style = review_text(plan.next_review, date.today())
        self.review_label.setText(words)
        set_style_name(self.review_label, style)
        number = plan.published_version + 1
        self.publish_button.setText(f"Publish version {number}…")
        can_publish = plan.published_version == 0 or plan.changed_since_publish
        self.publish_button.setEnabled(can_publish)
        self.publish_button.setToolTip(
            "Freeze the plan as it is now, to print and agree with the patient"
            if can_publish
            else f"Nothing has changed since version {plan.published_version}"
        )
        self.versions_button.setEnabled(bool(view.versions))
        elements = coverage(versions.snapshot_of(view))
        self.checklist.set_elements(elements, required=self.cms_required)
        gaps = sum(1 for e in elements if not e.satisfied)
        self.checklist_button.setText(
            f"CMS checklist ({gaps} missing)" if gaps else "CMS checklist"
        )
        self.checklist.setVisible(self.checklist_button.isChecked())

    def _refresh_status(self) -> None:
        """After saves: read the plan again for the badge, the checklist and the goal lists."""
        if self.vault is None or self.plan_id is None:
            return
        try:
            self.view = plans.load_plan(self.vault, self.plan_id)
        except CareNavError:  # locked or removed meanwhile: the next refresh will tell
            return
        self._update_status(self.view)
        self.plan_changed.emit()

    # -- saving -----------------------------------------------------------------------

    def _save_record(self, kind: str, record_id: uuid.UUID, changes: dict[str, Any]) -> Any:
        if self.vault is None:
            raise InvalidInput({"plan": "The care plan is not open."})
        if kind == PLAN:
            return plans.update_plan(self.vault, record_id, changes)
        return plans.update_item(self.vault, KINDS[kind], record_id, changes)

    def _on_record_saved(self, record: Any) -> None:
        self.model.update_record(record)
        kind = self.editor.kind
        if kind is not None and self.editor.record is not None and not self.editor.unsaved():
            self._resolve_kept(kind, self.editor.record.id)
        if isinstance(record, CarePlan):
            self.title_label.setText(record.title)
        self.status_timer.start()  # the badge, the checklist, then plan_changed

    # -- starting and adding ---------------------------------------------------------------

    def start_plan(self) -> bool:
        if self.vault is None or self.patient_id is None:
            return False
        vault, patient_id = self.vault, self.patient_id
        if self._try(lambda: plans.start_plan(vault, patient_id), "Start a care plan") is None:
            return False
        self.refresh()
        self._show_strip(
            "Care plan started. Press Insert to add a need, or use “Add from…” for the "
            "assessments, the problem list and templates."
        )
        self.tree.setFocus()
        self.plan_changed.emit()
        return True

    def add_here(self) -> None:
        """Insert / Ctrl+N: a need at the top, or a small menu on a need, goal or intervention."""
        if self.plan_id is None:
            return
        node = self.model.node(self.tree.currentIndex())
        need = self.model.need_of(self.tree.currentIndex())
        if node is None or need is None:
            self._start_new(NEED, None)
            return
        if self.tree.add_menu is not None:
            self.tree.add_menu.deleteLater()
        menu = QMenu(self.tree)
        goal = QAction("&Goal for this need", menu)
        goal.triggered.connect(lambda: self._start_new(GOAL, need))
        action = QAction("&Intervention for this need", menu)
        action.triggered.connect(lambda: self._start_new(INTERVENTION, need))
        new_need = QAction("&New need", menu)
        new_need.triggered.connect(lambda: self._start_new(NEED, None))
        first = action if node.kind == INTERVENTION else goal
        for each in (goal, action) if first is goal else (action, goal):
            menu.addAction(each)
        menu.addSeparator()
        menu.addAction(new_need)
        menu.setActiveAction(first)
        self.tree.add_menu = menu
        rect = self.tree.visualRect(self.tree.currentIndex())
        menu.popup(self.tree.viewport().mapToGlobal(rect.bottomLeft()))
        menu.setActiveAction(first)

    def _start_new(self, kind: str, need: Node | None, typed: str = "") -> None:
        if self.plan_id is None:
            return
        self._keep_refused()
        context = f"For the need: {need.record.text}" if need is not None else ""
        self.editor.show_new(kind, context, typed)
        self.adding = (kind, need.record_id if need is not None else None)

    def _on_add_confirmed(self, kind: str, words: str) -> None:
        if self.vault is None or self.plan_id is None or self.adding is None:
            return
        vault, plan_id = self.vault, self.plan_id
        _kind, need_id = self.adding
        try:
            if kind == NEED:
                record: Any = plans.add_need(vault, plan_id, {"text": words})
            elif kind == GOAL:
                assert need_id is not None
                record = plans.add_goal(vault, plan_id, need_id, {"text": words})
            else:
                assert need_id is not None
                record = plans.add_intervention(vault, plan_id, need_id, {"what": words})
        except InvalidInput as exc:
            self.editor.new_page.show_message(" ".join(exc.errors.values()))
            return
        except CareNavError as exc:
            self.editor.new_page.show_message(str(exc))
            return
        self.adding = None
        if need_id is not None:
            self.collapsed.discard(need_id)
        self._reload(record.id)
        self.editor.focus_field(NEXT_FIELD[kind])
        self.plan_changed.emit()

    def _cancel_adding(self) -> None:
        self.adding = None
        self._on_current_changed(self.tree.currentIndex(), QModelIndex())
        self._focus_tree()

    def edit_current(self) -> None:
        if self.model.node(self.tree.currentIndex()) is not None:
            self.editor.focus_first()

    def _focus_tree(self) -> None:
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- removing, undoing, moving --------------------------------------------------------

    def remove_current(self) -> bool:
        """Delete: remove the current need, goal or intervention at once; Ctrl+Z undoes."""
        index = self.tree.currentIndex()
        node = self.model.node(index)
        if node is None or node.kind == PLAN or self.vault is None:
            return False
        vault = self.vault
        self._keep_refused()
        self.kept.pop((node.kind, node.record_id), None)
        words = removal_text(node)
        removal = self._try(
            lambda: plans.remove_item(vault, KINDS[node.kind], node.record_id), "Remove"
        )
        if not isinstance(removal, plans.Removal):
            return False
        self.undo_stack.append((removal, words))
        self._reload(self._neighbour(index))
        self._show_strip(words, "Undo", self.undo)
        self._focus_tree()
        self.plan_changed.emit()
        return True

    def _neighbour(self, index: QModelIndex) -> uuid.UUID | None:
        """The row to select after removing this one: the next, the one before, the parent."""
        for candidate in (index.siblingAtRow(index.row() + 1), index.siblingAtRow(index.row() - 1)):
            node = self.model.node(candidate)
            if node is not None:
                return node.record_id
        parent = self.model.node(index.parent())
        return parent.record_id if parent is not None else None

    def undo(self) -> bool:
        """Ctrl+Z: put back what the last removal took away."""
        if not self.undo_stack or self.vault is None:
            return False
        removal, _words = self.undo_stack.pop()
        vault = self.vault
        if self._try(lambda: plans.restore(vault, removal), "Undo") is None:
            return False
        self._reload(removal.record_ids[0])
        words = f"{removal.kind.capitalize()} put back."
        if self.undo_stack:
            self._show_strip(words, "Undo the one before", self.undo)
        else:
            self._show_strip(words)
        self._focus_tree()
        self.plan_changed.emit()
        return True

    def move_current(self, step: int) -> bool:
        node = self.model.node(self.tree.currentIndex())
        if node is None or node.kind == PLAN or self.vault is None:
            return False
        vault = self.vault
        self._keep_refused()
        if (
            self._try(
                lambda: plans.move_item(vault, KINDS[node.kind], node.record_id, step), "Move"
            )
            is None
        ):
            return False
        self._reload(node.record_id)
        self._focus_tree()
        self.plan_changed.emit()
        return True

    def _on_collapsed(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if node is not None:
            self.collapsed.add(node.record_id)

    def _on_expanded(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if node is not None:
            self.collapsed.discard(node.record_id)

    def _context_menu(self, where: QPoint) -> None:
        node = self.model.node(self.tree.currentIndex())
        menu = QMenu(self)
        menu.addAction("Add…  (Insert)", self.add_here)
        if node is not None and node.kind != PLAN:
            menu.addAction("Move up  (Ctrl+↑)", lambda: self.move_current(-1))
            menu.addAction("Move down  (Ctrl+↓)", lambda: self.move_current(+1))
            menu.addSeparator()
            menu.addAction(f"Remove this {kind_noun(node.kind)}  (Delete)", self.remove_current)
        if self.undo_stack:
            menu.addAction("Undo the last removal  (Ctrl+Z)", self.undo)
        menu.exec(where)

    # -- the message strip -------------------------------------------------------------

    def _show_strip(
        self, words: str, button: str = "", action: Callable[[], Any] | None = None
    ) -> None:
        self.strip_text.setText(words)
        self.strip_button.setText(button)
        self.strip_button.setVisible(bool(button))
        self.strip_action = action
        self.strip.setVisible(bool(words))

    def _on_strip_button(self) -> None:
        if self.strip_action is not None:
            self.strip_action()

    # -- progress, education, advocacy -----------------------------------------------------

    def add_progress(self, typed: Mapping[str, Any] | None = None) -> bool:
        goal = self.editor.record if self.editor.kind == GOAL else None
        if goal is None or self.vault is None:
            return False
        vault, goal_id = self.vault, goal.id
        values = {"noted_on": date.today().isoformat(), **(typed or {})}
        dialog = RecordDialog(
            "Add progress note",
            PROGRESS_FIELDS,
            values,
            lambda v: plans.add_progress(vault, goal_id, v),
            self,
            intro=f"Goal: {goal.text}",
            save_text="Add progress note",
        )
        return self._run_record_dialog(dialog, "progress", goal_id)

    def add_education(self, typed: Mapping[str, Any] | None = None) -> bool:
        goal = self.editor.record if self.editor.kind == GOAL else None
        if goal is None or self.vault is None or self.plan_id is None:
            return False
        from carenav.ui.pages.care_plan.suggestions import education_topics

        vault, plan_id, goal_id = self.vault, self.plan_id, goal.id
        node = self.model.node(self.model.index_for(goal_id))
        template = node.parent.record.template if node is not None and node.parent else ""
        values = {
            "given_on": date.today().isoformat(),
            "recipient": "patient",
            "method": "teach-back",
            "understanding": "good",
            **(typed or {}),
        }
        dialog = RecordDialog(
            "Record education",
            EDUCATION_FIELDS,
            values,
            lambda v: plans.add_education(vault, plan_id, v, goal_id=goal_id),
            self,
            intro=f"Goal: {goal.text}",
            suggestions=education_topics(template, goal.text, self.templates_folder),
            save_text="Record education",
        )
        return self._run_record_dialog(dialog, "education", goal_id)

    def edit_advocacy(
        self, record: AdvocacyRecord | None, typed: Mapping[str, Any] | None = None
    ) -> bool:
        if self.vault is None or self.plan_id is None:
            return False
        vault, plan_id = self.vault, self.plan_id
        if record is None:
            values: dict[str, Any] = {"status": "open"}

            def save(v: dict[str, Any]) -> Any:
                return plans.add_advocacy(vault, plan_id, v, need_id=None)

            title, target = "Record a denied service", plan_id
        else:
            values = values_of(ADVOCACY_FIELDS, record)
            record_id = record.id

            def save(v: dict[str, Any]) -> Any:
                return plans.update_item(vault, AdvocacyRecord, record_id, v)

            title, target = "Denied service and appeal", record.id
        values.update(typed or {})
        dialog = RecordDialog(
            title,
            ADVOCACY_FIELDS,
            values,
            save,
            self,
            intro="A service a payer denied, what was proposed instead, and the appeal.",
        )
        return self._run_record_dialog(dialog, "advocacy", target)

    def _run_record_dialog(self, dialog: RecordDialog, form: str, target: uuid.UUID) -> bool:
        dialog.setProperty("draftForm", f"{DRAFT_PREFIX}{form}")
        dialog.setProperty("draftTarget", target.hex)
        accepted = self._exec(dialog)
        if accepted:
            current = self._current_id()
            self._reload(current)
            self.plan_changed.emit()
        return accepted

    # -- CMS elements and publishing ----------------------------------------------------------

    def record_exception(self, code: str, reason: str | None = None) -> bool:
        """'Record why it is left out…': ask for the reason (or use ``reason``) and keep it."""
        if self.vault is None or self.plan_id is None:
            return False
        element = next((e for e in self.checklist.elements if e.code == code), None)
        if element is None:
            return False
        if reason is None:
            dialog = ReasonDialog(element, self)
            if not self._exec(dialog):
                return False
            reason = dialog.reason_text()
        vault, plan_id, words = self.vault, self.plan_id, reason
        if (
            self._try(lambda: plans.set_cms_exception(vault, plan_id, code, words), "Reason")
            is None
        ):
            return False
        self._reload(self._current_id())
        self.plan_changed.emit()
        return True

    def go_to_element(self, code: str) -> None:
        """'Go to it': the field or the rows that would meet a CMS element."""
        if code in ELEMENT_FIELDS:
            self._select(self.plan_id)
            self.editor.focus_field(ELEMENT_FIELDS[code])
            return
        needs = self.model.records(NEED)
        if code == "problem-list" or not needs:
            self._start_new(NEED, None)
            return
        if code == "measurable-goals":
            goals = self.model.records(GOAL)
            lacking = [g for g in goals if not (g.measure and g.target_value and g.target_date)]
            if lacking:
                goal = lacking[0]
                self._select(goal.id)
                field = (
                    "measure"
                    if not goal.measure
                    else "target_value"
                    if not goal.target_value
                    else "target_date"
                )
                self.editor.focus_field(field)
                return
            self._start_new(GOAL, self.model.node(self.model.index_for(needs[0].id)))
            return
        actions = self.model.records(INTERVENTION)
        unnamed = [
            a
            for a in actions
            if a.responsible in ("provider", "agency") and not a.responsible_name.strip()
        ]
        if unnamed:
            self._select(unnamed[0].id)
            self.editor.focus_field("responsible_name")
            return
        self._start_new(INTERVENTION, self.model.node(self.model.index_for(needs[0].id)))

    def publish(self) -> bool:
        """Publish the next version: missing CMS elements first, then the change note."""
        if self.vault is None or self.plan_id is None or self.view is None:
            return False
        self._keep_refused()
        if self.kept:
            self._show_strip(
                "Some typed values are not saved yet (marked in red). Correct them, then publish."
            )
            return False
        self.view = plans.load_plan(self.vault, self.plan_id)
        if self.cms_required:
            gaps = [e for e in coverage(versions.snapshot_of(self.view)) if not e.satisfied]
            if gaps and not self._settle_gaps(gaps):
                return False
        plan = self.view.plan
        number = plan.published_version + 1
        changes = (
            [c.text for c in versions.compare_versions(self.vault, self.plan_id, number - 1, 0)]
            if number > 1
            else []
        )
        dialog = PublishDialog(number, changes, self)
        if not self._exec(dialog):
            return False
        vault, plan_id, note = self.vault, self.plan_id, dialog.note_text()
        try:
            version = versions.publish(vault, plan_id, change_note=note)
        except versions.PlanIncomplete as exc:
            self._settle_gaps(exc.elements)
            return False
        except CareNavError as exc:
            QMessageBox.information(self, "Publish", str(exc))
            self._reload(self._current_id())
            return False
        self._reload(self._current_id())
        self._show_strip(
            f"Version {version.number} published. Record the patient's agreement and the "
            "copy given under “Versions and agreement…”.",
            "Versions and agreement…",
            self.open_versions,
        )
        self.plan_changed.emit()
        return True

    def _settle_gaps(self, gaps: list[ElementStatus]) -> bool:
        """Show the missing elements; record the reasons typed. True if none is left missing."""
        assert self.vault is not None and self.plan_id is not None
        dialog = MissingElementsDialog(gaps, self)
        if not self._exec(dialog):
            self._show_strip(
                "Not published: " + "; ".join(g.label for g in gaps) + " still missing.",
            )
            return False
        vault, plan_id = self.vault, self.plan_id
        for code, reason in dialog.typed_reasons().items():
            plans.set_cms_exception(vault, plan_id, code, reason)
        self._reload(self._current_id())
        assert self.view is not None
        left = [e for e in coverage(versions.snapshot_of(self.view)) if not e.satisfied]
        if left:
            self._show_strip(
                "Reasons recorded. Still missing: " + "; ".join(e.label for e in left) + "."
            )
            return False
        return True

    # -- the other dialogs ------------------------------------------------------------------

    def add_from(self) -> bool:
        """'Add from…': tick needs, problems and template items to add; selects the first."""
        if self.vault is None or self.plan_id is None or self.patient_id is None:
            return False
        from carenav.ui.pages.care_plan.suggestions import AddFromDialog, gather_sources

        self._keep_refused()
        sources = gather_sources(self.vault, self.plan_id, self.patient_id, self.templates_folder)
        dialog = AddFromDialog(self.vault, self.plan_id, sources, self)
        accepted = self._exec(dialog)
        if not accepted or not dialog.added:
            return False
        self._reload(dialog.added[0])
        count = len(dialog.added)
        self._show_strip(f"{count} item{'s' if count != 1 else ''} added to the plan.")
        self._focus_tree()
        self.plan_changed.emit()
        return True

    def open_versions(self) -> None:
        if self.vault is None or self.plan_id is None:
            return
        try:
            from carenav.ui.pages.care_plan.versions_dialog import VersionsDialog
        except ImportError:
            QMessageBox.information(self, "Versions", "Versions are not available yet.")
            return
        self._keep_refused()
        dialog = VersionsDialog(self.vault, self.plan_id, self)
        self._exec(dialog)
        if self.vault is not None:
            self.refresh()
            self.plan_changed.emit()

    def _exec(self, dialog: QDialog) -> bool:
        """Run a modal dialog; locking closes it (``_close_dialog``)."""
        self.dialog = dialog
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted and self.vault is not None
        finally:
            self.dialog = None
            dialog.deleteLater()

    def _close_dialog(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        self.dialog = None
        for box in dialog.findChildren(QDialog):
            box.reject()
        if isinstance(dialog, RecordDialog):
            dialog.close_now()
        else:
            dialog.reject()

    def _try(self, action: Callable[[], Any], what: str) -> Any:
        """Run a service call; a refusal is shown, and None returned."""
        try:
            result = action()
        except CareNavError as exc:
            QMessageBox.warning(self, what, str(exc))
            return None
        return True if result is None else result

"""“Add from…”: needs found by assessments, problems on the problem list, templates.

One dialog, three sources, each row with a check box; nothing is added until the
care manager ticks it and presses "Add to the plan":

- the assessments' open suggested needs, with their evidence (taken in with
  ``add_need_from_finding``, which marks the suggestion accepted);
- problems on the problem list that no need of the plan is linked to yet
  (``add_need_from_condition``);
- care-plan templates, those suggested for the patient's ICD-10 codes and finding
  codes first; each opens to its needs and their goals and interventions. Ticking a
  template or a need ticks everything under it ("Select all in this template"
  does the same for the template of the current row). What is added becomes
  ordinary editable records: a goal's target date is today plus the template's
  days, an intervention's due date likewise.

The pane on the right shows the whole text of the current row. Space ticks a row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.models import Condition, SuggestedNeed, codes
from carenav.plan_templates import Template, matching_codes
from carenav.services import assessments
from carenav.services import care_plans as plans
from carenav.services.catalogue import load_template_catalogue
from carenav.services.chart import load_chart
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_date
from carenav.ui.pages.care_plan.style import DIALOG_STYLE

CLOSED_PROBLEMS = frozenset({"inactive", "resolved"})
FINDING, PROBLEM, TEMPLATE, T_NEED, T_GOAL, T_INTERVENTION = (
    "finding",
    "problem",
    "template",
    "template-need",
    "template-goal",
    "template-intervention",
)


@dataclass(frozen=True)
class TemplateOffer:
    template: Template
    matched: tuple[str, ...]  # the patient's codes it is suggested for (empty: not suggested)


@dataclass
class Sources:
    findings: list[SuggestedNeed] = field(default_factory=list)
    problems: list[Condition] = field(default_factory=list)
    templates: list[TemplateOffer] = field(default_factory=list)
    template_problem: str = ""  # why templates could not be offered, if so
    in_plan: set[tuple[str, str]] = field(default_factory=set)  # (template id, need text)


def load_templates(folder: str = "") -> tuple[list[Template], str]:
    """Every template (bundled, then the agency's folder), and why the agency's are not
    used when their folder is broken (the bundled ones are offered all the same)."""
    catalogue = load_template_catalogue(folder or None)
    return list(catalogue.templates), catalogue.problem


def gather_sources(
    vault: Vault, plan_id: uuid.UUID, patient_id: uuid.UUID, templates_folder: str = ""
) -> Sources:
    """What can be added to the plan now, read from the vault and the template files."""
    view = plans.load_plan(vault, plan_id)
    linked = {n.need.condition_id for n in view.needs if n.need.condition_id is not None}
    active = [
        p
        for p in load_chart(vault, patient_id, opened=False).problems
        if p.clinical_status not in CLOSED_PROBLEMS
    ]
    sources = Sources(
        findings=assessments.suggested_needs(vault, patient_id),
        problems=[p for p in active if p.id not in linked],
        in_plan={(n.need.template, n.need.text) for n in view.needs if n.need.template},
    )
    finding_codes = [
        n.code
        for n in assessments.suggested_needs(vault, patient_id, status=None)
        if n.status != "dismissed"
    ]
    icd10 = [p.icd10_code for p in active if p.icd10_code]
    try:
        every, sources.template_problem = load_templates(templates_folder)
    except CareNavError as exc:  # a bundled template is broken: say so
        sources.template_problem = str(exc)
        return sources
    offers = [TemplateOffer(t, matching_codes(t, icd10, finding_codes)) for t in every]
    sources.templates = [o for o in offers if o.matched] + [o for o in offers if not o.matched]
    return sources


def education_topics(template_id: str, goal_text: str, templates_folder: str = "") -> list[str]:
    """A template's education topics, those of the goal with this text first ([] if none)."""
    if not template_id:
        return []
    try:
        every, _problem = load_templates(templates_folder)
    except CareNavError:
        return []
    template = next((t for t in every if t.id == template_id), None)
    if template is None:
        return []
    first: list[str] = []
    for goal in template.goals:
        if goal.text == goal_text:
            first += [e.topic for i in goal.education if (e := template.education_topic(i))]
    rest = [e.topic for e in template.education if e.topic not in first]
    return first + rest


class RoomyRows(QStyledItemDelegate):
    """Rows with room around them: easier to read and to hit at arm's length."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 10)


@dataclass(frozen=True)
class Choice:
    kind: str
    ref: Any
    template: Any = None
    need: Any = None


def _bold(item: QTreeWidgetItem) -> None:
    font = QFont(item.font(0))
    font.setBold(True)
    item.setFont(0, font)


class AddFromDialog(QDialog):
    """Tick what to add; ``added`` holds the new records' ids (needs first) after accept."""

    def __init__(
        self,
        vault: Vault,
        plan_id: uuid.UUID,
        sources: Sources,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to the care plan")
        self.setModal(True)
        self.setStyleSheet(DIALOG_STYLE)
        self.vault, self.plan_id, self.sources = vault, plan_id, sources
        self.added: list[uuid.UUID] = []
        self.problem = ""
        self.choices: list[tuple[QTreeWidgetItem, Choice]] = []
        self.tree = QTreeWidget()
        self.tree.setObjectName("suggestionTree")
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(1)
        self.tree.setAccessibleName("What can be added")
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegate(RoomyRows(self.tree))
        self.detail = QLabel()
        self.detail.setObjectName("detailText")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setMinimumWidth(320)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self._fill()
        self.tree.itemChanged.connect(lambda _i, _c: self._update_buttons())
        self.tree.currentItemChanged.connect(lambda item, _old: self._show_detail(item))

        self.select_all = QPushButton("&Select all in this template")
        self.select_all.setToolTip("Tick every need, goal and intervention of this template")
        self.select_all.clicked.connect(self.select_current_template)
        buttons = QDialogButtonBox()
        self.add_button = buttons.addButton(
            "Add to the plan", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.add_button.setObjectName("primary")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        intro = QLabel(
            "Tick what fits this patient. Nothing is added until you press "
            "“Add to the plan”; everything added can be changed afterwards."
        )
        intro.setObjectName("fieldHint")
        intro.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([620, 340])
        bottom = QHBoxLayout()
        bottom.addWidget(self.select_all)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.resize(1000, 640)
        self.tree.setFocus()
        first = self.choices[0][0] if self.choices else self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update_buttons()

    # -- building the rows --------------------------------------------------------------

    def _section(self, title: str, empty: str, count: int) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [f"{title} ({count})" if count else title])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        _bold(item)
        item.setExpanded(True)
        if not count:
            none = QTreeWidgetItem(item, [empty])
            none.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            none.setForeground(0, Qt.GlobalColor.darkGray)
        return item

    def _checkable(
        self, parent: QTreeWidgetItem, words: str, choice: Choice, *, tristate: bool = False
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [words])
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemIsUserCheckable
        if tristate:
            flags |= Qt.ItemFlag.ItemIsAutoTristate
        item.setFlags(flags)
        item.setCheckState(0, Qt.CheckState.Unchecked)
        item.setToolTip(0, words)
        self.choices.append((item, choice))
        return item

    def _fill(self) -> None:
        s = self.sources
        findings = self._section(
            "Found by assessments", "No open needs from assessments.", len(s.findings)
        )
        for need in s.findings:
            self._checkable(findings, need.need, Choice(FINDING, need))
        problems = self._section(
            "On the problem list, not yet in the plan",
            "Every active problem is in the plan already.",
            len(s.problems),
        )
        for problem in s.problems:
            words = f"{problem.text} ({problem.icd10_code})" if problem.icd10_code else problem.text
            self._checkable(problems, words, Choice(PROBLEM, problem))
        templates = self._section(
            "Templates", s.template_problem or "No templates installed.", len(s.templates)
        )
        if s.template_problem and s.templates:
            note = QTreeWidgetItem(templates, [s.template_problem])
            note.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            note.setToolTip(0, s.template_problem)
        for offer in s.templates:
            self._template_rows(templates, offer)

    def _template_rows(self, section: QTreeWidgetItem, offer: TemplateOffer) -> None:
        template = offer.template
        words = template.title
        if offer.matched:
            words += f" (suggested for {', '.join(offer.matched)})"
        top = self._checkable(section, words, Choice(TEMPLATE, offer), tristate=True)
        if offer.matched:
            _bold(top)
        for need in template.needs:
            already = (template.id, need.text) in self.sources.in_plan
            label = f"{need.text} (already in the plan)" if already else need.text
            need_item = self._checkable(top, label, Choice(T_NEED, need, template), tristate=True)
            for goal in need.goals:
                self._checkable(
                    need_item, f"Goal: {goal.text}", Choice(T_GOAL, goal, template, need)
                )
            for action in need.interventions:
                self._checkable(
                    need_item,
                    f"Intervention: {action.what}",
                    Choice(T_INTERVENTION, action, template, need),
                )
        top.setExpanded(bool(offer.matched))

    # -- reading the ticks ----------------------------------------------------------------

    def choice_of(self, item: QTreeWidgetItem | None) -> Choice | None:
        return next((c for i, c in self.choices if i is item), None)

    def item_for(self, words: str) -> QTreeWidgetItem | None:
        """The row whose text starts with these words (for tests and the keyboard)."""
        return next((i for i, _c in self.choices if i.text(0).startswith(words)), None)

    def ticked(self) -> list[Choice]:
        """Ticked rows (and template needs with any goal or intervention ticked)."""
        return [
            c
            for i, c in self.choices
            if i.checkState(0) != Qt.CheckState.Unchecked and c.kind != TEMPLATE
        ]

    def _count(self) -> int:
        return sum(1 for c in self.ticked())

    def _update_buttons(self) -> None:
        count = self._count()
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(f"Add {count} to the plan" if count else "Add to the plan")
        self.select_all.setEnabled(self._template_item(self.tree.currentItem()) is not None)

    def _template_item(self, item: QTreeWidgetItem | None) -> QTreeWidgetItem | None:
        while item is not None:
            choice = self.choice_of(item)
            if choice is not None and choice.kind == TEMPLATE:
                return item
            item = item.parent()
        return None

    def select_current_template(self) -> None:
        top = self._template_item(self.tree.currentItem())
        if top is not None:
            top.setCheckState(0, Qt.CheckState.Checked)
            top.setExpanded(True)
        self._update_buttons()

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        self._update_buttons()
        choice = self.choice_of(item)
        self.detail.setText(
            detail_text(choice) if choice is not None else "Choose a row to read it in full here."
        )

    # -- adding ------------------------------------------------------------------------

    def accept(self) -> None:
        self.message.setVisible(False)
        try:
            self.added = apply_choices(self.vault, self.plan_id, self.ticked())
        except CareNavError as exc:
            self.message.setText(str(exc))
            self.message.setVisible(True)
            return
        super().accept()


def detail_text(choice: Choice) -> str:
    """The whole text of a row, for the pane beside the list."""
    ref = choice.ref
    if choice.kind == FINDING:
        lines = [ref.need]
        if ref.evidence:
            lines.append(f"Evidence: {ref.evidence}")
        lines.append(f"Found by the {ref.questionnaire} on {format_date(ref.found_at.date())}.")
        if ref.referral_category:
            lines.append(f"Suggested referral: {ref.referral_category}.")
        return "\n\n".join(lines)
    if choice.kind == PROBLEM:
        status = code_label(codes.CONDITION_STATUSES, ref.clinical_status)
        code = f"ICD-10 {ref.icd10_code}. " if ref.icd10_code else ""
        return f"{ref.text}\n\n{code}{status} on the problem list."
    if choice.kind == TEMPLATE:
        template = ref.template
        counts = (
            f"{len(template.needs)} needs, {len(template.goals)} goals, "
            f"{len(template.interventions)} interventions."
        )
        why = f"\n\nSuggested for {', '.join(ref.matched)}." if ref.matched else ""
        return f"{template.title}\n\n{template.summary}\n\n{counts}{why}"
    if choice.kind == T_NEED:
        return f"Need: {ref.text}\n\nArea: {ref.domain.replace('-', ' ')}."
    if choice.kind == T_GOAL:
        lines = [f"Goal: {ref.text}"]
        if ref.patient_facing:
            lines.append(f"For the printed plan: {ref.patient_facing}")
        target = ref.target_value
        if ref.target_days is not None:
            due = date.today() + timedelta(days=ref.target_days)
            target = f"{target} by {format_date(due)}"
        lines.append(f"Measure: {ref.measure}\nTarget: {target}")
        lines.append(f"Priority: {code_label(codes.GOAL_PRIORITIES, ref.priority).lower()}.")
        return "\n\n".join(lines)
    who = code_label(codes.RESPONSIBLE, ref.responsible)
    lines = [f"Intervention: {ref.what}", f"Who: {who}"]
    if ref.frequency:
        lines.append(f"How often: {ref.frequency}")
    if ref.due_days is not None:
        lines.append(f"Due: {format_date(date.today() + timedelta(days=ref.due_days))}")
    lines.append(f"Kind: {code_label(codes.INTERVENTION_CATEGORIES, ref.category).lower()}")
    return "\n".join(lines)


def apply_choices(vault: Vault, plan_id: uuid.UUID, chosen: Sequence[Choice]) -> list[uuid.UUID]:
    """Create the chosen records, in the order shown; returns their ids (needs first)."""
    today = date.today()
    added: list[uuid.UUID] = []
    for choice in chosen:
        if choice.kind == FINDING:
            added.append(plans.add_need_from_finding(vault, plan_id, choice.ref.id).id)
        elif choice.kind == PROBLEM:
            added.append(plans.add_need_from_condition(vault, plan_id, choice.ref.id).id)
    needs: dict[int, uuid.UUID] = {}
    for choice in chosen:
        if choice.kind == T_NEED:
            need = choice.ref
            values = {
                "text": need.text,
                "domain": need.domain,
                "template": choice.template.id,
            }
            needs[id(need)] = plans.add_need(vault, plan_id, values).id
            added.append(needs[id(need)])
    for choice in chosen:
        if choice.kind not in (T_GOAL, T_INTERVENTION) or id(choice.need) not in needs:
            continue
        need_id = needs[id(choice.need)]
        added.append(_add_template_item(vault, plan_id, need_id, choice, today))
    return added


def _add_template_item(
    vault: Vault, plan_id: uuid.UUID, need_id: uuid.UUID, choice: Choice, today: date
) -> uuid.UUID:
    ref = choice.ref
    if choice.kind == T_GOAL:
        values: dict[str, Any] = {
            "text": ref.text,
            "patient_facing": ref.patient_facing,
            "measure": ref.measure,
            "target_value": ref.target_value,
            "priority": ref.priority,
        }
        if ref.target_days is not None:
            values["target_date"] = today + timedelta(days=ref.target_days)
        return plans.add_goal(vault, plan_id, need_id, values).id
    values = {
        "what": ref.what,
        "category": ref.category,
        "responsible": ref.responsible,
        "frequency": ref.frequency,
    }
    if ref.due_days is not None:
        values["due_date"] = today + timedelta(days=ref.due_days)
    return plans.add_intervention(vault, plan_id, need_id, values).id

"""The care plan as a tree: "Plan details", then each need with its goals and interventions.

Three columns: what it is (the need, "Goal: …" or "Intervention: …"), its status,
and its target (goals: target and date) or who does it (interventions: who, how
often, due date). Rows are built from a ``PlanView`` once per structural change
(a plan has at most a few hundred rows); an edit to one record only repaints its
row (``update_record``), so the editor beside the tree never loses its place.

Each row knows its kind ("plan", "need", "goal", "intervention") and record id
(``KIND_ROLE``, ``ID_ROLE``); nothing else about the patient is kept once
``clear()`` is called.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from carenav.instruments.definition import DOMAINS as DOMAIN_CODES
from carenav.models import CarePlan, PlanGoal, PlanIntervention, codes
from carenav.services.care_plans import PlanView
from carenav.ui.formatting import code_label, format_date

DOMAINS = {d: d.replace("-", " ").capitalize() for d in sorted(DOMAIN_CODES)}
HEADERS = ("Need, goal or intervention", "Status", "Target, or who does it")
ITEM, STATUS, DETAIL = range(len(HEADERS))
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
TITLE_ROLE = Qt.ItemDataRole.UserRole + 3  # the text without "Goal: " (drawn on line one)
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 4  # "Goal · In progress · …" (line two)
PLAN, NEED, GOAL, INTERVENTION = "plan", "need", "goal", "intervention"
PLAN_DETAILS = "Plan details"
DONE = frozenset({"achieved", "not-achieved", "cancelled", "completed"})
MUTED = QColor("#6b7785")
NAVY = QColor("#12355b")
AMBER = QColor("#7a4b00")
Index = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class Node:
    kind: str
    record: Any
    parent: Node | None
    children: list[Node] = field(default_factory=list)

    @property
    def record_id(self) -> uuid.UUID:
        return self.record.id  # type: ignore[no-any-return]

    def row(self, siblings: list[Node]) -> int:
        return next(i for i, n in enumerate(siblings) if n is self)


def goal_target(goal: PlanGoal) -> str:
    """'At least 6 of 7 days by 3 Mar 2026', 'by 3 Mar 2026', 'No target yet'."""
    parts = goal.target_value.strip()
    if goal.target_date is not None:
        parts = f"{parts} by {format_date(goal.target_date)}".strip()
    return parts or "No target yet"


def who_text(item: PlanIntervention) -> str:
    """'Provider: Dr Osei · weekly · due 3 Mar 2026'."""
    who = code_label(codes.RESPONSIBLE, item.responsible)
    if item.responsible_name.strip():
        who = f"{who}: {item.responsible_name.strip()}"
    parts = [who]
    if item.frequency.strip():
        parts.append(item.frequency.strip())
    if item.due_date is not None:
        parts.append(f"due {format_date(item.due_date)}")
    return " · ".join(parts)


def item_title(kind: str, record: Any) -> str:
    if kind == PLAN:
        return PLAN_DETAILS
    if kind == NEED:
        return str(record.text)
    if kind == GOAL:
        return f"Goal: {record.text}"
    return f"Intervention: {record.what}"


def kind_noun(kind: str) -> str:
    return {PLAN: "plan details", NEED: "need", GOAL: "goal", INTERVENTION: "intervention"}[kind]


class CarePlanModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._top: list[Node] = []
        self._ids: dict[int, Node] = {}  # id(node) -> node, for internalId
        self._by_record: dict[uuid.UUID, Node] = {}
        self.today = date.today()

    # -- filling ---------------------------------------------------------------------

    def set_plan(self, view: PlanView | None) -> None:
        """Show this plan (or nothing); every row is rebuilt."""
        self.beginResetModel()
        self._top, self._ids, self._by_record = [], {}, {}
        self.today = date.today()
        if view is not None:
            self._add(Node(PLAN, view.plan, None), self._top)
            for need_view in view.needs:
                need = self._add(Node(NEED, need_view.need, None), self._top)
                for goal_view in need_view.goals:
                    self._add(Node(GOAL, goal_view.goal, need), need.children)
                for item in need_view.interventions:
                    self._add(Node(INTERVENTION, item, need), need.children)
        self.endResetModel()

    def _add(self, node: Node, siblings: list[Node]) -> Node:
        siblings.append(node)
        self._ids[id(node)] = node
        self._by_record[node.record_id] = node
        return node

    def clear(self) -> None:
        self.set_plan(None)

    def update_record(self, record: Any) -> bool:
        """Repaint the row of a record that was just saved. False if it is not shown."""
        node = self._by_record.get(record.id)
        if node is None:
            return False
        node.record = record
        first = self._index_of(node, ITEM)
        self.dataChanged.emit(first, first.siblingAtColumn(DETAIL))
        return True

    # -- finding rows ----------------------------------------------------------------

    def node(self, index: Index) -> Node | None:
        if not index.isValid():
            return None
        return self._ids.get(index.internalId())

    def index_for(self, record_id: uuid.UUID, column: int = ITEM) -> QModelIndex:
        node = self._by_record.get(record_id)
        return self._index_of(node, column) if node is not None else QModelIndex()

    def plan_index(self) -> QModelIndex:
        return self.index(0, ITEM) if self._top else QModelIndex()

    def _index_of(self, node: Node, column: int) -> QModelIndex:
        siblings = node.parent.children if node.parent is not None else self._top
        return self.createIndex(node.row(siblings), column, id(node))

    def need_of(self, index: Index) -> Node | None:
        """The need a row belongs to (the need itself for a need row)."""
        node = self.node(index)
        if node is None or node.kind == PLAN:
            return None
        return node if node.kind == NEED else node.parent

    def records(self, kind: str) -> list[Any]:
        """Every shown record of one kind, in tree order."""
        found: list[Any] = []
        for top in self._top:
            if top.kind == kind:
                found.append(top.record)
            found += [child.record for child in top.children if child.kind == kind]
        return found

    def plan(self) -> CarePlan | None:
        return self._top[0].record if self._top else None

    # -- QAbstractItemModel -------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(HEADERS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            siblings = self._top
        else:
            owner = self.node(parent)
            if owner is None or parent.column() != ITEM:
                return QModelIndex()
            siblings = owner.children
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, column, id(siblings[row]))

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self._index_of(node.parent, ITEM)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._top)
        if parent.column() != ITEM:
            return 0
        node = self.node(parent)
        return len(node.children) if node is not None else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(node, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._text(node, column)
        if role == KIND_ROLE:
            return node.kind
        if role == ID_ROLE:
            return node.record_id.hex
        if role == TITLE_ROLE:
            return PLAN_DETAILS if node.kind == PLAN else self._plain_title(node)
        if role == SUBTITLE_ROLE:
            return self.subtitle(node)
        if role == Qt.ItemDataRole.FontRole and column == ITEM and node.kind in (PLAN, NEED):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(node, column)
        return None

    # -- what a row shows --------------------------------------------------------------

    def _text(self, node: Node, column: int) -> str:
        record = node.record
        if column == ITEM:
            return item_title(node.kind, record)
        if node.kind == PLAN:
            if column == STATUS:
                return code_label(codes.PLAN_STATUSES, record.status)
            return f"Review {format_date(record.next_review)}" if record.next_review else ""
        if node.kind == NEED:
            if column == STATUS:
                return _count_text(node)
            return code_label(codes.NEED_SOURCES, record.source)
        if node.kind == GOAL:
            if column == STATUS:
                return code_label(codes.GOAL_STATUSES, record.status)
            return goal_target(record)
        if column == STATUS:
            return code_label(codes.INTERVENTION_STATUSES, record.status)
        return who_text(record)

    @staticmethod
    def _plain_title(node: Node) -> str:
        return str(node.record.what if node.kind == INTERVENTION else node.record.text)

    def subtitle(self, node: Node) -> str:
        """The second line of a row: its kind, status and target or who does it."""
        if node.kind == NEED:
            parts = [_count_text(node), code_label(DOMAINS, node.record.domain)]
            if node.record.source != "care-manager":
                parts.append(f"from {code_label(codes.NEED_SOURCES, node.record.source).lower()}")
        else:
            parts = [self._text(node, STATUS), self._text(node, DETAIL)]
        if node.kind in (GOAL, INTERVENTION):
            parts.insert(0, "Goal" if node.kind == GOAL else "Intervention")
        return " · ".join(p for p in parts if p)

    def _tooltip(self, node: Node, column: int) -> str:
        record = node.record
        if node.kind == PLAN:
            return "The plan's outcome, prognosis, services, review date and appeals"
        if node.kind == NEED:
            lines = [record.text]
            if record.evidence:
                lines.append(f"Evidence: {record.evidence}")
            return "\n".join(lines)
        if node.kind == GOAL:
            lines = [f"Goal: {record.text}"]
            if record.measure:
                lines.append(f"Measure: {record.measure}")
            lines.append(f"Target: {goal_target(record)}")
            return "\n".join(lines)
        return f"Intervention: {record.what}\nWho: {who_text(record)}"

    def _colour(self, node: Node, column: int) -> QColor | None:
        record = node.record
        if node.kind in (GOAL, INTERVENTION) and record.status in DONE:
            return MUTED
        if column == DETAIL and node.kind in (GOAL, INTERVENTION):
            when = record.target_date if node.kind == GOAL else record.due_date
            if when is not None and when < self.today:
                return AMBER
            return None
        if column == ITEM and node.kind in (PLAN, NEED):
            return NAVY
        if column != ITEM:
            return MUTED if node.kind == NEED else None
        return None


def _count_text(node: Node) -> str:
    goals = sum(1 for c in node.children if c.kind == GOAL)
    actions = len(node.children) - goals
    parts = [
        f"{goals} goal{'s' if goals != 1 else ''}",
        f"{actions} intervention{'s' if actions != 1 else ''}",
    ]
    return ", ".join(parts)

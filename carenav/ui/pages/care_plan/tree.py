"""The tree of needs, goals and interventions, driven from the keyboard or the mouse.

| key | what it asks for |
|---|---|
| ↑ ↓ ← → | move, open and close a need |
| Enter | edit the current row (the editor beside the tree takes the keyboard) |
| Insert, Ctrl+N | add: a goal or an intervention under a need, or a need (a small menu) |
| Delete | remove the current row (no question: Ctrl+Z brings it back) |
| Ctrl+Z | undo the last removal |
| Ctrl+↑ / Ctrl+↓ | move the row up or down among its siblings |

The tree only asks (signals); the panel does the work. Right-click offers the same.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from carenav.ui.item_models.care_plan import (
    DETAIL,
    GOAL,
    INTERVENTION,
    ITEM,
    KIND_ROLE,
    NEED,
    STATUS,
    SUBTITLE_ROLE,
    TITLE_ROLE,
)

ADD_KEYS = {Qt.Key.Key_Insert}
CTRL = Qt.KeyboardModifier.ControlModifier


MARKS = {GOAL: QColor("#1d5fa8"), INTERVENTION: QColor("#2f855a")}
TITLE_COLOUR, NEED_COLOUR, SUB_COLOUR = QColor("#1f2933"), QColor("#12355b"), QColor("#52606d")
DONE_COLOUR = QColor("#8a96a3")


class TwoLineDelegate(QStyledItemDelegate):
    """Each row on two lines: the text, then its kind, status and target or who.

    Goals carry a blue mark and interventions a green one, so the two are told apart
    at a glance; the line-one text is elided (the whole of it is in the tooltip and the
    editor).
    """

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + 14)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget is not None else None
        text, option.text = option.text, ""
        if style is not None:  # the selection and focus background only
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        option.text = text
        kind = index.data(KIND_ROLE)
        title = str(index.data(TITLE_ROLE) or "")
        subtitle = str(index.data(SUBTITLE_ROLE) or "")
        muted = index.data(Qt.ItemDataRole.ForegroundRole) is not None and kind in MARKS
        rect = option.rect.adjusted(6, 6, -6, -6)
        painter.save()
        if kind in MARKS:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(MARKS[kind])
            size = 8
            top = rect.top() + QFontMetrics(option.font).height() // 2 - size // 2
            if kind == GOAL:
                painter.drawEllipse(rect.left(), top, size, size)
            else:
                painter.drawRect(rect.left(), top, size, size)
            rect.setLeft(rect.left() + size + 8)
        bold = QFont(option.font)
        bold.setBold(kind in (NEED, "plan"))
        line = QFontMetrics(option.font).height()
        first = QRect(rect.left(), rect.top(), rect.width(), line)
        second = QRect(rect.left(), rect.top() + line + 2, rect.width(), line)
        colour = DONE_COLOUR if muted else NEED_COLOUR if kind in (NEED, "plan") else TITLE_COLOUR
        painter.setFont(bold)
        painter.setPen(colour)
        elided = QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, first.width())
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        plain = QFont(option.font)
        plain.setBold(False)
        painter.setFont(plain)
        painter.setPen(DONE_COLOUR if muted else SUB_COLOUR)
        elided = QFontMetrics(plain).elidedText(
            subtitle, Qt.TextElideMode.ElideRight, second.width()
        )
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()


class PlanTree(QTreeView):
    edit_requested = Signal()
    add_requested = Signal()
    remove_requested = Signal()
    undo_requested = Signal()
    move_requested = Signal(int)  # -1 up, +1 down
    context_requested = Signal(QPoint)  # global position, for the panel's menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planTree")
        self.setAccessibleName("Care plan: needs, goals and interventions")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setItemDelegateForColumn(ITEM, TwoLineDelegate(self))
        self.setHeaderHidden(True)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.setAllColumnsShowFocus(True)
        self.setIndentation(22)
        self.setExpandsOnDoubleClick(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(
            lambda pos: self.context_requested.emit(self.viewport().mapToGlobal(pos))
        )
        self.doubleClicked.connect(lambda _index: self.edit_requested.emit())
        self.add_menu: QMenu | None = None

    def setModel(self, model: object) -> None:  # type: ignore[override]
        super().setModel(model)  # type: ignore[arg-type]
        # status and target are drawn on the second line of the first column
        self.setColumnHidden(STATUS, True)
        self.setColumnHidden(DETAIL, True)
        self.header().setStretchLastSection(True)

    # -- keys ----------------------------------------------------------------------------

    @staticmethod
    def _is_ours(event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        ctrl_only = mods == CTRL
        if key in ADD_KEYS and mods == Qt.KeyboardModifier.NoModifier:
            return True
        if ctrl_only and key in (Qt.Key.Key_N, Qt.Key.Key_Z, Qt.Key.Key_Up, Qt.Key.Key_Down):
            return True
        return key == Qt.Key.Key_Delete and mods == Qt.KeyboardModifier.NoModifier

    def event(self, event: QEvent) -> bool:
        # Ctrl+N is "New patient" elsewhere; in the tree it adds to the plan.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._is_ours(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            self.edit_requested.emit()
        elif (
            (key in ADD_KEYS and mods == Qt.KeyboardModifier.NoModifier)
            or event.matches(QKeySequence.StandardKey.New)
            or (key == Qt.Key.Key_N and mods == CTRL)
        ):
            self.add_requested.emit()
        elif key == Qt.Key.Key_Delete and mods == Qt.KeyboardModifier.NoModifier:
            self.remove_requested.emit()
        elif key == Qt.Key.Key_Z and mods == CTRL:
            self.undo_requested.emit()
        elif key == Qt.Key.Key_Up and mods == CTRL:
            self.move_requested.emit(-1)
        elif key == Qt.Key.Key_Down and mods == CTRL:
            self.move_requested.emit(+1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def select(self, index: QModelIndex) -> None:
        """Make a row current and selected, open its need, and show it."""
        if not index.isValid():
            return
        parent = index.parent()
        if parent.isValid():
            self.expand(parent)
        self.setCurrentIndex(index)
        self.scrollTo(index)

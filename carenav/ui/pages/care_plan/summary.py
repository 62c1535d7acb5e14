"""The care plan at a glance, for the top of the chart.

"Care plan: version 3, active since 2 Nov 2026 · next review 1 Feb 2027" (the review
in amber once overdue), the goals with their status and target, and the next three
interventions that fall due (what, who, when; overdue ones marked). When a version
has been published the summary shows that version, which is what the patient agreed
to and holds a copy of, and says so when the draft has changes not yet published;
before the first publication it shows the draft. Compact: a header line and two
short columns with one line per goal and per intervention (the whole text in a
tooltip), so it fits above the chart's tabs on a small laptop screen.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from carenav.models.codes import GOAL_STATUSES, RESPONSIBLE
from carenav.services.care_plans import current_plan, load_plan
from carenav.services.plan_versions import snapshot_of
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_date

NO_PLAN = "No care plan yet"
MAX_GOALS = 3  # the strip above the chart tabs must stay short on a 768-pixel screen
MAX_DUE = 3
DONE = ("completed", "cancelled")
GOAL_BADGES = {
    "in-progress": "badgeBlue",
    "achieved": "badgeGreen",
    "not-achieved": "badgeAmber",
}

SUMMARY_STYLE = """
QFrame#planSummary { background: #ffffff; border: 1px solid #d9dee5; border-radius: 10px; }
QLabel#summaryTitle { font-size: 12pt; font-weight: 600; color: #12355b; }
QLabel#summaryMeta { color: #334e68; }
QLabel#summaryOverdue { color: #7a4b00; font-weight: 600; }
QLabel#summaryHeading { font-weight: 600; color: #12355b; }
QLabel#summaryText { color: #1f2933; }
QLabel#summaryMuted { color: #52606d; }
QLabel#summaryDue { color: #243b53; font-weight: 600; }
QLabel#noPlan { color: #52606d; }
QLabel#badgeBlue, QLabel#badgeGreen, QLabel#badgeAmber, QLabel#badgeGrey {
    border-radius: 9px; padding: 1px 8px; }
QLabel#badgeBlue { background: #e6f0fa; color: #174c87; border: 1px solid #b6cde8; }
QLabel#badgeGreen { background: #e3f4ea; color: #1f5c38; border: 1px solid #a7d7b8; }
QLabel#badgeAmber { background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    font-weight: 600; }
QLabel#badgeGrey { background: #eef2f6; color: #334e68; border: 1px solid #d9dee5; }
"""


@dataclass(frozen=True)
class GoalLine:
    status: str  # the words, e.g. "In progress"
    badge: str  # the badge's object name
    text: str  # the goal in the patient's words
    target: str = ""  # "Target: no gain over 2 lb a day, by 1 Mar 2027"


@dataclass(frozen=True)
class DueLine:
    due: date
    what: str
    who: str
    overdue: bool

    @property
    def text(self) -> str:
        return f"{self.what} · {self.who} · due {format_date(self.due)}"


@dataclass
class Summary:
    """What the strip shows, as plain data (built without Qt)."""

    title: str
    review: str = ""
    review_overdue: bool = False
    unpublished: bool = False
    goals: list[GoalLine] = field(default_factory=list)
    more_goals: int = 0
    due: list[DueLine] = field(default_factory=list)


def goal_line(goal: dict[str, Any]) -> GoalLine:
    status = str(goal.get("status") or "proposed")
    target = str(goal.get("target_value") or "")
    by = goal.get("target_date")
    when = f"by {format_date(date.fromisoformat(by))}" if by else ""
    aim = f"Target: {target}" + (f", {when}" if when else "") if target else when.capitalize()
    badge = GOAL_BADGES.get(status, "badgeGrey")
    return GoalLine(code_label(GOAL_STATUSES, status), badge, str(goal["text"]), aim)


def due_lines(snapshot: dict[str, Any], today: date) -> list[DueLine]:
    """The next interventions to fall due (overdue first), at most MAX_DUE."""
    open_items = [
        item
        for need in snapshot["needs"]
        for item in need["interventions"]
        if item.get("due_date") and item.get("status") not in DONE
    ]
    open_items.sort(key=lambda item: str(item["due_date"]))
    lines = []
    for item in open_items[:MAX_DUE]:
        due = date.fromisoformat(item["due_date"])
        who = item.get("responsible_name") or code_label(RESPONSIBLE, item.get("responsible", ""))
        lines.append(DueLine(due, str(item["what"]), str(who), due < today))
    return lines


def build_summary(vault: Vault, patient_id: uuid.UUID, today: date | None = None) -> Summary:
    """The patient's plan in use, summarised; Summary(NO_PLAN) when there is none."""
    today = today or date.today()
    plan = current_plan(vault, patient_id)
    if plan is None:
        return Summary(NO_PLAN)
    view = load_plan(vault, plan.id)
    if view.versions:
        newest = view.versions[-1]
        snapshot = dict(newest.snapshot)
        since = format_date(newest.published_at.astimezone().date())
        title = f"Care plan: version {newest.number}, active since {since}"
    else:
        snapshot = snapshot_of(view)
        title = "Care plan: draft, not published yet"
    summary = Summary(title, unpublished=bool(view.versions) and plan.changed_since_publish)
    if plan.next_review is not None:
        summary.review_overdue = plan.next_review < today
        summary.review = f"next review {format_date(plan.next_review)}" + (
            " (overdue)" if summary.review_overdue else ""
        )
    goals = [
        goal_line(goal)
        for need in snapshot["needs"]
        for goal in need["goals"]
        if goal.get("status") != "cancelled"
    ]
    summary.goals = goals[:MAX_GOALS]
    summary.more_goals = max(0, len(goals) - MAX_GOALS)
    summary.due = due_lines(snapshot, today)
    return summary


class ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit; the whole text is its tooltip.

    Keeps the summary strip one line per goal and per intervention, so it stays short
    above the chart's tabs on a small laptop screen.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, rect.width()
        )
        self.style().drawItemText(
            painter,
            rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )


def _label(text: str, name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    return label


class PlanSummary(QFrame):
    """The active care plan at a glance; ``show_plan`` fills it, ``clear`` empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planSummary")
        self.setStyleSheet(SUMMARY_STYLE)
        self.setAccessibleName("Care plan summary")
        self.summary: Summary | None = None
        self._content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(14, 10, 14, 10)

    def show_plan(self, vault: Vault, patient_id: uuid.UUID, *, today: date | None = None) -> None:
        self.show_summary(build_summary(vault, patient_id, today))

    def show_summary(self, summary: Summary) -> None:
        self.clear()
        self.summary = summary
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        if summary.title == NO_PLAN:
            column.addWidget(_label(NO_PLAN, "noPlan"))
        else:
            column.addLayout(self._header(summary))
            column.addLayout(self._columns(summary))
        self._content = content
        self._layout.addWidget(content)

    def clear(self) -> None:
        """Remove everything shown (the vault is locking, or another patient is opened)."""
        self.summary = None
        if self._content is not None:
            self._layout.removeWidget(self._content)
            self._content.setParent(None)
            self._content.deleteLater()
            self._content = None

    def text(self) -> str:
        """Every piece of text shown, top to bottom (for tests and screen readers)."""
        if self._content is None:
            return ""
        labels = self._content.findChildren(QLabel)
        return "\n".join(label.text().replace("\u00a0", " ") for label in labels)

    @staticmethod
    def _header(summary: Summary) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(_label(summary.title, "summaryTitle"))
        if summary.review:
            name = "summaryOverdue" if summary.review_overdue else "summaryMeta"
            row.addWidget(_label(f"· {summary.review}", name))
        if summary.unpublished:
            row.addWidget(_label("has unpublished changes", "badgeGrey"))
        row.addStretch(1)
        return row

    @staticmethod
    def _columns(summary: Summary) -> QHBoxLayout:
        """Goals on the left, the next due interventions on the right: one line each."""
        row = QHBoxLayout()
        row.setSpacing(28)
        goals = QGridLayout()
        goals.setHorizontalSpacing(10)
        goals.setVerticalSpacing(4)
        goals.addWidget(_label("Goals", "summaryHeading"), 0, 0, 1, 3)
        for line, goal in enumerate(summary.goals, start=1):
            goals.addWidget(_label(goal.status, goal.badge), line, 0)
            goals.addWidget(ElidedLabel(goal.text, "summaryText"), line, 1)
            if goal.target:
                goals.addWidget(ElidedLabel(_unbroken(goal.target), "summaryMuted"), line, 2)
        last = len(summary.goals) + 1
        if not summary.goals:
            goals.addWidget(_label("No goals yet", "summaryMuted"), last, 0, 1, 3)
        elif summary.more_goals:
            more = f"and {summary.more_goals} more on the Care plan tab"
            goals.addWidget(_label(more, "summaryMuted"), last, 1, 1, 2)
        goals.setColumnStretch(1, 3)
        goals.setColumnStretch(2, 2)
        goals.setRowStretch(last + 1, 1)
        due = QGridLayout()
        due.setHorizontalSpacing(12)
        due.setVerticalSpacing(4)
        due.addWidget(_label("Next due", "summaryHeading"), 0, 0, 1, 3)
        for index, item in enumerate(summary.due, start=1):
            when = _label(_unbroken(format_date(item.due)), "summaryDue", wrap=False)
            if item.overdue:
                when.setObjectName("summaryOverdue")
            due.addWidget(when, index, 0)
            due.addWidget(ElidedLabel(f"{item.what} · {item.who}", "summaryText"), index, 1)
            if item.overdue:
                due.addWidget(_label("Overdue", "badgeAmber"), index, 2)
        if not summary.due:
            due.addWidget(_label("Nothing due with a date", "summaryMuted"), 1, 0, 1, 3)
        due.setColumnStretch(1, 1)
        due.setRowStretch(len(summary.due) + 2, 1)
        row.addLayout(goals, 3)
        row.addLayout(due, 2)
        return row


DAY = re.compile(r"\b(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\b")


def _unbroken(text: str) -> str:
    """Dates ('1 Mar 2027') never break across lines."""
    return DAY.sub("\\1\u00a0\\2\u00a0\\3", text)

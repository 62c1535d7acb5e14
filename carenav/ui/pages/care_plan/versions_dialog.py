"""The versions of a care plan, who agreed with each, and what changed between any two.

Left: the draft (when it has unpublished changes) and every published version,
newest first, each with its status, when and by whom it was published, its change
note and who agreed with it (amber while the active version has no agreement yet);
beneath the list, the agreements with the selected version and the buttons to record
one, record the copy given, or view a signature drawn on screen. Right: "Compare …
with …" and the changes in plain words, grouped as Added, Changed, Completed or
achieved, and Removed. Everything is reachable with the keyboard.
"""

from __future__ import annotations

import uuid
from html import escape

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.models import CarePlanVersion, PlanAgreement
from carenav.services.care_plans import PlanView, load_plan
from carenav.services.patients import get_patient
from carenav.services.plan_versions import DRAFT, Change, compare_versions, version_status
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date
from carenav.ui.pages.care_plan.agreement_dialog import (
    AgreementDialog,
    CopyGivenDialog,
    agreement_summary,
)
from carenav.ui.widgets.signature_pad import SignaturePad

TITLE = "Care plan versions"
DRAFT_TITLE = "Draft (unpublished changes)"
NO_AGREEMENT = "No agreement recorded yet"
NO_CHANGES = "No changes"
GROUPS = (
    ("Added", ("added",), "+", "#2f855a"),
    ("Changed", ("changed",), "→", "#1d5fa8"),
    ("Completed or achieved", ("completed", "achieved"), "✓", "#0f766e"),
    ("Removed", ("removed",), "−", "#b42318"),
)
STATUS_WORDS = {"active": "Active", "revised": "Revised", "completed": "Completed"}

VERSIONS_STYLE = """
QLabel#columnTitle { font-size: 13pt; font-weight: 600; color: #12355b; }
QListWidget#versionList { background: #ffffff; border: 1px solid #d9dee5; border-radius: 6px;
    outline: none; }
QListWidget#versionList::item { border-bottom: 1px solid #e4e7eb; }
QListWidget#versionList::item:selected { background: #dbe8f7; }
QListWidget#versionList:focus { border: 2px solid #1d5fa8; }
QLabel#versionTitle { font-weight: 600; color: #12355b; }
QLabel#versionMeta { color: #52606d; }
QLabel#agreementText { color: #243b53; }
QLabel#agreementMissing { color: #7a4b00; font-weight: 600; }
QLabel#statusActive { background: #e3f4ea; color: #1f5c38; border: 1px solid #a7d7b8;
    border-radius: 9px; padding: 1px 8px; }
QLabel#statusOther { background: #eef2f6; color: #334e68; border: 1px solid #d9dee5;
    border-radius: 9px; padding: 1px 8px; }
QLabel#statusDraft { background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    border-radius: 9px; padding: 1px 8px; }
QTextBrowser#changesView { background: #ffffff; border: 1px solid #d9dee5; border-radius: 6px;
    padding: 6px; }
QTextBrowser#changesView:focus { border: 2px solid #1d5fa8; }
QGroupBox#agreementBox { background: #ffffff; border: 1px solid #d9dee5; border-radius: 6px;
    margin-top: 14px; padding: 14px 10px 10px 10px; font-weight: 600; color: #12355b; }
QGroupBox#agreementBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QGroupBox#agreementBox QLabel, QGroupBox#agreementBox QPushButton { font-weight: normal; }
QLabel#amberNote { background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    border-radius: 6px; padding: 6px 10px; font-weight: 600; }
"""


def version_label(number: int, status: str = "") -> str:
    if number == DRAFT:
        return DRAFT_TITLE
    return f"Version {number}" + (f" ({status})" if status == "active" else "")


def changes_html(changes: list[Change], heading: str) -> str:
    """The comparison as HTML: one heading per kind of change, a coloured marker per line."""
    if not changes:
        return f"<p style='color:#52606d'>{escape(heading)}</p><p><b>{NO_CHANGES}</b></p>"
    count = f"{len(changes)} change" + ("" if len(changes) == 1 else "s")
    parts = [f"<p style='color:#52606d'>{escape(heading)}: {count}</p>"]
    for title, kinds, marker, colour in GROUPS:
        group = [c for c in changes if c.kind in kinds]
        if not group:
            continue
        parts.append(
            f"<h3 style='color:#12355b; margin-top:12px; margin-bottom:4px'>"
            f"{title} ({len(group)})</h3>"
        )
        rows = "".join(
            f"<tr><td width='26' valign='top' style='color:{colour}; font-weight:700'>"
            f"{marker}</td><td>{escape(change.text)}</td></tr>"
            for change in group
        )
        parts.append(f"<table cellspacing='0' cellpadding='3'>{rows}</table>")
    return "".join(parts)


class VersionItem(QWidget):
    """One line of the versions list: title and status, publication, agreements."""

    def __init__(self, lines: list[tuple[str, str]], badge: tuple[str, str] | None) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(3)
        self.labels: list[QLabel] = []
        for index, (text, name) in enumerate(lines):
            label = QLabel(text)
            label.setObjectName(name)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            self.labels.append(label)
            if index == 0 and badge is not None:
                row = QHBoxLayout()
                row.setSpacing(8)
                row.addWidget(label)
                status = QLabel(badge[0])
                status.setObjectName(badge[1])
                self.labels.append(status)
                row.addWidget(status)
                row.addStretch(1)
                column.addLayout(row)
            else:
                column.addWidget(label)

    def text(self) -> str:
        return "\n".join(label.text() for label in self.labels)


class SignatureDialog(QDialog):
    """A stored signature, shown read-only."""

    def __init__(self, agreement: PlanAgreement, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Signature")
        caption = QLabel(
            f"Signed on screen by {agreement.agreed_by} on {format_date(agreement.agreed_on)}"
        )
        caption.setTextFormat(Qt.TextFormat.PlainText)
        caption.setWordWrap(True)
        self.pad = SignaturePad()
        self.pad.set_read_only_image(agreement.signature_png or b"")
        self.pad.setAccessibleName("Stored signature")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addWidget(caption)
        layout.addWidget(self.pad)
        layout.addWidget(buttons)
        self.setMinimumWidth(640)

    def reject(self) -> None:
        self.pad.clear()  # the picture leaves memory with the window
        super().reject()


class VersionsDialog(QDialog):
    """The versions of one plan; ``agreements_changed`` after an agreement or copy is saved."""

    agreements_changed = Signal()

    def __init__(self, vault: Vault, plan_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.plan_id = plan_id
        self.view: PlanView | None = None
        self.child_dialog: QDialog | None = None
        self._patient_name: str | None = None
        self.setWindowTitle(TITLE)
        self.setStyleSheet(VERSIONS_STYLE)

        versions_title = QLabel("&Versions")
        versions_title.setObjectName("columnTitle")
        self.version_list = QListWidget()
        self.version_list.setObjectName("versionList")
        self.version_list.setAccessibleName("Versions of the care plan")
        self.version_list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.version_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.version_list.currentRowChanged.connect(self._on_selected)
        self.version_list.viewport().installEventFilter(self)
        versions_title.setBuddy(self.version_list)

        self.agreement_box = QGroupBox("Agreement")
        self.agreement_box.setObjectName("agreementBox")
        self.agreement_rows = QVBoxLayout()
        self.agreement_rows.setSpacing(6)
        self.record_button = QPushButton("&Record agreement…")
        self.record_button.clicked.connect(self.record_agreement)
        box_layout = QVBoxLayout(self.agreement_box)
        box_layout.addLayout(self.agreement_rows)
        record_row = QHBoxLayout()
        record_row.addWidget(self.record_button)
        record_row.addStretch(1)
        box_layout.addLayout(record_row)

        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(versions_title)
        left.addWidget(self.version_list, 1)
        left.addWidget(self.agreement_box)

        changes_title = QLabel("What changed")
        changes_title.setObjectName("columnTitle")
        self.old_combo = QComboBox()
        self.old_combo.setAccessibleName("Compare this version")
        self.new_combo = QComboBox()
        self.new_combo.setAccessibleName("with this version")
        for combo in (self.old_combo, self.new_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.show_comparison)
        compare_label = QLabel("&Compare")
        compare_label.setBuddy(self.old_combo)
        with_label = QLabel("wit&h")
        with_label.setBuddy(self.new_combo)
        picker = QHBoxLayout()
        picker.setSpacing(8)
        picker.addWidget(compare_label)
        picker.addWidget(self.old_combo)
        picker.addWidget(with_label)
        picker.addWidget(self.new_combo)
        picker.addStretch(1)
        self.changes_view = QTextBrowser()
        self.changes_view.setObjectName("changesView")
        self.changes_view.setAccessibleName("Changes between the two versions")
        self.changes_view.setOpenLinks(False)
        self.changes_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.changes_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(changes_title)
        right.addLayout(picker)
        right.addWidget(self.changes_view, 1)

        columns = QHBoxLayout()
        columns.setSpacing(18)
        columns.addLayout(left, 5)
        columns.addLayout(right, 6)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(1120, 660)
        self.reload()
        self.version_list.setFocus()

    # -- reading -------------------------------------------------------------

    @property
    def versions(self) -> list[CarePlanVersion]:
        """Newest first."""
        return list(reversed(self.view.versions)) if self.view is not None else []

    def has_draft(self) -> bool:
        """The draft is listed when it differs from the newest version (or none exists)."""
        if self.view is None:
            return False
        return self.view.plan.changed_since_publish or not self.view.versions

    def reload(self) -> None:
        """Read the plan again and rebuild the list, keeping the selection and comparison."""
        selected = self.selected_number()
        old, new = self.old_combo.currentData(), self.new_combo.currentData()
        self.view = load_plan(self.vault, self.plan_id)
        self._fill_list()
        self._fill_combos(old, new)
        numbers = self._row_numbers()
        if selected in numbers:
            self.version_list.setCurrentRow(numbers.index(selected))
        elif numbers:
            self.version_list.setCurrentRow(1 if numbers[0] == DRAFT and len(numbers) > 1 else 0)
        self.show_comparison()

    def _row_numbers(self) -> list[int]:
        return ([DRAFT] if self.has_draft() else []) + [v.number for v in self.versions]

    def selected_number(self) -> int | None:
        """The version number selected in the list (0 for the draft), or None."""
        row = self.version_list.currentRow()
        numbers = self._row_numbers() if self.view is not None else []
        return numbers[row] if 0 <= row < len(numbers) else None

    def selected_version(self) -> CarePlanVersion | None:
        number = self.selected_number()
        return next((v for v in self.versions if v.number == number), None)

    def select_version(self, number: int) -> None:
        self.version_list.setCurrentRow(self._row_numbers().index(number))

    def item_texts(self) -> list[str]:
        """The text of each list entry, top to bottom (what a reader sees)."""
        texts = []
        for row in range(self.version_list.count()):
            widget = self.version_list.itemWidget(self.version_list.item(row))
            texts.append(widget.text() if isinstance(widget, VersionItem) else "")
        return texts

    # -- the list ------------------------------------------------------------

    def _fill_list(self) -> None:
        assert self.view is not None
        self.version_list.blockSignals(True)
        self.version_list.clear()
        if self.has_draft():
            since = self.view.plan.published_version
            meta = (
                f"Changed since version {since}; publish it to ask for agreement."
                if since
                else "Not published yet; publish it to ask for agreement."
            )
            self._add_item([(DRAFT_TITLE, "versionTitle"), (meta, "versionMeta")], None)
        for version in self.versions:
            self._add_item(*self._version_lines(version))
        self.version_list.blockSignals(False)
        self._fit_items()

    def _version_lines(
        self, version: CarePlanVersion
    ) -> tuple[list[tuple[str, str]], tuple[str, str]]:
        assert self.view is not None
        status = version_status(self.view.plan, version)
        published = format_date(version.published_at.astimezone().date())
        meta = f"Published {published} by {version.published_by}"
        if version.change_note:
            note = version.change_note
            meta += f" · “{note if len(note) <= 140 else note[:139] + '…'}”"
        lines = [(f"Version {version.number}", "versionTitle"), (meta, "versionMeta")]
        agreements = self.view.agreements.get(version.id, [])
        for agreement in agreements:
            missing_copy = agreement.copy_given_on is None and status == "active"
            lines.append(
                (
                    agreement_summary(agreement),
                    "agreementMissing" if missing_copy else "agreementText",
                )
            )
        if not agreements:
            if status == "active":
                lines.append((NO_AGREEMENT, "agreementMissing"))
            else:
                lines.append(("No agreement recorded", "versionMeta"))
        badge = (
            STATUS_WORDS.get(status, status),
            "statusActive" if status == "active" else "statusOther",
        )
        return lines, badge

    def _add_item(self, lines: list[tuple[str, str]], badge: tuple[str, str] | None) -> None:
        item = QListWidgetItem()
        widget = VersionItem(lines, badge)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, widget.text().replace("\n", ". "))
        self.version_list.addItem(item)
        self.version_list.setItemWidget(item, widget)

    def _fit_items(self) -> None:
        """Give each entry the height its wrapped lines need at the list's width."""
        width = self.version_list.viewport().width()
        for row in range(self.version_list.count()):
            item = self.version_list.item(row)
            widget = self.version_list.itemWidget(item)
            if widget is None:
                continue
            height = (
                widget.heightForWidth(width)
                if widget.hasHeightForWidth()
                else widget.sizeHint().height()
            )
            item.setSizeHint(QSize(width, max(height, widget.minimumSizeHint().height())))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.version_list.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_items()
        return super().eventFilter(watched, event)

    # -- the agreements with the selected version -------------------------------

    def _on_selected(self) -> None:
        while self.agreement_rows.count():
            entry = self.agreement_rows.takeAt(0)
            widget = entry.widget() if entry is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        number = self.selected_number()
        version = self.selected_version()
        if number == DRAFT or version is None:
            self.agreement_box.setTitle("Agreement")
            self._add_agreement_note("Publish the draft before asking for agreement.")
            self.record_button.setEnabled(False)
            return
        assert self.view is not None
        self.agreement_box.setTitle(f"Agreement with version {version.number}")
        self.record_button.setEnabled(True)
        agreements = self.view.agreements.get(version.id, [])
        for agreement in agreements:
            self._add_agreement_row(agreement)
        if not agreements:
            active = version_status(self.view.plan, version) == "active"
            self._add_agreement_note(
                NO_AGREEMENT if active else "No agreement recorded.", amber=active
            )

    def _add_agreement_note(self, text: str, *, amber: bool = False) -> None:
        label = QLabel(text)
        label.setObjectName("amberNote" if amber else "versionMeta")
        label.setWordWrap(True)
        self.agreement_rows.addWidget(label)

    def _add_agreement_row(self, agreement: PlanAgreement) -> None:
        """The agreement in words, its buttons beneath (Copy given…, View signature…)."""
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        label = QLabel(agreement_summary(agreement))
        label.setObjectName("agreementText")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        if agreement.copy_given_on is None:
            copy = QPushButton("Copy given…")
            copy.setAccessibleName(
                f"Record the copy given for the agreement by {agreement.agreed_by}"
            )
            copy.clicked.connect(lambda _=False, a=agreement: self.give_copy(a))
            buttons.addWidget(copy)
        if agreement.signature_png:
            view = QPushButton("View signature…")
            view.clicked.connect(lambda _=False, a=agreement: self.show_signature(a))
            buttons.addWidget(view)
        if buttons.count():
            buttons.addStretch(1)
            layout.addLayout(buttons)
        self.agreement_rows.addWidget(row)

    def agreement_buttons(self) -> list[QPushButton]:
        """The buttons beside the selected version's agreements (Copy given…, View signature…)."""
        return [
            b
            for b in self.agreement_box.findChildren(QPushButton)
            if b is not self.record_button and b.parent() is not None
        ]

    # -- actions -------------------------------------------------------------

    def _patient(self) -> str:
        if self._patient_name is None:
            assert self.view is not None
            patient = get_patient(self.vault, self.view.plan.patient_id)
            self._patient_name = f"{patient.given_name} {patient.family_name}".strip()
        return self._patient_name

    def record_agreement(self) -> AgreementDialog | None:
        """Open the agreement dialog for the selected version (window-modal, not blocking)."""
        version = self.selected_version()
        if version is None:
            return None
        dialog = AgreementDialog(self.vault, version, patient_name=self._patient(), parent=self)
        self._open(dialog)
        return dialog

    def give_copy(self, agreement: PlanAgreement) -> CopyGivenDialog:
        dialog = CopyGivenDialog(self.vault, agreement, parent=self)
        self._open(dialog)
        return dialog

    def show_signature(self, agreement: PlanAgreement) -> SignatureDialog:
        dialog = SignatureDialog(agreement, parent=self)
        self.child_dialog = dialog
        dialog.finished.connect(self._child_closed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _open(self, dialog: QDialog) -> None:
        self.child_dialog = dialog
        dialog.accepted.connect(self._after_saving)
        dialog.finished.connect(self._child_closed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _child_closed(self) -> None:
        self.child_dialog = None

    def reject(self) -> None:
        """Close (also when the vault locks): an open agreement or copy dialog closes first."""
        for child in self.findChildren(QDialog):
            if child.isVisible():
                child.reject()
        super().reject()

    def _after_saving(self) -> None:
        try:
            self.reload()
        except CareNavError as exc:
            self.message.setText(str(exc))
            self.message.setVisible(True)
        self.agreements_changed.emit()

    # -- comparing -----------------------------------------------------------

    def _fill_combos(self, old: object, new: object) -> None:
        numbers = self._row_numbers()
        assert self.view is not None
        statuses = {v.number: version_status(self.view.plan, v) for v in self.versions}
        for combo in (self.old_combo, self.new_combo):
            combo.blockSignals(True)
            combo.clear()
            for number in numbers:
                combo.addItem(version_label(number, statuses.get(number, "")), number)
        if old in numbers and new in numbers:
            self.old_combo.setCurrentIndex(numbers.index(old))  # type: ignore[arg-type]
            self.new_combo.setCurrentIndex(numbers.index(new))  # type: ignore[arg-type]
        else:
            self._default_pair(numbers)
        for combo in (self.old_combo, self.new_combo):
            combo.setEnabled(len(numbers) > 1)
            combo.blockSignals(False)

    def _default_pair(self, numbers: list[int]) -> None:
        """The newest version with the draft, or else with the version before it."""
        if len(numbers) < 2:
            return
        self.new_combo.setCurrentIndex(0)
        self.old_combo.setCurrentIndex(1)

    def compare(self, old: int, new: int) -> None:
        """Show what changed from version ``old`` to ``new`` (0 is the draft)."""
        numbers = self._row_numbers()
        self.old_combo.blockSignals(True)
        self.old_combo.setCurrentIndex(numbers.index(old))
        self.old_combo.blockSignals(False)
        self.new_combo.setCurrentIndex(numbers.index(new))
        self.show_comparison()

    def show_comparison(self) -> None:
        old, new = self.old_combo.currentData(), self.new_combo.currentData()
        if old is None or new is None or self.old_combo.count() < 2:
            self.changes_view.setHtml(
                "<p style='color:#52606d'>There is only one version so far: "
                "nothing to compare yet.</p>"
            )
            return
        if old == new:
            self.changes_view.setHtml(
                "<p style='color:#52606d'>Choose two different versions to compare.</p>"
            )
            return
        heading = f"From {self._phrase(old)} to {self._phrase(new)}"
        try:
            changes = compare_versions(self.vault, self.plan_id, int(old), int(new))
        except CareNavError as exc:
            self.changes_view.setPlainText(str(exc))
            return
        self.changes_view.setHtml(changes_html(changes, heading))

    @staticmethod
    def _phrase(number: int) -> str:
        return "the draft" if number == DRAFT else f"version {number}"

    def changes_text(self) -> str:
        return self.changes_view.toPlainText()

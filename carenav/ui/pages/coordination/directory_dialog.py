"""The form for a directory entry: an organisation and one of its services.

One dialog for three jobs: a new organisation with its first service, another service
of an organisation already listed, and changing an entry (its organisation's details
change for every one of its services). Everything typed is checked before anything is
saved (``clean_organisation`` / ``clean_service``, the rules the CSV import uses), and a
refused value is explained beside its field; nothing typed is cleared.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.services import directory
from carenav.services.directory import CATEGORIES, ServiceView
from carenav.store.vault import Vault
from carenav.ui.widgets.layout import message_label, show_message

NEW_ENTRY = "new"
ADD_SERVICE = "add-service"
EDIT_ENTRY = "edit"
ORG_FIELDS = (
    ("name", "Name"),
    ("phone", "Main phone"),
    ("website", "Website"),
    ("address_line", "Street address"),
    ("city", "City"),
    ("state", "State"),
    ("postal_code", "Postal code"),
)
SERVICE_LINES = (
    ("name", "Service name"),
    ("phone", "Direct phone"),
    ("hours", "Hours"),
    ("languages", "Languages"),
    ("last_verified", "Last verified"),
)
SERVICE_TEXTS = (
    ("eligibility", "Eligibility"),
    ("how_to_refer", "How to refer"),
    ("what_to_bring", "What to bring"),
    ("notes", "Notes"),
)
HINTS = {
    "languages": "separate with ';' e.g. English; Spanish",
    "last_verified": "YYYY-MM-DD, the day you checked these details",
    "phone": "blank: the organisation's main phone",
}


def _text_box(name: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(54)
    return box


class DirectoryEntryDialog(QDialog):
    """Add or change an organisation and a service (see the module docstring)."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        mode: str = NEW_ENTRY,
        entry: ServiceView | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        titles = {
            NEW_ENTRY: "Add an organisation",
            ADD_SERVICE: "Add a service",
            EDIT_ENTRY: "Change a directory entry",
        }
        self.setWindowTitle(titles[mode])
        self.setModal(True)
        self.vault = vault
        self.mode = mode
        self.entry = entry
        self.saved_service_id: uuid.UUID | None = None
        self.org_edits: dict[str, QLineEdit] = {}
        self.service_edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}  # "org.name", "service.categories", ...
        self._build()
        if entry is not None:
            self._fill(entry, with_service=mode == EDIT_ENTRY)
        if mode != EDIT_ENTRY:
            verified = self.service_edits["last_verified"]
            assert isinstance(verified, QLineEdit)
            verified.setText((today or date.today()).isoformat())
        first = self.org_edits["name"] if mode == NEW_ENTRY else self.service_edits["name"]
        first.setFocus()

    # -- layout ---------------------------------------------------------------------

    def _error_row(self, form: QFormLayout, key: str) -> None:
        label = message_label()
        self.errors[key] = label
        form.addRow("", label)

    def _row(self, form: QFormLayout, key: str, label: str, widget: QWidget, hint: str) -> None:
        if hint:
            box = QWidget()
            line = QHBoxLayout(box)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(widget, 1)
            note = QLabel(hint)
            note.setObjectName("fieldHint")
            line.addWidget(note)
            form.addRow(label, box)
        else:
            form.addRow(label, widget)
        self._error_row(form, key)

    def _build(self) -> None:
        org_box = QGroupBox("Organisation")
        org_form = QFormLayout(org_box)
        for name, label in ORG_FIELDS:
            edit = QLineEdit()
            edit.setAccessibleName(f"Organisation {label.lower()}")
            self.org_edits[name] = edit
            self._row(org_form, f"org.{name}", label, edit, "")
        if self.mode == EDIT_ENTRY:
            note = QLabel("Changes here apply to every service of this organisation.")
            note.setObjectName("fieldHint")
            org_form.addRow("", note)

        service_box = QGroupBox("Service")
        service_form = QFormLayout(service_box)
        for name, label in SERVICE_LINES:
            edit = QLineEdit()
            edit.setAccessibleName(label)
            self.service_edits[name] = edit
            self._row(service_form, f"service.{name}", label, edit, HINTS.get(name, ""))
        self.categories = QListWidget()
        self.categories.setAccessibleName("Categories")
        for code, label in CATEGORIES.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.categories.addItem(item)
        self.categories.setFixedHeight(130)
        self._row(service_form, "service.categories", "Categories", self.categories, "")
        for name, label in SERVICE_TEXTS:
            box = _text_box(label)
            self.service_edits[name] = box
            self._row(service_form, f"service.{name}", label, box, "")

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(org_box)
        column.addWidget(service_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)

        self.message = message_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(680, 700)

    def _fill(self, entry: ServiceView, *, with_service: bool) -> None:
        org = {
            "name": entry.organisation,
            "phone": entry.organisation_phone,
            "website": entry.website,
            "address_line": entry.address_line,
            "city": entry.city,
            "state": entry.state,
            "postal_code": entry.postal_code,
        }
        for name, value in org.items():
            self.org_edits[name].setText(value)
            self.org_edits[name].setCursorPosition(0)
        if not with_service:
            return
        service = {
            "name": entry.name,
            "phone": entry.service_phone,
            "hours": entry.hours,
            "languages": "; ".join(entry.languages),
            "last_verified": entry.last_verified.isoformat() if entry.last_verified else "",
            "eligibility": entry.eligibility,
            "how_to_refer": entry.how_to_refer,
            "what_to_bring": entry.what_to_bring,
            "notes": entry.notes,
        }
        for name, value in service.items():
            edit = self.service_edits[name]
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
                edit.setCursorPosition(0)
        self.set_categories(entry.categories)

    def set_categories(self, codes: tuple[str, ...] | list[str]) -> None:
        for row in range(self.categories.count()):
            item = self.categories.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    # -- values ---------------------------------------------------------------------

    def organisation_values(self) -> dict[str, Any]:
        return {name: edit.text().strip() for name, edit in self.org_edits.items()}

    def service_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, edit in self.service_edits.items():
            text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
            values[name] = text.strip()
        values["categories"] = [
            self.categories.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.categories.count())
            if self.categories.item(row).checkState() == Qt.CheckState.Checked
        ]
        if not values["last_verified"]:
            values["last_verified"] = None
        return values

    # -- saving ---------------------------------------------------------------------

    def show_errors(self, errors: Mapping[str, str], prefix: str) -> None:
        general = []
        for field, text in errors.items():
            label = self.errors.get(f"{prefix}.{field}")
            if label is None:
                general.append(text)
            else:
                show_message(label, text)
        show_message(
            self.message, " ".join(general) or "Not saved yet: correct the fields marked in red."
        )
        for key, label in self.errors.items():
            if label.isVisible() or label.text():
                group, field = key.split(".", 1)
                widget: QWidget | None = (
                    self.org_edits.get(field)
                    if group == "org"
                    else self.categories
                    if field == "categories"
                    else self.service_edits.get(field)
                )
                if widget is not None:
                    widget.setFocus()
                break

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_message(label, "")
        show_message(self.message, "")

    def accept(self) -> None:
        if self.save():
            super().accept()

    def save(self) -> bool:
        """Check both halves, then write; False (with the messages shown) if refused."""
        self.clear_errors()
        org = self.organisation_values()
        service = self.service_values()
        creating_service = self.mode != EDIT_ENTRY
        problems = False
        try:
            directory.clean_organisation(org, creating=True)
        except InvalidInput as exc:
            self.show_errors(exc.errors, "org")
            problems = True
        service_errors: dict[str, str] = {}
        try:
            directory.clean_service(service, creating=creating_service)
        except InvalidInput as exc:
            service_errors.update(exc.errors)
        if not service["categories"]:  # said at once, not after the other fields are right
            service_errors.setdefault(
                "categories", "Choose at least one category, for example Food."
            )
        if service_errors:
            self.show_errors(service_errors, "service")
            problems = True
        if problems:
            return False
        try:
            self._write(org, service)
        except InvalidInput as exc:
            self.show_errors(exc.errors, "service")
            return False
        except CareNavError as exc:
            show_message(self.message, f"Not saved: {exc}")
            return False
        return True

    def _write(self, org: dict[str, Any], service: dict[str, Any]) -> None:
        if self.mode == NEW_ENTRY:
            organisation = directory.add_organisation(self.vault, org)
            try:
                added = directory.add_service(self.vault, organisation.id, service)
            except CareNavError:
                directory.remove_organisation(self.vault, organisation.id)
                raise
            self.saved_service_id = added.id
            return
        assert self.entry is not None
        if self.mode == ADD_SERVICE:
            added = directory.add_service(self.vault, self.entry.organisation_id, service)
            self.saved_service_id = added.id
        else:
            directory.update_service(self.vault, self.entry.service_id, service)
            self.saved_service_id = self.entry.service_id
        directory.update_organisation(self.vault, self.entry.organisation_id, org)

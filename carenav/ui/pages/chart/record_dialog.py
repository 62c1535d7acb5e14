"""One dialog adds or edits any kind of chart record, generated from its fields.

OK saves through carenav.services.chart. When the values are not accepted the
dialog stays open with everything that was typed, and each message appears
directly beneath its field; a record changed elsewhere gets the StaleRecord
message instead of being overwritten.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.services.chart import add_chart_record, update_chart_record
from carenav.services.drafts import merge_into_draft
from carenav.store.vault import Vault
from carenav.ui.pages.chart.dialogs import confirm_removal
from carenav.ui.pages.chart.draft_banner import record_form_name
from carenav.ui.pages.chart.editors import FieldEditors
from carenav.ui.pages.chart.fields import FieldKind, RecordKind


def new_record_values(kind: RecordKind) -> dict[str, Any]:
    """What a new record's form starts with: the model's own defaults."""
    values: dict[str, Any] = {}
    for spec in kind.fields:
        info = kind.model.model_fields.get(spec.name)
        if info is not None and not info.is_required():
            values[spec.name] = info.get_default(call_default_factory=True)
    return values


def record_values(kind: RecordKind, record: Any) -> dict[str, Any]:
    return {spec.name: getattr(record, spec.name) for spec in kind.fields}


class RecordDialog(QDialog):
    """Add (record=None) or edit one record. After accept, ``saved_id`` is its id."""

    def __init__(
        self,
        vault: Vault,
        kind: RecordKind,
        patient_id: uuid.UUID,
        record: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.kind = kind
        self.patient_id = patient_id
        self.record = record
        self.saved_id: uuid.UUID | None = None
        # Which draft keeps this dialog's values if the vault locks: the record's
        # id when editing, a fresh id per new record (two unsaved ones never mix).
        self.draft_key: uuid.UUID = record.id if record is not None else uuid.uuid4()
        verb = "Edit" if record is not None else "Add"
        self.setWindowTitle(f"{verb} {kind.noun}")
        self.setModal(True)

        self.editors = FieldEditors(kind.fields)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        self.editors.add_rows(form)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        hint = QLabel("Fields marked * are required.")
        hint.setObjectName("fieldHint")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)

        start = record_values(kind, record) if record is not None else new_record_values(kind)
        self.editors.set_values(start)
        self._start = self.editors.values()
        self._focus_first_field()

    def _focus_first_field(self) -> None:
        first = next(
            e for e in self.editors.editors.values() if e.spec.kind is not FieldKind.DATETIME
        )
        first.focus()

    def accept(self) -> None:
        """Save; on a problem keep the dialog open with what was typed."""
        self.message.setVisible(False)
        values = self.editors.values()
        try:
            self.saved_id = self._save(values)
        except InvalidInput as exc:
            leftover = self.editors.show_errors(exc.errors)
            if leftover:
                self._show_message(" ".join(leftover.values()))
            self._fit_messages()
            return
        except CareNavError as exc:
            self.editors.clear_errors()
            self._show_message(str(exc))
            self._fit_messages()
            return
        super().accept()

    def reject(self) -> None:
        """Cancel or Esc: ask first when something was typed, so nothing is lost by accident."""
        if self.has_typed_changes() and not confirm_removal(
            self,
            title=self.windowTitle(),
            question="Discard what you typed?",
            detail=f"This {self.kind.noun} has not been saved.",
            remove_text="Discard",
            keep_text="Keep editing",
        ):
            return
        super().reject()

    def close_without_saving(self) -> None:
        """Close at once and empty every field (the vault is locking)."""
        self.editors.set_values({})
        self.editors.clear_errors()
        self.message.clear()
        super().reject()

    def has_typed_changes(self) -> bool:
        return self.editors.values() != self._start

    def typed_changes(self) -> dict[str, Any]:
        """The fields whose value differs from what the dialog opened with."""
        now = self.editors.values()
        return {name: value for name, value in now.items() if value != self._start.get(name)}

    def restore(self, values: dict[str, Any]) -> None:
        """Put unsaved values back (from a draft); they stay unsaved until Save."""
        for name, value in values.items():
            if name in self.editors.editors:
                self.editors[name].set_value(value)

    @property
    def draft_form(self) -> str:
        return record_form_name(self.kind.title, editing=self.record is not None)

    def keep_as_draft(self) -> bool:
        """Keep what was typed as an encrypted draft, then close (the vault is locking).

        True if something was kept. Never asks a question.
        """
        changes = self.typed_changes()
        try:
            if changes:
                merge_into_draft(
                    self.vault,
                    form=self.draft_form,
                    patient_id=self.patient_id,
                    record_id=self.draft_key,
                    changes=changes,
                )
        finally:
            self.close_without_saving()
        return bool(changes)

    def _save(self, values: dict[str, Any]) -> uuid.UUID:
        model = self.kind.model
        if self.record is None:
            return add_chart_record(self.vault, model, self.patient_id, values)
        updated = update_chart_record(
            self.vault, model, self.record.id, values, expected_version=self.record.version
        )
        return updated.id

    def _fit_messages(self) -> None:
        """Grow the dialog so every message shows in full (wrapped lines need the height)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)

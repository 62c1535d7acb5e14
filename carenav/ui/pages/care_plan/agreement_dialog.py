"""Record the patient's or caregiver's agreement with one published version of the plan.

Who agreed (the patient's name is filled in), their relationship, the date, how they
agreed (on paper, verbally, or signed on the pad, which appears only for that), and
when and how a copy of the plan was given, as CMS requires. Save calls
:func:`carenav.services.plan_versions.record_agreement`; a refused value keeps the
dialog open with everything typed (the drawing too) and the message beside its field.

``CopyGivenDialog`` records the copy later, for an agreement saved without one, and
``agreement_summary`` is the one-line description the versions list shows.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.models import CarePlan, CarePlanVersion, PlanAgreement
from carenav.models.codes import AGREEMENT_METHODS, AGREEMENT_RELATIONSHIPS, COPY_METHODS
from carenav.services.care_plans import load_plan
from carenav.services.drafts import save_draft
from carenav.services.patients import get_patient
from carenav.services.plan_versions import record_agreement, record_copy_given
from carenav.services.validation import parse_date
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_date
from carenav.ui.pages.chart.dialogs import confirm_removal
from carenav.ui.pages.chart.editors import DateField
from carenav.ui.widgets.signature_pad import SignaturePad

TITLE = "Agreement"
HOW_WORDS = {"paper": "signed on paper", "verbal": "agreed verbally", "screen": "signed on screen"}
CHOOSE_HOW = "Choose how they agreed."

DIALOG_STYLE = """
QLabel#dialogHeading { font-size: 14pt; font-weight: 600; color: #12355b; }
QLabel#versionLine { color: #52606d; }
QRadioButton, QCheckBox { spacing: 8px; padding: 3px 0; }
QPushButton#signatureClear { padding: 3px 10px; }
"""


def agreement_summary(agreement: PlanAgreement) -> str:
    """'Agreed by Grace Mwangi (patient), signed on screen, 3 Dec 2026; copy given 3 Dec 2026'."""
    relationship = code_label(AGREEMENT_RELATIONSHIPS, agreement.relationship).lower()
    how = HOW_WORDS.get(agreement.method, agreement.method)
    text = f"Agreed by {agreement.agreed_by} ({relationship}), {how}, "
    text += format_date(agreement.agreed_on)
    if agreement.copy_given_on is not None:
        return f"{text}; copy given {format_date(agreement.copy_given_on)}"
    return f"{text}; no copy given yet"


AGREEMENT_DRAFT_FORM = "care-plan:agreement"  # the Care plan tab offers it back


def patient_id_of_plan(vault: Vault, plan_id: uuid.UUID) -> uuid.UUID:
    with vault.session() as session:
        plan = session.get(CarePlan, plan_id)
        assert plan is not None
        return plan.patient_id


def patient_name_for(vault: Vault, plan_id: uuid.UUID) -> str:
    """The name the patient signs with ('Grace Mwangi'), read through the plan."""
    patient = get_patient(vault, load_plan(vault, plan_id).plan.patient_id)
    return f"{patient.given_name} {patient.family_name}".strip()


def field_message() -> QLabel:
    label = QLabel()
    label.setObjectName("errorText")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def with_message(widget: QWidget, *messages: QLabel) -> QWidget:
    """The field with its red messages directly beneath it."""
    row = QWidget()
    column = QVBoxLayout(row)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    for message in messages:
        column.addWidget(message)
    return row


def side_by_side(
    first: QWidget, word: str, second: QWidget, *, stretch_first: bool = False
) -> QWidget:
    """Two fields on one line joined by a word ('Grace Mwangi as Patient')."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    joiner = QLabel(word)
    joiner.setBuddy(second)
    layout.addWidget(first, 1 if stretch_first else 0)
    layout.addWidget(joiner)
    layout.addWidget(second)
    if not stretch_first:
        layout.addStretch(1)
    return row


def left_aligned(widget: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    layout.addStretch(1)
    row.setFocusProxy(widget)
    return row


class AgreementDialog(QDialog):
    """Who agreed with ``version``, when and how. After accept, ``saved`` holds the record."""

    agreement_saved = Signal(object)  # the PlanAgreement

    def __init__(
        self,
        vault: Vault,
        version: CarePlanVersion,
        *,
        patient_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.version = version
        self.saved: PlanAgreement | None = None
        self.patient_name = (
            patient_name if patient_name is not None else patient_name_for(vault, version.plan_id)
        )
        self.setWindowTitle(TITLE)
        self.setModal(True)
        self.setStyleSheet(DIALOG_STYLE)
        self.messages: dict[str, QLabel] = {}

        heading = QLabel(f"Agreement with version {version.number} of the care plan")
        heading.setObjectName("dialogHeading")
        published = version.published_at.astimezone().date()
        version_line = QLabel(f"Published {format_date(published)} by {version.published_by}")
        version_line.setObjectName("versionLine")
        version_line.setTextFormat(Qt.TextFormat.PlainText)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        form.setHorizontalSpacing(14)
        self.form = form

        self.name_edit = QLineEdit(self.patient_name)
        self.name_edit.setMaxLength(200)
        self.name_edit.setAccessibleName("Who agreed")
        self.relationship_combo = QComboBox()
        for code, label in AGREEMENT_RELATIONSHIPS.items():
            self.relationship_combo.addItem(label, code)
        self.relationship_combo.setAccessibleName("Relationship to the patient")
        self.relationship_combo.currentIndexChanged.connect(self._on_relationship)
        who = side_by_side(self.name_edit, "&as", self.relationship_combo, stretch_first=True)
        self._add_row("&Who agreed *", ("agreed_by", "relationship"), who, self.name_edit)

        self.date_field = DateField()
        self.date_field.set_date(date.today())
        self.date_field.line.setAccessibleName("Date agreed")
        self.date_field.line.setMaximumWidth(170)
        self._add_row("&Date agreed *", ("agreed_on",), left_aligned(self.date_field))

        self.how_group = QButtonGroup(self)
        self.how_buttons: dict[str, QRadioButton] = {}
        how_row = QWidget()
        how_layout = QHBoxLayout(how_row)
        how_layout.setContentsMargins(0, 0, 0, 0)
        how_layout.setSpacing(18)
        for code, label in AGREEMENT_METHODS.items():
            button = QRadioButton(label)
            button.setAccessibleName(label)
            self.how_group.addButton(button)
            self.how_buttons[code] = button
            how_layout.addWidget(button)
            button.toggled.connect(self._on_how)
        how_layout.addStretch(1)
        self._add_row("How *", ("method",), how_row, self.how_buttons["paper"])

        self.pad = SignaturePad()
        self.pad.setFixedHeight(170)
        self.pad.signed.connect(lambda: self._show_field_message("signature_png", ""))
        self.signature_row = self._add_row("Signature *", ("signature_png",), self.pad)
        form.setRowVisible(self.signature_row, False)

        self.copy_today = QCheckBox("Copy &given today")
        self.copy_today.toggled.connect(self._on_copy_today)
        form.addRow(QLabel("Copy of the plan"), self.copy_today)
        self.copy_date = DateField("YYYY-MM-DD")
        self.copy_date.line.setAccessibleName("Date a copy was given")
        self.copy_date.line.setToolTip("Leave empty if no copy has been given yet")
        self.copy_date.line.setMaximumWidth(170)
        self.copy_date.text_changed.connect(self._on_copy_date)
        self.copy_method = QComboBox()
        for code, label in COPY_METHODS.items():
            self.copy_method.addItem(label, code)
        self.copy_method.setAccessibleName("How the copy was given")
        copy_row = side_by_side(self.copy_date, "&how", self.copy_method)
        self._add_row(
            "Cop&y given on", ("copy_given_on", "copy_method"), copy_row, self.copy_date.line
        )

        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(56)
        self.note_edit.setAccessibleName("Note")
        self._add_row("&Note", ("note",), self.note_edit)

        self.message = field_message()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(version_line)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(720)
        self._sync_copy_method()
        self._start = self.values()
        self.name_edit.setFocus()

    def _add_row(
        self, label: str, names: tuple[str, ...], widget: QWidget, buddy: QWidget | None = None
    ) -> int:
        """A form row with one message beneath it per field it holds."""
        messages = [field_message() for _ in names]
        self.messages.update(zip(names, messages, strict=True))
        caption = QLabel(label)
        caption.setBuddy(buddy or widget.focusProxy() or widget)
        self.form.addRow(caption, with_message(widget, *messages))
        return self.form.rowCount() - 1

    # -- values --------------------------------------------------------------

    def method(self) -> str:
        return next((code for code, b in self.how_buttons.items() if b.isChecked()), "")

    def values(self) -> dict[str, Any]:
        """What record_agreement is given (the drawing only for 'signed on screen')."""
        copy_on = self.copy_date.text()
        values: dict[str, Any] = {
            "agreed_by": self.name_edit.text(),
            "relationship": self.relationship_combo.currentData(),
            "agreed_on": self.date_field.text(),
            "method": self.method(),
            "copy_given_on": copy_on,
            "copy_method": self.copy_method.currentData() if copy_on else "",
            "note": self.note_edit.toPlainText(),
        }
        if values["method"] == "screen" and not self.pad.is_empty():
            values["signature_png"] = self.pad.to_png()
        return values

    # -- a draft when the vault locks (nothing typed or drawn is lost) ---------

    def draft_payload(self) -> dict[str, str]:
        """Everything entered, as text for an encrypted draft (the drawing as its strokes)."""
        return {
            "agreed_by": self.name_edit.text(),
            "relationship": str(self.relationship_combo.currentData() or ""),
            "agreed_on": self.date_field.text(),
            "method": self.method(),
            "copy_given_on": self.copy_date.text(),
            "copy_method": str(self.copy_method.currentData() or ""),
            "note": self.note_edit.toPlainText(),
            "strokes": self.pad.strokes_text(),
        }

    def keep_as_draft(self) -> bool:
        """Keep what was entered as an encrypted draft, then close; never asks."""
        kept = False
        if self.has_typed_changes():
            save_draft(
                self.vault,
                form=AGREEMENT_DRAFT_FORM,
                patient_id=patient_id_of_plan(self.vault, self.version.plan_id),
                record_id=self.version.id,
                payload=self.draft_payload(),
            )
            kept = True
        self.reject()
        return kept

    def restore(self, payload: dict[str, object]) -> None:
        """Put back what a draft kept (see draft_payload)."""

        def text(name: str) -> str:
            value = payload.get(name, "")
            return value if isinstance(value, str) else ""

        relationship = self.relationship_combo.findData(text("relationship"))
        if relationship >= 0:
            self.relationship_combo.setCurrentIndex(relationship)
        self.name_edit.setText(text("agreed_by"))
        self.date_field.line.setText(text("agreed_on"))
        button = self.how_buttons.get(text("method"))
        if button is not None:
            button.setChecked(True)
        self.copy_date.line.setText(text("copy_given_on"))
        copy_method = self.copy_method.findData(text("copy_method"))
        if copy_method >= 0:
            self.copy_method.setCurrentIndex(copy_method)
        self.note_edit.setPlainText(text("note"))
        self.pad.set_strokes_text(text("strokes"))
        self._show_general("What was entered before the vault locked is back. Check it and save.")

    def has_typed_changes(self) -> bool:
        return self.values() != self._start or not self.pad.is_empty()

    # -- reactions -----------------------------------------------------------

    def _on_relationship(self) -> None:
        """The patient's name goes with 'Patient'; another relationship starts blank."""
        is_patient = self.relationship_combo.currentData() == "patient"
        name = self.name_edit.text().strip()
        if not is_patient and name == self.patient_name:
            self.name_edit.clear()
        elif is_patient and not name:
            self.name_edit.setText(self.patient_name)

    def _on_how(self) -> None:
        on_screen = self.method() == "screen"
        self.form.setRowVisible(self.signature_row, on_screen)
        self._show_field_message("method", "")
        if not on_screen:
            self._show_field_message("signature_png", "")
        self._fit()

    def _on_copy_today(self, checked: bool) -> None:
        today = date.today().isoformat()
        if checked and self.copy_date.text() != today:
            self.copy_date.set_date(date.today())
        elif not checked and self.copy_date.text() == today:
            self.copy_date.set_date(None)

    def _on_copy_date(self, _text: str) -> None:
        self.copy_today.blockSignals(True)
        self.copy_today.setChecked(self.copy_date.text() == date.today().isoformat())
        self.copy_today.blockSignals(False)
        self._sync_copy_method()

    def _sync_copy_method(self) -> None:
        self.copy_method.setEnabled(bool(self.copy_date.text()))

    # -- saving --------------------------------------------------------------

    def accept(self) -> None:
        """Save; on a refusal keep everything typed and drawn, with the message beside it."""
        self._clear_messages()
        try:
            agreement = record_agreement(self.vault, self.version.id, self.values())
        except InvalidInput as exc:
            self._show_errors(exc.errors)
            return
        except CareNavError as exc:
            self._show_general(str(exc))
            return
        self.saved = agreement
        self.pad.clear()
        self.agreement_saved.emit(agreement)
        super().accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        leftover: list[str] = []
        for name, text in errors.items():
            if name == "method" and not self.method():
                text = CHOOSE_HOW
            if name in self.messages:
                self._show_field_message(name, text)
            else:
                leftover.append(text)
        self._show_general(" ".join(leftover))
        first = next((n for n in self.messages if n in errors), None)
        if first == "signature_png":
            self.pad.setFocus()
        elif first == "method":
            self.how_buttons["paper"].setFocus()
        elif first == "agreed_by":
            self.name_edit.setFocus()
        elif first == "agreed_on":
            self.date_field.setFocus()

    def _show_field_message(self, name: str, text: str) -> None:
        label = self.messages[name]
        label.setText(text)
        label.setVisible(bool(text))

    def _show_general(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._fit()

    def _clear_messages(self) -> None:
        for name in self.messages:
            self._show_field_message(name, "")
        self._show_general("")

    def _fit(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), max(self.sizeHint().height(), self.minimumSizeHint().height()))

    # -- leaving -------------------------------------------------------------

    def cancel(self) -> None:
        """Cancel or Esc: ask first when something was typed or drawn."""
        if self.has_typed_changes() and not confirm_removal(
            self,
            title=TITLE,
            question="Discard this agreement?",
            detail="What you entered has not been saved.",
            remove_text="Discard",
            keep_text="Keep editing",
        ):
            return
        self.reject()

    def reject(self) -> None:
        """Close without saving and without asking (also what locking the vault calls)."""
        self.pad.clear()
        self.name_edit.clear()
        self.note_edit.clear()
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isVisible() and self.has_typed_changes():
            event.ignore()
            self.cancel()
            return
        super().closeEvent(event)


class CopyGivenDialog(QDialog):
    """The date and way a copy of the agreed version was given, recorded afterwards."""

    def __init__(
        self, vault: Vault, agreement: PlanAgreement, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.agreement = agreement
        self.saved: PlanAgreement | None = None
        self.setWindowTitle("Copy given")
        self.setModal(True)
        self.setStyleSheet(DIALOG_STYLE)
        intro = QLabel("When and how was a copy of this version of the plan given?")
        intro.setWordWrap(True)
        self.date_field = DateField()
        self.date_field.set_date(date.today())
        self.date_field.line.setAccessibleName("Date the copy was given")
        self.date_message = field_message()
        self.method_combo = QComboBox()
        for code, label in COPY_METHODS.items():
            self.method_combo.addItem(label, code)
        self.method_combo.setAccessibleName("How the copy was given")
        self.message = field_message()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        date_label = QLabel("&Date given *")
        date_label.setBuddy(self.date_field.line)
        form.addRow(date_label, with_message(self.date_field, self.date_message))
        how_label = QLabel("&How")
        how_label.setBuddy(self.method_combo)
        form.addRow(how_label, self.method_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.date_field.setFocus()

    def accept(self) -> None:
        for label in (self.date_message, self.message):
            label.setVisible(False)
        try:
            given_on = parse_date(self.date_field.text())
        except ValueError as exc:
            self._show(self.date_message, str(exc))
            return
        if given_on is None:
            self._show(self.date_message, "Enter the date the copy was given (YYYY-MM-DD).")
            return
        try:
            self.saved = record_copy_given(
                self.vault,
                self.agreement.id,
                given_on=given_on,
                method=str(self.method_combo.currentData()),
            )
        except InvalidInput as exc:
            errors = dict(exc.errors)
            date_text = errors.pop("copy_given_on", "")
            if date_text:
                self._show(self.date_message, date_text)
            if errors:
                self._show(self.message, " ".join(errors.values()))
            return
        except CareNavError as exc:
            self._show(self.message, str(exc))
            return
        super().accept()

    def _show(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(True)

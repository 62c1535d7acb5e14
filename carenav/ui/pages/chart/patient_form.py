"""The patient's own details as a form: used by the chart and by New patient.

The form knows nothing of the vault. It shows values, tells whether they were
changed since they were loaded, hands back the changes, and shows the messages
of an InvalidInput beside the fields they are about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from carenav.ui.pages.chart.editors import FieldEditor, FieldEditors
from carenav.ui.pages.chart.fields import PATIENT_FIELD_SPECS, PATIENT_GROUPS

# Which group boxes go in the left and right column of the form.
LEFT_GROUPS = ("Name and birth", "Language and phones", "Coverage and consent")
RIGHT_GROUPS = ("Care programmes", "Address and visits")


class PatientForm(QWidget):
    """The patient's details; ``dirty_changed(bool)`` says when they differ from the loaded ones."""

    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors = FieldEditors(PATIENT_FIELD_SPECS)
        self._loaded: dict[str, Any] = self.editors.values()
        self._dirty = False
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(18)
        for titles in (LEFT_GROUPS, RIGHT_GROUPS):
            column = QVBoxLayout()
            column.setSpacing(6)
            boxes = [self._group(title) for title in titles]
            for box in boxes:
                column.addWidget(box)
            self._align_captions(boxes)
            column.addStretch(1)
            columns.addLayout(column, 1)
        self.editors.connect_changed(self._on_edited)

    def _group(self, title: str) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        specs = dict(PATIENT_GROUPS)[title]
        self.editors.add_rows(form, [s.name for s in specs])
        return box

    @staticmethod
    def _align_captions(boxes: list[QGroupBox]) -> None:
        """Give the captions of the boxes in one column the same width, so fields line up."""
        captions = [label for box in boxes for label in box.findChildren(QLabel) if label.buddy()]
        widest = max((label.sizeHint().width() for label in captions), default=0)
        for label in captions:
            label.setMinimumWidth(widest)

    def editor(self, name: str) -> FieldEditor:
        return self.editors[name]

    # -- values ---------------------------------------------------------------

    def load(self, values: Mapping[str, Any]) -> None:
        """Show these values as the saved state (not dirty); clears any messages."""
        self.editors.set_values(values)
        self._loaded = self.editors.values()
        self.editors.clear_errors()
        self._set_dirty(False)

    def values(self) -> dict[str, Any]:
        return self.editors.values()

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from what was loaded."""
        now = self.editors.values()
        return {name: value for name, value in now.items() if value != self._loaded.get(name)}

    def is_dirty(self) -> bool:
        return self._dirty

    def restore(self, values: Mapping[str, Any]) -> None:
        """Put unsaved values back (from a draft): the form becomes dirty, nothing is saved."""
        for name, value in values.items():
            if name in self.editors.editors:
                self.editors[name].set_value(value)
        self._on_edited()

    def revert(self) -> None:
        self.load(self._loaded)

    def clear(self) -> None:
        """Empty every field (used on lock): nothing of the patient stays in a widget."""
        self.load({})

    # -- messages -------------------------------------------------------------

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        return self.editors.show_errors(errors)

    def clear_errors(self) -> None:
        self.editors.clear_errors()

    def _on_edited(self) -> None:
        self._set_dirty(self.editors.values() != self._loaded)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)


def scrolled_form(form: QWidget, margins: tuple[int, int, int, int]) -> QScrollArea:
    """The patient form in a scroll area, as the chart and New patient show it."""
    scroll = QScrollArea()
    scroll.setObjectName("demographicsScroll")
    scroll.setWidgetResizable(True)
    holder = QWidget()
    inner = QVBoxLayout(holder)
    inner.setContentsMargins(*margins)
    inner.addWidget(form)
    scroll.setWidget(holder)
    return scroll

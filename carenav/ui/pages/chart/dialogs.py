"""Confirmation questions whose default answer never destroys anything."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_removal(
    parent: QWidget | None,
    *,
    title: str,
    question: str,
    detail: str,
    remove_text: str,
    keep_text: str,
) -> bool:
    """Ask before removing; Enter and Esc both choose the keep button. True only for remove."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(question)
    box.setInformativeText(detail)
    remove = box.addButton(remove_text, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(keep_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is remove


def ask_save_discard_cancel(parent: QWidget | None, *, title: str, question: str) -> str:
    """'save' (the default), 'discard' or 'cancel' (also for Esc or closing the box)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(question)
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    result = box.exec()
    clicked = box.clickedButton()
    answer = box.standardButton(clicked) if clicked is not None else buttons(result)
    if answer == buttons.Save:
        return "save"
    if answer == buttons.Discard:
        return "discard"
    return "cancel"

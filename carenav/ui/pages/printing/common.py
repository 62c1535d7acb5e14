"""What the print preview and the visit packet share: the warning that a saved PDF
leaves the encrypted vault (once per unlock), the language and size choices, the style.
"""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

from carenav.errors import CareNavError
from carenav.export.printing.i18n import available_languages
from carenav.store.vault import Vault

LEAVES_VAULT_TITLE = "Saving outside the vault"
LEAVES_VAULT_DETAIL = (
    "The PDF holds the patient's health information. Once saved it is not encrypted "
    "and is no longer protected by your vault.\n\n"
    "Save it only where your agency allows (this computer, not a shared or cloud "
    "folder). It is meant for the patient, their family and their care team; delete "
    "your copy once it has been printed, handed over or sent."
)
PRINT_STYLE = """
QLabel#printTitle { font-size: 14pt; font-weight: 600; color: #12355b; }
QLabel#printFacts { color: #334e68; }
QLabel#fieldHint { color: #334e68; }
QLabel#visitCount { font-weight: 600; color: #12355b; }
QLabel#visitCountNone { font-weight: 600; color: #7a4a00; }
QFrame#optionsBar { background: #ffffff; border: 1px solid #d9dee5; border-radius: 8px; }
QPdfView { background: #c9ced6; border: none; }
QFrame#copyBar { background: #eef5fb; border: 1px solid #b6cde8; border-radius: 8px; }
QFrame#copyBar QLabel { background: transparent; border: none; color: #174c87; }
"""

# vaults (one per unlock) whose user has read that a saved PDF leaves the vault
_warned: weakref.WeakSet[Vault] = weakref.WeakSet()


def confirm_leaving_vault(parent: QWidget, vault: Vault, what: str) -> bool:
    """The warning before the first save after this unlock; True to go on.

    ``what`` is "This care plan" or "This visit packet": never a name.
    """
    if vault in _warned:
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(LEAVES_VAULT_TITLE)
    box.setText(f"{what} will be saved as a PDF outside your encrypted vault.")
    box.setInformativeText(LEAVES_VAULT_DETAIL)
    go_on = box.addButton("Save the PDF", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(go_on)
    box.exec()
    if box.clickedButton() is not go_on:
        return False
    _warned.add(vault)
    return True


def forget_warning(vault: Vault) -> None:
    """For tests: warn again for this vault."""
    _warned.discard(vault)


def language_choices() -> tuple[dict[str, str], str]:
    """Code -> name of each print language, and a problem to show ('' when none).

    A broken word file must not stop printing in English.
    """
    try:
        found = available_languages()
    except CareNavError as exc:
        return {"en": "English"}, f"{exc} Only English is offered until it is fixed."
    return (found or {"en": "English"}), ""


def language_combo(preferred: str = "") -> tuple[QComboBox, str]:
    """A combo of the print languages, on ``preferred`` (a code or a language name)."""
    languages, problem = language_choices()
    combo = QComboBox()
    combo.setAccessibleName("Language")
    for code, name in languages.items():
        combo.addItem(name, code)
    wanted = preferred.strip().casefold()
    for index in range(combo.count()):
        if wanted in (str(combo.itemData(index)).casefold(), combo.itemText(index).casefold()):
            combo.setCurrentIndex(index)
            break
    else:
        combo.setCurrentIndex(max(combo.findData("en"), 0))
    return combo, problem


def size_combo() -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName("Print size")
    combo.addItem("Standard print", False)
    combo.addItem("Large print", True)
    return combo


def say(label: QLabel, text: str, *, problem: bool = False) -> None:
    """A message under the options: calm grey-blue, or red for a problem."""
    label.setObjectName("errorText" if problem else "fieldHint")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)
    label.setVisible(bool(text))

"""File > Settings: the agency's instruments folder is checked as it is typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carenav.config import Settings
from carenav.ui.pages.preferences import NO_FOLDER, NO_TEMPLATE_FOLDER, PreferencesDialog


def _definition() -> dict[str, Any]:
    return {
        "id": "agency-check",
        "title": "Agency home check",
        "version": "1",
        "source": "Synthetic test form",
        "licence": "Written for this test",
        "items": [{"linkId": "ok", "text": "Is the home warm enough?", "type": "boolean"}],
    }


def test_the_folder_status_names_the_agency_forms_or_the_problem(
    qtbot: Any, tmp_path: Path
) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.folder_status.text() == NO_FOLDER
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "home.json").write_text(json.dumps(_definition()))
    dialog.instruments_folder.setText(str(folder))
    assert dialog.folder_status.text() == "Adds: Agency home check"
    assert dialog.folder_status.objectName() == "fieldHint"
    (folder / "bad.json").write_text("{")
    dialog.instruments_folder.setText(str(folder) + " ")  # checked again as typed
    assert "bad.json" in dialog.folder_status.text()
    assert dialog.folder_status.objectName() == "errorText"
    dialog._save()
    assert Settings.load().instruments_folder == str(folder)


def test_the_templates_folder_is_checked_and_saved(qtbot: Any, tmp_path: Path) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.templates.status.text() == NO_TEMPLATE_FOLDER
    folder = tmp_path / "plans"
    folder.mkdir()
    dialog.templates.edit.setText(str(folder))
    assert "no template files" in dialog.templates.status.text()
    (folder / "bad.json").write_text("[]")
    dialog.templates.edit.setText(str(folder) + " ")
    assert "bad.json" in dialog.templates.status.text()
    assert dialog.templates.status.objectName() == "errorText"
    dialog._save()
    assert Settings.load().templates_folder == str(folder)

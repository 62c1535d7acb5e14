"""The instrument catalogue: bundled plus the agency folder named in the settings.

An agency instrument dropped into the folder is offered, filled in, signed, scored
and trended with no code change; a broken agency file never hides the bundled ones.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from carenav.config import Settings
from carenav.instruments import InvalidInstrument, UnknownInstrument
from carenav.services import assessments
from carenav.services.catalogue import load_catalogue, load_template_catalogue
from carenav.services.patients import create_patient
from carenav.store.vault import Vault


def _agency_definition(ident: str = "agency-wellbeing") -> dict[str, Any]:
    options = [
        {"code": "no", "display": "No", "score": 0},
        {"code": "yes", "display": "Yes", "score": 1},
    ]
    return {
        "id": ident,
        "title": "Agency wellbeing check",
        "version": "2",
        "source": "A synthetic agency form written for this test",
        "licence": "Written for this test",
        "items": [
            {"linkId": "lonely", "text": "Do you often feel lonely?", "type": "choice",
             "required": True, "options": options},
            {"linkId": "meals", "text": "Do you skip meals?", "type": "choice",
             "required": True, "options": options},
        ],
        "scoring": {"method": "sum", "items": ["lonely", "meals"]},
        "bands": [
            {"min": 0, "max": 0, "label": "no concerns"},
            {"min": 1, "max": 2, "label": "follow up"},
        ],
        "rescreen": {"when_band_at_least": "follow up", "after_days": 30},
    }  # fmt: skip


def _write(folder: Path, name: str, content: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(content) if not isinstance(content, str) else content)
    return path


def test_bundled_instruments_come_first_with_the_comprehensive_assessment_on_top() -> None:
    catalogue = load_catalogue(None)
    ids = [i.id for i in catalogue.instruments]
    assert {"phq9", "gad7", "lace"} <= set(ids)
    order = [i.id for i in catalogue.in_menu_order()]
    if catalogue.has("comprehensive"):
        assert order[0] == "comprehensive"
    titles = [i.title.lower() for i in catalogue.in_menu_order() if i.id != "comprehensive"]
    assert titles == sorted(titles)
    assert catalogue.title("phq9") != "phq9"
    assert catalogue.title("retired-form") == "retired-form"
    with pytest.raises(UnknownInstrument):
        catalogue.get("retired-form")


def test_an_agency_instrument_works_end_to_end_with_no_code_change(
    vault: Vault, tmp_path: Path
) -> None:
    folder = tmp_path / "agency"
    _write(folder, "wellbeing.json", _agency_definition())
    settings = Settings(instruments_folder=str(folder))
    settings.save()
    catalogue = load_catalogue(Settings.load().instruments_folder)
    assert catalogue.problem == ""
    assert [i.id for i in catalogue.from_agency()] == ["agency-wellbeing"]
    form = catalogue.get("agency-wellbeing")
    patient = create_patient(
        vault, {"family_name": "Kowalski", "given_name": "Ida", "birth_date": date(1944, 5, 6)}
    )
    assessments.save_answers(vault, patient_id=patient, instrument=form, answers={"lonely": "yes"})
    done = assessments.complete(
        vault, patient_id=patient, instrument=form, answers={"lonely": "yes", "meals": "no"}
    )
    assert done.observation is not None
    assert (done.observation.value, done.observation.band) == (1, "follow up")
    assert done.observation.code == "carenav:agency-wellbeing-total"
    assert done.observation.rescreen_due is not None
    assert [p.value for p in assessments.score_series(vault, patient, "agency-wellbeing")] == [1]


def test_a_broken_agency_file_keeps_the_bundled_instruments(tmp_path: Path) -> None:
    folder = tmp_path / "agency"
    _write(folder, "broken.json", "{ not json")
    catalogue = load_catalogue(folder)
    assert catalogue.has("phq9")
    assert "broken.json" in catalogue.problem
    assert "standard instruments are still available" in catalogue.problem
    assert catalogue.from_agency() == []


def test_an_agency_file_may_not_replace_a_published_screener(tmp_path: Path) -> None:
    folder = tmp_path / "agency"
    _write(folder, "phq9.json", _agency_definition("phq9"))
    catalogue = load_catalogue(folder)
    assert "already used by a bundled instrument" in catalogue.problem
    assert catalogue.get("phq9").title != "Agency wellbeing check"


def test_a_missing_folder_is_reported_and_a_new_file_is_picked_up(tmp_path: Path) -> None:
    folder = tmp_path / "later"
    assert "does not exist" in load_catalogue(folder).problem
    path = _write(folder, "wellbeing.json", _agency_definition())
    assert load_catalogue(folder).has("agency-wellbeing")
    changed = _agency_definition()
    changed["title"] = "Agency wellbeing check, revised"
    path.write_text(json.dumps(changed))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_catalogue(folder).title("agency-wellbeing") == "Agency wellbeing check, revised"


def test_a_broken_bundled_definition_is_a_defect_not_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carenav.services import catalogue as module

    def broken(folder: Path | None) -> list[object]:
        raise InvalidInstrument("phq9.json", "it is not valid UTF-8 JSON")

    monkeypatch.setattr(module, "available_instruments", broken)
    monkeypatch.setattr(module, "_cache", {})
    with pytest.raises(InvalidInstrument):
        module.load_catalogue(None)


def _agency_template() -> dict[str, Any]:
    return {
        "id": "agency-hoarding",
        "title": "Clutter and hoarding (agency)",
        "version": "1",
        "summary": "Synthetic agency template for this test.",
        "appliesTo": {"icd10": ["F42.3"], "findings": []},
        "sources": [{"id": "agency", "citation": "Synthetic agency guidance for this test"}],
        "needs": [
            {
                "id": "paths",
                "text": "Clear paths through the home",
                "domain": "safety",
                "source": "agency",
                "goals": [
                    {
                        "id": "clear",
                        "text": "Walk from bed to bathroom without moving things",
                        "patientFacing": "I keep a clear path to the bathroom.",
                        "measure": "Clear path",
                        "targetValue": "yes",
                        "targetDays": 30,
                        "priority": "high",
                    }
                ],
                "interventions": [
                    {
                        "id": "sort",
                        "what": "Sort one box a week with a helper",
                        "category": "self-management",
                        "responsible": "patient",
                        "frequency": "weekly",
                        "dueDays": None,
                    }
                ],
            }
        ],
    }


def test_an_agency_template_is_offered_and_a_broken_one_keeps_the_bundled(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "templates"
    _write(folder, "hoarding.json", _agency_template())
    catalogue = load_template_catalogue(folder)
    assert catalogue.problem == ""
    assert [t.id for t in catalogue.from_agency()] == ["agency-hoarding"]
    assert catalogue.get("heart-failure").title
    _write(folder, "broken.json", "{")
    broken = load_template_catalogue(folder)
    assert "broken.json" in broken.problem
    assert "standard care-plan templates are still available" in broken.problem
    assert broken.get("heart-failure").title and broken.from_agency() == []

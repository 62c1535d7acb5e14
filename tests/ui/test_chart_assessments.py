"""The chart and assessments: the safety alert in the banner, and unfinished forms kept
off the chart's own draft banner (they are offered on the Assessments tab)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from carenav.instruments import get_instrument
from carenav.services import assessments
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.pages.chart import ChartPage

PHQ9 = get_instrument("phq9")


def _patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": "Quispe", "given_name": "Rosa", "birth_date": date(1949, 8, 9)}
    )


def _phq9(q9: str) -> dict[str, str]:
    return {**{f"q{n}": "1" for n in range(1, 9)}, "q9": q9}


def _chart(qtbot: Any, vault: Vault, patient: uuid.UUID) -> ChartPage:
    page = ChartPage()
    qtbot.addWidget(page)
    page.show()
    page.show_patient(vault, patient)
    return page


def test_an_urgent_flag_shows_in_the_banner_until_a_newer_form_clears_it(
    qtbot: Any, vault: Vault
) -> None:
    patient = _patient(vault)
    t0 = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assessments.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9("2"), now=t0)
    page = _chart(qtbot, vault, patient)
    alert = page.banner.safety_label
    assert alert.isVisible()
    assert "PHQ-9" in alert.text() and "2 Nov 2026" in alert.text()
    assert "safety" in alert.text().lower()
    assessments.complete(
        vault, patient_id=patient, instrument=PHQ9, answers=_phq9("0"), now=t0 + timedelta(days=14)
    )
    page.show_patient(vault, patient)
    assert not alert.isVisible()
    page.clear()
    assert alert.text() == ""


def test_an_unfinished_assessment_is_not_offered_as_unsaved_chart_changes(
    qtbot: Any, vault: Vault
) -> None:
    patient = _patient(vault)
    assessments.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "3"})
    page = _chart(qtbot, vault, patient)
    assert page.pending_drafts == []
    assert not page.draft_banner.isVisible()

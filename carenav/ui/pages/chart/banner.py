"""The banner at the top of the chart: who this is, at a glance, from arm's length.

Name, age and date of birth, language and whether an interpreter is needed,
risk tier, programmes and, prominently, allergies and safety alerts from the
newest screeners (for example PHQ-9 item 9 above 0).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from carenav.models import AllergyIntolerance, Patient
from carenav.models.codes import ALLERGY_SEVERITIES, PATIENT_STATUSES, PROGRAMS, RISK_TIERS
from carenav.services.assessments import SafetyNotice
from carenav.services.chart import Chart
from carenav.services.patients import age_on, display_name
from carenav.ui.formatting import age_text, code_label, format_date

HIGH_RISK_TIERS = ("high", "very_high")
NO_ALLERGIES = "No allergies recorded"


def plain_label(object_name: str = "") -> QLabel:
    """A label that shows text exactly as typed (never as HTML)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


def allergy_text(allergy: AllergyIntolerance) -> str:
    details = [d for d in (allergy.reaction, _severity(allergy.severity)) if d]
    return f"{allergy.substance} ({', '.join(details)})" if details else allergy.substance


def _severity(code: str) -> str:
    return "" if code == "unknown" else code_label(ALLERGY_SEVERITIES, code).lower()


def birth_line(patient: Patient, today: date | None = None) -> str:
    years = age_on(patient.birth_date, today)
    return f"{age_text(years)} · born {format_date(patient.birth_date)}"


def language_line(patient: Patient) -> str:
    return f"Speaks {patient.preferred_language}" if patient.preferred_language else ""


def safety_text(notices: list[SafetyNotice], titles: dict[str, str]) -> str:
    lines = [
        f"Safety alert ({titles.get(n.instrument_id, n.instrument_id)}, "
        f"{format_date(n.raised_at.astimezone().date())}): {n.label}"
        for n in notices
    ]
    return "\n".join(lines)


def programmes_line(patient: Patient) -> str:
    names = [code_label(PROGRAMS, code) for code in patient.programs]
    return "Programmes: " + (", ".join(names) if names else "none recorded")


class ChartBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartBanner")
        self.name_label = plain_label("patientName")
        self.name_label.setAccessibleName("Patient name")
        self.birth_label = plain_label("bannerText")
        self.language_label = plain_label("bannerText")
        self.interpreter_badge = plain_label("badgeInfo")
        self.risk_badge = plain_label("badgeNeutral")
        self.status_badge = plain_label("badgeNeutral")
        self.programmes_label = plain_label("bannerText")
        self.programmes_label.setWordWrap(True)
        self.allergies_label = plain_label("allergyNone")
        self.allergies_label.setWordWrap(True)
        self.allergies_label.setAccessibleName("Allergies")
        self.safety_label = plain_label("safetyAlert")
        self.safety_label.setWordWrap(True)
        self.safety_label.setAccessibleName("Safety alert")

        facts = QHBoxLayout()
        facts.setSpacing(10)
        facts.addWidget(self.birth_label)
        facts.addSpacing(8)
        facts.addWidget(self.language_label)
        for badge in (self.interpreter_badge, self.risk_badge, self.status_badge):
            facts.addWidget(badge)
        facts.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        self.name_row = QHBoxLayout()
        self.name_row.addWidget(self.name_label)
        self.name_row.addStretch(1)
        layout.addLayout(self.name_row)
        layout.addLayout(facts)
        layout.addWidget(self.programmes_label)
        layout.addWidget(self.allergies_label)
        layout.addWidget(self.safety_label)
        self.clear()

    def show_chart(self, chart: Chart) -> None:
        self.show_patient(chart.patient)
        self.show_allergies(chart.allergies)

    def show_patient(self, patient: Patient) -> None:
        self.name_label.setText(display_name(patient))
        self.birth_label.setText(birth_line(patient))
        self.language_label.setText(language_line(patient))
        self._badge(self.interpreter_badge, "Interpreter needed", patient.interpreter_needed)
        risk = f"{code_label(RISK_TIERS, patient.risk_tier)} risk"
        self.risk_badge.setObjectName(
            "badgeAmber" if patient.risk_tier in HIGH_RISK_TIERS else "badgeNeutral"
        )
        self._badge(self.risk_badge, risk, True)
        status = code_label(PATIENT_STATUSES, patient.status)
        self._badge(self.status_badge, status, patient.status != "active")
        self.programmes_label.setText(programmes_line(patient))

    def show_allergies(self, allergies: list[AllergyIntolerance]) -> None:
        if allergies:
            text = "Allergies: " + "; ".join(allergy_text(a) for a in allergies)
            self.allergies_label.setObjectName("allergyAlert")
        else:
            text = NO_ALLERGIES
            self.allergies_label.setObjectName("allergyNone")
        self.allergies_label.setText(text)
        self._restyle(self.allergies_label)

    def show_safety(self, notices: list[SafetyNotice], titles: dict[str, str]) -> None:
        """Urgent flags from the newest screeners; hidden when there are none."""
        self.safety_label.setText(safety_text(notices, titles))
        self.safety_label.setVisible(bool(notices))

    def clear(self) -> None:
        for label in (
            self.name_label,
            self.birth_label,
            self.language_label,
            self.programmes_label,
            self.allergies_label,
            self.safety_label,
        ):
            label.clear()
        self.safety_label.setVisible(False)
        for badge in (self.interpreter_badge, self.risk_badge, self.status_badge):
            self._badge(badge, "", False)
        self.allergies_label.setObjectName("allergyNone")
        self._restyle(self.allergies_label)

    def _badge(self, badge: QLabel, text: str, shown: bool) -> None:
        badge.setText(text if shown else "")
        badge.setVisible(shown)
        self._restyle(badge)

    @staticmethod
    def _restyle(label: QLabel) -> None:
        """Apply the style sheet again after the object name (and so the colour) changed."""
        label.style().unpolish(label)
        label.style().polish(label)

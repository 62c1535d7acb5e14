"""Demo follow-up: contact histories, schedules and transitional-care episodes.

Deterministic per seed and patient (a random stream of its own, like the assessment
histories), written as complete rows for the demo's bulk insert. Patients in chronic
care management get two to four logged contacts a month over the last six months
(mostly calls, some home visits, some unanswered attempts), so this month's minutes
fall on both sides of the 20-minute threshold; active patients get upcoming follow-ups
(a few overdue, some recurring every two or four weeks); a patient with a recent
discharge gets an open transitional-care episode with the calls made so far.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from carenav.instruments import Instrument, get_instrument
from carenav.models import CareTransition, Contact, FollowUp, Record
from carenav.services.demo_assessments import AddRow, PatientForms, Profile, Scorer, _record
from carenav.services.demo_assessments import Dice as AssessmentDice

FOLLOW_UP_TABLES: tuple[type[Record], ...] = (Contact, FollowUp, CareTransition)
CCM = frozenset({"ccm", "ccm_complex", "pcm"})
PURPOSES = (
    "Weight and symptom check",
    "Medication check",
    "Blood sugar review",
    "Mood check-in",
    "Follow up on referral",
    "Check on caregiver",
    "Review care plan goals",
)
FACILITIES = ("County General Hospital", "St. Brigid Medical Center", "Lakeside Regional")
HEART_FAILURE = frozenset({"hfref", "hfpef"})  # the demo's problem keys
HF_SIGNS = ("gain", "swelling", "breath", "pillows", "dizzy")
CHECK_IN_CHANCE = 0.6  # of reached calls to a heart-failure patient


class Dice(AssessmentDice):
    stream = "carenav-demo-followup"


def _weekday(day: date) -> date:
    """Care managers call and visit on weekdays: a Saturday or Sunday moves back to Friday."""
    return day - timedelta(days=max(day.weekday() - 4, 0))


def _at(day: date, dice: Dice, first_hour: int = 9, last_hour: int = 16) -> datetime:
    """A working-hours moment on ``day`` (moved off a weekend, see ``_weekday``)."""
    day = _weekday(day)
    local = datetime.combine(
        day, time(dice.between(first_hour, last_hour), dice.pick((0, 15, 30, 45)))
    )
    return local.astimezone().astimezone(UTC)


class DemoFollowUp:
    def __init__(self, *, seed: int, author: str, check_ins: bool = True) -> None:
        self.seed = seed
        self.author = author
        # heart-failure patients' calls carry the check-in form, so weights and warning
        # signs trend in the chart (forms written exactly as complete() writes them)
        self.hf_check_in: Instrument | None = get_instrument("hf-checkin") if check_ins else None
        self.scorer = Scorer()

    def add_follow_up(self, profile: Profile, as_of: date, add: AddRow) -> None:
        if profile.status == "discharged":
            return
        dice = Dice(self.seed, profile.patient_id)
        in_ccm = bool(CCM & set(profile.programs))
        if in_ccm:
            self._contacts(dice, profile, as_of, add)
        if profile.status == "active":
            self._schedule(dice, profile, as_of, add)
        if profile.recent_discharge or "tcm" in profile.programs:
            self._transition(dice, profile, as_of, add)

    def _contact(
        self, add: AddRow, profile: Profile, at: datetime, dice: Dice, **values: Any
    ) -> None:
        if at > datetime.now(UTC):  # a contact is never logged ahead of time
            return
        row = {
            **_record(dice.uuid(), at),
            "patient_id": profile.patient_id,
            "occurred_at": at,
            "kind": "phone",
            "with_whom": "patient",
            "with_name": "",
            "direction": "outbound",
            "outcome": "reached",
            "minutes": dice.between(6, 22),
            "spent_by": "clinician" if dice.chance(0.1) else "staff",
            "counts_for_ccm": True,
            "notes": "",
            "goal_ids": [],
            "check_in_response_id": None,
            "follow_up_id": None,
            "episode_id": None,
            "author": self.author,
        }
        row.update(values)
        add(Contact, row)

    def _hf_answers(self, dice: Dice, weight: float) -> dict[str, Any]:
        answers: dict[str, Any] = {sign: "yes" if dice.chance(0.12) else "no" for sign in HF_SIGNS}
        answers["meds"] = "no" if dice.chance(0.1) else "yes"
        answers["red"] = "no"
        answers["weight"] = round(weight, 1)
        return answers

    def _contacts(self, dice: Dice, profile: Profile, as_of: date, add: AddRow) -> None:
        enrolled = profile.enrolled.astimezone().date()
        forms = PatientForms(
            profile.patient_id, author=self.author, add=add, new_id=dice.uuid, scorer=self.scorer
        )
        checks = self.hf_check_in if profile.has(*HEART_FAILURE) else None
        weight = float(dice.between(140, 240))
        for months_back in range(6, -1, -1):
            index = as_of.year * 12 + as_of.month - 1 - months_back  # whole calendar months
            first = date(index // 12, index % 12 + 1, 1)
            last = min(as_of, (first.replace(day=28) + timedelta(days=4)).replace(day=1))
            for _ in range(dice.between(1 if months_back == 0 else 2, 4)):
                span = (last - first).days
                day = _weekday(first + timedelta(days=dice.between(0, max(span - 1, 0))))
                if day < enrolled or day > as_of:
                    continue
                at = _at(day, dice)
                if dice.chance(0.2):
                    outcome = dice.pick(("no-answer", "voicemail"))
                    self._contact(add, profile, at, dice, outcome=outcome, minutes=2)
                elif dice.chance(0.15):
                    self._contact(
                        add, profile, at, dice, kind="home-visit", minutes=dice.between(30, 60)
                    )
                elif checks is not None and day < as_of and dice.chance(CHECK_IN_CHANCE):
                    weight += dice.between(-20, 20) / 10
                    started = at - timedelta(minutes=dice.between(3, 8))
                    answers = self._hf_answers(dice, weight)
                    signed = forms.complete(checks, answers, at=at, started_at=started)
                    self._contact(add, profile, at, dice, check_in_response_id=signed["id"])
                else:
                    self._contact(add, profile, at, dice)

    def _schedule(self, dice: Dice, profile: Profile, as_of: date, add: AddRow) -> None:
        for _ in range(dice.weighted([(0, 0.15), (1, 0.55), (2, 0.3)])):
            offset = dice.between(-4, 21) if dice.chance(0.85) else dice.between(-10, -1)
            day = as_of + timedelta(days=offset)
            due = _at(day, dice)
            created = min(due, datetime.now(UTC)) - timedelta(days=dice.between(3, 20))
            add(
                FollowUp,
                {
                    **_record(dice.uuid(), created),
                    "patient_id": profile.patient_id,
                    "due_at": due,
                    "kind": "home-visit" if dice.chance(0.25) else "phone",
                    "purpose": dice.pick(PURPOSES),
                    "recurrence_days": dice.pick((None, None, 14, 28)),
                    "status": "scheduled",
                    "completed_at": None,
                    "contact_id": None,
                    "referral_id": None,
                },
            )

    def _transition(self, dice: Dice, profile: Profile, as_of: date, add: AddRow) -> None:
        discharge = profile.tcm_call - timedelta(days=1) if profile.tcm_call else None
        if discharge is None or (as_of - discharge).days >= 30:
            discharge = as_of - timedelta(days=dice.between(1, 12))
        episode_id = dice.uuid()
        at = datetime.combine(discharge, time(17)).astimezone().astimezone(UTC)
        add(
            CareTransition,
            {
                **_record(episode_id, at),
                "patient_id": profile.patient_id,
                "discharge_date": discharge,
                "facility": dice.pick(FACILITIES),
                "complexity": "high" if dice.chance(0.4) else "moderate",
                "face_to_face_on": None,
                "med_rec_on": None,
                "status": "open",
                "notes": "",
            },
        )
        days_since = (as_of - discharge).days
        if days_since >= 1 and dice.chance(0.7):  # the first call, sometimes after an attempt
            first = discharge + timedelta(days=1)
            if dice.chance(0.3):
                self._contact(
                    add, profile, _at(first, dice, 9, 11), dice, outcome="no-answer", minutes=1,
                    episode_id=episode_id,
                )  # fmt: skip
            self._contact(
                add, profile, _at(first, dice, 13, 16), dice, minutes=dice.between(12, 25),
                episode_id=episode_id,
            )  # fmt: skip

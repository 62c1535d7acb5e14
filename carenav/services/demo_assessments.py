"""Assessment histories for the demo caseload: made up, plausible and deterministic.

Most patients have a comprehensive assessment at intake (when the ``comprehensive``
instrument is installed) together with the screeners of that first visit; then, over
the last two years of their enrolment (so a history spans one to three years or so):

- depression screening: PHQ-9 every three to five months for patients with an active
  mood or anxiety disorder, or in a behavioural-health or substance use programme,
  following a trajectory (improving with treatment, worsening, steady, low); PHQ-2
  about once a year for everyone else, followed by a PHQ-9 the same day when positive.
  A few PHQ-9s have item 9 above 0 once (sometimes the newest one, so the chart shows
  a safety notice);
- GAD-7 alongside for most patients with anxiety;
- AHC-HRSN social needs at intake, yearly for Medicaid, dual-eligible, homeless and
  younger patients; needs come and go (a referral helped, or a new problem);
- Katz ADL yearly and Lawton IADL every other year for frail elders, slowly declining
  (faster with dementia or Parkinson's); STEADI from 65, yearly when frail or at risk
  and every other year otherwise;
- LACE after a discharge: on the day of the transitional care call for patients in
  TCM, and an earlier admission for some with heart failure, COPD or CKD 4;
- a few forms corrected after signing (an amendment, with a reason) and a few left
  unfinished (answers kept as a draft, as ``save_answers`` keeps them).

Every form is scored by the real engine (:func:`carenav.instruments.score`). The rows
are those :func:`carenav.services.assessments.complete` writes (same scoring, same
flags, same suggested needs, superseded originals) but built in memory with ids and
times from the demo's seeded stream, so the whole caseload is still one bulk insert
in one transaction (``complete`` per form would be one audited transaction each, and
not all-or-nothing). ``tests/unit/test_demo.py`` checks that both paths give the same
rows. Each patient's history has its own random stream (seed and patient id), so the
people of a caseload are the same with or without it, and the same on another day,
only shifted in time.

Cost: about 8 to 9 forms, 7 scores and 5 suggested needs per patient, which triples
the vault's size (10,000 patients: 58 MB without histories, 189 MB with) and the time
to fill it; ``fill_demo_caseload(..., assessments=False)`` leaves them out.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, TypeVar

from carenav.instruments import (
    Instrument,
    Item,
    ScoreResult,
    available_instruments,
    rescreen_due,
    score,
)
from carenav.models import Draft, Observation, QuestionnaireResponse, Record, SuggestedNeed
from carenav.services.assessments import (
    STARTED_KEY,
    _stored_answers,
    draft_form_name,
    encode_answers,
    flags_as_data,
)
from carenav.services.drafts import check_payload

T = TypeVar("T")
Row = dict[str, Any]
AddRow = Callable[[type[Record], Row], None]

ASSESSMENT_TABLES: tuple[type[Record], ...] = (
    QuestionnaireResponse,
    Observation,
    SuggestedNeed,
    Draft,
)
YEAR = 365
HISTORY_YEARS = 2  # screenings repeat over the last two years; the intake visit may be older


# == signing in memory: what assessments.complete() writes ===============================


@dataclass(frozen=True)
class Scored:
    result: ScoreResult
    answers: dict[str, Any]  # as complete() stores them: enabled items, in item order
    flags: list[dict[str, Any]]


class Scorer:
    """The engine's score, remembered per distinct set of answers (many repeat)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], Scored] = {}

    def __call__(self, instrument: Instrument, answers: Mapping[str, Any]) -> Scored:
        key = (instrument.id, *((k, _hashable(v)) for k, v in answers.items()))
        found = self._memo.get(key)
        if found is None:
            result = score(instrument, answers)
            found = Scored(result, _stored_answers(instrument, answers), flags_as_data(result))
            self._memo[key] = found
        return found


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _record(row_id: uuid.UUID, at: datetime) -> Row:
    return {"id": row_id, "created_at": at, "updated_at": at, "version": 1, "deleted_at": None}


def _touch(row: Row, at: datetime) -> None:
    row["updated_at"] = at
    row["version"] += 1


class PatientForms:
    """One patient's signed forms as rows, exactly as ``complete`` and ``save_answers``
    would write them, with ids from ``new_id`` and the given (past) times."""

    def __init__(
        self,
        patient_id: uuid.UUID,
        *,
        author: str,
        add: AddRow,
        new_id: Callable[[], uuid.UUID],
        scorer: Scorer,
    ) -> None:
        self.patient_id = patient_id
        self.author = author
        self.add = add
        self.new_id = new_id
        self.scorer = scorer
        self._responses: dict[uuid.UUID, Row] = {}
        self._observations: dict[uuid.UUID, Row] = {}
        self._open_needs: dict[str, Row] = {}

    def complete(
        self,
        instrument: Instrument,
        answers: Mapping[str, Any],
        *,
        at: datetime,
        started_at: datetime | None = None,
        amends: uuid.UUID | None = None,
        reason: str = "",
    ) -> Row:
        scored = self.scorer(instrument, answers)
        original = self._amendable(instrument, amends, reason)
        response = _record(self.new_id(), at)
        response.update(
            patient_id=self.patient_id,
            questionnaire=instrument.id,
            questionnaire_version=instrument.version,
            status="amended" if original is not None else "completed",
            answers=scored.answers,
            flags=scored.flags,
            started_at=started_at,
            authored_at=at,
            author=self.author,
            amends_id=amends,
            amendment_reason=reason.strip(),
            superseded_at=None,
        )
        self.add(QuestionnaireResponse, response)
        self._responses[response["id"]] = response
        observation = self._observation(instrument, scored, response)
        if observation is not None:
            self.add(Observation, observation)
            self._observations[response["id"]] = observation
        if original is not None:
            self._supersede(original, at)
        self._record_needs(response, scored.result, original)
        return response

    def save_answers(
        self,
        instrument: Instrument,
        answers: Mapping[str, Any],
        *,
        started_at: datetime,
        saved_at: datetime,
    ) -> Row:
        """An unfinished form: one draft, saved once per answer as it was given."""
        payload: dict[str, Any] = dict(check_payload(encode_answers(instrument, answers)))
        payload[STARTED_KEY] = started_at.isoformat()
        draft = _record(self.new_id(), started_at)
        draft.update(
            form=draft_form_name(instrument.id),
            patient_id=self.patient_id,
            record_id=None,
            payload=payload,
            updated_at=saved_at,
            version=max(len(payload) - 1, 1),
        )
        self.add(Draft, draft)
        return draft

    def _amendable(
        self, instrument: Instrument, amends: uuid.UUID | None, reason: str
    ) -> Row | None:
        if amends is None:
            return None
        original = self._responses[amends]
        if original["questionnaire"] != instrument.id or original["superseded_at"] is not None:
            raise ValueError("a demo amendment must correct the current form of the same kind")
        if not reason.strip():
            raise ValueError("a demo amendment needs a reason")
        return original

    def _observation(self, instrument: Instrument, scored: Scored, response: Row) -> Row | None:
        result = scored.result
        if result.total is None:
            return None
        at: datetime = response["authored_at"]
        observation = _record(self.new_id(), at)
        observation.update(
            patient_id=self.patient_id,
            derived_from_id=response["id"],
            questionnaire=instrument.id,
            code=instrument.total_loinc or f"carenav:{instrument.id}-total",
            status="amended" if response["amends_id"] is not None else "final",
            value=result.total,
            band=result.band or "",
            flags=scored.flags,
            effective_at=at,
            rescreen_due=rescreen_due(result, at.date()),
            superseded_at=None,
        )
        return observation

    def _supersede(self, original: Row, at: datetime) -> None:
        original["superseded_at"] = at
        _touch(original, at)
        observation = self._observations.get(original["id"])
        if observation is not None:
            observation["superseded_at"] = at
            _touch(observation, at)

    def _record_needs(self, response: Row, result: ScoreResult, original: Row | None) -> None:
        at: datetime = response["authored_at"]
        still_open = dict(self._open_needs)
        for finding in result.findings:
            need = still_open.pop(finding.code, None)
            if need is None:
                need = _record(self.new_id(), at)
                need.update(
                    patient_id=self.patient_id,
                    response_id=response["id"],
                    questionnaire=response["questionnaire"],
                    code=finding.code,
                    need=finding.need,
                    domain=finding.domain,
                    referral_category=finding.referral_category,
                    evidence=finding.evidence,
                    found_at=at,
                    status="suggested",
                    decided_at=None,
                    decision_note="",
                )
                self.add(SuggestedNeed, need)
                self._open_needs[finding.code] = need
            else:
                _apply(
                    need,
                    at,
                    response_id=response["id"],
                    questionnaire=response["questionnaire"],
                    need=finding.need,
                    evidence=finding.evidence,
                    found_at=at,
                )
        if original is None:
            return
        for code, need in still_open.items():  # what the original found and the correction not
            if need["response_id"] == original["id"]:
                _apply(
                    need,
                    at,
                    status="dismissed",
                    decided_at=at,
                    decision_note="No longer found after the form was corrected.",
                )
                del self._open_needs[code]


def _apply(row: Row, at: datetime, **values: Any) -> None:
    """Record.apply for a row: set changed fields; on any change, touch it."""
    changed = False
    for name, value in values.items():
        if row[name] != value:
            row[name] = value
            changed = True
    if changed:
        _touch(row, at)


# == who the patient is, as the history needs it =============================================


@dataclass(frozen=True)
class Profile:
    """What the demo generator decided about a patient that shapes their forms.

    ``problems`` and ``remission`` use the demo's problem keys (``carenav.services.demo``).
    """

    patient_id: uuid.UUID
    enrolled: datetime
    age: int
    younger: bool
    problems: frozenset[str]
    remission: frozenset[str] = frozenset()
    programs: tuple[str, ...] = ()
    status: str = "active"
    payer_kind: str = "medicare"
    homeless: bool = False
    spouse: bool = False
    caregiver: bool = False  # a primary caregiver or a paid aide on record
    recent_discharge: bool = False
    tcm_call: date | None = None  # the transitional care call after the recent discharge
    non_english: bool = False

    def has(self, *keys: str) -> bool:
        return any(k in self.problems for k in keys)

    @property
    def frail(self) -> bool:
        return not self.younger and (
            self.age >= 80
            or self.has("dementia", "parkinson", "stroke", "falls")
            or "ltss" in self.programs
            or "hospice" in self.programs
        )

    @property
    def mood_care(self) -> bool:
        """Followed with PHQ-9 (measurement-based care) rather than screened yearly."""
        active_mood = self.has("depression") and "depression" not in self.remission
        return (
            active_mood
            or self.has("anxiety", "bipolar", "schizophrenia")
            or bool({"bhi", "sud"} & set(self.programs))
        )


# == the random stream of one patient's history ===============================================


class Dice:
    """One patient's own random stream (so adding patients never changes another's story)."""

    stream = "carenav-demo-assessments"

    def __init__(self, seed: int, patient_id: uuid.UUID) -> None:
        self.rng = random.Random(f"{self.stream}:{seed}:{patient_id.hex}")

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def weighted(self, options: Sequence[tuple[T, float]]) -> T:
        return self.rng.choices([o for o, _ in options], [w for _, w in options])[0]

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        return self.rng.sample(list(items), min(count, len(items)))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date) -> datetime:
        """A time during US Eastern office hours on that day, in UTC."""
        return datetime.combine(day, time(self.between(13, 20), self.between(0, 59)), tzinfo=UTC)


# == answers that score to what the story needs ===============================================

PHQ9_ITEMS = tuple(f"q{n}" for n in range(1, 9))  # item 9 is set on its own
PHQ9_WEIGHTS = (3.0, 3.0, 2.5, 3.0, 1.5, 1.5, 1.5, 1.0)
GAD7_ITEMS = tuple(f"q{n}" for n in range(1, 8))
GAD7_WEIGHTS = (3.0, 2.5, 3.0, 2.0, 1.5, 2.0, 1.5)
KATZ_ORDER = ("bathing", "dressing", "toileting", "transferring", "continence", "feeding")
# IADLs in the order they are usually lost; each with (independent, dependent) option codes
LAWTON: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("shopping", ("1",), ("2", "3", "4")),
    ("transportation", ("1", "2", "3"), ("4", "5")),
    ("food", ("1",), ("2", "3", "4")),
    ("housekeeping", ("1", "2", "3", "4"), ("5",)),
    ("laundry", ("1", "2"), ("3",)),
    ("finances", ("1", "2"), ("3",)),
    ("medications", ("1",), ("2", "3")),
    ("telephone", ("1", "2", "3"), ("4",)),
)
STEADI_POINTS = {
    "fallen": 2, "cane_walker": 2, "unsteady": 1, "furniture": 1, "worried": 1, "push_up": 1,
    "curb": 1, "toilet": 1, "feet": 1, "medicine_tired": 1, "medicine_sleep_mood": 1, "sad": 1,
}  # fmt: skip
CHARLSON = {
    "hfref": 1, "hfpef": 1, "copd": 1, "diabetes": 1, "ckd3b": 2, "ckd4": 2, "dementia": 1,
    "stroke": 1, "hepc": 1, "cad": 1,
}  # fmt: skip


SPREADS = 6  # item patterns per total: enough variety, and most forms score from memory


def _spread(
    dice: Dice, total: int, items: tuple[str, ...], weights: tuple[float, ...]
) -> dict[str, str]:
    """Item answers 0-3 adding up to ``total`` (capped at 3 per item), in one of a few
    patterns per total."""
    return dict(_pattern(items, weights, min(total, 3 * len(items)), dice.between(1, SPREADS)))


@cache
def _pattern(
    items: tuple[str, ...], weights: tuple[float, ...], total: int, variant: int
) -> tuple[tuple[str, str], ...]:
    rng = random.Random(f"{','.join(items)}:{total}:{variant}")
    points = dict.fromkeys(items, 0)
    for _ in range(total):
        open_items = [(i, w) for i, w in zip(items, weights, strict=True) if points[i] < 3]
        chosen = rng.choices([i for i, _ in open_items], [w for _, w in open_items])[0]
        points[chosen] += 1
    return tuple((item, str(value)) for item, value in points.items())


def phq9_answers(dice: Dice, total: int, q9: int = 0) -> dict[str, Any]:
    answers: dict[str, Any] = _spread(dice, max(total - q9, 0), PHQ9_ITEMS, PHQ9_WEIGHTS)
    answers["q9"] = str(q9)
    total = sum(int(v) for v in answers.values())
    if total:
        answers["difficulty"] = (
            dice.pick(("not-difficult", "somewhat"))
            if total < 5
            else dice.pick(("somewhat", "very"))
            if total < 15
            else dice.pick(("very", "extremely"))
        )
    return answers


def phq2_answers(dice: Dice, total: int) -> dict[str, Any]:
    return _spread(dice, total, ("q1", "q2"), (1.0, 1.0))


def gad7_answers(dice: Dice, total: int) -> dict[str, Any]:
    return _spread(dice, total, GAD7_ITEMS, GAD7_WEIGHTS)


def katz_answers(dependent: int) -> dict[str, Any]:
    return {
        item: "dependent" if n < dependent else "independent" for n, item in enumerate(KATZ_ORDER)
    }


def lawton_answers(dice: Dice, dependent: int) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for n, (item, able, unable) in enumerate(LAWTON):
        if n < dependent:
            answers[item] = dice.pick(unable)
        else:
            answers[item] = able[0] if dice.chance(0.7) else dice.pick(able)
    return answers


def steadi_answers(dice: Dice, total: int, *, fallen: bool, aid: bool) -> dict[str, Any]:
    yes: set[str] = set()
    if fallen and total >= 2:
        yes.add("fallen")
    if aid and total - sum(STEADI_POINTS[i] for i in yes) >= 2:
        yes.add("cane_walker")
    ones = [i for i, p in STEADI_POINTS.items() if p == 1]
    while sum(STEADI_POINTS[i] for i in yes) < total:
        left = [i for i in ones if i not in yes]
        if not left:
            break
        yes.add(dice.pick(left))
    return {item: "yes" if item in yes else "no" for item in STEADI_POINTS}


# == one patient's story =========================================================================


@dataclass
class Planned:
    """A form to sign (or to leave unfinished) at a moment of the patient's history."""

    at: datetime
    instrument: str
    answers: dict[str, Any]
    minutes: int = 5
    amends: Planned | None = None
    reason: str = ""
    unfinished: bool = False
    response_id: uuid.UUID | None = None


@dataclass
class SocialNeeds:
    """The patient's social situation; needs come and go between screenings."""

    housing: str = "steady"
    food: bool = False
    transport: bool = False
    utilities: bool = False
    housing_problems: tuple[str, ...] = ()
    safety: int = 0  # 0 none, 1 some conflict, 2 positive screen

    @property
    def went_without(self) -> list[str]:
        gone = [w for w, yes in (("food", self.food), ("utilities", self.utilities)) if yes]
        if self.housing == "not-steady":
            gone.append("rent")
        return gone or ["none"]


CORRECTABLE = ("phq9", "gad7", "steadi", "ahc-hrsn", "katz-adl")
AMENDMENT_REASONS = (
    "An answer was entered in the wrong row; corrected with the patient on the phone.",
    "The patient clarified an answer at the next call.",
    "Daughter was present and corrected an answer with the patient's agreement.",
    "Typing error found when reviewing the form the same day.",
)
MATTERS_MOST = (
    "Staying in my own home",
    "Seeing my grandchildren",
    "Going to church on Sundays",
    "Keeping my garden going",
    "Being able to cook for myself",
    "Not being a burden to my family",
    "Getting back to work",
    "Staying sober",
    "Having a safe place to live",
    "Walking my dog every day",
)
STAY_REASONS = ("Heart failure flare", "COPD flare", "Pneumonia", "Fall at home", "Infection")


class History:
    """Plans one patient's forms from intake to the reference date."""

    def __init__(
        self, dice: Dice, profile: Profile, as_of: date, available: Mapping[str, Instrument]
    ) -> None:
        self.dice = dice
        self.p = profile
        self.available = available
        self.forms: list[Planned] = []
        self.intake = profile.enrolled.date() + timedelta(days=dice.between(0, 10))
        stopped = profile.status != "active"
        self.end = as_of - timedelta(days=dice.between(20, 150) if stopped else 1)
        self.end = max(self.end, self.intake)
        self.start = max(self.intake, as_of - timedelta(days=HISTORY_YEARS * YEAR))
        self.adl = self._first_adl_dependence()
        self.iadl = self._first_iadl_dependence()
        self.social = self._first_social_needs()
        self.function_visits = 0
        self.fall_risk = dice.chance(
            0.2 + 0.4 * profile.has("falls") + 0.2 * profile.frail + 0.1 * (profile.age >= 85)
        )

    # -- the plan --------------------------------------------------------------------------

    def plan(self) -> list[Planned]:
        self._intake_visit()
        self._depression_screening()
        self._yearly(
            "ahc-hrsn",
            lambda day: self._ahc(day),
            self.p.payer_kind in ("medicaid", "dual") or self.p.homeless or self.p.younger,
        )
        self._yearly("katz-adl", lambda day: self._function(day), self.p.frail)
        often = self.p.frail or self.fall_risk  # otherwise every other year
        every = (330, 400) if often else (700, 760)
        self._yearly("steadi", lambda day: self._steadi(day), self.p.age >= 65, every)
        self._discharges()
        self._corrections()
        self._unfinished()
        self.forms.sort(key=lambda f: f.at)
        return self.forms

    def _add(self, instrument: str, answers: dict[str, Any], at: datetime, minutes: int) -> Planned:
        planned = Planned(at, instrument, answers, minutes)
        if instrument in self.available:
            self.forms.append(planned)
        return planned

    def _visit(self, day: date) -> Callable[[str, dict[str, Any], int], Planned]:
        """Forms done one after another at one visit."""
        start = self.dice.moment(day)
        if day == self.p.enrolled.date():  # the first visit starts after the chart was made
            start = max(start, self.p.enrolled + timedelta(minutes=self.dice.between(10, 40)))
        clock = [start]

        def then(instrument: str, answers: dict[str, Any], minutes: int) -> Planned:
            clock[0] += timedelta(minutes=minutes + self.dice.between(1, 4))
            return self._add(instrument, answers, clock[0], minutes)

        return then

    def _intake_visit(self) -> None:
        then = self._visit(self.intake)
        if "comprehensive" in self.available and self.dice.chance(0.85):
            then("comprehensive", self._comprehensive(), self.dice.between(35, 70))
        if self.p.age >= 65:
            then("steadi", self._steadi_answers(), 4)
        if self.p.frail:
            then("katz-adl", katz_answers(self.adl), 3)
            then("lawton-iadl", lawton_answers(self.dice, self.iadl), 4)
        if self.dice.chance(0.75) or self.p.homeless:
            then("ahc-hrsn", self._ahc_answers(), 6)

    def _yearly(
        self,
        instrument: str,
        make: Callable[[date], None],
        wanted: bool,
        every: tuple[int, int] = (330, 400),
    ) -> None:
        if not wanted:
            return
        day = self.intake + timedelta(days=self.dice.between(*every))
        while day <= self.end:
            if day >= self.start:
                make(day)
            day += timedelta(days=self.dice.between(*every))

    # -- depression and anxiety ------------------------------------------------------------

    def _depression_screening(self) -> None:
        if self.p.mood_care:
            self._mood_series()
        else:
            self._yearly_phq2()

    def _visit_days(self, low: int, high: int) -> list[date]:
        days, day = [], self.intake
        while day <= self.end:
            if day >= self.start:
                days.append(day)
            day += timedelta(days=self.dice.between(low, high))
        return days

    def _trajectory(self, count: int, top: int) -> list[int]:
        p, dice = self.p, self.dice
        if "depression" in p.remission and not p.has("anxiety", "bipolar", "schizophrenia"):
            kind = "low"
        else:
            kind = dice.weighted(
                [("improving", 0.45), ("worsening", 0.15), ("steady", 0.2), ("low", 0.2)]
            )
        first, last = {
            "improving": (dice.between(13, 21), dice.between(3, 8)),
            "worsening": (dice.between(4, 9), dice.between(12, 20)),
            "steady": (dice.between(9, 14), dice.between(8, 14)),
            "low": (dice.between(1, 6), dice.between(0, 6)),
        }[kind]
        values = []
        for n in range(count):
            share = n / (count - 1) if count > 1 else 0.0
            value = round(first + (last - first) * share) + dice.between(-2, 2)
            values.append(max(0, min(top, value)))
        return values

    def _mood_series(self) -> None:
        days = self._visit_days(90, 150)
        if not days:
            return
        phq9 = self._trajectory(len(days), 27)
        anxious = self.p.has("anxiety") or self.dice.chance(0.25)
        gad7 = self._trajectory(len(days), 21) if anxious else []
        self_harm_at = -1
        high = [n for n, value in enumerate(phq9) if value >= 10]
        if high and self.dice.chance(0.12):
            self_harm_at = self.dice.pick(high)
        for n, day in enumerate(days):
            then = self._visit(day)
            q9 = self.dice.weighted([(1, 0.8), (2, 0.2)]) if n == self_harm_at else 0
            then("phq9", phq9_answers(self.dice, phq9[n], q9), self.dice.between(3, 8))
            if gad7 and (n == 0 or self.dice.chance(0.4)):
                then("gad7", gad7_answers(self.dice, gad7[n]), self.dice.between(2, 6))

    def _yearly_phq2(self) -> None:
        for day in self._visit_days(300, 400):
            then = self._visit(day)
            positive = self.dice.chance(0.1)
            total = (
                self.dice.between(3, 5)
                if positive
                else self.dice.weighted([(0, 0.6), (1, 0.25), (2, 0.15)])
            )
            then("phq2", phq2_answers(self.dice, total), 2)
            if positive:
                value = self.dice.between(7, 16)
                then("phq9", phq9_answers(self.dice, value), self.dice.between(3, 8))
                follow = day
                while value >= 10 and follow + timedelta(days=120) <= self.end:
                    follow += timedelta(days=self.dice.between(80, 110))
                    value = max(0, value - self.dice.between(2, 6))
                    self._visit(follow)("phq9", phq9_answers(self.dice, value), 5)

    # -- function and falls ------------------------------------------------------------------

    def _first_adl_dependence(self) -> int:
        p, dice = self.p, self.dice
        if not p.frail:
            return 0
        if p.has("dementia"):
            return dice.between(1, 4)
        if "hospice" in p.programs:
            return dice.between(2, 5)
        if p.age >= 90 or "ltss" in p.programs:
            return dice.between(0, 3)
        return dice.weighted([(0, 0.6), (1, 0.25), (2, 0.15)])

    def _first_iadl_dependence(self) -> int:
        if self.adl:
            return min(8, self.adl + self.dice.between(1, 3))
        if self.p.frail:
            return self.dice.between(0, 3)
        return self.dice.weighted([(0, 0.8), (1, 0.2)]) if not self.p.younger else 0

    def _function(self, day: date) -> None:
        decline = 0.6 if self.p.has("dementia", "parkinson") else 0.2
        if self.dice.chance(decline):
            self.adl = min(6, self.adl + 1)
        if self.dice.chance(decline + 0.2):
            self.iadl = min(8, self.iadl + 1)
        self.iadl = max(self.iadl, min(8, self.adl + 1)) if self.adl else self.iadl
        then = self._visit(day)
        then("katz-adl", katz_answers(self.adl), 3)
        self.function_visits += 1
        if self.function_visits % 2 == 0:  # IADLs every other year
            then("lawton-iadl", lawton_answers(self.dice, self.iadl), 4)

    def _steadi_answers(self) -> dict[str, Any]:
        total = self.dice.between(4, 10) if self.fall_risk else self.dice.between(0, 3)
        aid = self.p.frail and self.dice.chance(0.6)
        return steadi_answers(self.dice, total, fallen=self.p.has("falls"), aid=aid)

    def _steadi(self, day: date) -> None:
        if not self.fall_risk and self.dice.chance(0.12):
            self.fall_risk = True
        self._visit(day)("steadi", self._steadi_answers(), 4)

    # -- social needs --------------------------------------------------------------------------

    def _first_social_needs(self) -> SocialNeeds:
        p, dice = self.p, self.dice
        poor = p.payer_kind in ("medicaid", "dual")
        shares = [("steady", 0.93 - 0.06 * poor), ("worried", 0.05 + 0.05 * poor)]
        shares.append(("not-steady", 0.02 + 0.01 * poor))
        housing = "not-steady" if p.homeless else dice.weighted(shares)
        problems = ("pests", "mold", "heat", "smoke-detectors", "water-leaks", "oven", "lead")
        return SocialNeeds(
            housing=housing,
            food=dice.chance(0.28 if poor or p.homeless else 0.08),
            transport=dice.chance(0.12 + 0.1 * (p.age >= 80 and not p.spouse) + 0.1 * p.homeless),
            utilities=not p.homeless and dice.chance(0.06 + 0.06 * poor),
            housing_problems=tuple(dice.sample(problems, dice.between(1, 2)))
            if not p.homeless and dice.chance(0.08)
            else (),
            safety=dice.weighted([(0, 0.955), (1, 0.03), (2, 0.015)]),
        )

    def _ahc(self, day: date) -> None:
        s, dice = self.social, self.dice
        s.food = _changed(dice, s.food, resolves=0.4, arises=0.04)
        s.transport = _changed(dice, s.transport, resolves=0.4, arises=0.04)
        s.utilities = s.utilities and not dice.chance(0.5)
        if s.housing != "steady" and not self.p.homeless and dice.chance(0.4):
            s.housing = "steady"
        if s.safety and dice.chance(0.5):
            s.safety = 0
        self._visit(day)("ahc-hrsn", self._ahc_answers(), 6)

    def _ahc_answers(self) -> dict[str, Any]:
        s, dice = self.social, self.dice
        often = ("often", "sometimes")
        safety = {
            0: ("never", "never", "never", "never"),
            1: ("never", "rarely", "never", "sometimes"),
            2: ("rarely", "fairly-often", "rarely", "sometimes"),
        }[s.safety]
        return {
            "living-situation": s.housing,
            "housing-problems": list(s.housing_problems) or ["none"],
            "food-worry": dice.pick(often) if s.food else "never",
            "food-didnt-last": dice.pick(often) if s.food and dice.chance(0.7) else "never",
            "transportation": "yes" if s.transport else "no",
            "utilities": dice.pick(("yes", "already-shut-off")) if s.utilities else "no",
            "physically-hurt": safety[0],
            "insult": safety[1],
            "threaten": safety[2],
            "scream-curse": safety[3],
        }

    # -- hospital stays ------------------------------------------------------------------------

    def _lace_answers(self) -> dict[str, Any]:
        dice = self.dice
        charlson = sum(CHARLSON.get(k, 0) for k in self.p.problems)
        if self.p.has("diabetes") and self.p.has("ckd3a", "ckd3b", "ckd4"):
            charlson += 1  # diabetes with end-organ damage counts 2
        return {
            "los": dice.weighted([(1, 0.1), (2, 0.15), (3, 0.2), (5, 0.3), (8, 0.17), (15, 0.08)]),
            "acuity": "emergent" if dice.chance(0.85) else "elective",
            "charlson": charlson,
            "ed_visits": dice.weighted([(0, 0.35), (1, 0.3), (2, 0.2), (3, 0.1), (5, 0.05)]),
        }

    def _discharges(self) -> None:
        if self.p.recent_discharge:  # scored on the day of the transitional care call
            call = self.p.tcm_call or self.end - timedelta(days=self.dice.between(0, 10))
            self._visit(max(call, self.intake))("lace", self._lace_answers(), 3)
        if self.p.has("hfref", "hfpef", "copd", "ckd4") and self.dice.chance(0.3):
            span = (self.end - self.start).days
            if span > 60:
                day = self.start + timedelta(days=self.dice.between(0, span - 45))
                self._visit(day)("lace", self._lace_answers(), 3)

    # -- corrections and unfinished forms ---------------------------------------------------------

    def _corrections(self) -> None:
        latest = datetime.combine(self.end - timedelta(days=2), time(23, 59), tzinfo=UTC)
        candidates = [f for f in self.forms if f.instrument in CORRECTABLE and f.at <= latest]
        if not candidates or not self.dice.chance(0.04):
            return
        original = self.dice.pick(candidates)
        answers = dict(original.answers)
        item = self.dice.pick(sorted(k for k in answers if k != "difficulty"))
        answers[item] = _another_answer(
            self.dice, self.available[original.instrument], item, answers[item]
        )
        later = original.at + timedelta(hours=self.dice.between(2, 40))
        fixed = Planned(later, original.instrument, answers, 2, amends=original)
        fixed.reason = self.dice.pick(AMENDMENT_REASONS)
        self.forms.append(fixed)

    def _unfinished(self) -> None:
        if self.p.status != "active" or not self.dice.chance(0.03):
            return
        kind = self.dice.weighted([("phq9", 0.4), ("steadi", 0.3), ("comprehensive", 0.3)])
        if kind not in self.available:
            return
        full = {
            "phq9": lambda: phq9_answers(self.dice, self.dice.between(3, 15)),
            "steadi": self._steadi_answers,
            "comprehensive": self._comprehensive,
        }[kind]()
        keep = [k for k in full if self.available[kind].item(k) is not None]
        given = {
            k: full[k] for k in keep[: max(1, self.dice.between(len(keep) // 4, len(keep) // 2))]
        }
        day = self.end - timedelta(days=self.dice.between(0, 10))
        planned = Planned(self.dice.moment(max(day, self.intake)), kind, given, 10, unfinished=True)
        self.forms.append(planned)

    # -- the comprehensive assessment ------------------------------------------------------------

    def _comprehensive(self) -> dict[str, Any]:
        """The intake assessment, section by section, consistent with the rest of the story."""
        answers: dict[str, Any] = {}
        for section in (
            self._medical_history,
            self._functional_status,
            self._cognition_and_emotions,
            self._support_system,
            self._home_safety,
            self._social_needs,
        ):
            answers.update(section())
        answers["wm-matters-most"] = self.dice.pick(MATTERS_MOST)
        answers["wm-contact"] = [self.dice.pick(("phone", "home-visit"))]
        return fit_answers(self.available.get("comprehensive"), answers)

    def _medical_history(self) -> dict[str, Any]:
        p, dice = self.p, self.dice
        heart_or_lung = p.has("hfref", "hfpef", "copd")
        stays = dice.between(1, 3) if heart_or_lung else dice.weighted([(0, 0.7), (1, 0.3)])
        barriers = ("forgetting", "side-effects", "cost", "refills", "confusing")
        pain = 0.1 + 0.25 * p.has("chronic_pain", "osteoarthritis")
        directive = dice.weighted([("yes", 0.45), ("no", 0.4), ("not-sure", 0.15)])
        answers: dict[str, Any] = {
            "mh-medication-changes": dice.chance(0.3),
            "mh-medication-barriers": dice.sample(barriers, dice.between(1, 2))
            if dice.chance(0.25)
            else ["none"],
            "mh-hospital-stays": stays,
            "mh-ed-visits": dice.weighted([(0, 0.55), (1, 0.3), (2, 0.12), (3, 0.03)]),
            "mh-pain": dice.weighted([("no", 0.5), ("some-days", 0.4), ("most-days", pain)]),
            "mh-sleep": dice.pick(("never", "sometimes", "often")),
            "mh-hearing": dice.chance(0.25 if p.age >= 80 else 0.06),
            "mh-vision": dice.chance(0.15 if p.age >= 75 else 0.04),
            "mh-advance-directive": directive,
            "mh-advance-directive-copy": dice.pick(("yes", "no")),
            "mh-advance-directive-help": dice.chance(0.35),
        }
        if stays:
            discharged = self.intake - timedelta(days=dice.between(5, 200))
            answers["mh-last-discharge"] = discharged.isoformat()
            answers["mh-last-stay-reason"] = dice.pick(STAY_REASONS)
        return answers

    def _functional_status(self) -> dict[str, Any]:
        p, dice = self.p, self.dice
        return {
            "fs-daily-help": self.adl > 0,
            "fs-household-help": self.iadl > 0,
            "fs-mobility-aids": [dice.pick(("cane", "walker"))]
            if p.frail and dice.chance(0.6)
            else ["none"],
            "fs-falls": p.has("falls"),
            "fs-fall-count": dice.between(1, 3),
            "fs-fall-injury": dice.chance(0.3),
            "fs-unsteady": self.fall_risk and dice.chance(0.7),
            "fs-worried-falling": self.fall_risk and dice.chance(0.6),
        }

    def _cognition_and_emotions(self) -> dict[str, Any]:
        p, dice = self.p, self.dice
        dementia = p.has("dementia")
        using = p.has("oud") and "oud" not in p.remission
        answers: dict[str, Any] = {
            "cog-memory-concern": dice.pick(("family", "both"))
            if dementia
            else dice.weighted([("no", 0.94), ("patient", 0.06)]),
            "cog-new-confusion": False,
            "cog-medication-manager": dice.pick(("family", "professional"))
            if dementia
            else dice.pick(("self", "self-with-aids")),
            "eh-alcohol": self._alcohol(),
            "eh-tobacco": dice.pick(("every-day", "some-days"))
            if p.has("tobacco")
            else "not-at-all",
            "eh-drug-use": dice.between(1, 10) if using else 0,
        }
        if answers["eh-alcohol"] != "never":
            drinking = p.has("aud") and "aud" not in p.remission
            answers["eh-heavy-drinking-days"] = dice.between(2, 8) if drinking else 0
        return answers

    def _alcohol(self) -> str:
        if self.p.has("aud"):
            if "aud" in self.p.remission:
                return "never"
            return self.dice.pick(("2-3-a-week", "4-or-more-a-week"))
        return self.dice.weighted(
            [("never", 0.55), ("monthly-or-less", 0.35), ("2-4-a-month", 0.1)]
        )

    def _support_system(self) -> dict[str, Any]:
        p, dice = self.p, self.dice
        dementia = p.has("dementia")
        return {
            "ss-lives-alone": not p.spouse and not p.homeless and dice.chance(0.6),
            "ss-has-helper": p.caregiver,
            "ss-helper-hours": dice.between(4, 40),
            "ss-helper-coping": dice.pick(("some-strain", "serious-strain"))
            if dementia
            else dice.weighted([("managing", 0.85), ("some-strain", 0.15)]),
            "ss-helper-cutbacks": dementia and dice.chance(0.4),
            "ss-backup-helper": dice.chance(0.75),
            "ss-respite-interest": dementia and dice.chance(0.5),
        }

    def _home_safety(self) -> dict[str, Any]:
        p, dice = self.p, self.dice
        hard = 0.25 if p.frail else 0.08
        return {
            "hs-stairs": dice.weighted(
                [("none", 0.45), ("manageable", 0.55 - hard), ("hard", hard)]
            ),
            "hs-handrails": dice.weighted([("yes", 0.75), ("some", 0.17), ("no", 0.08)]),
            "hs-bathroom-difficulty": p.frail and dice.chance(0.3),
            "hs-bathroom-equipment": ["grab-bars", "shower-seat"]
            if p.frail and dice.chance(0.5)
            else ["none"],
            "hs-trip-hazards": dice.chance(0.1),
            "hs-smoke-alarms": dice.weighted([("yes", 0.9), ("no", 0.04), ("not-sure", 0.06)]),
            "hs-temperature": "not-always" if self.social.utilities else "yes",
            "hs-call-for-help": not (p.frail and not p.spouse and dice.chance(0.3)),
            "hs-pets": dice.chance(0.3),
        }

    def _social_needs(self) -> dict[str, Any]:
        p, dice, s = self.p, self.dice, self.social
        poor = p.payer_kind in ("medicaid", "dual")
        strain = 0.3 if poor else 0.1
        confidence = (
            [("quite-a-bit", 0.3), ("somewhat", 0.5), ("a-little-bit", 0.2)]
            if p.non_english
            else [("extremely", 0.6), ("quite-a-bit", 0.32), ("somewhat", 0.08)]
        )
        work = "retired" if not p.younger else dice.pick(("unable", "part-time", "looking"))
        return {
            "sn-basics-hard": "somewhat-hard"
            if s.food or s.utilities
            else dice.weighted([("not-hard", 1 - strain), ("somewhat-hard", strain)]),
            "sn-went-without": s.went_without,
            "sn-work": work,
            "sn-benefits-help": (s.food or s.utilities) and dice.chance(0.6),
            "sn-forms-confidence": dice.weighted(confidence),
            "sn-coverage": _coverage(p.payer_kind),
            "sn-regular-doctor": True,
            "sn-missed-care": s.transport and dice.chance(0.5),
            "sn-missed-care-reasons": ["transportation"],
            "sn-housing": s.housing,
            "sn-safe-home": s.safety < 2,
            "sn-safe-neighborhood": dice.chance(0.93),
            "sn-transport": ["no-way"]
            if s.transport
            else [dice.pick(("drive", "family", "transit", "paratransit"))],
            "sn-transport-problem": s.transport,
            "sn-lonely": dice.weighted(
                [("never", 0.3), ("rarely", 0.35), ("sometimes", 0.25), ("often", 0.1)]
            ),
            "sn-social-contact": dice.pick(("1-2", "3-5", "more-than-5")),
            "sn-unfair-treatment": dice.weighted(
                [("never", 0.8), ("rarely", 0.15), ("sometimes", 0.05)]
            ),
        }


def _changed(dice: Dice, need: bool, *, resolves: float, arises: float) -> bool:
    """A need since the last screening: a referral may have helped, or a new one arisen."""
    return not dice.chance(resolves) if need else dice.chance(arises)


def _coverage(payer_kind: str) -> list[str]:
    return {
        "medicare": ["medicare"],
        "advantage": ["medicare-advantage"],
        "dual": ["medicare", "medicaid"],
        "medicaid": ["medicaid"],
    }.get(payer_kind, ["not-sure"])


def _another_answer(dice: Dice, instrument: Instrument, link_id: str, value: Any) -> Any:
    item = instrument.item(link_id)
    assert item is not None
    if item.type == "choice":
        others = [o.code for o in item.options if o.code != value]
        return dice.pick(others)
    return value


def fit_answers(instrument: Instrument | None, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the answers the instrument accepts and give a plain answer to any required item
    left out, so the demo still scores if the definition gains or renames an item."""
    if instrument is None:
        return dict(answers)
    items = {item.link_id: item for item in instrument.items}
    kept = {k: v for k, v in answers.items() if _fits(items.get(k), v)}
    for item in instrument.items:
        if item.required and item.type != "display" and item.link_id not in kept:
            kept[item.link_id] = _plain_answer(item)
    return kept


def _fits(item: Item | None, value: Any) -> bool:
    if item is None or item.type == "display":
        return False
    if item.type == "choice":
        return isinstance(value, str) and item.option(value) is not None
    if item.type == "multi-choice":
        return isinstance(value, list) and all(item.option(v) is not None for v in value)
    if item.type == "boolean":
        return isinstance(value, bool)
    if item.type in ("integer", "decimal"):
        low = item.min if item.min is not None else value
        high = item.max if item.max is not None else value
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        )
    return isinstance(value, str)


def _plain_answer(item: Item) -> Any:
    if item.type == "choice":
        return item.options[0].code
    if item.type == "multi-choice":
        return [next((o.code for o in item.options if o.code == "none"), item.options[0].code)]
    if item.type == "boolean":
        return False
    if item.type in ("integer", "decimal"):
        return int(item.min or 0)
    if item.type == "date":
        return "2000-01-01"
    return "Discussed at the visit"


# == the caseload's histories ================================================================


class DemoAssessments:
    """Adds each demo patient's assessment history to the bulk insert (one per fill)."""

    def __init__(
        self, *, seed: int, author: str, instruments: Sequence[Instrument] | None = None
    ) -> None:
        found = available_instruments() if instruments is None else instruments
        self.instruments = {i.id: i for i in found}
        self.seed = seed
        self.author = author
        self.scorer = Scorer()

    @property
    def has_comprehensive(self) -> bool:
        return "comprehensive" in self.instruments

    def add_history(self, profile: Profile, as_of: date, add: AddRow) -> None:
        dice = Dice(self.seed, profile.patient_id)
        forms = PatientForms(
            profile.patient_id, author=self.author, add=add, new_id=dice.uuid, scorer=self.scorer
        )
        for planned in History(dice, profile, as_of, self.instruments).plan():
            instrument = self.instruments[planned.instrument]
            started = planned.at - timedelta(minutes=planned.minutes)
            if planned.unfinished:
                forms.save_answers(
                    instrument, planned.answers, started_at=started, saved_at=planned.at
                )
                continue
            response = forms.complete(
                instrument,
                planned.answers,
                at=planned.at,
                started_at=started,
                amends=planned.amends.response_id if planned.amends else None,
                reason=planned.reason,
            )
            planned.response_id = response["id"]

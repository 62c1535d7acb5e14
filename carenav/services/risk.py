"""Suggested risk tier: a transparent points rule, and the care manager's decision.

The suggestion is a starting point, never the decision: the care manager sees
every fact with the points it added, confirms the tier or chooses another one
with a reason, and that decision (a RiskAssessment) sets the patient's tier.

Facts (gathered from the chart by :func:`gather_risk_facts`)
-------------------------------------------------------------
- **Chronic conditions** on the problem list, counted as distinct condition
  groups: a problem counts when its status is *active* or *in remission* and its
  ICD-10-CM code starts with one of the prefixes in ``CHRONIC_CODE_GROUPS`` (the
  CMS Chronic Conditions Warehouse categories, limited to conditions that last a
  year or more and need ongoing management). Two codes of one group (E11.9 and
  E11.65) count once. An *active* problem without a code counts, one each, since
  the care manager put it on the list. Inactive or resolved problems, and coded
  problems outside the list (history of falls Z91.81, GERD K21.9, obesity E66.9),
  do not count.
- **LACE** (newest current score): counts for 90 days after it was scored.
- **Recent discharge**: a LACE scored in the last 30 days, or the patient is in
  transitional care management (``tcm``).
- **ADL dependence**: the newest Katz ADL total of 4 or less (dependent in 2 or
  more of the 6 activities), scored in the last 12 months.
- **Caregiver**: a family member or caregiver marked *primary caregiver*.
- **Behavioural-health need**: newest PHQ-9 of 10 or more or GAD-7 of 10 or more
  (last 12 months), or an active F-code problem other than F01-F09 (dementia and
  other organic disorders, which show in function) and F17 (nicotine dependence
  alone).
- **Urgent flags** (PHQ-9 item 9, interpersonal safety) on the newest current
  form of an instrument, raised in the last 12 months.

Scores older than their window are listed as "does not count": they should be
repeated rather than trusted. Superseded (corrected) forms never count.

Points
------
============================================================  ======
Fact                                                          Points
============================================================  ======
2 or 3 chronic conditions                                     1
4 or more chronic conditions                                  2
LACE 5-9 (moderate readmission risk), last 90 days            1
LACE 10 or more (high readmission risk), last 90 days         2
Recent discharge (LACE in the last 30 days, or in TCM)        1
Dependent in 2 or more ADLs (Katz 4 or less)                  2
No primary caregiver recorded                                 1
... and dependent in 2 or more ADLs as well                   1 more
Behavioural-health need (any of the above)                    1
============================================================  ======

Tier: 0-1 points low, 2-3 moderate, 4-5 high, 6 or more very high. An urgent
flag makes the tier at least high, whatever the points.

Why these facts and weights
---------------------------
- CMS chronic care management is for patients with two or more chronic
  conditions expected to last at least 12 months that put them at significant
  risk of death, decompensation or functional decline (CMS MLN909188); so 2 is
  the first step, and many conditions (4+) the second.
- LACE predicts death or unplanned readmission within 30 days of discharge (van
  Walraven et al., CMAJ 2010;182:551-7); a total of 10 or more is the usual
  high-risk cut-off (e.g. Damery & Combes, BMJ Open 2017;7:e016921), and it is
  the bundled LACE definition's "high" band. Its weight fades with time, hence
  the 90-day window.
- The month after discharge is the riskiest time (one in five Medicare patients
  readmitted within 30 days: Jencks et al., NEJM 2009;360:1418-28), which is also
  the CMS TCM service period; so a fresh discharge adds a point on top of LACE.
- Three or more ADL dependencies are among the strongest predictors of nursing
  home admission, and an unavailable family caregiver and living alone are
  consistent predictors too (Gaugler et al., BMC Geriatrics 2007;7:13); Katz
  total 4 or less (two dependencies) is the threshold this app uses for
  "dependent" (Katz et al., JAMA 1963). Dependence with no one to help is the
  frail-elder situation case management exists for, hence the extra point.
- PHQ-9 10 or more (Kroenke et al., J Gen Intern Med 2001;16:606-13) and GAD-7
  10 or more (Spitzer et al., Arch Intern Med 2006;166:1092-7) are the published
  cut-offs for a likely disorder needing treatment.
- An urgent safety flag needs action now, whatever else the chart shows.

Everything is a pure function of :class:`RiskFacts`, so the same facts always
give the same tier, and every point is named in the reasons.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from carenav.dates import day_text
from carenav.errors import InvalidInput
from carenav.models import Condition, Observation, RelatedPerson, RiskAssessment, utcnow
from carenav.models.codes import RISK_TIERS
from carenav.services.assessments import latest_scores, safety_notices
from carenav.services.patients import _live_patient
from carenav.store.vault import Vault

TIERS: tuple[str, ...] = tuple(RISK_TIERS)
OVERRIDE_REASON_MAX = 500

LACE_WINDOW_DAYS = 90
DISCHARGE_WINDOW_DAYS = 30
SCORE_WINDOW_DAYS = 365
LACE_HIGH, LACE_MODERATE = 10, 5
ADL_DEPENDENT_AT_MOST = 4  # Katz total: 6 activities, 1 point each when independent
PHQ9_POSITIVE = GAD7_POSITIVE = 10
URGENT_FLOOR = "high"
# points -> tier: the lowest points of each tier above "low"
TIER_FROM_POINTS: tuple[tuple[int, str], ...] = ((6, "very_high"), (4, "high"), (2, "moderate"))

# ICD-10-CM prefixes (dots removed) of chronic conditions, by group; the group's words
# name it in the reasons. From the CMS Chronic Conditions Warehouse categories.
CHRONIC_CODE_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("I10", "I11", "I12", "I13", "I15", "I16"), "hypertension"),
    (("I20", "I25"), "coronary artery disease"),
    (("I48",), "atrial fibrillation"),
    (("I50", "I42"), "heart failure"),
    (("I69",), "after-effects of stroke"),
    (("I70", "I73"), "peripheral artery disease"),
    (("E10", "E11", "E13"), "diabetes"),
    (("E03",), "hypothyroidism"),
    (("E78",), "high cholesterol"),
    (("J43", "J44"), "COPD"),
    (("J45",), "asthma"),
    (("J47", "J84", "J961"), "chronic lung disease"),
    (("N18",), "chronic kidney disease"),
    (("N40",), "enlarged prostate"),
    (("F01", "F02", "F03", "G30", "G31"), "dementia"),
    (("G20",), "Parkinson's disease"),
    (("G35",), "multiple sclerosis"),
    (("G40",), "epilepsy"),
    (tuple(f"F{n}" for n in range(10, 20)), "substance use"),
    (tuple(f"F{n}" for n in range(20, 30)), "psychotic disorder"),
    (tuple(f"F{n}" for n in range(30, 40)), "depression or bipolar disorder"),
    (("F431",), "post-traumatic stress disorder"),
    (("F40", "F41", "F42"), "anxiety disorder"),
    (("M05", "M06", "M15", "M16", "M17", "M18", "M19"), "arthritis"),
    (("M80", "M81"), "osteoporosis"),
    (("B18", "K70", "K73", "K74"), "chronic liver disease"),
    (("B20",), "HIV"),
    (("C",), "cancer"),
    (("D57",), "sickle cell disease"),
    (("H40",), "glaucoma"),
)
COUNTED_STATUSES = frozenset({"active", "remission"})
UNCODED = "problem without a code"
# F-codes that do not make a behavioural-health need on their own
NOT_BEHAVIOURAL = (*(f"F0{n}" for n in range(10)), "F17")

INSTRUMENT_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7", "lace": "LACE", "katz-adl": "Katz ADL"}
# -- facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreFact:
    """The newest current score of one instrument."""

    value: int
    band: str
    on: date


@dataclass(frozen=True)
class UrgentFlag:
    instrument: str
    label: str
    on: date


@dataclass(frozen=True)
class RiskFacts:
    """What the suggestion is computed from; ``today`` anchors every time window."""

    today: date
    chronic_conditions: tuple[str, ...] = ()  # one group label per counted condition
    behavioural_conditions: tuple[str, ...] = ()
    has_caregiver: bool = False
    in_tcm: bool = False
    lace: ScoreFact | None = None
    katz_adl: ScoreFact | None = None
    phq9: ScoreFact | None = None
    gad7: ScoreFact | None = None
    urgent_flags: tuple[UrgentFlag, ...] = ()


def normalised_code(code: str) -> str:
    return code.replace(".", "").replace(" ", "").upper()


def chronic_group(code: str) -> str | None:
    """The chronic-condition group of an ICD-10-CM code, or None if it is not chronic."""
    plain = normalised_code(code)
    if not plain:
        return None
    return next(
        (label for prefixes, label in CHRONIC_CODE_GROUPS if plain.startswith(prefixes)), None
    )


def chronic_conditions(problems: Iterable[Condition]) -> tuple[str, ...]:
    """One label per counted chronic condition (distinct groups, then uncoded problems)."""
    groups: dict[str, None] = {}
    uncoded: set[str] = set()
    for problem in problems:
        if problem.deleted_at is not None or problem.clinical_status not in COUNTED_STATUSES:
            continue
        if not problem.icd10_code.strip():
            if problem.clinical_status == "active":
                uncoded.add(" ".join(problem.text.lower().split()))
            continue
        group = chronic_group(problem.icd10_code)
        if group is not None:
            groups[group] = None
    return (*groups, *([UNCODED] * len(uncoded)))


def behavioural_conditions(problems: Iterable[Condition]) -> tuple[str, ...]:
    """Group labels of active F-code problems that make a behavioural-health need."""
    found: dict[str, None] = {}
    for problem in problems:
        plain = normalised_code(problem.icd10_code)
        if problem.deleted_at is not None or problem.clinical_status != "active":
            continue
        if plain.startswith("F") and not plain.startswith(NOT_BEHAVIOURAL):
            found[chronic_group(plain) or "behavioural-health condition"] = None
    return tuple(found)


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def _score_fact(observation: Observation | None) -> ScoreFact | None:
    if observation is None:
        return None
    return ScoreFact(observation.value, observation.band, _local_day(observation.effective_at))


def gather_risk_facts(vault: Vault, patient_id: uuid.UUID, today: date | None = None) -> RiskFacts:
    """The facts for one patient, read from the problem list, family and current scores."""
    with vault.session() as session:
        patient = _live_patient(session, patient_id)
        problems = session.exec(
            select(Condition).where(
                Condition.patient_id == patient_id, col(Condition.deleted_at).is_(None)
            )
        ).all()
        caregiver = session.exec(
            select(RelatedPerson.id).where(
                RelatedPerson.patient_id == patient_id,
                col(RelatedPerson.primary_caregiver).is_(True),
                col(RelatedPerson.deleted_at).is_(None),
            )
        ).first()
        in_tcm = "tcm" in patient.programs
    scores = latest_scores(vault, patient_id)
    urgent = tuple(
        UrgentFlag(notice.instrument_id, notice.label, _local_day(notice.raised_at))
        for notice in safety_notices(vault, patient_id)
    )
    return RiskFacts(
        today=today or date.today(),
        chronic_conditions=chronic_conditions(problems),
        behavioural_conditions=behavioural_conditions(problems),
        has_caregiver=caregiver is not None,
        in_tcm=in_tcm,
        lace=_score_fact(scores.get("lace")),
        katz_adl=_score_fact(scores.get("katz-adl")),
        phq9=_score_fact(scores.get("phq9")),
        gad7=_score_fact(scores.get("gad7")),
        urgent_flags=urgent,
    )


# -- the rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskReason:
    """One fact in plain words with the points it adds (``floor``: a lowest tier it sets)."""

    text: str
    points: int = 0
    floor: str | None = None

    @property
    def counts(self) -> bool:
        return self.points > 0 or self.floor is not None


@dataclass(frozen=True)
class RiskSuggestion:
    """The suggested tier, its points, and every fact checked (``breakdown``)."""

    tier: str
    points: int
    breakdown: tuple[RiskReason, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The facts that added points or set a lowest tier, in plain words."""
        return tuple(r.text for r in self.breakdown if r.counts)

    @property
    def also_checked(self) -> tuple[str, ...]:
        """Facts looked at that added nothing (shown so the care manager sees they were)."""
        return tuple(r.text for r in self.breakdown if not r.counts)


def _age_days(facts: RiskFacts, on: date) -> int:
    return max((facts.today - on).days, 0)


def _recent(facts: RiskFacts, fact: ScoreFact | None, days: int) -> ScoreFact | None:
    return fact if fact is not None and _age_days(facts, fact.on) <= days else None


def _stale(name: str, fact: ScoreFact, days: int) -> RiskReason:
    window = "12 months" if days == SCORE_WINDOW_DAYS else f"{days} days"
    return RiskReason(
        f"{name} {fact.value} on {day_text(fact.on)} is older than {window} and does not count"
    )


def _chronic_reason(facts: RiskFacts) -> RiskReason:
    labels = facts.chronic_conditions
    count = len(labels)
    if count == 0:
        return RiskReason("No chronic conditions on the problem list")
    named = [label for label in dict.fromkeys(labels) if label != UNCODED]
    uncoded = labels.count(UNCODED)
    if uncoded:
        named.append(
            f"{uncoded} {UNCODED}" if uncoded == 1 else f"{uncoded} problems without a code"
        )
    noun = "condition" if count == 1 else "conditions"
    points = 2 if count >= 4 else 1 if count >= 2 else 0
    return RiskReason(f"{count} chronic {noun} on the problem list ({', '.join(named)})", points)


def _lace_reasons(facts: RiskFacts) -> list[RiskReason]:
    if facts.lace is None:
        return []
    lace = facts.lace
    if _recent(facts, lace, LACE_WINDOW_DAYS) is None:
        return [_stale("LACE", lace, LACE_WINDOW_DAYS)]
    level, points = (
        ("high", 2) if lace.value >= LACE_HIGH else ("moderate", 1)
        if lace.value >= LACE_MODERATE else ("low", 0)
    )  # fmt: skip
    return [
        RiskReason(f"LACE {lace.value} on {day_text(lace.on)}: {level} readmission risk", points)
    ]


def _discharge_reason(facts: RiskFacts) -> RiskReason | None:
    fresh = _recent(facts, facts.lace, DISCHARGE_WINDOW_DAYS)
    parts = []
    if fresh is not None:
        parts.append(f"LACE scored on {day_text(fresh.on)}, within {DISCHARGE_WINDOW_DAYS} days")
    if facts.in_tcm:
        parts.append("in transitional care management")
    if not parts:
        return None
    return RiskReason(f"Recent hospital discharge ({'; '.join(parts)})", 1)


def _adl_dependent(facts: RiskFacts) -> bool:
    katz = _recent(facts, facts.katz_adl, SCORE_WINDOW_DAYS)
    return katz is not None and katz.value <= ADL_DEPENDENT_AT_MOST


def _adl_reason(facts: RiskFacts) -> RiskReason | None:
    katz = facts.katz_adl
    if katz is None:
        return None
    if _recent(facts, katz, SCORE_WINDOW_DAYS) is None:
        return _stale("Katz ADL", katz, SCORE_WINDOW_DAYS)
    dependent = 6 - katz.value
    when = f"Katz ADL {katz.value} on {day_text(katz.on)}"
    if dependent == 0:
        return RiskReason(f"{when}: independent in all 6 daily activities")
    activities = "activity" if dependent == 1 else "activities"
    points = 2 if katz.value <= ADL_DEPENDENT_AT_MOST else 0
    return RiskReason(f"{when}: dependent in {dependent} daily {activities}", points)


def _caregiver_reasons(facts: RiskFacts) -> list[RiskReason]:
    if facts.has_caregiver:
        return [RiskReason("Primary caregiver recorded")]
    reasons = [RiskReason("No caregiver recorded", 1)]
    if _adl_dependent(facts):
        reasons.append(RiskReason("Dependent in daily activities with no caregiver recorded", 1))
    return reasons


def _screen_text(name: str, fact: ScoreFact) -> str:
    band = f" ({fact.band})" if fact.band else ""
    return f"{name} {fact.value}{band} on {day_text(fact.on)}"


def _behavioural_reasons(facts: RiskFacts) -> list[RiskReason]:
    triggers: list[str] = []
    checked: list[RiskReason] = []
    for name, fact, cut_off in (
        ("PHQ-9", facts.phq9, PHQ9_POSITIVE),
        ("GAD-7", facts.gad7, GAD7_POSITIVE),
    ):
        if fact is None:
            continue
        if _recent(facts, fact, SCORE_WINDOW_DAYS) is None:
            checked.append(_stale(name, fact, SCORE_WINDOW_DAYS))
        elif fact.value >= cut_off:
            triggers.append(_screen_text(name, fact))
        else:
            checked.append(RiskReason(_screen_text(name, fact)))
    for flag in _recent_flags(facts):
        triggers.append(f"urgent flag on {_instrument_name(flag.instrument)}: {flag.label}")
    if facts.behavioural_conditions:
        triggers.append(f"active {', '.join(facts.behavioural_conditions)} on the problem list")
    if not triggers:
        return checked
    text = "Behavioural-health need: " + "; ".join(triggers)
    return [RiskReason(text, 1), *checked]


def _instrument_name(ident: str) -> str:
    return INSTRUMENT_NAMES.get(ident, ident.upper())


def _recent_flags(facts: RiskFacts) -> list[UrgentFlag]:
    return [f for f in facts.urgent_flags if _age_days(facts, f.on) <= SCORE_WINDOW_DAYS]


def _urgent_reasons(facts: RiskFacts) -> list[RiskReason]:
    return [
        RiskReason(
            f"Urgent flag ({_instrument_name(f.instrument)}, {day_text(f.on)}): "
            f"{f.label.rstrip('. ')}; the tier is at least {RISK_TIERS[URGENT_FLOOR]}",
            floor=URGENT_FLOOR,
        )
        for f in _recent_flags(facts)
    ]


def tier_for_points(points: int) -> str:
    return next((tier for lowest, tier in TIER_FROM_POINTS if points >= lowest), "low")


def suggest_risk_tier(facts: RiskFacts) -> RiskSuggestion:
    """The tier the points rule (module docstring) gives for these facts, with its reasons."""
    breakdown: list[RiskReason] = [_chronic_reason(facts), *_lace_reasons(facts)]
    for reason in (_discharge_reason(facts), _adl_reason(facts)):
        if reason is not None:
            breakdown.append(reason)
    breakdown += _caregiver_reasons(facts)
    breakdown += _behavioural_reasons(facts)
    breakdown += _urgent_reasons(facts)
    points = sum(r.points for r in breakdown)
    tier = tier_for_points(points)
    for reason in breakdown:
        if reason.floor is not None and TIERS.index(reason.floor) > TIERS.index(tier):
            tier = reason.floor
    ordered = sorted(breakdown, key=lambda r: not r.counts)  # stable: counted facts first
    return RiskSuggestion(tier, points, tuple(ordered))


def suggested_risk_tier(
    vault: Vault, patient_id: uuid.UUID, today: date | None = None
) -> RiskSuggestion:
    return suggest_risk_tier(gather_risk_facts(vault, patient_id, today))


# -- the decision --------------------------------------------------------------------------


def decide_risk_tier(
    vault: Vault,
    patient_id: uuid.UUID,
    *,
    suggestion: RiskSuggestion,
    decided_tier: str,
    override_reason: str = "",
    now: datetime | None = None,
) -> RiskAssessment:
    """Record the care manager's tier and set it on the patient, in one audited transaction.

    Choosing a tier other than the suggested one needs a reason.
    """
    if decided_tier not in RISK_TIERS:
        raise InvalidInput({"decided_tier": "Choose one of the risk tiers."})
    reason = override_reason.strip()
    overridden = decided_tier != suggestion.tier
    if overridden and not reason:
        suggested = RISK_TIERS.get(suggestion.tier, suggestion.tier)
        raise InvalidInput(
            {
                "override_reason": f"Say briefly why you chose {RISK_TIERS[decided_tier]} "
                f"rather than the suggested {suggested}."
            }
        )
    if len(reason) > OVERRIDE_REASON_MAX:
        raise InvalidInput(
            {"override_reason": f"Keep the reason under {OVERRIDE_REASON_MAX} characters."}
        )
    with vault.session() as session:
        patient = _live_patient(session, patient_id)
        decision = RiskAssessment(
            patient_id=patient_id,
            suggested_tier=suggestion.tier,
            decided_tier=decided_tier,
            reasons=list(suggestion.reasons),
            override_reason=reason if overridden else "",
            decided_at=now or utcnow(),
            decided_by=vault.audit.user,
        )
        session.add(decision)
        patient.apply({"risk_tier": decided_tier})
        session.add(patient)
        session.flush()
    return decision


def latest_risk_decision(vault: Vault, patient_id: uuid.UUID) -> RiskAssessment | None:
    """The newest risk-tier decision for the patient, or None if there is none."""
    statement = (
        select(RiskAssessment)
        .where(RiskAssessment.patient_id == patient_id, col(RiskAssessment.deleted_at).is_(None))
        .order_by(col(RiskAssessment.decided_at).desc(), col(RiskAssessment.created_at).desc())
    )
    with vault.session() as session:
        return session.exec(statement).first()


def risk_decisions(vault: Vault, patient_id: uuid.UUID) -> list[RiskAssessment]:
    """Every risk-tier decision for the patient, newest first."""
    statement = (
        select(RiskAssessment)
        .where(RiskAssessment.patient_id == patient_id, col(RiskAssessment.deleted_at).is_(None))
        .order_by(col(RiskAssessment.decided_at).desc(), col(RiskAssessment.created_at).desc())
    )
    with vault.session() as session:
        return list(session.exec(statement).all())

"""Care-plan template definitions: one JSON file per template.

A template is a ready-made problem -> goal -> intervention plan for one condition or
situation (heart failure, a fall risk, a caregiver under strain), with the education
topics and warning signs that go with it and the clinical sources it was written from.
A care manager starts a patient's plan from it and edits everything.

A definition is checked completely when it is loaded, like an instrument definition
(:mod:`carenav.instruments.definition`): a broken file is refused with a message naming
the file and the element, and unknown keys are refused as likely misspellings. The
shapes are frozen dataclasses. Text lengths are bounded so that every text fits the
care-plan columns it is copied into.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from carenav.errors import CareNavError
from carenav.instruments.definition import DOMAINS

PRIORITIES = ("high", "medium", "low")
CATEGORIES = frozenset(
    {"education", "symptom-management", "medication", "monitoring", "community-service"}
    | {"coordination", "referral", "self-management", "other"}
)
RESPONSIBLE = frozenset({"patient", "caregiver", "care-manager", "provider", "agency"})
URGENCIES = ("emergency", "call-today", "call-soon")

TOP_KEYS = frozenset(
    {"id", "title", "version", "summary", "appliesTo", "sources", "needs", "education"}
    | {"warningSigns"}
)
APPLIES_KEYS = frozenset({"icd10", "findings"})
SOURCE_KEYS = frozenset({"id", "citation", "url"})
NEED_KEYS = frozenset({"id", "text", "domain", "source", "goals", "interventions"})
GOAL_KEYS = frozenset(
    {"id", "text", "patientFacing", "measure", "targetValue", "targetDays", "priority"}
    | {"education"}
)
INTERVENTION_KEYS = frozenset({"id", "what", "category", "responsible", "frequency", "dueDays"})
EDUCATION_KEYS = frozenset({"id", "topic", "patientFacing"})
WARNING_KEYS = frozenset({"sign", "action", "urgency", "source"})

# The longest text each field may hold (the care-plan columns it is copied into).
MAX_LENGTH: Mapping[str, int] = {
    "id": 60,
    "title": 120,
    "version": 20,
    "summary": 300,
    "citation": 500,
    "url": 500,
    "need": 300,
    "goal": 300,
    "patientFacing": 400,
    "measure": 120,
    "targetValue": 200,
    "what": 300,
    "frequency": 80,
    "topic": 120,
    "sign": 300,
    "action": 300,
}
MAX_DAYS = 3650  # ten years: a larger number of days is a typing mistake
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # ids and finding codes
# An ICD-10(-CM) code or the start of one: a category (I50) or longer (I50.2, I5022, F32.A).
ICD10_PREFIX = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?", re.IGNORECASE)
URL = re.compile(r"https?://\S+")
T = TypeVar("T")


class InvalidTemplate(CareNavError):
    """A template file is malformed; nothing from it is used."""

    exit_code = 5

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(
            f"The care-plan template file {source} cannot be used: {problem}. "
            "Correct the file (or remove it from the templates folder) and try again."
        )


def icd10_key(code: str) -> str:
    """A code as compared: without dots or spaces, in capitals (``i50.22`` -> ``I5022``)."""
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True)
class AppliesTo:
    """When the template is suggested: ICD-10 code prefixes and assessment finding codes."""

    icd10: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str = ""


@dataclass(frozen=True)
class Goal:
    """A measurable goal: ``text`` in the patient's words, ``patient_facing`` for the
    printed plan, and a target (``measure``, ``target_value``, due ``target_days`` after
    the plan starts, or no date when None)."""

    id: str
    text: str
    patient_facing: str
    measure: str
    target_value: str
    target_days: int | None
    priority: str
    education: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intervention:
    """Who does what: ``responsible`` is one of :data:`RESPONSIBLE`; ``due_days`` counts
    from the start of the plan (None: ongoing, no due date)."""

    id: str
    what: str
    category: str
    responsible: str
    frequency: str = ""
    due_days: int | None = None


@dataclass(frozen=True)
class Need:
    id: str
    text: str
    domain: str
    source: str
    goals: tuple[Goal, ...]
    interventions: tuple[Intervention, ...]


@dataclass(frozen=True)
class EducationTopic:
    id: str
    topic: str
    patient_facing: str


@dataclass(frozen=True)
class WarningSign:
    sign: str
    action: str
    urgency: str
    source: str


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    version: str
    summary: str
    applies_to: AppliesTo
    sources: tuple[Source, ...]
    needs: tuple[Need, ...]
    education: tuple[EducationTopic, ...] = ()
    warning_signs: tuple[WarningSign, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def source(self, ident: str) -> Source | None:
        return next((s for s in self.sources if s.id == ident), None)

    def education_topic(self, ident: str) -> EducationTopic | None:
        return next((e for e in self.education if e.id == ident), None)

    @property
    def goals(self) -> tuple[Goal, ...]:
        """Every goal of every need, in order."""
        return tuple(g for n in self.needs for g in n.goals)

    @property
    def interventions(self) -> tuple[Intervention, ...]:
        """Every intervention of every need, in order."""
        return tuple(i for n in self.needs for i in n.interventions)


def load_template(path: Path) -> Template:
    """Read and validate one template file; raise :class:`InvalidTemplate` if broken."""
    where = path.name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidTemplate(where, f"it could not be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidTemplate(where, f"it is not valid UTF-8 JSON ({exc})") from None
    return replace(parse_template(raw, where), path=path)


def parse_template(raw: object, where: str = "<template>") -> Template:
    """Validate an already-decoded template (a JSON object)."""
    return _Parser(where).template(raw)


class _Parser:
    def __init__(self, where: str) -> None:
        self.where = where
        # id -> the element that has it, per kind: "source", "education", "plan" (the
        # needs, goals and interventions share one set: a care plan refers to them by id)
        self.ids: dict[str, dict[str, str]] = {"source": {}, "education": {}, "plan": {}}
        self.sources: frozenset[str] = frozenset()
        self.education: frozenset[str] = frozenset()

    def fail(self, problem: str) -> InvalidTemplate:
        return InvalidTemplate(self.where, problem)

    # -- helpers ---------------------------------------------------------------------

    def obj(self, value: object, what: str, keys: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(f"{what} must be a JSON object")
        self.known_keys(value, keys, what)
        return value

    def known_keys(self, raw: Mapping[str, Any], keys: frozenset[str], what: str) -> None:
        unknown = sorted(set(raw) - keys)
        if unknown:
            raise self.fail(f"{what} has unknown field {unknown[0]!r} (a misspelling?)")

    def element(
        self, value: object, label: str, position: int, keys: frozenset[str]
    ) -> tuple[Mapping[str, Any], str, str]:
        """An element with an id: the object, its id, and its name for messages
        (``need 'hf-fluid'``; ``need 2`` until the id is known)."""
        if not isinstance(value, Mapping):
            raise self.fail(f"{label} {position} must be a JSON object")
        ident = self.ident(value, f"{label} {position}")
        what = f"{label} {ident!r}"
        self.known_keys(value, keys, what)
        return value, ident, what

    def array(self, raw: Mapping[str, Any], key: str, what: str, *, at_least: int = 0) -> list[Any]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{what}: '{key}' must be a JSON array")
        if len(value) < at_least:
            raise self.fail(f"{what} needs at least {at_least} entry in '{key}'")
        return value

    def text(
        self,
        raw: Mapping[str, Any],
        key: str,
        what: str,
        *,
        limit: str = "",
        required: bool = True,
    ) -> str:
        value = raw.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            if required:
                raise self.fail(f"{what} needs a non-empty text '{key}'")
            raise self.fail(f"{what}: '{key}' must be a non-empty text, or left out")
        most = MAX_LENGTH[limit or key]
        if len(value) > most:
            raise self.fail(f"{what}: '{key}' is longer than {most} characters")
        return value

    def one_of(
        self, raw: Mapping[str, Any], key: str, what: str, allowed: frozenset[str] | tuple[str, ...]
    ) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or value not in allowed:
            listed = ", ".join(allowed if isinstance(allowed, tuple) else sorted(allowed))
            raise self.fail(f"{what}: {key} {value!r} is unknown; use one of {listed}")
        return value

    def days(self, raw: Mapping[str, Any], key: str, what: str) -> int | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
            raise self.fail(
                f"{what}: '{key}' must be a whole number of days from 1 to {MAX_DAYS}, or null"
            )
        return value

    def ident(self, raw: Mapping[str, Any], what: str) -> str:
        """The element's id, a slug (:meth:`claim` checks that it is unique)."""
        value = self.text(raw, "id", what)
        if not SLUG.fullmatch(value):
            raise self.fail(f"{what}: id {value!r} must be lower-case letters, digits and dashes")
        return value

    def claim(self, kind: str, ident: str, what: str) -> None:
        earlier = self.ids[kind].get(ident)
        if earlier is not None:
            raise self.fail(f"{what}: id {ident!r} is already used by {earlier}")
        self.ids[kind][ident] = what

    def source_ref(self, raw: Mapping[str, Any], what: str) -> str:
        ref = self.text(raw, "source", what, limit="id")
        if ref not in self.sources:
            known = ", ".join(sorted(self.sources))
            raise self.fail(f"{what}: source {ref!r} is not one of the file's sources ({known})")
        return ref

    # -- the template ------------------------------------------------------------------

    def template(self, value: object) -> Template:
        what = "the template"
        raw = self.obj(value, what, TOP_KEYS)
        ident = self.ident(raw, what)
        title = self.text(raw, "title", what)
        version = self.text(raw, "version", what)
        summary = self.text(raw, "summary", what)
        if "appliesTo" not in raw:
            raise self.fail("the template needs 'appliesTo' (its lists may be empty)")
        applies_to = self.applies_to(raw["appliesTo"])
        sources = self.each(raw, "sources", self.source, at_least=1)
        self.sources = frozenset(s.id for s in sources)
        education = self.each(raw, "education", self.education_topic)
        self.education = frozenset(e.id for e in education)
        return Template(
            id=ident,
            title=title,
            version=version,
            summary=summary,
            applies_to=applies_to,
            sources=sources,
            needs=self.each(raw, "needs", self.need, at_least=1),
            education=education,
            warning_signs=self.each(raw, "warningSigns", self.warning_sign),
        )

    def each(
        self,
        raw: Mapping[str, Any],
        key: str,
        parse: Callable[[object, int], T],
        *,
        at_least: int = 0,
    ) -> tuple[T, ...]:
        """Parse every entry of the template's array ``key``, numbering them from 1."""
        entries = self.array(raw, key, "the template", at_least=at_least)
        return tuple(parse(entry, n + 1) for n, entry in enumerate(entries))

    def applies_to(self, value: object) -> AppliesTo:
        what = "appliesTo"
        raw = self.obj(value, what, APPLIES_KEYS)
        codes: list[str] = []
        for code in self.array(raw, "icd10", what):
            if not isinstance(code, str) or not ICD10_PREFIX.fullmatch(code):
                raise self.fail(
                    f"{what}: ICD-10 code {code!r} is not a code or the start of one "
                    "(at least the 3-character category, such as I50, E11 or I50.2)"
                )
            if any(icd10_key(c) == icd10_key(code) for c in codes):
                raise self.fail(f"{what}: ICD-10 code {code!r} is listed twice")
            codes.append(code)
        findings: list[str] = []
        for code in self.array(raw, "findings", what):
            if not isinstance(code, str) or not SLUG.fullmatch(code) or len(code) > 60:
                raise self.fail(
                    f"{what}: finding code {code!r} must be lower-case letters, digits and "
                    "dashes, at most 60 characters"
                )
            if code in findings:
                raise self.fail(f"{what}: finding code {code!r} is listed twice")
            findings.append(code)
        return AppliesTo(tuple(codes), tuple(findings))

    def source(self, value: object, position: int) -> Source:
        raw, ident, what = self.element(value, "source", position, SOURCE_KEYS)
        self.claim("source", ident, what)
        url = self.text(raw, "url", what, required=False)
        if url and not URL.fullmatch(url):
            raise self.fail(f"{what}: url {url!r} must start with https:// or http://")
        return Source(id=ident, citation=self.text(raw, "citation", what), url=url)

    def education_topic(self, value: object, position: int) -> EducationTopic:
        raw, ident, what = self.element(value, "education topic", position, EDUCATION_KEYS)
        self.claim("education", ident, what)
        return EducationTopic(
            id=ident,
            topic=self.text(raw, "topic", what),
            patient_facing=self.text(raw, "patientFacing", what),
        )

    def need(self, value: object, position: int) -> Need:
        raw, ident, what = self.element(value, "need", position, NEED_KEYS)
        self.claim("plan", ident, what)
        text = self.text(raw, "text", what, limit="need")
        domain = self.one_of(raw, "domain", what, DOMAINS)
        source = self.source_ref(raw, what)
        goals = tuple(
            self.goal(g, n + 1, what)
            for n, g in enumerate(self.array(raw, "goals", what, at_least=1))
        )
        interventions = tuple(
            self.intervention(i, n + 1, what)
            for n, i in enumerate(self.array(raw, "interventions", what, at_least=1))
        )
        return Need(ident, text, domain, source, goals, interventions)

    def goal(self, value: object, position: int, need: str) -> Goal:
        raw, ident, what = self.element(value, f"{need}, goal", position, GOAL_KEYS)
        self.claim("plan", ident, what)
        topics: list[str] = []
        for ref in self.array(raw, "education", what):
            if not isinstance(ref, str) or ref not in self.education:
                known = ", ".join(sorted(self.education)) or "none"
                raise self.fail(
                    f"{what}: education topic {ref!r} is not one of the file's education "
                    f"topics ({known})"
                )
            if ref in topics:
                raise self.fail(f"{what}: education topic {ref!r} is listed twice")
            topics.append(ref)
        return Goal(
            id=ident,
            text=self.text(raw, "text", what, limit="goal"),
            patient_facing=self.text(raw, "patientFacing", what),
            measure=self.text(raw, "measure", what),
            target_value=self.text(raw, "targetValue", what),
            target_days=self.days(raw, "targetDays", what),
            priority=self.one_of(raw, "priority", what, PRIORITIES),
            education=tuple(topics),
        )

    def intervention(self, value: object, position: int, need: str) -> Intervention:
        raw, ident, what = self.element(value, f"{need}, intervention", position, INTERVENTION_KEYS)
        self.claim("plan", ident, what)
        return Intervention(
            id=ident,
            what=self.text(raw, "what", what),
            category=self.one_of(raw, "category", what, CATEGORIES),
            responsible=self.one_of(raw, "responsible", what, RESPONSIBLE),
            frequency=self.text(raw, "frequency", what, required=False),
            due_days=self.days(raw, "dueDays", what),
        )

    def warning_sign(self, value: object, position: int) -> WarningSign:
        what = f"warning sign {position}"
        raw = self.obj(value, what, WARNING_KEYS)
        return WarningSign(
            sign=self.text(raw, "sign", what),
            action=self.text(raw, "action", what),
            urgency=self.one_of(raw, "urgency", what, URGENCIES),
            source=self.source_ref(raw, what),
        )

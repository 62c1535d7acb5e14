"""Instrument definitions: one JSON file per instrument, shaped like a FHIR Questionnaire.

A definition is checked completely when it is loaded, so a broken file is refused with a
message naming the file and the item, instead of giving a wrong score later. The shapes
are frozen dataclasses; scoring lives in :mod:`carenav.instruments.scoring`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from carenav.errors import CareNavError

ITEM_TYPES = frozenset(
    {"choice", "multi-choice", "integer", "decimal", "date", "text", "boolean", "display"}
)
SCORED_TYPES = frozenset({"choice", "multi-choice", "integer", "boolean"})
NUMERIC_TYPES = frozenset({"integer", "decimal"})
OPERATORS = frozenset({"=", "!=", ">", "<", ">=", "<=", "exists"})
ORDERING = frozenset({">", "<", ">=", "<="})
METHODS = frozenset({"sum", "count-positive", "table"})
MISSING_RULES = frozenset({"all-required", "skip"})
SEVERITIES = frozenset({"info", "warning", "urgent"})
TOTAL = "$total"  # a flag condition on the instrument's total score
SUM = "$sum"  # a flag condition on the summed scores of the items listed in "sum_of"
TOP_KEYS = frozenset(
    {"id", "title", "version", "publisher", "source", "licence", "loinc", "totalLoinc"}
    | {"description", "items", "scoring", "bands", "flags", "rescreen", "findings", "checkIn"}
)
ITEM_KEYS = frozenset(
    {"linkId", "text", "type", "required", "options", "enableWhen", "enableBehavior"}
    | {"min", "max", "points", "flag", "code"}
    | {"section", "screener", "context", "help", "maxLength"}
)
# Form hints that only a display item (a heading or a note, never a question) can carry.
DISPLAY_ONLY_KEYS = ("section", "screener", "context")
# The kinds of chart records a display item can show in the form ("context").
CONTEXTS = frozenset({"problems", "medications", "caregivers", "care-team", "allergies"})
FINDING_KEYS = frozenset(
    {"code", "need", "domain", "referralCategory", "evidence", "source", "when", "behavior"}
)
# The care-plan domains a finding can belong to.
DOMAINS = frozenset(
    {"behavioural-health", "food", "housing", "transportation", "utilities", "safety"}
    | {"functional", "falls", "readmission", "caregiver", "cognition", "medical", "social"}
    | {"financial", "education", "health-care-access", "other"}
)
# Lengths a suggested need can hold (carenav.models.assessment.SuggestedNeed).
CODE_MAX, NEED_MAX, REFERRAL_MAX, EVIDENCE_MAX = 60, 200, 80, 500
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # screener ids and finding codes
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")  # {total}, {band}, {answer:<linkId>}
ANSWER_PREFIX = "answer:"


class InvalidInstrument(CareNavError):
    """A definition file is malformed; nothing from it is used."""

    exit_code = 5

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(
            f"The instrument file {source} cannot be used: {problem}. "
            "Correct the file (or remove it from the instruments folder) and try again."
        )


@dataclass(frozen=True)
class AnswerOption:
    code: str
    display: str
    score: int | None = None


@dataclass(frozen=True)
class Condition:
    """``question`` compared with ``answer``; for a choice item a number is compared with
    the chosen option's score and a string with its code."""

    question: str
    operator: str
    answer: Any
    sum_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class PointsRange:
    """LACE-style table: a number from ``min`` to ``max`` (inclusive) is worth ``points``."""

    min: int
    max: int | None
    points: int


@dataclass(frozen=True)
class FlagRule:
    code: str
    label: str
    severity: str
    source: str
    when: tuple[Condition, ...]
    behavior: str = "any"


@dataclass(frozen=True)
class FindingRule:
    """When ``when`` holds, the result suggests a need for the care plan.

    ``evidence`` is a template: ``{total}``, ``{band}`` and ``{answer:<linkId>}`` (the
    display text of that item's answer) are filled in by the scoring.
    """

    code: str
    need: str
    domain: str
    evidence: str
    source: str
    when: tuple[Condition, ...]
    behavior: str = "any"
    referral_category: str = ""


@dataclass(frozen=True)
class Item:
    """One question or display item. ``section``, ``screener`` and ``context`` are form
    hints on display items: a section heading, a button starting that screener, and the
    patient's chart records of that kind. ``help`` is a short hint under the question."""

    link_id: str
    text: str
    type: str
    required: bool = False
    options: tuple[AnswerOption, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"
    min: float | None = None
    max: float | None = None
    points: tuple[PointsRange, ...] = ()
    flag: FlagRule | None = None
    section: bool = False
    screener: str = ""
    context: str = ""
    help: str = ""
    max_length: int | None = None

    def option(self, code: str) -> AnswerOption | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Scoring:
    method: str
    items: tuple[str, ...]
    missing: str = "all-required"


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str
    source: str = ""


@dataclass(frozen=True)
class Rescreen:
    when_band_at_least: str
    after_days: int
    source: str = ""


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    version: str
    source: str
    licence: str
    items: tuple[Item, ...]
    scoring: Scoring | None = None
    bands: tuple[Band, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    rescreen: Rescreen | None = None
    findings: tuple[FindingRule, ...] = ()
    loinc: str = ""
    total_loinc: str = ""
    check_in: bool = False  # short enough to fill in during a call or visit ("checkIn")
    path: Path | None = field(default=None, compare=False)

    def item(self, link_id: str) -> Item | None:
        return next((i for i in self.items if i.link_id == link_id), None)

    def band_for(self, total: int) -> Band | None:
        return next((b for b in self.bands if b.min <= total <= b.max), None)

    @property
    def sections(self) -> tuple[Item, ...]:
        """The display items that start a section of the form, in order."""
        return tuple(i for i in self.items if i.section)

    @property
    def screeners(self) -> tuple[str, ...]:
        """The ids of the screeners this form offers to start, in order, once each."""
        return tuple(dict.fromkeys(i.screener for i in self.items if i.screener))


def load_definition(path: Path) -> Instrument:
    """Read and validate one definition file; raise :class:`InvalidInstrument` if broken."""
    where = path.name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInstrument(where, f"it could not be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInstrument(where, f"it is not valid UTF-8 JSON ({exc})") from None
    instrument = parse_definition(raw, where)
    return replace(instrument, path=path)


def parse_definition(raw: object, where: str = "<definition>") -> Instrument:
    """Validate an already-decoded definition (a JSON object)."""
    return _Parser(where).instrument(raw)


class _Parser:
    def __init__(self, where: str) -> None:
        self.where = where
        self.ident = ""
        self.has_scoring = False

    def fail(self, problem: str) -> InvalidInstrument:
        return InvalidInstrument(self.where, problem)

    # -- helpers ---------------------------------------------------------------------

    def obj(self, value: object, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(f"{what} must be a JSON object")
        return value

    def text(self, raw: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{what} needs a non-empty text '{key}'")
        return value

    def integer(self, value: object, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{what} must be a whole number")
        return value

    def number(self, value: object, what: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{what} must be a number")
        return value

    def known_keys(self, raw: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail(f"{what} has unknown field {unknown[0]!r} (a misspelling?)")

    def array(self, raw: Mapping[str, Any], key: str, what: str) -> list[Any]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{what}: '{key}' must be a JSON array")
        return value

    # -- the instrument ----------------------------------------------------------------

    def instrument(self, value: object) -> Instrument:
        raw = self.obj(value, "the file")
        self.known_keys(raw, TOP_KEYS, "the instrument")
        ident = self.text(raw, "id", "the instrument")
        if not ident.replace("-", "").replace("_", "").isalnum() or ident != ident.lower():
            raise self.fail(f"id {ident!r} must be lower-case letters, digits and dashes")
        self.ident = ident
        source = raw.get("source", raw.get("publisher", ""))
        if not isinstance(source, str) or not source.strip():
            raise self.fail(
                "the instrument needs a 'source' (or 'publisher') naming where it comes from"
            )
        items = self.items(self.array(raw, "items", "the instrument"))
        by_id = {i.link_id: i for i in items}
        scoring = self.scoring(raw.get("scoring"), by_id)
        self.has_scoring = scoring is not None
        bands = self.bands(self.array(raw, "bands", "the instrument"), scoring, by_id)
        flags = tuple(
            self.flag(f, f"flag {n + 1}", by_id, allow_total=True)
            for n, f in enumerate(self.array(raw, "flags", "the instrument"))
        )
        findings = self.findings(self.array(raw, "findings", "the instrument"), by_id, bands)
        check_in = raw.get("checkIn", False)
        if not isinstance(check_in, bool):
            raise self.fail("'checkIn' must be true or false")
        if check_in and scoring is None:
            raise self.fail("a check-in ('checkIn': true) needs a 'scoring' so that it can trend")
        return Instrument(
            id=ident,
            title=self.text(raw, "title", "the instrument"),
            version=self.text(raw, "version", "the instrument"),
            source=source,
            licence=self.text(raw, "licence", "the instrument"),
            loinc=self.text(raw, "loinc", "the instrument", required=False),
            total_loinc=self.text(raw, "totalLoinc", "the instrument", required=False),
            items=items,
            scoring=scoring,
            bands=bands,
            flags=flags,
            rescreen=self.rescreen(raw.get("rescreen"), bands),
            findings=findings,
            check_in=check_in,
        )

    # -- items -------------------------------------------------------------------------

    def items(self, raws: list[Any]) -> tuple[Item, ...]:
        if not raws:
            raise self.fail("the instrument has no items")
        items: list[Item] = []
        for n, raw_item in enumerate(raws):
            item = self.item(raw_item, n + 1, {i.link_id: i for i in items})
            if any(i.link_id == item.link_id for i in items):
                raise self.fail(f"item linkId {item.link_id!r} is used twice")
            items.append(item)
        return tuple(items)

    def item(self, value: object, position: int, earlier: Mapping[str, Item]) -> Item:
        raw = self.obj(value, f"item {position}")
        link_id = self.text(raw, "linkId", f"item {position}")
        what = f"item {link_id!r}"
        self.known_keys(raw, ITEM_KEYS, what)
        kind = raw.get("type")
        if not _one_of(kind, ITEM_TYPES):
            allowed = ", ".join(sorted(ITEM_TYPES))
            raise self.fail(f"{what} has unknown type {kind!r}; use one of {allowed}")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(f"{what}: 'required' must be true or false")
        if kind == "display" and required:
            raise self.fail(f"{what} is a display item and cannot be required")
        options = self.options(raw, what, str(kind))
        behavior = raw.get("enableBehavior", "all")
        if behavior not in ("all", "any"):
            raise self.fail(f"{what}: enableBehavior must be 'all' or 'any'")
        low = self.number(raw.get("min"), f"{what} min")
        high = self.number(raw.get("max"), f"{what} max")
        if (low is not None or high is not None) and kind not in NUMERIC_TYPES:
            raise self.fail(f"{what}: min and max apply only to integer or decimal items")
        if low is not None and high is not None and low > high:
            raise self.fail(f"{what}: min is greater than max")
        item = Item(
            link_id=link_id,
            text=self.text(raw, "text", what),
            type=str(kind),
            required=required,
            options=options,
            enable_when=tuple(
                self.condition(c, what, earlier) for c in self.array(raw, "enableWhen", what)
            ),
            enable_behavior=str(behavior),
            min=low,
            max=high,
            points=self.points(raw, what, str(kind)),
            **self.hints(raw, what, str(kind)),
        )
        if raw.get("flag") is not None:
            flag = self.item_flag(raw["flag"], item)
            item = replace(item, flag=flag)
        return item

    def hints(self, raw: Mapping[str, Any], what: str, kind: str) -> dict[str, Any]:
        """The form hints: section, screener, context, help and maxLength."""
        for key in DISPLAY_ONLY_KEYS:
            if key in raw and kind != "display":
                raise self.fail(f"{what}: '{key}' applies only to display items, not {kind}")
        section = raw.get("section", False)
        if not isinstance(section, bool):
            raise self.fail(f"{what}: 'section' must be true or false")
        screener = raw.get("screener", "")
        if "screener" in raw and (not isinstance(screener, str) or not SLUG.fullmatch(screener)):
            raise self.fail(
                f"{what}: 'screener' must be an instrument id in lower-case letters, digits "
                f'and dashes, such as "phq9" (not {screener!r})'
            )
        if screener and screener == self.ident:
            raise self.fail(f"{what}: 'screener' names this instrument itself")
        context = raw.get("context", "")
        if "context" in raw and not _one_of(context, CONTEXTS):
            allowed = ", ".join(sorted(CONTEXTS))
            raise self.fail(f"{what}: 'context' {context!r} is unknown; use one of {allowed}")
        help_text = raw.get("help", "")
        if not isinstance(help_text, str) or ("help" in raw and not help_text.strip()):
            raise self.fail(f"{what}: 'help' must be a non-empty text")
        max_length = raw.get("maxLength")
        if max_length is not None:
            if kind != "text":
                raise self.fail(f"{what}: 'maxLength' applies only to text items, not {kind}")
            if self.integer(max_length, f"{what} maxLength") < 1:
                raise self.fail(f"{what}: 'maxLength' must be at least 1")
        return {
            "section": section,
            "screener": screener,
            "context": context,
            "help": help_text,
            "max_length": max_length,
        }

    def options(self, raw: Mapping[str, Any], what: str, kind: str) -> tuple[AnswerOption, ...]:
        raws = self.array(raw, "options", what)
        if kind in ("choice", "multi-choice") and not raws:
            raise self.fail(f"{what} is a {kind} item without options")
        if kind not in ("choice", "multi-choice") and raws:
            raise self.fail(f"{what} has options but its type is {kind}")
        options: list[AnswerOption] = []
        for n, value in enumerate(raws):
            opt = self.obj(value, f"{what} option {n + 1}")
            code = opt.get("code")
            if not isinstance(code, str) or not code:
                raise self.fail(f"{what} option {n + 1} needs a text 'code'")
            if any(o.code == code for o in options):
                raise self.fail(f"{what} has option code {code!r} twice")
            score = opt.get("score")
            if score is not None:
                score = self.integer(score, f"{what} option {code!r} score")
            options.append(
                AnswerOption(code, self.text(opt, "display", f"{what} option {code!r}"), score)
            )
        return tuple(options)

    def points(self, raw: Mapping[str, Any], what: str, kind: str) -> tuple[PointsRange, ...]:
        raws = self.array(raw, "points", what)
        if raws and kind != "integer":
            raise self.fail(f"{what}: a points table applies only to integer items")
        table: list[PointsRange] = []
        for n, value in enumerate(raws):
            row = self.obj(value, f"{what} points row {n + 1}")
            low = self.integer(row.get("min"), f"{what} points row {n + 1} min")
            high = row.get("max")
            if high is not None:
                high = self.integer(high, f"{what} points row {n + 1} max")
            pts = self.integer(row.get("points"), f"{what} points row {n + 1} points")
            if table and (table[-1].max is None or low != table[-1].max + 1):
                raise self.fail(f"{what}: points rows must follow on without gaps or overlaps")
            if high is not None and high < low:
                raise self.fail(f"{what}: points row {n + 1} has max below min")
            table.append(PointsRange(low, high, pts))
        return tuple(table)

    def condition(
        self, value: object, what: str, known: Mapping[str, Item], *, allow_total: bool = False
    ) -> Condition:
        raw = self.obj(value, f"{what} condition")
        question = raw.get("question")
        operator = raw.get("operator")
        if not _one_of(operator, OPERATORS):
            raise self.fail(f"{what}: unknown operator {operator!r}")
        if "sum_of" in raw and allow_total:
            return self.sum_condition(raw, str(operator), what, known)
        if question == TOTAL and allow_total and not self.has_scoring:
            raise self.fail(f"{what} uses the total score, but this instrument has no scoring")
        if question == TOTAL and allow_total:
            if operator not in ORDERING | {"=", "!="}:
                raise self.fail(f"{what}: the total can only be compared with a number")
            self.number(raw.get("answer"), f"{what} answer")
            return Condition(TOTAL, str(operator), raw.get("answer"))
        if not isinstance(question, str) or question not in known:
            raise self.fail(
                f"{what} depends on {question!r}, which is not an earlier item of this instrument"
            )
        target = known[question]
        if target.type == "display":
            raise self.fail(f"{what} depends on {question!r}, a display item that has no answer")
        answer = raw.get("answer")
        if operator == "exists":
            if not isinstance(answer, bool):
                raise self.fail(f"{what}: 'exists' needs answer true or false")
        elif target.type in ("choice", "multi-choice"):
            self.check_choice_answer(target, str(operator), answer, what)
        elif operator in ORDERING and target.type not in NUMERIC_TYPES | {"date"}:
            raise self.fail(f"{what}: {operator} cannot compare {target.type} item {question!r}")
        elif target.type == "date":
            self.check_date(answer, what)
        elif target.type in NUMERIC_TYPES and self.number(answer, f"{what} answer") is None:
            raise self.fail(f"{what} needs a number to compare {question!r} with")
        elif target.type == "boolean" and not isinstance(answer, bool):
            raise self.fail(f"{what}: {question!r} is yes/no, so the answer must be true or false")
        elif target.type == "text" and not isinstance(answer, str):
            raise self.fail(f"{what}: {question!r} is a text item, so the answer must be text")
        return Condition(question, str(operator), answer)

    def sum_condition(
        self, raw: Mapping[str, Any], operator: str, what: str, known: Mapping[str, Item]
    ) -> Condition:
        names = raw["sum_of"]
        if not isinstance(names, list) or not names:
            raise self.fail(f"{what}: 'sum_of' must list the items to add up")
        for name in names:
            self.check_scored(name, known, "sum")
        if operator not in ORDERING | {"=", "!="}:
            raise self.fail(f"{what}: a sum can only be compared with a number")
        if self.number(raw.get("answer"), f"{what} answer") is None:
            raise self.fail(f"{what} needs a number to compare the sum with")
        return Condition(SUM, operator, raw["answer"], tuple(names))

    def check_choice_answer(self, target: Item, operator: str, answer: object, what: str) -> None:
        if isinstance(answer, str):
            if operator in ORDERING:
                raise self.fail(f"{what}: {operator} compares a score, not an option code")
            if target.option(answer) is None:
                raise self.fail(f"{what}: {target.link_id!r} has no option {answer!r}")
        elif self.number(answer, f"{what} answer") is None:
            raise self.fail(f"{what} needs an answer")

    def check_date(self, answer: object, what: str) -> None:
        try:
            date.fromisoformat(answer if isinstance(answer, str) else "")
        except ValueError:
            raise self.fail(f"{what}: the answer must be a date written YYYY-MM-DD") from None

    def item_flag(self, value: object, item: Item) -> FlagRule:
        what = f"item {item.link_id!r} flag"
        raw = dict(self.obj(value, what))
        when = self.obj(raw.get("when"), f"{what} 'when'")
        raw["when"] = [{"question": item.link_id, **when}]
        return self.flag(raw, what, {item.link_id: item})

    def flag(
        self, value: object, what: str, known: Mapping[str, Item], *, allow_total: bool = False
    ) -> FlagRule:
        raw = self.obj(value, what)
        severity = raw.get("severity", "warning")
        if not _one_of(severity, SEVERITIES):
            raise self.fail(f"{what}: severity must be one of {', '.join(sorted(SEVERITIES))}")
        behavior = raw.get("behavior", "any")
        if behavior not in ("all", "any"):
            raise self.fail(f"{what}: behavior must be 'all' or 'any'")
        when = raw.get("when")
        if not isinstance(when, list) or not when:
            raise self.fail(f"{what} needs a list of conditions in 'when'")
        return FlagRule(
            code=self.text(raw, "code", what),
            label=self.text(raw, "label", what),
            severity=str(severity),
            source=self.text(raw, "source", what, required=False),
            when=tuple(self.condition(c, what, known, allow_total=allow_total) for c in when),
            behavior=str(behavior),
        )

    # -- findings --------------------------------------------------------------------

    def findings(
        self, raws: list[Any], by_id: Mapping[str, Item], bands: tuple[Band, ...]
    ) -> tuple[FindingRule, ...]:
        findings: list[FindingRule] = []
        for n, value in enumerate(raws):
            finding = self.finding(value, n + 1, by_id, bands)
            if any(f.code == finding.code for f in findings):
                raise self.fail(f"finding code {finding.code!r} is used twice")
            findings.append(finding)
        return tuple(findings)

    def finding(
        self, value: object, position: int, by_id: Mapping[str, Item], bands: tuple[Band, ...]
    ) -> FindingRule:
        raw = self.obj(value, f"finding {position}")
        code = self.text(raw, "code", f"finding {position}")
        what = f"finding {code!r}"
        if not SLUG.fullmatch(code) or len(code) > CODE_MAX:
            raise self.fail(
                f"{what}: the code must be lower-case letters, digits and dashes, "
                f"at most {CODE_MAX} characters"
            )
        self.known_keys(raw, FINDING_KEYS, what)
        domain = raw.get("domain")
        if not _one_of(domain, DOMAINS):
            allowed = ", ".join(sorted(DOMAINS))
            raise self.fail(f"{what}: domain {domain!r} is unknown; use one of {allowed}")
        need = self.bounded(raw, "need", what, NEED_MAX)
        referral = self.bounded(raw, "referralCategory", what, REFERRAL_MAX, required=False)
        behavior = raw.get("behavior", "any")
        if behavior not in ("all", "any"):
            raise self.fail(f"{what}: behavior must be 'all' or 'any'")
        when = raw.get("when")
        if not isinstance(when, list) or not when:
            raise self.fail(f"{what} needs a list of conditions in 'when'")
        return FindingRule(
            code=code,
            need=need,
            domain=str(domain),
            evidence=self.evidence(raw, what, by_id, bands),
            source=self.text(raw, "source", what),
            when=tuple(self.condition(c, what, by_id, allow_total=True) for c in when),
            behavior=str(behavior),
            referral_category=referral,
        )

    def bounded(
        self, raw: Mapping[str, Any], key: str, what: str, most: int, *, required: bool = True
    ) -> str:
        value = self.text(raw, key, what, required=required)
        if len(value) > most:
            raise self.fail(f"{what}: '{key}' is longer than {most} characters")
        return value

    def evidence(
        self, raw: Mapping[str, Any], what: str, by_id: Mapping[str, Item], bands: tuple[Band, ...]
    ) -> str:
        """Check the evidence template's placeholders against this instrument."""
        template = self.bounded(raw, "evidence", what, EVIDENCE_MAX)
        for name in PLACEHOLDER.findall(template):
            if name == "total" and not self.has_scoring:
                raise self.fail(f"{what}: evidence uses {{total}}, but there is no scoring")
            if name == "band" and not bands:
                raise self.fail(f"{what}: evidence uses {{band}}, but there are no bands")
            if name.startswith(ANSWER_PREFIX):
                link_id = name.removeprefix(ANSWER_PREFIX)
                item = by_id.get(link_id)
                if item is None or item.type == "display":
                    raise self.fail(
                        f"{what}: evidence uses {{{name}}}, but {link_id!r} is not a "
                        "question of this instrument"
                    )
            elif name not in ("total", "band"):
                raise self.fail(
                    f"{what}: evidence has an unknown placeholder {{{name}}}; "
                    "use {total}, {band} or {answer:<linkId>}"
                )
        if "{" in PLACEHOLDER.sub("", template) or "}" in PLACEHOLDER.sub("", template):
            raise self.fail(f"{what}: evidence has an unmatched {{ or }}")
        return template

    # -- scoring and bands -------------------------------------------------------------

    def scoring(self, value: object, by_id: Mapping[str, Item]) -> Scoring | None:
        if value is None:
            return None
        raw = self.obj(value, "scoring")
        method = raw.get("method")
        if not _one_of(method, METHODS):
            raise self.fail(f"scoring method {method!r} is unknown; use one of {sorted(METHODS)}")
        missing = raw.get("missing", "all-required")
        if not _one_of(missing, MISSING_RULES):
            raise self.fail(f"scoring rule for missing answers {missing!r} is unknown")
        names = self.array(raw, "items", "scoring")
        if not names:
            raise self.fail("scoring lists no items")
        for name in names:
            self.check_scored(name, by_id, str(method))
        if len(set(names)) != len(names):
            raise self.fail("scoring lists an item twice")
        return Scoring(str(method), tuple(names), str(missing))

    def check_scored(self, name: object, by_id: Mapping[str, Item], method: str) -> None:
        item = by_id.get(name) if isinstance(name, str) else None
        if item is None:
            raise self.fail(f"scoring uses {name!r}, which is not an item of this instrument")
        what = f"scored item {item.link_id!r}"
        if item.type not in SCORED_TYPES:
            raise self.fail(f"{what} is of type {item.type}, which has no score")
        missing = [o.code for o in item.options if o.score is None]
        if missing:
            raise self.fail(f"{what} has option {missing[0]!r} without a score")
        if method == "table" and item.type == "integer" and not item.points:
            raise self.fail(f"{what} needs a points table for the 'table' method")
        if item.type == "integer" and not item.points and (item.min is None or item.max is None):
            raise self.fail(f"{what} needs min and max so its score is bounded")

    def bands(
        self, raws: list[Any], scoring: Scoring | None, by_id: Mapping[str, Item]
    ) -> tuple[Band, ...]:
        if raws and scoring is None:
            raise self.fail("bands are given but there is no scoring")
        bands: list[Band] = []
        for n, value in enumerate(raws):
            raw = self.obj(value, f"band {n + 1}")
            band = Band(
                min=self.integer(raw.get("min"), f"band {n + 1} min"),
                max=self.integer(raw.get("max"), f"band {n + 1} max"),
                label=self.text(raw, "label", f"band {n + 1}"),
                source=self.text(raw, "source", f"band {n + 1}", required=False),
            )
            if band.max < band.min:
                raise self.fail(f"band {band.label!r} has max below min")
            if bands and band.min <= bands[-1].max:
                raise self.fail(f"bands {bands[-1].label!r} and {band.label!r} overlap")
            if bands and band.min > bands[-1].max + 1:
                raise self.fail(
                    f"there is a gap between bands {bands[-1].label!r} and {band.label!r}"
                )
            if any(b.label == band.label for b in bands):
                raise self.fail(f"band label {band.label!r} is used twice")
            bands.append(band)
        if bands and scoring is not None:
            low, high = score_range(scoring, by_id)
            if (bands[0].min, bands[-1].max) != (low, high):
                raise self.fail(
                    f"the bands cover {bands[0].min}-{bands[-1].max} but a total can be "
                    f"anywhere from {low} to {high}"
                )
        return tuple(bands)

    def rescreen(self, value: object, bands: tuple[Band, ...]) -> Rescreen | None:
        if value is None:
            return None
        raw = self.obj(value, "rescreen")
        label = self.text(raw, "when_band_at_least", "rescreen")
        if all(b.label != label for b in bands):
            raise self.fail(f"rescreen names band {label!r}, which is not one of the bands")
        days = self.integer(raw.get("after_days"), "rescreen after_days")
        if days < 1:
            raise self.fail("rescreen after_days must be at least 1")
        return Rescreen(label, days, self.text(raw, "source", "rescreen", required=False))


def _one_of(value: object, allowed: frozenset[str]) -> bool:
    """A text from ``allowed`` (a JSON list or object is refused, not a crash)."""
    return isinstance(value, str) and value in allowed


def score_range(scoring: Scoring, by_id: Mapping[str, Item]) -> tuple[int, int]:
    """The lowest and highest total the scoring rule can produce."""
    low = high = 0
    for name in scoring.items:
        item_low, item_high = _item_range(by_id[name])
        if scoring.method == "count-positive":
            item_low, item_high = int(item_low > 0), int(item_high > 0)
        low, high = low + item_low, high + item_high
    return low, high


def _item_range(item: Item) -> tuple[int, int]:
    if item.type == "boolean":
        return 0, 1
    if item.points:
        pts = [p.points for p in item.points]
        return min(pts), max(pts)
    if item.type == "integer":
        return int(item.min or 0), int(item.max or 0)
    scores = [o.score or 0 for o in item.options]
    if item.type == "multi-choice":
        return 0, sum(s for s in scores if s > 0)
    return min(scores), max(scores)

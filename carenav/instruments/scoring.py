"""Scoring: pure functions from a definition and a set of answers to a total, band and flags.

Answers map an item's ``linkId`` to an option code (choice), a list of codes
(multi-choice), a number (integer, decimal), ``true``/``false`` (boolean), an ISO date
(date) or text. Items switched off by their ``enableWhen`` are ignored, even if answered.

A result also carries its findings: the needs the definition's ``findings`` rules suggest
for the care plan, each with its evidence filled in from the total, band and answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from carenav.errors import CareNavError
from carenav.instruments.definition import (
    ANSWER_PREFIX,
    EVIDENCE_MAX,
    PLACEHOLDER,
    SUM,
    TOTAL,
    Condition,
    FindingRule,
    FlagRule,
    Instrument,
    Item,
)


class IncompleteAnswers(CareNavError):
    exit_code = 5

    def __init__(self, instrument: Instrument, item: Item) -> None:
        self.link_id = item.link_id
        super().__init__(
            f"{instrument.title}: item {item.link_id!r} ({item.text}) needs an answer "
            "before the form can be scored. Answer it and try again."
        )


class InvalidAnswer(CareNavError):
    exit_code = 5

    def __init__(self, instrument: Instrument, link_id: str, problem: str) -> None:
        self.link_id = link_id
        super().__init__(
            f"{instrument.title}: the answer to item {link_id!r} is not accepted ({problem}). "
            "Correct that answer and try again."
        )


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    severity: str
    source: str = ""
    item: str = ""  # the linkId that raised it, for item-level flags


@dataclass(frozen=True)
class Finding:
    """A need suggested for the care plan by one result, with the evidence for it."""

    code: str
    need: str
    domain: str
    referral_category: str
    evidence: str
    source: str
    instrument: str  # the instrument's id


@dataclass(frozen=True)
class ScoreResult:
    instrument: Instrument
    total: int | None
    band: str | None
    flags: list[Flag] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument.id,
            "total": self.total,
            "band": self.band,
            "flags": [
                {"code": f.code, "label": f.label, "severity": f.severity, "item": f.item or None}
                for f in self.flags
            ],
            "missing": list(self.missing),
            "findings": [
                {
                    "code": f.code,
                    "need": f.need,
                    "domain": f.domain,
                    "referralCategory": f.referral_category or None,
                    "evidence": f.evidence,
                }
                for f in self.findings
            ],
        }


def score(instrument: Instrument, answers: Mapping[str, Any]) -> ScoreResult:
    """Score a set of answers exactly as the definition says; raise on any bad answer."""
    for link_id in answers:
        if instrument.item(link_id) is None:
            raise InvalidAnswer(instrument, link_id, "this instrument has no such item")
    given = _enabled_answers(instrument, answers)
    missing = _check_missing(instrument, given)
    total = _total(instrument, given)
    band = instrument.band_for(total) if total is not None else None
    flags = [
        _raised(item.flag, item.link_id)
        for item in instrument.items
        if item.flag is not None and _rule_holds(instrument, item.flag, given, total)
    ]
    flags += [_raised(r) for r in instrument.flags if _rule_holds(instrument, r, given, total)]
    label = band.label if band else None
    findings = [
        _found(instrument, rule, given, total, label)
        for rule in instrument.findings
        if _rule_holds(instrument, rule, given, total)
    ]
    return ScoreResult(instrument, total, label, flags, missing, findings)


def enabled_items(instrument: Instrument, answers: Mapping[str, Any]) -> list[Item]:
    """The items shown for these answers (for a form that hides conditional items)."""
    given = _enabled_answers(instrument, answers)
    enabled: list[Item] = []
    for item in instrument.items:
        if _is_enabled(instrument, item, given):
            enabled.append(item)
    return enabled


def rescreen_due(result: ScoreResult, completed: date) -> date | None:
    """The date a rescreen is due after this result, or None when none is needed."""
    rule = result.instrument.rescreen
    if rule is None or result.band is None:
        return None
    labels = [b.label for b in result.instrument.bands]
    if labels.index(result.band) < labels.index(rule.when_band_at_least):
        return None
    return completed + timedelta(days=rule.after_days)


# -- answers -----------------------------------------------------------------------------


def _enabled_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Checked answers of enabled items, in item order (conditions look only backwards)."""
    given: dict[str, Any] = {}
    for item in instrument.items:
        value = answers.get(item.link_id)
        if value is None or not _is_enabled(instrument, item, given):
            continue
        if item.type == "display":
            raise InvalidAnswer(instrument, item.link_id, "it is a display item, not a question")
        given[item.link_id] = _checked(instrument, item, value)
    return given


def _is_enabled(instrument: Instrument, item: Item, given: Mapping[str, Any]) -> bool:
    if not item.enable_when:
        return True
    results = (_condition_holds(instrument, c, given, None) for c in item.enable_when)
    return all(results) if item.enable_behavior == "all" else any(results)


def _checked(instrument: Instrument, item: Item, value: Any) -> Any:
    def bad(problem: str) -> InvalidAnswer:
        return InvalidAnswer(instrument, item.link_id, problem)

    if item.type == "choice":
        allowed = ", ".join(repr(o.code) for o in item.options)
        if not isinstance(value, str):
            raise bad(f"give the option code as text, one of {allowed}")
        if item.option(value) is None:
            raise bad(f"{value!r} is not one of {allowed}")
    elif item.type == "multi-choice":
        if not isinstance(value, list) or not all(
            isinstance(v, str) and item.option(v) for v in value
        ):
            raise bad(f"give a list of codes from {', '.join(o.code for o in item.options)}")
        if len(set(value)) != len(value):
            raise bad("a code is given twice")
    elif item.type in ("integer", "decimal"):
        _check_number(item, value, bad)
    elif item.type == "boolean":
        if not isinstance(value, bool):
            raise bad("give true or false")
    elif item.type == "date":
        try:
            date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            raise bad("give a date as YYYY-MM-DD") from None
    elif item.type == "text" and not isinstance(value, str):
        raise bad("give text")
    elif item.type == "text" and item.max_length is not None and len(value) > item.max_length:
        raise bad(f"it is {len(value)} characters long; at most {item.max_length} fit")
    return value


def _check_number(item: Item, value: Any, bad: Any) -> None:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if item.type == "integer" and not whole:
        raise bad(f"{value!r} is not a whole number")
    if not whole and (isinstance(value, bool) or not isinstance(value, float)):
        raise bad(f"{value!r} is not a number")
    if item.min is not None and value < item.min:
        raise bad(f"{value} is below the lowest allowed value, {item.min:g}")
    if item.max is not None and value > item.max:
        raise bad(f"{value} is above the highest allowed value, {item.max:g}")
    if item.points and item.points[0].min > value:
        raise bad(f"{value} is below the scoring table, which starts at {item.points[0].min}")
    last = item.points[-1].max if item.points else None
    if last is not None and value > last:
        raise bad(f"{value} is above the scoring table, which ends at {last}")


def _check_missing(instrument: Instrument, given: Mapping[str, Any]) -> list[str]:
    scored = set(instrument.scoring.items) if instrument.scoring else set()
    all_scored = instrument.scoring is not None and instrument.scoring.missing == "all-required"
    missing: list[str] = []
    for item in instrument.items:
        if item.type == "display" or item.link_id in given:
            continue
        if not _is_enabled(instrument, item, given):
            continue
        if item.required or (all_scored and item.link_id in scored):
            raise IncompleteAnswers(instrument, item)
        missing.append(item.link_id)
    return missing


# -- totals and flags ----------------------------------------------------------------------


def item_score(item: Item, value: Any) -> int:
    """The points one answer earns: option score, points-table value, number or 1/0."""
    if item.type == "choice":
        option = item.option(value)
        return option.score or 0 if option else 0
    if item.type == "multi-choice":
        return sum((o.score or 0) for o in item.options if o.code in value)
    if item.type == "boolean":
        return int(bool(value))
    if item.points:
        row = next(p for p in item.points if p.min <= value and (p.max is None or value <= p.max))
        return row.points
    return int(value)


def _total(instrument: Instrument, given: Mapping[str, Any]) -> int | None:
    scoring = instrument.scoring
    if scoring is None:
        return None
    total = 0
    for name in scoring.items:
        if name not in given:
            continue
        points = item_score(_item(instrument, name), given[name])
        total += int(points > 0) if scoring.method == "count-positive" else points
    return total


def _item(instrument: Instrument, link_id: str) -> Item:
    item = instrument.item(link_id)
    if item is None:  # definitions are validated at load, so this is a programming error
        raise KeyError(link_id)
    return item


def _rule_holds(
    instrument: Instrument,
    rule: FlagRule | FindingRule,
    given: Mapping[str, Any],
    total: int | None,
) -> bool:
    results = (_condition_holds(instrument, c, given, total) for c in rule.when)
    return all(results) if rule.behavior == "all" else any(results)


def _raised(rule: FlagRule, link_id: str = "") -> Flag:
    return Flag(rule.code, rule.label, rule.severity, rule.source, link_id)


def _found(
    instrument: Instrument,
    rule: FindingRule,
    given: Mapping[str, Any],
    total: int | None,
    band: str | None,
) -> Finding:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "total":
            return "no total" if total is None else str(total)
        if name == "band":
            return band or "no band"
        link_id = name.removeprefix(ANSWER_PREFIX)
        return answer_text(_item(instrument, link_id), given.get(link_id))

    evidence = PLACEHOLDER.sub(fill, rule.evidence)
    if len(evidence) > EVIDENCE_MAX:
        evidence = evidence[: EVIDENCE_MAX - 1] + "…"
    return Finding(
        code=rule.code,
        need=rule.need,
        domain=rule.domain,
        referral_category=rule.referral_category,
        evidence=evidence,
        source=rule.source,
        instrument=instrument.id,
    )


def answer_text(item: Item, value: Any) -> str:
    """An answer as a care manager reads it: the option's display text, Yes or No, the
    number, the date or the text; "not answered" when there is none."""
    if value is None:
        return "not answered"
    if item.type == "choice":
        option = item.option(value)
        return option.display if option else str(value)
    if item.type == "multi-choice":
        chosen = [o.display for o in item.options if o.code in value]
        return "; ".join(chosen) or "none chosen"
    if item.type == "boolean":
        return "Yes" if value else "No"
    if item.type == "decimal":
        return f"{value:g}"
    return " ".join(str(value).split())


def _condition_holds(
    instrument: Instrument, cond: Condition, given: Mapping[str, Any], total: int | None
) -> bool:
    if cond.question == TOTAL:
        return total is not None and _compare(total, cond.operator, cond.answer)
    if cond.question == SUM:
        points = (item_score(_item(instrument, n), given[n]) for n in cond.sum_of if n in given)
        return _compare(sum(points), cond.operator, cond.answer)
    present = cond.question in given
    if cond.operator == "exists":
        return present is bool(cond.answer)
    if not present:
        return False
    value = given[cond.question]
    item = _item(instrument, cond.question)
    if item.type in ("choice", "multi-choice") and not isinstance(cond.answer, str):
        return _compare(item_score(item, value), cond.operator, cond.answer)
    if item.type == "multi-choice":
        return (cond.answer in value) is (cond.operator == "=")
    if item.type == "date":
        return _compare(date.fromisoformat(value), cond.operator, date.fromisoformat(cond.answer))
    return _compare(value, cond.operator, cond.answer)


def _compare(left: Any, operator: str, right: Any) -> bool:
    if operator == "=":
        return bool(left == right)
    if operator == "!=":
        return bool(left != right)
    if operator == ">":
        return bool(left > right)
    if operator == "<":
        return bool(left < right)
    if operator == ">=":
        return bool(left >= right)
    return bool(left <= right)

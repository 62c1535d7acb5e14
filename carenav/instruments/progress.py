"""The running result of a form being filled in: score so far, band, flags, what is left.

Pure functions over a definition and partial answers (no Qt, no database), so the
form's summary bar shows exactly what signing will compute, and can be tested alone.
A flag is shown before the form is complete only when more answers cannot take it
back (a total can only grow), so the form never shows an alarm it later withdraws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from carenav.instruments.definition import SUM, TOTAL, FlagRule, Instrument
from carenav.instruments.scoring import (
    Finding,
    Flag,
    IncompleteAnswers,
    enabled_items,
    score,
)


@dataclass(frozen=True)
class Running:
    """What the summary bar shows for the answers given so far."""

    total: int | None  # None: not a scored instrument, or nothing scored answered yet
    band: str | None
    final: bool  # every answer the score needs is given
    flags: tuple[Flag, ...]
    required_left: int
    shown: frozenset[str]  # the items enabled by these answers
    findings: tuple[Finding, ...] = ()


def lenient_copy(instrument: Instrument) -> Instrument:
    """The instrument with no answer required, to score the answers given so far."""
    scoring = instrument.scoring
    return replace(
        instrument,
        items=tuple(replace(i, required=False) for i in instrument.items),
        scoring=replace(scoring, missing="skip") if scoring is not None else None,
    )


def _settled_early(rule: FlagRule) -> bool:
    """True when more answers cannot take the flag back (a total can only grow)."""
    return all(c.question not in (TOTAL, SUM) or c.operator in (">", ">=") for c in rule.when)


def required_items(instrument: Instrument) -> frozenset[str]:
    """The questions that must be answered before the form can be signed."""
    scoring = instrument.scoring
    scored = set(scoring.items) if scoring and scoring.missing == "all-required" else set()
    return frozenset(
        i.link_id
        for i in instrument.items
        if i.type != "display" and (i.required or i.link_id in scored)
    )


def running_result(
    instrument: Instrument, lenient: Instrument, answers: Mapping[str, Any]
) -> Running:
    """The score, band and flags of partial answers; raises InvalidAnswer for a bad one."""
    shown = frozenset(i.link_id for i in enabled_items(instrument, answers))
    left = sum(1 for name in required_items(instrument) & shown if name not in answers)
    try:
        result = score(instrument, answers)
        final = True
        flags = tuple(result.flags)
    except IncompleteAnswers:
        result = score(lenient, answers)
        final = False
        early = {r.code for r in instrument.flags if _settled_early(r)} | {
            i.flag.code for i in instrument.items if i.flag is not None and _settled_early(i.flag)
        }
        flags = tuple(f for f in result.flags if f.code in early)
    scoring = instrument.scoring
    any_scored = scoring is not None and any(n in answers and n in shown for n in scoring.items)
    total = result.total if any_scored else None
    return Running(
        total=total,
        band=result.band if total is not None else None,
        final=final,
        flags=flags,
        required_left=left,
        shown=shown,
        findings=tuple(result.findings) if final else (),
    )


def stored_flags(flags: list[dict[str, Any]]) -> tuple[Flag, ...]:
    return tuple(
        Flag(
            code=str(f.get("code", "")),
            label=str(f.get("label", "")),
            severity=str(f.get("severity", "info")),
            item=str(f.get("item") or ""),
        )
        for f in flags
    )

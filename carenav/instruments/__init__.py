"""Standard instruments (screeners and indices) as data files, with exact scoring.

Domain code: no Qt and no database here.
"""

from carenav.instruments.definition import (
    AnswerOption,
    Band,
    FindingRule,
    Instrument,
    InvalidInstrument,
    Item,
    load_definition,
    parse_definition,
)
from carenav.instruments.registry import UnknownInstrument, available_instruments, get_instrument
from carenav.instruments.scoring import (
    Finding,
    Flag,
    IncompleteAnswers,
    InvalidAnswer,
    ScoreResult,
    answer_text,
    enabled_items,
    rescreen_due,
    score,
)

__all__ = [
    "AnswerOption",
    "Band",
    "Finding",
    "FindingRule",
    "Flag",
    "IncompleteAnswers",
    "Instrument",
    "InvalidAnswer",
    "InvalidInstrument",
    "Item",
    "ScoreResult",
    "UnknownInstrument",
    "answer_text",
    "available_instruments",
    "enabled_items",
    "get_instrument",
    "load_definition",
    "parse_definition",
    "rescreen_due",
    "score",
]

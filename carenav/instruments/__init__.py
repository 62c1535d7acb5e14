"""Standard instruments (screeners and indices) as data files, with exact scoring.

Domain code: no Qt and no database here.
"""

from carenav.instruments.definition import (
    AnswerOption,
    Band,
    Instrument,
    InvalidInstrument,
    Item,
    load_definition,
    parse_definition,
)
from carenav.instruments.registry import UnknownInstrument, available_instruments, get_instrument
from carenav.instruments.scoring import (
    Flag,
    IncompleteAnswers,
    InvalidAnswer,
    ScoreResult,
    enabled_items,
    rescreen_due,
    score,
)

__all__ = [
    "AnswerOption",
    "Band",
    "Flag",
    "IncompleteAnswers",
    "Instrument",
    "InvalidAnswer",
    "InvalidInstrument",
    "Item",
    "ScoreResult",
    "UnknownInstrument",
    "available_instruments",
    "enabled_items",
    "get_instrument",
    "load_definition",
    "parse_definition",
    "rescreen_due",
    "score",
]

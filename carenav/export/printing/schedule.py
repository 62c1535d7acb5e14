"""When in the day a medicine is taken, read from its frequency text.

A small, deliberately cautious parser for the medication schedule page: it knows the
common wordings and abbreviations ("once daily", "twice daily with food", "at
bedtime", "every morning", "three times a day", "BID", "TID", "QHS") and gives the
times of day (morning, midday, evening, bedtime). Anything it does not recognise,
and anything taken only when needed or not every day, gets no times: the schedule
then shows the frequency text as written instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MORNING, MIDDAY, EVENING, BEDTIME = "morning", "midday", "evening", "bedtime"
SLOTS = (MORNING, MIDDAY, EVENING, BEDTIME)


@dataclass(frozen=True)
class DoseTimes:
    """The times of day; empty when the text is not understood or not a daily routine."""

    slots: tuple[str, ...]
    as_needed: bool = False

    @property
    def known(self) -> bool:
        return bool(self.slots)


_AS_NEEDED = re.compile(r"\b(as needed|when needed|if needed|prn|p\.r\.n\.?)\b")
_NOT_DAILY = re.compile(
    r"\b(week|weekly|month|monthly|every other day|alternate days|q\s?\d+\s?(h|hr|hours?)\b|"
    r"every \d+( to \d+)? (hours|minutes|days)|qod|q\.o\.d)"
)
_COUNT = (
    (re.compile(r"\b(four times|4 times|qid|q\.i\.d\.?)\b"), (MORNING, MIDDAY, EVENING, BEDTIME)),
    (re.compile(r"\b(three times|3 times|tid|t\.i\.d\.?)\b"), (MORNING, MIDDAY, EVENING)),
    (
        re.compile(r"\b(twice|two times|2 times|bid|b\.i\.d\.?|every 12 hours)\b"),
        (MORNING, EVENING),
    ),
)
_WHEN = (
    (re.compile(r"\b(at bedtime|before bed|bedtime|qhs|q\.h\.s\.?|hs|at night|nightly)\b"),
     BEDTIME),
    (re.compile(r"\b(in the evening|every evening|evening|with supper|with dinner|qpm)\b"),
     EVENING),
    (re.compile(r"\b(at noon|midday|with lunch)\b"), MIDDAY),
    (re.compile(r"\b(in the morning|every morning|morning|before breakfast|with breakfast|qam)\b"),
     MORNING),
)  # fmt: skip
_ONCE = re.compile(
    r"\b(once daily|once a day|once per day|one time a day|daily|every day|qd|q\.d\.?|"
    r"once)\b"
)


def dose_times(frequency: str) -> DoseTimes:
    """The times of day for a frequency text (see the module's description)."""
    text = " ".join(frequency.lower().replace("-", " ").split())
    if not text:
        return DoseTimes(())
    if _AS_NEEDED.search(text):
        return DoseTimes((), as_needed=True)
    if _NOT_DAILY.search(text):
        return DoseTimes(())
    for pattern, slots in _COUNT:
        if pattern.search(text):
            return DoseTimes(slots)
    named = [slot for pattern, slot in _WHEN if pattern.search(text)]
    if len(named) == 1:
        return DoseTimes((named[0],))
    if len(named) > 1:  # "morning and evening": in the day's order
        return DoseTimes(tuple(s for s in SLOTS if s in named))
    if _ONCE.search(text):
        return DoseTimes((MORNING,))
    return DoseTimes(())

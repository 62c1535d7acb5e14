"""How the chart shows dates and coded values: one unambiguous style everywhere.

Dates read "3 Mar 1948" (English month names, whatever the system locale, so a
day can never be mistaken for a month); times are shown in the laptop's local
time zone. Coded values show their label from carenav.models.codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from carenav.dates import MONTHS, day_text

__all__ = ["MONTHS", "age_text", "code_label", "format_date", "format_datetime", "yes_no"]


def format_date(value: date | None) -> str:
    """'3 Mar 1948'; an empty string when there is no date."""
    return "" if value is None else day_text(value)


def format_datetime(value: datetime | None) -> str:
    """'3 Mar 2025, 14:05' in local time; an empty string when there is no time."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    return f"{format_date(local.date())}, {local:%H:%M}"


def code_label(choices: Mapping[str, str], code: str) -> str:
    """The words for a stored code; the code itself if it is not (or no longer) known."""
    return choices.get(code, code)


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def age_text(years: int) -> str:
    return "1 year old" if years == 1 else f"{years} years old"

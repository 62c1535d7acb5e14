"""Dates as CareNav shows them: '3 Mar 2026', never an ambiguous 03/04/2026.

Shared by the screens and by services that write sentences for them (no Qt here).
"""

from __future__ import annotations

from datetime import date, datetime

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """'3 Mar 2026' (a datetime is shown by its date)."""
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"

"""Programme clocks (TCM, CCM, business days): pure functions, no database, no Qt."""

from carenav.followup.business_days import HolidayCalendar, default_calendar, us_federal_holidays
from carenav.followup.ccm import (
    CcmMonth,
    ccm_codes,
    days_left_in_month,
    minutes_to_next_threshold,
    month_bounds,
    month_of,
)
from carenav.followup.tcm import Attempt, TcmDeadlines, TcmStatus, tcm_deadlines, tcm_status

__all__ = [
    "Attempt",
    "CcmMonth",
    "HolidayCalendar",
    "TcmDeadlines",
    "TcmStatus",
    "ccm_codes",
    "days_left_in_month",
    "default_calendar",
    "minutes_to_next_threshold",
    "month_bounds",
    "month_of",
    "tcm_deadlines",
    "tcm_status",
    "us_federal_holidays",
]

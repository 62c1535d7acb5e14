"""The patient chart page and the New patient dialog.

Imported lazily: the chart page holds the Assessments tab, whose modules use the
chart's small dialogs and styles, so importing a chart submodule must not pull in
the whole chart page first (that would be an import cycle).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carenav.ui.pages.chart.chart_page import ChartPage
    from carenav.ui.pages.chart.new_patient import NewPatientDialog

__all__ = ["ChartPage", "NewPatientDialog"]
_WHERE = {
    "ChartPage": "carenav.ui.pages.chart.chart_page",
    "NewPatientDialog": "carenav.ui.pages.chart.new_patient",
}


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

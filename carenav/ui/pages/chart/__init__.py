"""The patient chart page and the New patient dialog."""

from carenav.ui.pages.chart.chart_page import ChartPage
from carenav.ui.pages.chart.new_patient import NewPatientDialog

__all__ = ["ChartPage", "NewPatientDialog"]

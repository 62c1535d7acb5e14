"""Coordination screens: the resource directory, a patient's referrals and
authorisations (a chart tab), and the agency-wide list of open referrals."""

from carenav.ui.pages.coordination.directory_page import DirectoryPage

__all__ = ["DirectoryPage"]

"""CareNav: an offline-first, encrypted caseload for community care managers."""

__version__ = "0.1.0"

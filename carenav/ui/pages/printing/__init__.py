"""Printing inside CareNav: the care-plan preview (print, save) and the visit packet."""

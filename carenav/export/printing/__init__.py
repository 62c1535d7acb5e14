"""Printed documents (care plans, visit packets): layout, words and data.

The API is :mod:`carenav.export.plan_pdf`.
"""

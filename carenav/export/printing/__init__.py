"""Printed documents (care plans, visit packets): layout, words and data; the API is carenav.export.plan_pdf."""

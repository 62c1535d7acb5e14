"""Assessments: filling in forms, and the chart tab with history, trends and suggested needs."""

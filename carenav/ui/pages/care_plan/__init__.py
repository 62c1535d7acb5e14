"""The care plan: the plan editor, its versions and agreements, and the chart summary."""

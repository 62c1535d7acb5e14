"""Care-plan templates as data files (problem -> goal -> intervention), and suggestions.

Domain code: no Qt and no database here. The file format is described in
docs/care-plan-templates.md.
"""

from carenav.plan_templates.definition import (
    AppliesTo,
    EducationTopic,
    Goal,
    Intervention,
    InvalidTemplate,
    Need,
    Source,
    Template,
    WarningSign,
    load_template,
    parse_template,
)
from carenav.plan_templates.registry import (
    UnknownTemplate,
    available_templates,
    get_template,
    matching_codes,
    suggest_templates,
)

__all__ = [
    "AppliesTo",
    "EducationTopic",
    "Goal",
    "Intervention",
    "InvalidTemplate",
    "Need",
    "Source",
    "Template",
    "UnknownTemplate",
    "WarningSign",
    "available_templates",
    "get_template",
    "load_template",
    "matching_codes",
    "parse_template",
    "suggest_templates",
]

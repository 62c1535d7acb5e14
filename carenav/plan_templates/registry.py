"""Finding care-plan templates, and suggesting them for a patient.

Templates come from the bundled folder plus an optional agency folder. An agency adds a
template by dropping its file (``*.json``) into that folder; no code changes. An agency
file may not reuse a bundled template's id (nor another agency file's), so a bundled
template is never silently replaced by a local copy.

A template is suggested when one of the patient's ICD-10 codes starts with one of its
``appliesTo.icd10`` prefixes (dots and case ignored: ``I50.22`` matches ``I50``) or when
one of the patient's assessment finding codes is in ``appliesTo.findings``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from carenav.errors import CareNavError
from carenav.plan_templates.definition import (
    InvalidTemplate,
    Template,
    icd10_key,
    load_template,
)

BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "care-plan-templates"


class UnknownTemplate(CareNavError):
    exit_code = 5

    def __init__(self, ident: str, known: list[str]) -> None:
        self.ident = ident
        super().__init__(
            f"There is no care-plan template {ident!r}. Available: {', '.join(known) or 'none'}."
        )


def _load_folder(folder: Path) -> list[Template]:
    if not folder.is_dir():
        raise InvalidTemplate(str(folder), "the care-plan templates folder does not exist")
    return [load_template(p) for p in sorted(folder.glob("*.json"))]


def available_templates(
    extra_folder: Path | None = None, *, bundled: Path = BUNDLED
) -> list[Template]:
    """Every template, bundled first, then the agency's, each by file name.

    Raises :class:`InvalidTemplate` if any file is broken or an id is used twice.
    """
    found: dict[str, Template] = {}
    agency = _load_folder(extra_folder) if extra_folder is not None else []
    for template in _load_folder(bundled) + agency:
        if template.id in found:
            clash = found[template.id].path
            owner = "a bundled template" if clash and clash.parent == bundled else "another file"
            name = template.path.name if template.path else template.id
            raise InvalidTemplate(
                name, f"its id {template.id!r} is already used by {owner}; give it another id"
            )
        found[template.id] = template
    return list(found.values())


def get_template(
    ident: str, extra_folder: Path | None = None, *, bundled: Path = BUNDLED
) -> Template:
    templates = available_templates(extra_folder, bundled=bundled)
    for template in templates:
        if template.id == ident:
            return template
    raise UnknownTemplate(ident, [t.id for t in templates])


def matching_codes(
    template: Template, icd10_codes: Iterable[str], finding_codes: Iterable[str]
) -> tuple[str, ...]:
    """The patient's codes (as given) for which ``template`` is suggested, ICD-10 first."""
    prefixes = tuple(icd10_key(p) for p in template.applies_to.icd10)
    findings = frozenset(template.applies_to.findings)
    matched = [c for c in icd10_codes if icd10_key(c) and icd10_key(c).startswith(prefixes)]
    matched += [f for f in finding_codes if f.strip().lower() in findings]
    return tuple(dict.fromkeys(matched))


def suggest_templates(
    templates: Iterable[Template], icd10_codes: Iterable[str], finding_codes: Iterable[str]
) -> list[Template]:
    """The templates that suit a patient with these codes, in the order given.

    The order of ``templates`` is kept (from :func:`available_templates`: bundled by
    file name, then the agency's), so the same codes always give the same list.
    """
    icd10 = [c for c in icd10_codes if c]
    findings = [f for f in finding_codes if f]
    return [t for t in templates if matching_codes(t, icd10, findings)]

"""The community resource directory: organisations, their services, search and CSV.

CareNav starts with an empty directory; an agency fills it by hand, by importing the
CSV another agency shares, or (for practice) with the demo's fictional organisations.
The directory holds no patient information.

API (every function takes the unlocked ``vault``; bad values raise ``InvalidInput``
with one message per field saying what to write instead):

- ``add_organisation(vault, values)`` / ``update_organisation(vault, id, changes)`` /
  ``remove_organisation(vault, id)`` (its services go with it);
- ``add_service(vault, organisation_id, values)`` / ``update_service(vault, id, changes)``
  / ``remove_service(vault, id)``;
- ``search_services(vault, text, category=, language=, limit=)`` -> ``ServiceView`` list,
  ``get_service(vault, id)`` -> ``ServiceView``, ``count_services(vault)``;
- ``export_csv(vault, path)`` and ``import_csv(vault, path)`` (``CSV_COLUMNS``);
- ``CATEGORIES`` (code -> label), ``CATEGORY_DOMAINS`` (code -> care-plan/assessment
  domain), ``categories_for_domain(domain)`` and ``category_for(text)`` (an assessment's
  referral category such as "energy assistance" -> "utilities").

Search is by words (every word must appear in the organisation or service name, a
category, the city or postal code, the eligibility, the languages or the notes;
accents and case do not matter), by category code and by language. It scans a
lower-cased ``search_text`` column, like the caseload search: 5,000 services take a few
milliseconds (bench/directory.py).

CSV import is all or nothing: every row is checked first, and if any row is bad nothing
is saved and every bad row is reported by its row number as a spreadsheet shows it
(the header is row 1). A row whose organisation and service names match a service
already in the directory updates it; other rows add services. Export then import
gives back exactly the same file.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from carenav.errors import CareNavError, InvalidInput, RecordNotFound
from carenav.models import HealthcareService, Organisation, utcnow
from carenav.services.validation import FieldCleaner, search_tokens
from carenav.store.vault import Vault

# code -> (label, the assessment / care-plan domain it answers)
_CATEGORY_TABLE: tuple[tuple[str, str, str], ...] = (
    ("food", "Food", "food"),
    ("home-delivered-meals", "Home-delivered meals", "food"),
    ("housing", "Housing and shelter", "housing"),
    ("home-modification", "Home repair and modification", "housing"),
    ("utilities", "Utilities and energy assistance", "utilities"),
    ("transportation", "Transportation", "transportation"),
    ("financial-aid", "Financial assistance", "financial"),
    ("benefits-enrollment", "Benefits and insurance enrolment", "financial"),
    ("medication-assistance", "Medication assistance", "financial"),
    ("employment", "Employment", "financial"),
    ("legal-aid", "Legal aid", "other"),
    ("home-health", "Home health", "medical"),
    ("in-home-support", "In-home support and personal care", "functional"),
    ("primary-care", "Primary care", "health-care-access"),
    ("specialist", "Specialist care", "medical"),
    ("therapy", "Therapy and rehabilitation", "functional"),
    ("pharmacy-delivery", "Pharmacy delivery", "health-care-access"),
    ("hearing-vision", "Hearing and vision", "health-care-access"),
    ("behavioural-health", "Behavioural health", "behavioural-health"),
    ("substance-use", "Substance use", "behavioural-health"),
    ("tobacco-cessation", "Tobacco cessation", "behavioural-health"),
    ("caregiver-support", "Caregiver support", "caregiver"),
    ("respite-care", "Respite care", "caregiver"),
    ("interpersonal-safety", "Interpersonal safety", "safety"),
    ("personal-emergency-response", "Personal emergency response", "safety"),
    ("fall-prevention", "Fall prevention", "falls"),
    ("social-connection", "Social connection", "social"),
    ("education", "Education and literacy", "education"),
    ("other", "Other", "other"),
)
CATEGORIES: dict[str, str] = {code: label for code, label, _ in _CATEGORY_TABLE}
CATEGORY_DOMAINS: dict[str, str] = {code: domain for code, _, domain in _CATEGORY_TABLE}

# the referral categories the bundled instruments name, where the words differ
_ALIASES = {
    "behavioral health": "behavioural-health",
    "mental health": "behavioural-health",
    "benefits enrollment": "benefits-enrollment",
    "insurance enrollment": "benefits-enrollment",
    "energy assistance": "utilities",
    "financial assistance": "financial-aid",
    "home safety": "home-modification",
    "pharmacy": "pharmacy-delivery",
    "meals": "home-delivered-meals",
    "meals on wheels": "home-delivered-meals",
    "transport": "transportation",
    "shelter": "housing",
    "domestic violence": "interpersonal-safety",
    "legal": "legal-aid",
}

CSV_COLUMNS: tuple[str, ...] = (
    "organisation",
    "organisation_phone",
    "website",
    "address",
    "city",
    "state",
    "postal_code",
    "service",
    "categories",
    "service_phone",
    "hours",
    "eligibility",
    "languages",
    "how_to_refer",
    "what_to_bring",
    "notes",
    "last_verified",
)
REQUIRED_COLUMNS = ("organisation", "service")
ORGANISATION_COLUMNS = {
    "organisation": "name",
    "organisation_phone": "phone",
    "website": "website",
    "address": "address_line",
    "city": "city",
    "state": "state",
    "postal_code": "postal_code",
}
SERVICE_COLUMNS = {
    "service": "name",
    "categories": "categories",
    "service_phone": "phone",
    "hours": "hours",
    "eligibility": "eligibility",
    "languages": "languages",
    "how_to_refer": "how_to_refer",
    "what_to_bring": "what_to_bring",
    "notes": "notes",
    "last_verified": "last_verified",
}
MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_CSV_ROWS = 50_000
SEARCH_LIMIT = 200
MESSAGE_ROWS = 25  # bad rows spelled out in the message (``rows`` holds them all)
LIST_SEPARATOR = ";"


# -- categories ------------------------------------------------------------------------------


def categories_for_domain(domain: str) -> list[str]:
    """Directory categories that answer a need of this domain (e.g. "food" -> food,
    home-delivered-meals)."""
    return [code for code, d in CATEGORY_DOMAINS.items() if d == domain]


def category_for(text: str) -> str | None:
    """The category code for a code, a label or an assessment's referral category
    ("energy assistance" -> "utilities"); None when nothing fits."""
    words = " ".join(search_tokens(text.replace("-", " ").replace("_", " ")))
    if not words:
        return None
    for code, label in CATEGORIES.items():
        if words in (code.replace("-", " "), " ".join(search_tokens(label))):
            return code
    return _ALIASES.get(words)


# -- validation ------------------------------------------------------------------------------


def _languages(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value or "").split(LIST_SEPARATOR)
    result: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = " ".join(str(item).split())
        if not text:
            continue
        if len(text) > 60:
            raise ValueError(f"Language '{text[:30]}…' is too long; write one name per language.")
        key = _key(text)
        if key not in seen:
            seen.add(key)
            result.append(text)
    return result


def _category_codes(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value or "").split(LIST_SEPARATOR)
    result: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        code = category_for(text)
        if code is None:
            raise ValueError(
                f"Unknown category '{text[:40]}'. Use codes such as "
                f"{', '.join(list(CATEGORIES)[:6])}, separated by ';' "
                "(the full list is in docs/coordination.md)."
            )
        if code not in result:
            result.append(code)
    return result


def clean_organisation(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating and "name" not in values:
        c.errors["name"] = "Give the organisation's name."
    c.text("name", label="Organisation name", required=True)
    c.phone("phone")
    c.text("website", label="Website")
    c.text("address_line", label="Address")
    c.text("city", label="City", max_len=100)
    c.text("state", label="State", max_len=40)
    c.text("postal_code", label="Postal code", max_len=20)
    return c.done()


def clean_service(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating and "name" not in values:
        c.errors["name"] = "Give the service's name, for example 'Food pantry'."
    c.text("name", label="Service name", required=True)
    c._run("categories", _category_codes)
    c.phone("phone")
    c.text("hours", label="Hours", max_len=300)
    c.text("eligibility", label="Eligibility", max_len=1000)
    c._run("languages", _languages)
    c.text("how_to_refer", label="How to refer", max_len=1000)
    c.text("what_to_bring", label="What to bring", max_len=1000)
    c.text("notes", label="Notes", max_len=2000)
    c.date("last_verified", label="Last verified", not_future=True)
    cleaned = c.done()
    if creating and not cleaned.get("categories"):
        raise InvalidInput({"categories": "Choose at least one category, for example food."})
    if "categories" in values and not cleaned.get("categories"):
        raise InvalidInput({"categories": "Keep at least one category, for example food."})
    return cleaned


def _key(text: str) -> str:
    return " ".join(search_tokens(text))


def _keys(items: Iterable[str]) -> str:
    folded = [_key(item) for item in items]
    return "|" + "|".join(f for f in folded if f) + "|" if folded else ""


def _search_text(organisation: Organisation, service: HealthcareService) -> str:
    parts = [
        organisation.name,
        service.name,
        *service.categories,
        *(CATEGORIES.get(code, "") for code in service.categories),
        organisation.city,
        organisation.postal_code,
        service.eligibility,
        *service.languages,
        service.notes,
    ]
    text = " ".join(search_tokens(" ".join(p.replace("-", " ") for p in parts if p)))
    return text[:4000]


def _refresh(organisation: Organisation, service: HealthcareService) -> None:
    service.search_text = _search_text(organisation, service)
    service.category_keys = "|" + "|".join(service.categories) + "|" if service.categories else ""
    service.language_keys = _keys(service.languages)


# -- changing the directory ------------------------------------------------------------------


def _live_organisation(session: Session, organisation_id: uuid.UUID) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.deleted_at is not None:
        raise RecordNotFound("organisation")
    return organisation


def _live_service(session: Session, service_id: uuid.UUID) -> HealthcareService:
    service = session.get(HealthcareService, service_id)
    if service is None or service.deleted_at is not None:
        raise RecordNotFound("service")
    return service


def _services_of(session: Session, organisation_id: uuid.UUID) -> list[HealthcareService]:
    statement = select(HealthcareService).where(
        HealthcareService.organisation_id == organisation_id,
        col(HealthcareService.deleted_at).is_(None),
    )
    return list(session.exec(statement).all())


def _unique_organisation(session: Session, name: str, organisation_id: uuid.UUID | None) -> None:
    """One organisation of a name in the directory (the CSV matches rows by name)."""
    statement = select(Organisation).where(col(Organisation.deleted_at).is_(None))
    for other in session.exec(statement).all():
        if other.id != organisation_id and _key(other.name) == _key(name):
            raise InvalidInput(
                {
                    "name": f"'{other.name}' is already in the directory; add the service "
                    "to it, or give this organisation a name that tells them apart."
                }
            )


def _unique_name(
    session: Session, organisation_id: uuid.UUID, name: str, service_id: uuid.UUID | None
) -> None:
    """One service of a name per organisation (the CSV matches rows to services by name)."""
    for other in _services_of(session, organisation_id):
        if other.id != service_id and _key(other.name) == _key(name):
            raise InvalidInput(
                {
                    "name": f"This organisation already has a service called '{other.name}'; "
                    "edit that one or choose another name."
                }
            )


def add_organisation(vault: Vault, values: Mapping[str, Any]) -> Organisation:
    """Add an organisation (name required; phone, website, address optional)."""
    cleaned = clean_organisation(values, creating=True)
    with vault.session() as session:
        _unique_organisation(session, cleaned["name"], None)
        organisation = Organisation(**cleaned)
        session.add(organisation)
        session.flush()
        return organisation


def update_organisation(
    vault: Vault, organisation_id: uuid.UUID, changes: Mapping[str, Any]
) -> Organisation:
    """Change an organisation; its services' search text follows."""
    cleaned = clean_organisation(changes, creating=False)
    with vault.session() as session:
        organisation = _live_organisation(session, organisation_id)
        if "name" in cleaned:
            _unique_organisation(session, cleaned["name"], organisation_id)
        if organisation.apply(cleaned):
            session.add(organisation)
            for service in _services_of(session, organisation_id):
                _refresh(organisation, service)
                service.touch()
                session.add(service)
        return organisation


def remove_organisation(vault: Vault, organisation_id: uuid.UUID) -> int:
    """Remove an organisation and its services from the directory; returns the number of
    services removed. Referrals already made keep their text and history."""
    with vault.session() as session:
        organisation = _live_organisation(session, organisation_id)
        now = utcnow()
        services = _services_of(session, organisation_id)
        for record in (organisation, *services):
            record.apply({"deleted_at": now})
            session.add(record)
        return len(services)


def add_service(
    vault: Vault, organisation_id: uuid.UUID, values: Mapping[str, Any]
) -> HealthcareService:
    """Add a service to an organisation (name and at least one category required)."""
    cleaned = clean_service(values, creating=True)
    with vault.session() as session:
        organisation = _live_organisation(session, organisation_id)
        _unique_name(session, organisation_id, cleaned["name"], None)
        service = HealthcareService(organisation_id=organisation_id, **cleaned)
        _refresh(organisation, service)
        session.add(service)
        session.flush()
        return service


def update_service(
    vault: Vault, service_id: uuid.UUID, changes: Mapping[str, Any]
) -> HealthcareService:
    cleaned = clean_service(changes, creating=False)
    with vault.session() as session:
        service = _live_service(session, service_id)
        organisation = _live_organisation(session, service.organisation_id)
        if "name" in cleaned:
            _unique_name(session, organisation.id, cleaned["name"], service.id)
        if service.apply(cleaned):
            _refresh(organisation, service)
            session.add(service)
        return service


def remove_service(vault: Vault, service_id: uuid.UUID) -> HealthcareService:
    with vault.session() as session:
        service = _live_service(session, service_id)
        service.apply({"deleted_at": utcnow()})
        session.add(service)
        return service


# -- reading and search ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceView:
    """A service with its organisation, as the directory and the referral slip show it."""

    service_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation: str
    name: str
    categories: tuple[str, ...]
    phone: str  # the service's direct line, else the organisation's
    organisation_phone: str
    service_phone: str
    website: str
    address_line: str
    city: str
    state: str
    postal_code: str
    hours: str
    eligibility: str
    languages: tuple[str, ...]
    how_to_refer: str
    what_to_bring: str
    notes: str
    last_verified: date | None

    @property
    def address(self) -> str:
        """The address on one line: '12 Elm St, Springfield, IL 62701'."""
        place = " ".join(p for p in (self.state, self.postal_code) if p)
        return ", ".join(p for p in (self.address_line, self.city, place) if p)

    @property
    def category_labels(self) -> list[str]:
        return [CATEGORIES.get(code, code) for code in self.categories]

    def as_json(self) -> dict[str, object]:
        return {
            "id": str(self.service_id),
            "organisation_id": str(self.organisation_id),
            "organisation": self.organisation,
            "service": self.name,
            "categories": list(self.categories),
            "phone": self.phone,
            "website": self.website,
            "address": self.address,
            "hours": self.hours,
            "eligibility": self.eligibility,
            "languages": list(self.languages),
            "how_to_refer": self.how_to_refer,
            "what_to_bring": self.what_to_bring,
            "notes": self.notes,
            "last_verified": self.last_verified.isoformat() if self.last_verified else None,
        }


_VIEW_COLUMNS = (
    col(HealthcareService.id),
    col(Organisation.id),
    col(Organisation.name),
    col(HealthcareService.name),
    col(HealthcareService.categories),
    col(HealthcareService.phone),
    col(Organisation.phone),
    col(Organisation.website),
    col(Organisation.address_line),
    col(Organisation.city),
    col(Organisation.state),
    col(Organisation.postal_code),
    col(HealthcareService.hours),
    col(HealthcareService.eligibility),
    col(HealthcareService.languages),
    col(HealthcareService.how_to_refer),
    col(HealthcareService.what_to_bring),
    col(HealthcareService.notes),
    col(HealthcareService.last_verified),
)


def _view(row: Sequence[Any]) -> ServiceView:
    (sid, oid, org, name, cats, sphone, ophone, web, line, city, state, postal) = row[:12]
    hours, eligibility, languages, how, bring, notes, verified = row[12:]
    return ServiceView(
        service_id=sid,
        organisation_id=oid,
        organisation=org,
        name=name,
        categories=tuple(cats),
        phone=sphone or ophone,
        organisation_phone=ophone,
        service_phone=sphone,
        website=web,
        address_line=line,
        city=city,
        state=state,
        postal_code=postal,
        hours=hours,
        eligibility=eligibility,
        languages=tuple(languages),
        how_to_refer=how,
        what_to_bring=bring,
        notes=notes,
        last_verified=verified,
    )


def _live_join() -> Any:
    return (
        sa_select(*_VIEW_COLUMNS)
        .join(Organisation, col(Organisation.id) == col(HealthcareService.organisation_id))
        .where(col(HealthcareService.deleted_at).is_(None), col(Organisation.deleted_at).is_(None))
    )


def search_services(
    vault: Vault,
    text: str = "",
    *,
    category: str | None = None,
    language: str | None = None,
    limit: int | None = SEARCH_LIMIT,
) -> list[ServiceView]:
    """Services matching every word of ``text``, in ``category`` (a code, a label or an
    assessment's referral category) and offered in ``language``; by organisation then
    service name, at most ``limit`` (None: all)."""
    conditions: list[Any] = []
    for token in search_tokens(text.replace("-", " ")):
        conditions.append(col(HealthcareService.search_text).contains(token, autoescape=True))
    if category:
        code = category_for(category)
        if code is None:
            raise InvalidInput(
                {
                    "category": f"Unknown category '{category[:40]}'. Choose one of: "
                    + ", ".join(CATEGORIES)
                }
            )
        conditions.append(col(HealthcareService.category_keys).contains(f"|{code}|"))
    if language and _key(language):
        conditions.append(
            col(HealthcareService.language_keys).contains(f"|{_key(language)}|", autoescape=True)
        )
    # NOCASE (ASCII case folding) rather than lower(): lower() made the sort of 5,000
    # services take 45 ms, NOCASE 5. Only the ids and the two names are sorted, then the
    # whole rows of the page shown are read: sorting every column cost 20 ms more.
    order = (
        col(Organisation.name).collate("NOCASE"),
        col(HealthcareService.name).collate("NOCASE"),
    )
    ids = (
        sa_select(col(HealthcareService.id))
        .join(Organisation, col(Organisation.id) == col(HealthcareService.organisation_id))
        .where(col(HealthcareService.deleted_at).is_(None), col(Organisation.deleted_at).is_(None))
        .where(*conditions)
        .order_by(*order)
    )
    if limit is not None:
        ids = ids.limit(limit)
    statement = _live_join().where(col(HealthcareService.id).in_(ids)).order_by(*order)
    with vault.engine.connect() as conn:
        return [_view(row) for row in conn.execute(statement)]


def get_service(vault: Vault, service_id: uuid.UUID) -> ServiceView:
    """One service with its organisation (removed ones too: a referral may point at it)."""
    statement = (
        sa_select(*_VIEW_COLUMNS)
        .join(Organisation, col(Organisation.id) == col(HealthcareService.organisation_id))
        .where(col(HealthcareService.id) == service_id)
    )
    with vault.engine.connect() as conn:
        row = conn.execute(statement).first()
    if row is None:
        raise RecordNotFound("service")
    return _view(row)


def count_services(vault: Vault) -> int:
    statement = (
        select(func.count())
        .select_from(HealthcareService)
        .where(col(HealthcareService.deleted_at).is_(None))
    )
    with vault.session() as session:
        return int(session.exec(statement).one())


def languages_in_use(vault: Vault) -> list[str]:
    """Every language some service is offered in, for a filter list (sorted)."""
    found: dict[str, str] = {}
    for view in search_services(vault, limit=None):
        for language in view.languages:
            found.setdefault(_key(language), language)
    return [found[k] for k in sorted(found)]


# -- CSV -------------------------------------------------------------------------------------


class DirectoryCsvError(InvalidInput):
    """The file, or some of its rows, cannot be imported; nothing was saved.

    ``rows`` maps a row number (as a spreadsheet numbers it: the header is row 1) to
    its problems, field by field."""

    def __init__(self, problem: str, rows: Mapping[int, Mapping[str, str]] | None = None) -> None:
        self.rows = {n: dict(p) for n, p in (rows or {}).items()}
        errors = {
            f"row {n}": " ".join(f"{field}: {message}" for field, message in p.items())
            for n, p in sorted(self.rows.items())
        }
        super().__init__(errors or {"file": problem})
        numbers = sorted(self.rows)
        lines = [f"\n  Row {n}: {errors[f'row {n}']}" for n in numbers[:MESSAGE_ROWS]]
        if len(numbers) > MESSAGE_ROWS:
            lines.append(f"\n  … and {len(numbers) - MESSAGE_ROWS} more rows.")
        CareNavError.__init__(self, problem + "".join(lines))


def _row_text(view: ServiceView) -> dict[str, str]:
    return {
        "organisation": view.organisation,
        "organisation_phone": view.organisation_phone,
        "website": view.website,
        "address": view.address_line,
        "city": view.city,
        "state": view.state,
        "postal_code": view.postal_code,
        "service": view.name,
        "categories": LIST_SEPARATOR.join(view.categories),
        "service_phone": view.service_phone,
        "hours": view.hours,
        "eligibility": view.eligibility,
        "languages": LIST_SEPARATOR.join(view.languages),
        "how_to_refer": view.how_to_refer,
        "what_to_bring": view.what_to_bring,
        "notes": view.notes,
        "last_verified": view.last_verified.isoformat() if view.last_verified else "",
    }


def directory_csv(vault: Vault) -> str:
    """The whole directory as CSV text (``CSV_COLUMNS``), one row per service, by
    organisation and service name. Categories and languages are separated by ';'."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for view in search_services(vault, limit=None):
        writer.writerow(_row_text(view))
    return out.getvalue()


def export_csv(vault: Vault, path: Path) -> int:
    """Write the directory to ``path`` (UTF-8); returns the number of services written."""
    from carenav.store.header import atomic_write

    text = directory_csv(vault)
    atomic_write(path, text.encode("utf-8"))
    return max(text.count("\r\n") - 1, 0) if text else 0


@dataclass(frozen=True)
class ImportReport:
    added: int  # services added
    updated: int  # services changed by the file
    unchanged: int
    organisations_added: int


@dataclass
class _Row:
    number: int
    organisation: dict[str, Any]
    service: dict[str, Any]


def _header(name: str) -> str:
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def _read_rows(text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _rows_of(reader)
    except csv.Error as exc:  # an unclosed quote, a cell over the field size limit...
        raise DirectoryCsvError(
            f"Nothing was imported: row {reader.line_num} could not be read as CSV ({exc}). "
            "Save the file again as CSV from the spreadsheet and check that row."
        ) from None


def _rows_of(reader: Any) -> list[_Row]:
    try:
        header = next(reader)
    except StopIteration:
        raise DirectoryCsvError(
            "The file is empty. Export a directory from CareNav to see the columns."
        ) from None
    names = [_header(h) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n and n not in CSV_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"the file has no {' or '.join(repr(m) for m in missing)} column")
        if unknown:
            parts.append(f"unknown columns {', '.join(repr(u[:40]) for u in unknown[:5])}")
        raise DirectoryCsvError(
            "Nothing was imported: "
            + " and ".join(parts)
            + ". The first row must name the columns: "
            + ", ".join(CSV_COLUMNS)
            + "."
        )
    rows: list[_Row] = []
    problems: dict[int, dict[str, str]] = {}
    for number, cells in enumerate(reader, start=2):
        if len(rows) >= MAX_CSV_ROWS:
            raise DirectoryCsvError(
                f"Nothing was imported: the file has more than {MAX_CSV_ROWS:,} rows."
            )
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names):
            problems[number] = {
                "row": f"has {len(cells)} cells but the header names {len(names)} columns; "
                "check for an unquoted comma"
            }
            continue
        raw = {n: cells[i] if i < len(cells) else "" for i, n in enumerate(names) if n}
        org = {
            field: raw[column] for column, field in ORGANISATION_COLUMNS.items() if column in raw
        }
        svc = {field: raw[column] for column, field in SERVICE_COLUMNS.items() if column in raw}
        rows.append(_Row(number, org, svc))
    if problems:
        raise DirectoryCsvError(_nothing_imported(problems), problems)
    return rows


def _nothing_imported(problems: Mapping[int, Any]) -> str:
    count = len(problems)
    return (
        f"Nothing was imported: {count} row{'s need' if count != 1 else ' needs'} correcting. "
        "Correct them in the spreadsheet (rows are numbered as the spreadsheet shows them, "
        "the header is row 1) and import the whole file again."
    )


def _check_rows(
    rows: list[_Row], known: set[tuple[str, str]]
) -> list[tuple[_Row, dict[str, Any], dict[str, Any]]]:
    """Every row cleaned, or DirectoryCsvError naming every bad row. ``known``: the
    (organisation, service) keys already in the directory (their rows update them, so
    columns may be left empty or out)."""
    problems: dict[int, dict[str, str]] = {}
    checked: list[tuple[_Row, dict[str, Any], dict[str, Any]]] = []
    organisations: dict[str, tuple[int, dict[str, Any]]] = {}
    services: dict[tuple[str, str], int] = {}
    for row in rows:
        errors: dict[str, str] = {}
        org: dict[str, Any] = {}
        svc: dict[str, Any] = {}
        try:
            org = clean_organisation(row.organisation, creating=True)
        except InvalidInput as exc:
            errors.update({_column(k, ORGANISATION_COLUMNS): v for k, v in exc.errors.items()})
        key = (_key(row.organisation.get("name", "")), _key(row.service.get("name", "")))
        try:
            svc = clean_service(row.service, creating=key not in known)
        except InvalidInput as exc:
            errors.update({_column(k, SERVICE_COLUMNS): v for k, v in exc.errors.items()})
        if not errors:
            org_key = _key(org["name"])
            first = organisations.setdefault(org_key, (row.number, org))
            differs = [
                _column(k, ORGANISATION_COLUMNS)
                for k in org
                if k != "name" and org[k] != first[1].get(k)
            ]
            org = first[1]  # the name as first spelled
            if differs:
                errors["organisation"] = (
                    f"row {first[0]} gives this organisation a different "
                    f"{', '.join(differs)}; make the organisation's details the same on every row"
                )
            key = (org_key, _key(svc["name"]))
            if key in services:
                errors["service"] = (
                    f"row {services[key]} already has this service for this organisation; "
                    "keep one row per service"
                )
            services.setdefault(key, row.number)
        if errors:
            problems[row.number] = errors
        else:
            checked.append((row, org, svc))
    if problems:
        raise DirectoryCsvError(_nothing_imported(problems), problems)
    return checked


def _column(field: str, columns: Mapping[str, str]) -> str:
    return next((c for c, f in columns.items() if f == field), field)


def read_directory_csv(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        raise DirectoryCsvError(
            f"Nothing was imported: {path} cannot be read; check the path."
        ) from None
    if size > MAX_CSV_BYTES:
        raise DirectoryCsvError(
            f"Nothing was imported: the file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB."
        )
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryCsvError(
            "Nothing was imported: the file is not UTF-8 text. In your spreadsheet choose "
            'File > Save As, pick "CSV UTF-8 (Comma delimited)" and import that file.'
        ) from None
    except OSError:
        raise DirectoryCsvError(
            f"Nothing was imported: {path} cannot be read; check the path."
        ) from None


def import_csv(vault: Vault, path: Path) -> ImportReport:
    """Import a directory CSV (``CSV_COLUMNS``; only organisation and service required).

    All or nothing: every row is checked first; if any is bad, ``DirectoryCsvError``
    lists every bad row by number and nothing is saved."""
    return import_csv_text(vault, read_directory_csv(path))


def _known_keys(vault: Vault) -> set[tuple[str, str]]:
    return {(_key(v.organisation), _key(v.name)) for v in search_services(vault, limit=None)}


def import_csv_text(vault: Vault, text: str) -> ImportReport:
    """``import_csv`` for text already read."""
    checked = _check_rows(_read_rows(text), _known_keys(vault))
    added = updated = unchanged = organisations_added = 0
    with vault.session() as session:
        existing_orgs: dict[str, Organisation] = {}
        for known in session.exec(
            select(Organisation).where(col(Organisation.deleted_at).is_(None))
        ).all():
            existing_orgs.setdefault(_key(known.name), known)
        existing: dict[tuple[str, str], HealthcareService] = {}
        for offered in session.exec(
            select(HealthcareService).where(col(HealthcareService.deleted_at).is_(None))
        ).all():
            owner = session.get(Organisation, offered.organisation_id)
            if owner is not None and owner.deleted_at is None:
                existing.setdefault((_key(owner.name), _key(offered.name)), offered)
        changed_orgs: dict[uuid.UUID, Organisation] = {}
        for _row, org_values, _svc in checked:  # organisations first, in one flush
            org_key = _key(org_values["name"])
            found_org = existing_orgs.get(org_key)
            if found_org is None:
                existing_orgs[org_key] = Organisation(**org_values)
                organisations_added += 1
                session.add(existing_orgs[org_key])
            elif found_org.id not in changed_orgs and found_org.apply(org_values):
                changed_orgs[found_org.id] = found_org
                session.add(found_org)
        session.flush()
        for _row, org_values, svc_values in checked:
            org_key = _key(org_values["name"])
            organisation = existing_orgs[org_key]
            found = existing.get((org_key, _key(svc_values["name"])))
            if found is None:
                service = HealthcareService(organisation_id=organisation.id, **svc_values)
                added += 1
            else:
                service = found
                if service.apply(svc_values):
                    updated += 1
                else:
                    unchanged += 1
            _refresh(organisation, service)
            session.add(service)
        session.flush()
        for organisation in changed_orgs.values():  # services the file did not name
            for service in _services_of(session, organisation.id):
                _refresh(organisation, service)
                session.add(service)
    return ImportReport(added, updated, unchanged, organisations_added)

"""Field validation shared by forms, the command line and CSV import.

Each ``clean_*`` function takes raw values (strings from a form or a CSV
cell, or already-typed values) and returns typed values, or raises
``InvalidInput`` with one plain-language message per bad field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from carenav.errors import InvalidInput
from carenav.models import codes

# ICD-10-CM: a letter (U included: U07.1 is COVID-19), a digit, a digit or A/B, then
# up to four more characters after an optional dot (S72.001A, T36.0X1A).
ICD10_PATTERN = re.compile(r"^[A-Z][0-9][0-9AB](\.?[0-9A-TV-Z]{1,4})?$")
EARLIEST_BIRTH = date(1900, 1, 1)


def today() -> date:
    return date.today()


def parse_date(value: Any) -> date | None:
    """Accept a date, or text as YYYY-MM-DD (the format CareNav asks for)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter the date as YYYY-MM-DD, for example 1948-03-27.") from None


def normalise_phone(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    digits = re.sub(r"\D", "", text.split("x")[0].split("ext")[0])
    if not 7 <= len(digits) <= 15:
        raise ValueError("Enter a phone number with 7 to 15 digits, for example 555-201-4432.")
    if re.search(r"[^\d\s()+.\-xext]", text.lower()):
        raise ValueError("Use only digits, spaces, ( ) + - and 'ext' in a phone number.")
    return text


def search_tokens(text: str) -> list[str]:
    """Lower-case, accent-free, punctuation-free tokens (for search and matching)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    tokens = []
    for raw in folded.split():
        token = "".join(ch for ch in raw if ch.isalnum())
        if token:
            tokens.append(token)
    return tokens


class FieldCleaner:
    """Collects per-field messages while converting raw values."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}
        self.cleaned: dict[str, Any] = {}

    def _run(self, name: str, convert: Callable[[Any], Any]) -> None:
        if name not in self.values:
            return
        try:
            self.cleaned[name] = convert(self.values[name])
        except ValueError as exc:
            self.errors[name] = str(exc)

    def text(self, name: str, *, label: str, required: bool = False, max_len: int = 200) -> None:
        def convert(value: Any) -> str:
            text = str(value if value is not None else "").strip()
            if "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text):
                raise ValueError(f"{label} contains an invalid character.")
            if required and not text:
                raise ValueError(f"{label} is required.")
            if len(text) > max_len:
                raise ValueError(
                    f"{label} is too long ({len(text)} characters; at most {max_len})."
                )
            return text

        self._run(name, convert)

    def code(
        self, name: str, *, label: str, choices: Mapping[str, str], blank: bool = False
    ) -> None:
        def convert(value: Any) -> str:
            text = str(value or "").strip()
            if blank and not text:
                return ""
            if text in choices:
                return text
            for code_, shown in choices.items():  # accept the label as typed in a CSV
                if text.lower() in (shown.lower(), code_.replace("_", " ")):
                    return code_
            allowed = ", ".join(choices.values())
            raise ValueError(f"Choose a {label.lower()} from: {allowed}.")

        self._run(name, convert)

    def codes(self, name: str, *, label: str, choices: Mapping[str, str]) -> None:
        def convert(value: Any) -> list[str]:
            items = value if isinstance(value, list | tuple) else str(value or "").split(";")
            result: list[str] = []
            for item in items:
                text = str(item).strip()
                if not text:
                    continue
                match = next(
                    (
                        c
                        for c, shown in choices.items()
                        if text.lower() in (c, shown.lower(), c.replace("_", " "))
                    ),
                    None,
                )
                if match is None:
                    raise ValueError(f"Unknown {label.lower()} '{text[:40]}'.")
                if match not in result:
                    result.append(match)
            return result

        self._run(name, convert)

    def date(
        self,
        name: str,
        *,
        label: str,
        required: bool = False,
        not_future: bool = False,
        earliest: date | None = None,
    ) -> None:
        def convert(value: Any) -> date | None:
            parsed = parse_date(value)
            if parsed is None:
                if required:
                    raise ValueError(f"{label} is required (YYYY-MM-DD).")
                return None
            if not_future and parsed > today():
                raise ValueError(f"{label} cannot be in the future.")
            if earliest and parsed < earliest:
                raise ValueError(f"{label} is before {earliest.isoformat()}; check the year.")
            return parsed

        self._run(name, convert)

    def phone(self, name: str) -> None:
        self._run(name, normalise_phone)

    def flag(self, name: str) -> None:
        def convert(value: Any) -> bool:
            if isinstance(value, bool):
                return value
            text = str(value or "").strip().lower()
            if text in ("", "0", "no", "n", "false"):
                return False
            if text in ("1", "yes", "y", "true", "x"):
                return True
            raise ValueError("Answer yes or no.")

        self._run(name, convert)

    def icd10(self, name: str) -> None:
        def convert(value: Any) -> str:
            text = str(value or "").strip().upper()
            if text and not ICD10_PATTERN.match(text):
                raise ValueError(
                    "An ICD-10 code looks like E11.9 or I50.22; leave it blank if unsure."
                )
            return text

        self._run(name, convert)

    def done(self) -> dict[str, Any]:
        if self.errors:
            raise InvalidInput(self.errors)
        return self.cleaned


def clean_patient(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating:
        for required in ("family_name", "given_name", "birth_date"):
            if required not in values:
                c.errors[required] = "This field is required."
    c.text("family_name", label="Family name", required=True, max_len=100)
    c.text("given_name", label="Given name", required=True, max_len=100)
    c.text("preferred_name", label="Preferred name", max_len=100)
    c.date(
        "birth_date", label="Date of birth", required=True, not_future=True, earliest=EARLIEST_BIRTH
    )
    c.code("administrative_sex", label="Sex", choices=codes.ADMINISTRATIVE_SEX)
    c.text("gender_identity", label="Gender identity", max_len=100)
    c.text("preferred_language", label="Preferred language", required=True, max_len=60)
    c.flag("interpreter_needed")
    c.phone("phone_home")
    c.phone("phone_mobile")
    c.text("address_line", label="Street address", max_len=200)
    c.text("city", label="City", max_len=100)
    c.text("state", label="State", max_len=40)
    c.text("postal_code", label="ZIP code", max_len=20)
    c.text("visit_notes", label="Visit notes", max_len=2000)
    c.codes("programs", label="Programme", choices=codes.PROGRAMS)
    c.code("risk_tier", label="Risk tier", choices=codes.RISK_TIERS)
    c.code("status", label="Status", choices=codes.PATIENT_STATUSES)
    c.text("primary_care_provider", label="Primary care provider", max_len=200)
    c.text("payer", label="Payer", max_len=200)
    c.text("member_id", label="Member ID", max_len=60)
    c.date("consent_date", label="Consent date", not_future=True, earliest=EARLIEST_BIRTH)
    c.code("consent_method", label="Consent method", choices=codes.CONSENT_METHODS, blank=True)
    cleaned = c.done()
    if bool(cleaned.get("consent_date")) != bool(cleaned.get("consent_method")) and (
        "consent_date" in cleaned or "consent_method" in cleaned
    ):
        missing = "consent_method" if cleaned.get("consent_date") else "consent_date"
        raise InvalidInput(
            {missing: "Record both the date consent was given and how it was given."}
        )
    return cleaned

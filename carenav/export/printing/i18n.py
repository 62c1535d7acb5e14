"""The fixed words of printed plans, from one JSON file per language.

``resources/translations/<code>.json`` maps each key to its text (placeholders in
braces), plus ``months``, ``weekdays`` and the date formats. A language is added by
dropping a file there: no code changes. A key missing from a language falls back to
English, so a partial translation still prints; a file that cannot be read, is not a
JSON object, or holds a value of the wrong kind is refused with a message that names
the file and says what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from carenav.errors import CareNavError

TRANSLATIONS = Path(__file__).resolve().parents[3] / "resources" / "translations"
FALLBACK = "en"
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
LISTS = {"months": 12, "weekdays": 7}


class TranslationError(CareNavError):
    """A translation file is missing or broken."""

    exit_code = 5


@dataclass(frozen=True)
class Translator:
    """The words of one language, falling back to English key by key."""

    code: str
    words: Mapping[str, Any]
    fallback: Mapping[str, Any]

    def __call__(self, key: str, **values: object) -> str:
        text = self.words.get(key, self.fallback.get(key))
        if not isinstance(text, str):
            raise TranslationError(f"The printed-plan text {key!r} is missing from en.json.")
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return isinstance(self.words.get(key, self.fallback.get(key)), str)

    def _list(self, key: str) -> list[str]:
        value = self.words.get(key, self.fallback.get(key))
        assert isinstance(value, list)
        return value

    def date(self, day: dt.date) -> str:
        """'December 3, 2026' / '3 de diciembre de 2026'."""
        if isinstance(day, dt.datetime):
            day = day.date()
        month = self._list("months")[day.month - 1]
        return self("date_format", day=day.day, month=month, year=day.year)

    def weekday_date(self, day: dt.date) -> str:
        """'Thursday, December 3' / 'jueves 3 de diciembre'."""
        if isinstance(day, dt.datetime):
            day = day.date()
        return self(
            "weekday_date_format",
            weekday=self._list("weekdays")[day.weekday()],
            day=day.day,
            month=self._list("months")[day.month - 1],
        )

    def time(self, moment: dt.datetime) -> str:
        """'2:30 PM' on a 12-hour clock, '14:30' on a 24-hour one."""
        if self("clock") == "24h":
            return f"{moment.hour}:{moment.minute:02d}"
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {self('pm') if moment.hour >= 12 else self('am')}"


def _read(path: Path) -> dict[str, Any]:
    name = path.name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TranslationError(
            f"The translation file {name} cannot be read ({exc.strerror}); check that it exists."
        ) from exc
    except UnicodeDecodeError as exc:
        raise TranslationError(
            f"The translation file {name} is not UTF-8; save it as UTF-8."
        ) from exc
    except json.JSONDecodeError as exc:
        raise TranslationError(
            f"The translation file {name} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}); fix it or remove the file."
        ) from exc
    if not isinstance(raw, dict):
        raise TranslationError(
            f"The translation file {name} must hold one JSON object of key: text pairs."
        )
    for key, value in raw.items():
        if key in LISTS:
            if not (
                isinstance(value, list)
                and len(value) == LISTS[key]
                and all(isinstance(v, str) and v for v in value)
            ):
                raise TranslationError(
                    f"In {name}, {key!r} must be a list of {LISTS[key]} names; fix it or "
                    "remove the key to use the English ones."
                )
        elif not isinstance(value, str):
            raise TranslationError(
                f"In {name}, the value of {key!r} must be text in quotes; fix it or remove it."
            )
    return raw


def language_codes(folder: Path = TRANSLATIONS) -> list[str]:
    """The language codes there are files for, without reading them ('en', 'es')."""
    return sorted(p.stem for p in folder.glob("*.json") if _CODE.fullmatch(p.stem))


def available_languages(folder: Path = TRANSLATIONS) -> dict[str, str]:
    """Language code -> its own name ('es' -> 'Español'), for each file in the folder."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        if _CODE.fullmatch(path.stem):
            found[path.stem] = str(_read(path).get("language_name", path.stem))
    return found


@lru_cache(maxsize=16)
def _load(code: str, folder: Path) -> Translator:
    fallback = _read(folder / f"{FALLBACK}.json")
    if code == FALLBACK:
        return Translator(code, fallback, fallback)
    return Translator(code, _read(folder / f"{code}.json"), fallback)


def translator(code: str, folder: Path = TRANSLATIONS) -> Translator:
    """The translator for a language code ('en', 'es', ...); clear error if there is none."""
    code = code.strip()
    if not _CODE.fullmatch(code) or not (folder / f"{code}.json").is_file():
        known = ", ".join(language_codes(folder)) or "none"
        raise TranslationError(
            f"There is no printed-plan language {code!r}. Available: {known}. "
            f"To add one, put a {code or '<code>'}.json file in {folder.name}/."
        )
    return _load(code, folder.resolve())


# the chart's preferred language is free text ("Spanish"); a word file is named by code
LANGUAGE_CODES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "french": "fr",
    "haitian creole": "ht",
    "portuguese": "pt",
    "vietnamese": "vi",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "russian": "ru",
    "polish": "pl",
    "korean": "ko",
    "arabic": "ar",
    "tagalog": "tl",
    "italian": "it",
    "german": "de",
}


def code_for_language_name(name: str) -> str:
    """'Spanish' (a chart's free-text preferred language) -> 'es'; '' when not known."""
    return LANGUAGE_CODES.get(name.strip().casefold(), "")

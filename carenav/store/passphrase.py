"""Passphrase rules from NIST SP 800-63B (rev. 4), and a strength estimate.

* at least 15 characters (single-factor authentication), up to 1,024 accepted;
* NFKC-normalised, counted in code points, never truncated;
* no composition rules (no "one digit and one symbol");
* rejected when it is a common password (zxcvbn's bundled frequency lists,
  used offline), a repetition or sequence, or built from the app's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from carenav.store.header import normalise_secret

MIN_LENGTH = 15
MAX_LENGTH = 1024
CONTEXT_WORDS = ("carenav", "care nav", "passphrase", "password")
MIN_CONTEXT_FREE_LETTERS = 4  # letters left once the words above are taken out
ZXCVBN_MAX_LENGTH = 72
STRENGTH_LABELS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")


@dataclass(frozen=True)
class PassphraseCheck:
    acceptable: bool
    problem: str  # empty when acceptable
    strength: int  # 0..4 (zxcvbn score)
    advice: str

    @property
    def strength_label(self) -> str:
        return STRENGTH_LABELS[self.strength]


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    words: set[str] = set()
    for name in ("passwords", "english_wikipedia", "us_tv_and_film"):
        words.update(FREQUENCY_LISTS.get(name, ()))
    return frozenset(words)


def _is_repetitive(text: str) -> bool:
    squeezed = text.replace(" ", "")
    if len(set(squeezed)) <= 2:
        return True
    for size in range(1, len(squeezed) // 2 + 1):
        unit = squeezed[:size]
        if unit * (len(squeezed) // size) + unit[: len(squeezed) % size] == squeezed:
            return True
    steps = {ord(b) - ord(a) for a, b in pairwise(squeezed)}
    return len(steps) == 1 and steps <= {1, -1}


def _built_from_context(compact: str) -> bool:
    """The app's name or 'password' with little else: 'CareNav password 2024'."""
    rest = compact
    for word in CONTEXT_WORDS:
        rest = rest.replace(word.replace(" ", ""), "")
    return rest != compact and sum(ch.isalpha() for ch in rest) < MIN_CONTEXT_FREE_LETTERS


def _strength(text: str) -> tuple[int, str]:
    from zxcvbn import zxcvbn

    # zxcvbn 4.5 refuses more than 72 characters; a prefix's strength is a lower bound
    result = zxcvbn(text[:ZXCVBN_MAX_LENGTH])
    feedback = result.get("feedback", {})
    advice = feedback.get("warning") or " ".join(feedback.get("suggestions", []))
    return int(result["score"]), str(advice)


def check_passphrase(candidate: str) -> PassphraseCheck:
    """Judge a new passphrase; the message says what to do next."""
    text = normalise_secret(candidate)
    length = len(text)
    if length < MIN_LENGTH:
        return PassphraseCheck(
            False,
            f"Use at least {MIN_LENGTH} characters ({length} so far). "
            "A few unrelated words with spaces are easy to remember.",
            0,
            "",
        )
    if length > MAX_LENGTH:
        return PassphraseCheck(False, f"Use at most {MAX_LENGTH} characters.", 0, "")
    lowered = text.lower()
    if "\x00" in text or any(not ch.isprintable() and ch != " " for ch in text):
        return PassphraseCheck(
            False, "Remove invisible or control characters from the passphrase.", 0, ""
        )
    compact = lowered.replace(" ", "")
    if lowered in _common_passwords() or compact in _common_passwords():
        return PassphraseCheck(
            False, "This is a commonly used password. Choose something less predictable.", 0, ""
        )
    if _is_repetitive(lowered):
        return PassphraseCheck(
            False, "Avoid repeated characters and sequences such as 'aaaa' or '1234'.", 0, ""
        )
    if _built_from_context(compact):
        return PassphraseCheck(
            False,
            "Don't build the passphrase from the app's name or the word 'password'.",
            0,
            "",
        )
    score, advice = _strength(text)
    if score <= 1:
        return PassphraseCheck(
            False,
            "This passphrase is easy to guess. Add another unusual word or two.",
            score,
            advice,
        )
    return PassphraseCheck(True, "", score, advice)

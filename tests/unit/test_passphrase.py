"""Passphrase rules (NIST SP 800-63B) and the back-off after failed unlocks."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carenav.errors import UnlockDelayed, WrongPassphrase
from carenav.store.header import KdfParams, normalise_secret
from carenav.store.lockout import FREE_ATTEMPTS, MAX_DELAY_SECONDS, UnlockThrottle, delay_after
from carenav.store.passphrase import MAX_LENGTH, MIN_LENGTH, PassphraseCheck, check_passphrase
from carenav.store.vault import Vault, throttle_path_for

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
WORDS = [
    "amber",
    "basil",
    "cobalt",
    "dune",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kettle",
    "lagoon",
    "meadow",
    "nectar",
    "orchid",
    "pebble",
    "quartz",
    "river",
    "saffron",
    "thistle",
    "umber",
    "velvet",
    "willow",
    "yarrow",
    "zephyr",
]
# Every code point Python can hold, lone surrogates and control characters included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=300)


def word_text(length: int, seed: int = 20260105) -> str:
    """Unrelated lower-case words, cut to exactly ``length`` characters."""
    rng = random.Random(seed)
    text = ""
    while len(text) < length:
        text += rng.choice(WORDS) + " "
    return text[:length]


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def made_vault(folder: Path, passphrase: str = PASSPHRASE) -> Path:
    path = folder / "vault" / "caseload.cnv"
    vault, _ = Vault.create(path, passphrase, kdf=CHEAP_KDF)
    vault.close()
    return path


# -- the policy --------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "a", "fourteen chars", "ninety one!!!"])
def test_short_passphrase_is_refused_with_a_count(text: str) -> None:
    verdict = check_passphrase(text)
    assert not verdict.acceptable
    assert f"Use at least {MIN_LENGTH} characters ({len(text)} so far)" in verdict.problem


def test_length_is_counted_after_nfkc_normalisation() -> None:
    # 13 characters as typed; the two ligatures become "fi" and "fl": 15 after NFKC
    typed = "ﬁnd ﬂat gravy"
    assert len(typed) == 13
    assert not check_passphrase(typed).problem.startswith("Use at least")
    assert check_passphrase("ﬁnd gravy").problem.startswith(
        "Use at least 15 characters (10 so far)"
    )


@pytest.mark.parametrize("length", [MIN_LENGTH, 64, 73, 100, 1000, MAX_LENGTH])
def test_long_passphrases_are_accepted_up_to_the_limit(length: int) -> None:
    text = word_text(length)
    assert len(text) == length
    verdict = check_passphrase(text)
    assert verdict.acceptable, verdict.problem
    assert verdict.problem == ""
    assert verdict.strength >= 2


def test_passphrase_over_the_limit_is_refused_with_the_limit() -> None:
    verdict = check_passphrase(word_text(MAX_LENGTH + 1))
    assert not verdict.acceptable
    assert verdict.problem == f"Use at most {MAX_LENGTH} characters."


def test_no_composition_rules_four_lowercase_words_pass() -> None:
    verdict = check_passphrase("maple harbor violin crater")
    assert verdict.acceptable
    assert verdict.strength_label in ("Strong", "Very strong")


@pytest.mark.parametrize(
    "text",
    ["internationally", "123456789qwerty", "1qaz2wsx3edc4rfv", "qwerty123456789"],
)
def test_common_passwords_are_refused(text: str) -> None:
    verdict = check_passphrase(text)
    assert not verdict.acceptable
    assert "commonly used password" in verdict.problem


@pytest.mark.parametrize(
    "text",
    [
        "aaaaaaaaaaaaaaaa",
        "abab abab abab abab",
        "horsehorsehorsehorse",
        "abcdefghijklmnop",
        "zyxwvutsrqponmlk",
        "1212121212121212",
    ],
)
def test_repetitions_and_sequences_are_refused(text: str) -> None:
    verdict = check_passphrase(text)
    assert not verdict.acceptable
    assert "repeated characters and sequences" in verdict.problem


@pytest.mark.parametrize(
    "text",
    [
        "carenav passphrase",
        "CareNav password 2024",
        "my carenav password",
        "care nav passphrase!",
        "carenavpassword1",
        "password passphrase",
    ],
)
def test_phrases_built_from_the_app_name_are_refused(text: str) -> None:
    verdict = check_passphrase(text)
    assert not verdict.acceptable
    assert "app's name" in verdict.problem


def test_the_app_name_inside_a_real_phrase_is_fine() -> None:
    assert check_passphrase("I open carenav before every home visit").acceptable


@pytest.mark.parametrize("text", ["nurse visit\x00monday plans", "tabs\tbetween words here"])
def test_invisible_characters_are_refused(text: str) -> None:
    verdict = check_passphrase(text)
    assert not verdict.acceptable
    assert "invisible or control characters" in verdict.problem


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
@example(text="")
@example(text="\x00")
@example(text="\ud800" * 20)
@example(text="x" * 10_000)
@example(text="ﷺ" * 10_000)
@example(text=word_text(10_000))
def test_any_text_gets_a_verdict_never_a_crash(text: str) -> None:
    verdict = check_passphrase(text)
    assert isinstance(verdict, PassphraseCheck)
    assert verdict.acceptable == (verdict.problem == "")
    assert 0 <= verdict.strength <= 4
    if verdict.acceptable:
        normalised = normalise_secret(text)
        assert MIN_LENGTH <= len(normalised) <= MAX_LENGTH
        assert all(ch.isprintable() for ch in normalised)
    else:
        assert verdict.problem.endswith(".")


# -- unlocking with the policy's edge cases ----------------------------------


def test_nfkc_ligature_unlocks_a_slot_set_with_plain_letters(tmp_path: Path) -> None:
    path = made_vault(tmp_path, "final fig fiddle on the fjord")
    Vault.unlock(path, "ﬁnal ﬁg ﬁddle on the fjord").close()


def test_passphrase_is_never_truncated(tmp_path: Path) -> None:
    long_passphrase = word_text(100)
    path = made_vault(tmp_path, long_passphrase)
    with pytest.raises(WrongPassphrase):
        Vault.unlock(path, long_passphrase[:99])
    with pytest.raises(WrongPassphrase):
        Vault.unlock(path, long_passphrase + "x")
    Vault.unlock(path, long_passphrase).close()


def test_any_text_at_unlock_is_refused_cleanly(tmp_path: Path) -> None:
    path = made_vault(tmp_path)
    db_before = hashlib.sha256(path.read_bytes()).hexdigest()
    clock = FakeClock()

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(text=ANY_TEXT)
    @example(text="")
    @example(text="\x00")
    @example(text="\ud800")
    @example(text=PASSPHRASE + "\x00")
    @example(text="x" * 10_000)
    @example(text="\"'; PRAGMA key = 'x'; --")
    def attempt(text: str) -> None:
        throttle = UnlockThrottle(throttle_path_for(path), clock=clock)
        with pytest.raises((WrongPassphrase, UnlockDelayed)):
            Vault.unlock(path, text, throttle=throttle)
        clock.now += MAX_DELAY_SECONDS + 1  # let the delay pass: every text reaches the slot
        with pytest.raises(WrongPassphrase):
            Vault.unlock(path, text, throttle=throttle)

    attempt()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == db_before
    UnlockThrottle(throttle_path_for(path)).reset()
    Vault.unlock(path, PASSPHRASE).close()


# -- back-off after failed unlocks -------------------------------------------


def test_delay_schedule_is_five_free_attempts_then_doubling_to_five_minutes() -> None:
    assert [delay_after(n) for n in range(0, FREE_ATTEMPTS + 1)] == [0.0] * 6
    assert [delay_after(n) for n in range(6, 14)] == [2, 4, 8, 16, 32, 64, 128, 256]
    assert delay_after(14) == MAX_DELAY_SECONDS == 300
    assert delay_after(100) == 300


def test_failed_unlocks_back_off_and_success_resets(tmp_path: Path) -> None:
    path = made_vault(tmp_path)
    clock = FakeClock()
    throttle = UnlockThrottle(throttle_path_for(path), clock=clock)
    for attempt in range(1, FREE_ATTEMPTS + 1):
        with pytest.raises(WrongPassphrase) as caught:
            Vault.unlock(path, "wrong horse battery staple", throttle=throttle)
        assert (caught.value.failures, caught.value.retry_after) == (attempt, 0.0)

    with pytest.raises(WrongPassphrase) as caught:
        Vault.unlock(path, "wrong horse battery staple", throttle=throttle)
    assert (caught.value.failures, caught.value.retry_after) == (6, 2.0)
    assert "try again in 2 seconds" in str(caught.value)

    clock.now += 1.5  # too early, even with the right passphrase
    with pytest.raises(UnlockDelayed) as delayed:
        Vault.unlock(path, PASSPHRASE, throttle=throttle)
    assert delayed.value.retry_after == pytest.approx(0.5)
    assert throttle.failures == 6  # a refused early attempt is not tried, so not counted

    clock.now += 0.5
    with pytest.raises(WrongPassphrase) as caught:
        Vault.unlock(path, "wrong horse battery staple", throttle=throttle)
    assert (caught.value.failures, caught.value.retry_after) == (7, 4.0)

    clock.now += 4.0
    Vault.unlock(path, PASSPHRASE, throttle=throttle).close()
    assert throttle.failures == 0
    assert not throttle_path_for(path).exists()


def test_failure_count_persists_across_unlock_calls_without_patient_data(
    tmp_path: Path,
) -> None:
    path = made_vault(tmp_path)
    wrong = "wrong horse battery staple"
    for expected in (1, 2, 3):
        with pytest.raises(WrongPassphrase) as caught:
            Vault.unlock(path, wrong)  # a new throttle each call, as after a restart
        assert caught.value.failures == expected

    state_file = throttle_path_for(path)
    assert state_file == path.with_name("caseload.cnv.unlock-state")
    state = json.loads(state_file.read_text("utf-8"))
    assert sorted(state) == ["failure_times", "failures", "last_failure"]
    assert [t["via"] for t in state["failure_times"]] == ["passphrase"] * 3
    assert state["failures"] == 3
    assert wrong not in state_file.read_text("utf-8")
    assert UnlockThrottle(state_file, clock=FakeClock()).failures == 3

    Vault.unlock(path, PASSPHRASE).close()
    assert not state_file.exists()


def test_delay_is_capped_at_five_minutes(tmp_path: Path) -> None:
    clock = FakeClock()
    throttle = UnlockThrottle(tmp_path / "state", clock=clock)
    for _ in range(40):
        throttle.record_failure()
    assert throttle.wait_remaining() == 300.0
    clock.now += 299.0
    assert throttle.wait_remaining() == pytest.approx(1.0)


def test_clock_going_backwards_neither_bypasses_nor_locks_forever(tmp_path: Path) -> None:
    path = made_vault(tmp_path)
    clock = FakeClock(now=1_000_000.0)
    throttle = UnlockThrottle(throttle_path_for(path), clock=clock)
    for _ in range(7):
        throttle.record_failure()
    assert throttle.wait_remaining() == 4.0

    clock.now -= 86_400.0  # set back a day
    with pytest.raises(UnlockDelayed) as delayed:
        Vault.unlock(path, PASSPHRASE, throttle=throttle)
    assert delayed.value.retry_after == 4.0
    clock.now += 3.0
    with pytest.raises(UnlockDelayed):
        Vault.unlock(path, PASSPHRASE, throttle=throttle)
    clock.now += 1.0  # four seconds after the jump, not a day
    Vault.unlock(path, PASSPHRASE, throttle=throttle).close()


def test_unreadable_state_file_counts_as_no_failures(tmp_path: Path) -> None:
    state_file = tmp_path / "state"
    state_file.write_text("{ not json")
    throttle = UnlockThrottle(state_file, clock=FakeClock())
    assert throttle.failures == 0
    assert throttle.wait_remaining() == 0.0
    assert throttle.record_failure() == 1


def test_recovery_code_is_the_way_out_while_the_passphrase_is_delayed(tmp_path: Path) -> None:
    path = tmp_path / "vault" / "caseload.cnv"
    vault, code = Vault.create(path, PASSPHRASE, kdf=CHEAP_KDF)
    vault.close()
    throttle = UnlockThrottle(throttle_path_for(path))
    for _ in range(10):
        throttle.record_failure()
    with pytest.raises(UnlockDelayed, match="or unlock with the recovery code"):
        Vault.unlock(path, PASSPHRASE)
    Vault.unlock_with_recovery_code(path, code, "seven quiet lanterns over harbour").close()
    assert not throttle_path_for(path).exists()
    Vault.unlock(path, "seven quiet lanterns over harbour").close()

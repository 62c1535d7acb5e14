"""The running result shown while a form is filled in: what signing will compute, so far."""

from __future__ import annotations

from carenav.instruments import get_instrument
from carenav.instruments.progress import lenient_copy, required_items, running_result

PHQ9 = get_instrument("phq9")
KATZ = get_instrument("katz-adl")


def _running(instrument_id: str, answers: dict[str, object]) -> object:
    instrument = get_instrument(instrument_id)
    return running_result(instrument, lenient_copy(instrument), answers)


def test_nothing_answered_has_no_score_and_every_required_question_left() -> None:
    running = running_result(PHQ9, lenient_copy(PHQ9), {})
    assert (running.total, running.band, running.final) == (None, None, False)
    assert running.required_left == len(required_items(PHQ9) & running.shown) == 9
    assert running.findings == ()


def test_the_score_so_far_grows_with_each_answer_and_says_it_is_not_final() -> None:
    lenient = lenient_copy(PHQ9)
    first = running_result(PHQ9, lenient, {"q1": "3", "q2": "3"})
    assert (first.total, first.band, first.final, first.required_left) == (6, "mild", False, 7)
    more = running_result(PHQ9, lenient, {"q1": "3", "q2": "3", "q3": "3", "q4": "2"})
    assert (more.total, more.band) == (11, "moderate")


def test_flags_that_more_answers_cannot_take_back_show_at_once() -> None:
    partial = running_result(PHQ9, lenient_copy(PHQ9), {"q9": "1"})
    assert [f.code for f in partial.flags] == ["self-harm-risk"]
    positive = running_result(
        PHQ9, lenient_copy(PHQ9), {"q1": "3", "q2": "3", "q3": "3", "q4": "3"}
    )
    assert "depression-positive-screen" in {f.code for f in positive.flags}
    assert positive.findings == ()  # needs are suggested from a complete form only


def test_a_flag_that_more_answers_could_withdraw_waits_for_the_whole_form() -> None:
    lenient = lenient_copy(KATZ)
    first = KATZ.scoring.items[0] if KATZ.scoring else ""
    item = KATZ.item(first)
    assert item is not None
    lowest = min(item.options, key=lambda o: o.score or 0).code
    partial = running_result(KATZ, lenient, {first: lowest})
    low_total_flags = [r.code for r in KATZ.flags if any(c.operator in ("<", "<=") for c in r.when)]
    assert low_total_flags
    assert not {f.code for f in partial.flags} & set(low_total_flags)


def test_a_complete_form_is_final_with_its_findings() -> None:
    answers = {f"q{n}": "2" for n in range(1, 9)} | {"q9": "0", "difficulty": "somewhat"}
    answers = {k: v for k, v in answers.items() if PHQ9.item(k) is not None}
    option_codes = [o.code for o in PHQ9.item("difficulty").options]  # type: ignore[union-attr]
    answers["difficulty"] = option_codes[1]
    running = running_result(PHQ9, lenient_copy(PHQ9), answers)
    assert (running.total, running.final, running.required_left) == (16, True, 0)
    assert "depression" in {f.code for f in running.findings}

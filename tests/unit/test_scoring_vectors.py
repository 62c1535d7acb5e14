"""Scoring vectors for every bundled instrument, written from the published scoring.

Sources (also named in each definition file):
- PHQ-9: Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-13. Nine items scored
  0-3, total 0-27; 5/10/15/20 = mild/moderate/moderately severe/severe; 10 or more a
  positive screen; any answer above 0 on item 9 needs a safety assessment.
- PHQ-2: Kroenke, Spitzer & Williams, Med Care 2003;41:1284-92. Items 1-2, 0-6; 3 or more
  positive.
- GAD-7: Spitzer, Kroenke, Williams & Lowe, Arch Intern Med 2006;166:1092-7. Seven items
  0-3, total 0-21; 5/10/15 = mild/moderate/severe; 10 or more positive.
- LACE: van Walraven et al., CMAJ 2010;182(6):551-7. L: <1 day 0, 1-3 days as-is, 4-6 = 4,
  7-13 = 5, 14 or more = 7; A: emergent 3; C: Charlson 0-3 as-is, 4 or more = 5; E: ED
  visits in the prior 6 months, capped at 4. Total 0-19; 0-4 low, 5-9 moderate, 10+ high.
- STEADI: CDC "Stay Independent" brochure (2017; Rubenstein et al., J Safety Res
  2011;42:493-9). Twelve yes/no items; yes to "fallen in the past year" or "cane or walker"
  = 2 points, every other yes = 1; total 0-14; 4 or more: may be at risk for falling.
  The STEADI algorithm's key questions: fell in the past year, unsteady, worried.
- AHC HRSN: CMS Accountable Health Communities screening tool, core questions 1-10
  (Billioux et al., NAM Perspectives 2017). No total; a risk answer in a domain is a
  positive screen for it; safety questions 7-10 score 1-5 each and a sum above 10 is
  positive.
- Katz ADL: Katz et al., JAMA 1963;185:914-9, as printed in Hartford Institute "Try This"
  issue 2. Six activities, 1 point each when independent, 0-6; "6 indicates full
  function, 4 moderate impairment, 2 or less severe functional impairment" (no bands are
  shipped, since 3 and 5 are not placed by the source; the flags carry the cut-offs).
- Lawton IADL: Lawton & Brody, Gerontologist 1969;9:179-86, as printed in Hartford
  Institute "Try This" issue 23. Eight domains, each option scored 1 or 0, total 0-8;
  higher is more independent; no fixed cut-off, so no bands or flags.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from carenav.instruments import (
    IncompleteAnswers,
    InvalidAnswer,
    enabled_items,
    get_instrument,
    rescreen_due,
    score,
)


def spread(total: int, n: int, *, keep_last_zero: bool = False) -> dict[str, str]:
    """Answers q1..qn (codes "0"-"3") adding up to ``total``, filled from q1 onwards."""
    answers: dict[str, str] = {}
    left = total
    for i in range(1, n + 1):
        take = 0 if keep_last_zero and i == n else min(3, left)
        answers[f"q{i}"] = str(take)
        left -= take
    assert left == 0, "vector does not fit"
    return answers


def codes(result_flags: list[Any]) -> list[str]:
    return [f.code for f in result_flags]


# -- PHQ-9 (Kroenke et al. 2001) ----------------------------------------------------------

PHQ9_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately severe"),
    (19, "moderately severe"),
    (20, "severe"),
    (24, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_BOUNDARIES)
def test_phq9_both_sides_of_every_band_boundary(total: int, band: str) -> None:
    result = score(get_instrument("phq9"), spread(total, 9, keep_last_zero=True))
    assert (result.total, result.band) == (total, band)
    assert "self-harm-risk" not in codes(result.flags)
    assert ("depression-positive-screen" in codes(result.flags)) is (total >= 10)


def test_phq9_hand_scored_vector_and_maximum() -> None:
    answers = {"q1": "3", "q2": "2", "q3": "1", "q4": "0", "q5": "2"}
    answers |= {"q6": "0", "q7": "1", "q8": "0", "q9": "0"}
    result = score(get_instrument("phq9"), answers)
    assert (result.total, result.band) == (9, "mild")
    top = score(get_instrument("phq9"), {f"q{i}": "3" for i in range(1, 10)})
    assert (top.total, top.band) == (27, "severe")


@pytest.mark.parametrize("item9", ["1", "2", "3"])
def test_phq9_item9_above_zero_raises_urgent_safety_flag_even_when_minimal(item9: str) -> None:
    answers = spread(0, 9) | {"q9": item9}
    result = score(get_instrument("phq9"), answers)
    assert result.band == "minimal"
    safety = [f for f in result.flags if f.code == "self-harm-risk"]
    assert len(safety) == 1
    assert (safety[0].severity, safety[0].item) == ("urgent", "q9")
    assert "self-harm" in safety[0].label


def test_phq9_item9_zero_raises_no_safety_flag_at_top_of_other_items() -> None:
    result = score(get_instrument("phq9"), spread(24, 9, keep_last_zero=True))
    assert result.total == 24
    assert "self-harm-risk" not in codes(result.flags)


def test_phq9_difficulty_item_is_unscored_and_only_asked_when_a_problem_was_checked() -> None:
    phq9 = get_instrument("phq9")
    none = spread(0, 9)
    assert "difficulty" not in [i.link_id for i in enabled_items(phq9, none)]
    # disabled: an answer to it is ignored, even one that would otherwise be refused
    result = score(phq9, none | {"difficulty": "not-an-option"})
    assert (result.total, result.missing) == (0, [])
    some = spread(1, 9)
    assert "difficulty" in [i.link_id for i in enabled_items(phq9, some)]
    assert score(phq9, some).missing == ["difficulty"]
    answered = score(phq9, some | {"difficulty": "extremely"})
    assert (answered.total, answered.missing) == (1, [])
    with pytest.raises(InvalidAnswer, match="'difficulty'"):
        score(phq9, some | {"difficulty": "not-an-option"})


def test_phq9_missing_answer_names_the_item_and_its_text() -> None:
    answers = spread(5, 9)
    del answers["q7"]
    with pytest.raises(IncompleteAnswers) as caught:
        score(get_instrument("phq9"), answers)
    assert caught.value.exit_code == 5
    assert caught.value.link_id == "q7"
    assert "'q7'" in str(caught.value) and "Trouble concentrating" in str(caught.value)


def test_phq9_unknown_code_and_unknown_item_are_refused() -> None:
    with pytest.raises(InvalidAnswer, match="'q3'") as caught:
        score(get_instrument("phq9"), spread(0, 9) | {"q3": "4"})
    assert caught.value.exit_code == 5
    with pytest.raises(InvalidAnswer, match=r"'q3'.*option code as text"):
        score(get_instrument("phq9"), spread(0, 9) | {"q3": 2})
    with pytest.raises(InvalidAnswer, match="'q10'"):
        score(get_instrument("phq9"), spread(0, 9) | {"q10": "1"})


def test_phq9_rescreen_due_after_90_days_from_moderate_on() -> None:
    phq9 = get_instrument("phq9")
    done = date(2026, 3, 1)
    assert rescreen_due(score(phq9, spread(9, 9, keep_last_zero=True)), done) is None
    assert rescreen_due(score(phq9, spread(10, 9, keep_last_zero=True)), done) == date(2026, 5, 30)
    assert rescreen_due(score(phq9, spread(24, 9, keep_last_zero=True)), done) == date(2026, 5, 30)


# -- PHQ-2 (Kroenke et al. 2003) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("q1", "q2", "total", "band"),
    [
        ("0", "0", 0, "negative"),
        ("2", "0", 2, "negative"),
        ("1", "1", 2, "negative"),
        ("3", "0", 3, "positive"),
        ("1", "2", 3, "positive"),
        ("3", "3", 6, "positive"),
    ],
)
def test_phq2_cut_off_of_three(q1: str, q2: str, total: int, band: str) -> None:
    result = score(get_instrument("phq2"), {"q1": q1, "q2": q2})
    assert (result.total, result.band) == (total, band)
    assert ("phq2-positive" in codes(result.flags)) is (total >= 3)


def test_phq2_needs_both_items() -> None:
    with pytest.raises(IncompleteAnswers, match="'q2'"):
        score(get_instrument("phq2"), {"q1": "3"})


# -- GAD-7 (Spitzer et al. 2006) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_both_sides_of_every_band_boundary(total: int, band: str) -> None:
    result = score(get_instrument("gad7"), spread(total, 7))
    assert (result.total, result.band) == (total, band)
    assert ("anxiety-positive-screen" in codes(result.flags)) is (total >= 10)


def test_gad7_missing_item_is_named() -> None:
    answers = spread(3, 7)
    del answers["q1"]
    with pytest.raises(IncompleteAnswers, match=r"'q1'.*Feeling nervous"):
        score(get_instrument("gad7"), answers)


# -- LACE (van Walraven et al. 2010) --------------------------------------------------------


def lace(los: int, emergent: bool, charlson: int, ed: int) -> Any:
    answers = {"los": los, "acuity": "emergent" if emergent else "elective"}
    return score(get_instrument("lace"), answers | {"charlson": charlson, "ed_visits": ed})


@pytest.mark.parametrize(
    ("days", "points"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5), (14, 7), (120, 7)],
)
def test_lace_length_of_stay_points(days: int, points: int) -> None:
    assert lace(days, False, 0, 0).total == points


@pytest.mark.parametrize(("charlson", "points"), [(0, 0), (1, 1), (3, 3), (4, 5), (12, 5)])
def test_lace_charlson_points(charlson: int, points: int) -> None:
    assert lace(0, False, charlson, 0).total == points


@pytest.mark.parametrize(("visits", "points"), [(0, 0), (1, 1), (3, 3), (4, 4), (9, 4)])
def test_lace_emergency_visits_capped_at_four(visits: int, points: int) -> None:
    assert lace(0, False, 0, visits).total == points


def test_lace_emergent_admission_is_three_points() -> None:
    assert lace(0, True, 0, 0).total == 3


@pytest.mark.parametrize(
    ("inputs", "total", "band"),
    [
        ((4, False, 0, 0), 4, "low"),
        ((7, False, 0, 0), 5, "moderate"),
        ((4, True, 2, 0), 9, "moderate"),
        ((7, True, 2, 0), 10, "high"),
        ((14, True, 4, 4), 19, "high"),
    ],
)
def test_lace_band_boundaries_and_maximum(
    inputs: tuple[int, bool, int, int], total: int, band: str
) -> None:
    result = lace(*inputs)
    assert (result.total, result.band) == (total, band)
    assert ("readmission-risk-high" in codes(result.flags)) is (total >= 10)


@pytest.mark.parametrize("bad", [-1, 2.5, "3", True])
def test_lace_refuses_impossible_length_of_stay(bad: object) -> None:
    answers = {"los": bad, "acuity": "elective", "charlson": 0, "ed_visits": 0}
    with pytest.raises(InvalidAnswer, match="'los'"):
        score(get_instrument("lace"), answers)


def test_lace_needs_all_four_inputs() -> None:
    with pytest.raises(IncompleteAnswers, match="'charlson'"):
        score(get_instrument("lace"), {"los": 3, "acuity": "elective", "ed_visits": 0})


# -- STEADI (CDC Stay Independent brochure) -------------------------------------------------

STEADI_ITEMS = ["fallen", "cane_walker", "unsteady", "furniture", "worried", "push_up"]
STEADI_ITEMS += ["curb", "toilet", "feet", "medicine_tired", "medicine_sleep_mood", "sad"]


def steadi(*yes: str) -> Any:
    return score(get_instrument("steadi"), {i: "yes" if i in yes else "no" for i in STEADI_ITEMS})


@pytest.mark.parametrize(
    ("yes", "total", "band"),
    [
        ((), 0, "lower risk"),
        (("curb", "toilet", "feet"), 3, "lower risk"),
        (("curb", "toilet", "feet", "sad"), 4, "at risk of falling"),
        (("cane_walker", "push_up"), 3, "lower risk"),
        (("cane_walker", "push_up", "sad"), 4, "at risk of falling"),
        (tuple(STEADI_ITEMS), 14, "at risk of falling"),
    ],
)
def test_steadi_points_and_cut_off_of_four(yes: tuple[str, ...], total: int, band: str) -> None:
    result = steadi(*yes)
    assert (result.total, result.band) == (total, band)
    assert ("fall-risk" in codes(result.flags)) is (total >= 4)


def test_steadi_fallen_and_cane_are_worth_two_points_each() -> None:
    assert steadi("fallen").total == 2
    assert steadi("cane_walker").total == 2
    assert steadi("fallen", "cane_walker").total == 4


@pytest.mark.parametrize("key", ["fallen", "unsteady", "worried"])
def test_steadi_any_key_question_flags_even_below_the_cut_off(key: str) -> None:
    result = steadi(key)
    assert result.band == "lower risk"
    assert codes(result.flags) == ["fall-risk-key-question"]


def test_steadi_other_items_do_not_raise_the_key_question_flag() -> None:
    assert codes(steadi("furniture", "push_up", "curb").flags) == []


# -- AHC HRSN core questions (CMS; Billioux et al. 2017) ---------------------------------------

AHC_NONE = {
    "living-situation": "steady",
    "housing-problems": ["none"],
    "food-worry": "never",
    "food-didnt-last": "never",
    "transportation": "no",
    "utilities": "no",
    "physically-hurt": "never",
    "insult": "never",
    "threaten": "never",
    "scream-curse": "never",
}


def ahc(**changes: Any) -> list[str]:
    answers = AHC_NONE | {k.replace("_", "-"): v for k, v in changes.items()}
    result = score(get_instrument("ahc-hrsn"), answers)
    assert (result.total, result.band) == (None, None)  # the tool has no total score
    return codes(result.flags)


def test_ahc_no_risk_answers_no_flags() -> None:
    assert ahc() == []


@pytest.mark.parametrize(
    ("changes", "flag"),
    [
        ({"living_situation": "worried"}, "housing-instability"),
        ({"living_situation": "not-steady"}, "housing-instability"),
        ({"housing_problems": ["mold"]}, "housing-quality"),
        ({"housing_problems": ["pests", "water-leaks"]}, "housing-quality"),
        ({"food_worry": "sometimes"}, "food-insecurity"),
        ({"food_didnt_last": "often"}, "food-insecurity"),
        ({"transportation": "yes"}, "transportation"),
        ({"utilities": "yes"}, "utilities"),
        ({"utilities": "already-shut-off"}, "utilities"),
    ],
)
def test_ahc_each_domain_is_positive_on_a_risk_answer(changes: dict[str, Any], flag: str) -> None:
    assert ahc(**changes) == [flag]


@pytest.mark.parametrize(
    ("answers", "positive"),
    [
        (("rarely", "rarely", "rarely", "sometimes"), False),  # 2+2+2+3 = 9
        (("sometimes", "sometimes", "rarely", "rarely"), False),  # 3+3+2+2 = 10
        (("sometimes", "sometimes", "sometimes", "rarely"), True),  # 11
        (("frequently", "never", "never", "never"), False),  # 5+1+1+1 = 8
        (("frequently", "frequently", "never", "never"), True),  # 12
    ],
)
def test_ahc_safety_sum_above_ten_is_positive(answers: tuple[str, ...], positive: bool) -> None:
    keys = ("physically_hurt", "insult", "threaten", "scream_curse")
    flags = ahc(**dict(zip(keys, answers, strict=True)))
    assert flags == (["interpersonal-safety"] if positive else [])


def test_ahc_every_core_question_is_required() -> None:
    answers = dict(AHC_NONE)
    del answers["threaten"]
    with pytest.raises(IncompleteAnswers, match="'threaten'"):
        score(get_instrument("ahc-hrsn"), answers)


# -- Katz ADL (Katz et al. 1963; Hartford "Try This" issue 2) ----------------------------------

KATZ = ["bathing", "dressing", "toileting", "transferring", "continence", "feeding"]


def katz(*dependent: str) -> Any:
    answers = {a: "dependent" if a in dependent else "independent" for a in KATZ}
    return score(get_instrument("katz-adl"), answers)


@pytest.mark.parametrize(
    ("dependent", "total", "flags"),
    [
        ((), 6, []),
        (("bathing",), 5, ["adl-dependence"]),
        (("bathing", "dressing"), 4, ["adl-dependence"]),
        (("bathing", "dressing", "toileting"), 3, ["adl-dependence"]),
        (
            ("bathing", "dressing", "toileting", "transferring"),
            2,
            ["adl-dependence", "adl-severe-impairment"],
        ),
        (tuple(KATZ), 0, ["adl-dependence", "adl-severe-impairment"]),
    ],
)
def test_katz_one_point_per_independent_activity(
    dependent: tuple[str, ...], total: int, flags: list[str]
) -> None:
    result = katz(*dependent)
    assert (result.total, result.band) == (total, None)
    assert codes(result.flags) == flags


def test_katz_options_carry_the_published_descriptions() -> None:
    feeding = get_instrument("katz-adl").item("feeding")
    assert feeding is not None
    assert [(o.code, o.score) for o in feeding.options] == [("independent", 1), ("dependent", 0)]
    assert "Gets food from plate into mouth without help" in feeding.options[0].display


# -- Lawton IADL (Lawton & Brody 1969; Hartford "Try This" issue 23) -------------------------

LAWTON_BEST = {
    "telephone": "1",
    "shopping": "1",
    "food": "1",
    "housekeeping": "1",
    "laundry": "1",
    "transportation": "1",
    "medications": "1",
    "finances": "1",
}


def test_lawton_fully_independent_is_eight_and_has_no_band() -> None:
    result = score(get_instrument("lawton-iadl"), LAWTON_BEST)
    assert (result.total, result.band, result.flags) == (8, None, [])


@pytest.mark.parametrize(
    ("domain", "code", "points"),
    [
        ("telephone", "3", 1),  # answers telephone but does not dial: still 1
        ("telephone", "4", 0),
        ("shopping", "2", 0),  # shops independently for small purchases only: 0
        ("food", "2", 0),
        ("housekeeping", "4", 1),  # needs help with all maintenance tasks: still 1
        ("housekeeping", "5", 0),
        ("laundry", "2", 1),
        ("laundry", "3", 0),
        ("transportation", "3", 1),
        ("transportation", "4", 0),
        ("medications", "2", 0),
        ("finances", "2", 1),
        ("finances", "3", 0),
    ],
)
def test_lawton_dichotomous_option_scores(domain: str, code: str, points: int) -> None:
    result = score(get_instrument("lawton-iadl"), LAWTON_BEST | {domain: code})
    assert result.total == 7 + points


def test_lawton_all_dependent_is_zero() -> None:
    worst = {"telephone": "4", "shopping": "4", "food": "4", "housekeeping": "5"}
    worst |= {"laundry": "3", "transportation": "5", "medications": "3", "finances": "3"}
    assert score(get_instrument("lawton-iadl"), worst).total == 0


# -- Heart failure check-in (AHA self-check plan: green, yellow and red zones) ----------------

HF_SIGNS = ("gain", "swelling", "breath", "pillows", "dizzy")


def hf_check(*signs: str, meds: str = "yes", red: str = "no") -> Any:
    answers: dict[str, Any] = {s: ("yes" if s in signs else "no") for s in HF_SIGNS}
    answers |= {"meds": meds, "red": red, "weight": 182.5}
    return score(get_instrument("hf-checkin"), answers)


def test_hf_check_in_counts_yellow_zone_signs() -> None:
    assert (hf_check().total, hf_check().band) == (0, "green zone")
    assert codes(hf_check().flags) == []
    one = hf_check("gain")
    assert (one.total, one.band) == (1, "yellow zone")
    assert codes(one.flags) == ["hf-yellow-zone"]
    assert hf_check(*HF_SIGNS, meds="no").total == 6


def test_hf_check_in_missed_medicines_is_a_warning_sign() -> None:
    assert hf_check(meds="no").total == 1


def test_hf_check_in_red_zone_is_urgent_whatever_the_total() -> None:
    result = hf_check(red="yes")
    assert result.total == 0
    assert codes(result.flags) == ["hf-red-zone"]


def test_hf_check_in_needs_every_warning_sign_answered() -> None:
    with pytest.raises(IncompleteAnswers):
        score(get_instrument("hf-checkin"), {"gain": "no", "red": "no"})


def test_check_in_forms_are_marked_and_need_a_score(tmp_path: Any) -> None:
    from carenav.instruments.definition import InvalidInstrument, load_definition

    assert get_instrument("hf-checkin").check_in and get_instrument("phq2").check_in
    assert not get_instrument("phq9").check_in
    bad = tmp_path / "no-score.json"
    bad.write_text(
        '{"id": "no-score", "title": "T", "version": "1", "source": "S", "licence": "L",'
        ' "checkIn": true, "items": [{"linkId": "a", "type": "text", "text": "A"}]}',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInstrument, match="needs a 'scoring'"):
        load_definition(bad)

"""The comprehensive assessment (resources/instruments/comprehensive.json).

CareNav's own form on the CMS CCM comprehensive assessment elements and the five Healthy
People 2030 social determinants domains: its sections, the screeners and chart records it
offers, its enableWhen follow-ups, and every finding on both sides of its rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from carenav.instruments import (
    IncompleteAnswers,
    Instrument,
    available_instruments,
    enabled_items,
    get_instrument,
    score,
)

SECTIONS = [
    ("medical-history", "Medical history"),
    ("functional-status", "Functional status"),
    ("cognition", "Cognition and memory"),
    ("emotional-health", "Emotional health"),
    ("support-system", "Support system and caregiver strain"),
    ("home-safety", "Home safety and environment"),
    ("social-needs", "Social determinants of health"),
    ("what-matters", "What matters most"),
]

# Every question answered, nothing that suggests a need.
NO_NEEDS: dict[str, Any] = {
    "mh-problem-changes": "No changes",
    "mh-medication-changes": False,
    "mh-medication-barriers": ["none"],
    "mh-hospital-stays": 0,
    "mh-ed-visits": 0,
    "mh-pain": "no",
    "mh-sleep": "never",
    "mh-hearing": False,
    "mh-vision": False,
    "mh-advance-directive": "yes",
    "mh-advance-directive-copy": "yes",
    "fs-daily-help": False,
    "fs-household-help": False,
    "fs-mobility-aids": ["none"],
    "fs-falls": False,
    "fs-unsteady": False,
    "fs-worried-falling": False,
    "cog-memory-concern": "no",
    "cog-new-confusion": False,
    "cog-medication-manager": "self",
    "eh-alcohol": "never",
    "eh-tobacco": "not-at-all",
    "eh-drug-use": 0,
    "eh-notes": "Feels settled since moving in with her daughter.",
    "ss-lives-alone": False,
    "ss-has-helper": True,
    "ss-helper-hours": 10,
    "ss-helper-coping": "managing",
    "ss-helper-cutbacks": False,
    "ss-backup-helper": True,
    "ss-respite-interest": False,
    "hs-stairs": "none",
    "hs-bathroom-difficulty": False,
    "hs-bathroom-equipment": ["grab-bars", "shower-seat"],
    "hs-trip-hazards": False,
    "hs-smoke-alarms": "yes",
    "hs-temperature": "yes",
    "hs-call-for-help": True,
    "hs-pets": False,
    "hs-visit-notes": "Ring twice",
    "sn-basics-hard": "not-hard",
    "sn-went-without": ["none"],
    "sn-work": "retired",
    "sn-benefits-help": False,
    "sn-highest-education": "high-school",
    "sn-forms-confidence": "extremely",
    "sn-learning-preference": ["talk", "written"],
    "sn-coverage": ["medicare"],
    "sn-regular-doctor": True,
    "sn-missed-care": False,
    "sn-housing": "steady",
    "sn-safe-home": True,
    "sn-safe-neighborhood": True,
    "sn-transport": ["family"],
    "sn-transport-problem": False,
    "sn-lonely": "rarely",
    "sn-social-contact": "3-5",
    "sn-groups": True,
    "sn-unfair-treatment": "never",
    "wm-matters-most": "Staying in my own home",
    "wm-do-again": "Walk to church",
    "wm-goals": "Get stronger on my feet",
    "wm-worries": "Falling when nobody is here",
    "wm-care-preferences": "Call in the mornings",
    "wm-decision-partners": "My daughter",
    "wm-contact": ["phone"],
}


@pytest.fixture(scope="module")
def form() -> Instrument:
    return get_instrument("comprehensive")


def link_ids(items: list[Any]) -> list[str]:
    return [i.link_id for i in items]


def section_of(form: Instrument) -> dict[str, str]:
    """Each item's linkId mapped to the linkId of the section it is in."""
    owner: dict[str, str] = {}
    current = ""
    for item in form.items:
        current = item.link_id if item.section else current
        owner[item.link_id] = current
    return owner


# -- the definition -----------------------------------------------------------------------


def test_it_loads_with_its_source_and_licence_and_has_no_score(form: Instrument) -> None:
    assert form.title == "Comprehensive assessment"
    assert "CMS" in form.source and "Healthy People 2030" in form.source
    assert form.licence == "CareNav, free to use"
    assert (form.scoring, form.bands, form.flags, form.rescreen) == (None, (), (), None)
    result = score(form, NO_NEEDS)
    assert (result.total, result.band, result.flags) == (None, None, [])


def test_sections_in_order_and_every_item_in_one(form: Instrument) -> None:
    assert [(s.link_id, s.text) for s in form.sections] == SECTIONS
    assert all(s.type == "display" for s in form.sections)
    assert form.items[0].section  # nothing comes before the first section
    owner = section_of(form)
    assert owner["mh-hospital-stays"] == "medical-history"
    assert owner["wm-matters-most"] == "what-matters"


def test_the_five_healthy_people_2030_domains_in_the_social_section(form: Instrument) -> None:
    owner = section_of(form)
    headings = [
        i.text
        for i in form.items
        if i.type == "display" and not i.section and not i.screener and not i.context
        if owner[i.link_id] == "social-needs"
    ]
    assert headings == [
        "Economic stability",
        "Education access and quality",
        "Health-care access and quality",
        "Neighborhood and built environment",
        "Social and community context",
    ]


def test_every_screener_it_offers_exists_and_sits_in_its_section(form: Instrument) -> None:
    installed = {i.id for i in available_instruments()}
    assert set(form.screeners) <= installed
    owner = section_of(form)
    placed = {i.screener: owner[i.link_id] for i in form.items if i.screener}
    assert placed == {
        "katz-adl": "functional-status",
        "lawton-iadl": "functional-status",
        "steadi": "functional-status",
        "phq2": "emotional-health",
        "phq9": "emotional-health",
        "gad7": "emotional-health",
        "ahc-hrsn": "social-needs",
    }


def test_chart_records_are_shown_where_they_are_discussed(form: Instrument) -> None:
    owner = section_of(form)
    shown = {i.context: owner[i.link_id] for i in form.items if i.context}
    assert shown == {
        "problems": "medical-history",
        "medications": "medical-history",
        "allergies": "medical-history",
        "caregivers": "support-system",
        "care-team": "social-needs",
    }


def test_what_matters_most_is_asked_in_the_patients_own_words(form: Instrument) -> None:
    owner = section_of(form)
    asked = [i for i in form.items if owner[i.link_id] == "what-matters" and not i.section]
    assert [(i.link_id, i.type) for i in asked[:4]] == [
        ("wm-matters-most", "text"),
        ("wm-do-again", "text"),
        ("wm-goals", "text"),
        ("wm-worries", "text"),
    ]
    first = asked[0]
    assert (first.text, first.required) == ("What matters most to you right now?", True)
    assert asked[1].text == "What would you like to be able to do again?"


def test_key_questions_are_required_and_free_text_is_bounded(form: Instrument) -> None:
    required = {i.link_id for i in form.items if i.required}
    assert required >= {
        "mh-hospital-stays",
        "mh-ed-visits",
        "fs-daily-help",
        "fs-falls",
        "cog-memory-concern",
        "ss-lives-alone",
        "ss-has-helper",
        "sn-housing",
        "sn-regular-doctor",
        "wm-matters-most",
    }
    texts = [i for i in form.items if i.type == "text"]
    assert texts and all(i.max_length for i in texts)
    assert {i.type for i in form.items} >= {
        "display",
        "choice",
        "multi-choice",
        "boolean",
        "integer",
        "text",
        "date",
    }


def test_health_literacy_item_uses_the_published_wording(form: Instrument) -> None:
    # Chew et al., Fam Med 2004;36(8):588-94
    item = form.item("sn-forms-confidence")
    assert item is not None
    assert item.text == "How confident are you filling out medical forms by yourself?"
    assert [o.display for o in item.options] == [
        "Extremely",
        "Quite a bit",
        "Somewhat",
        "A little bit",
        "Not at all",
    ]


def test_caregiver_questions_are_not_the_licensed_zarit_wording(form: Instrument) -> None:
    # ZBI items ask "Do you feel ... your relative ..."; Mapi Research Trust licenses them
    owner = section_of(form)
    support = [i for i in form.items if owner[i.link_id] == "support-system"]
    assert len(support) >= 8
    for item in support:
        assert "relative" not in item.text.lower(), item.link_id
        assert "burden" not in item.text.lower(), item.link_id


# -- enableWhen follow-ups --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("off", "on", "follow_ups"),
    [
        (
            {"mh-hospital-stays": 0},
            {"mh-hospital-stays": 1},
            {"mh-last-discharge", "mh-last-stay-reason"},
        ),
        ({"fs-falls": False}, {"fs-falls": True}, {"fs-fall-count", "fs-fall-injury"}),
        (
            {"mh-medication-changes": False},
            {"mh-medication-changes": True},
            {"mh-medication-change-details"},
        ),
        ({"mh-pain": "no"}, {"mh-pain": "some-days"}, {"mh-pain-details"}),
        ({"cog-memory-concern": "no"}, {"cog-memory-concern": "both"}, {"cog-memory-details"}),
        ({"eh-alcohol": "never"}, {"eh-alcohol": "2-3-a-week"}, {"eh-heavy-drinking-days"}),
        (
            {"ss-has-helper": False},
            {"ss-has-helper": True},
            {
                "ss-helper-hours",
                "ss-helper-coping",
                "ss-helper-cutbacks",
                "ss-backup-helper",
                "ss-respite-interest",
            },
        ),
        ({"hs-stairs": "none"}, {"hs-stairs": "manageable"}, {"hs-handrails"}),
        ({"hs-pets": False}, {"hs-pets": True}, {"hs-pet-notes"}),
        ({"sn-work": "retired"}, {"sn-work": "looking"}, {"sn-work-help"}),
        ({"sn-work": "full-time"}, {"sn-work": "part-time"}, {"sn-work-help"}),
        ({"sn-missed-care": False}, {"sn-missed-care": True}, {"sn-missed-care-reasons"}),
        (
            {"mh-advance-directive": "yes"},
            {"mh-advance-directive": "not-sure"},
            {"mh-advance-directive-help"},
        ),
        (
            {"mh-advance-directive": "no"},
            {"mh-advance-directive": "yes"},
            {"mh-advance-directive-copy"},
        ),
    ],
)
def test_follow_ups_appear_and_disappear(
    form: Instrument, off: dict[str, Any], on: dict[str, Any], follow_ups: set[str]
) -> None:
    assert not follow_ups & set(link_ids(enabled_items(form, off)))
    assert follow_ups <= set(link_ids(enabled_items(form, on)))


def test_follow_ups_are_hidden_until_the_question_is_answered(form: Instrument) -> None:
    shown = set(link_ids(enabled_items(form, {})))
    assert not shown & {"mh-last-discharge", "fs-fall-count", "eh-heavy-drinking-days"}
    assert {"medical-history", "mh-problems", "fs-katz", "wm-matters-most"} <= shown


def test_a_required_follow_up_is_needed_only_when_it_is_shown(form: Instrument) -> None:
    with pytest.raises(IncompleteAnswers, match="'fs-fall-count'"):
        score(form, NO_NEEDS | {"fs-falls": True})
    with pytest.raises(IncompleteAnswers, match="'mh-last-discharge'"):
        score(form, NO_NEEDS | {"mh-hospital-stays": 1})
    answers = NO_NEEDS | {"fs-falls": True, "fs-fall-count": 2, "fs-fall-injury": False}
    assert score(form, answers).missing == []


def test_answers_to_hidden_follow_ups_are_ignored(form: Instrument) -> None:
    answers = NO_NEEDS | {"ss-has-helper": False, "ss-helper-coping": "serious-strain"}
    codes = [f.code for f in score(form, answers).findings]
    assert "caregiver-strain" not in codes


def test_a_missing_key_question_is_named(form: Instrument) -> None:
    answers = dict(NO_NEEDS)
    del answers["wm-matters-most"]
    with pytest.raises(IncompleteAnswers, match=r"'wm-matters-most'.*What matters most"):
        score(form, answers)


# -- findings ---------------------------------------------------------------------------------


def test_no_needs_and_nothing_missing_for_the_no_needs_answers(form: Instrument) -> None:
    result = score(form, NO_NEEDS)
    assert result.missing == []
    assert result.findings == []


FELL = {"fs-falls": True, "fs-fall-count": 1, "fs-fall-injury": False}
MISSED = {"sn-missed-care": True}

# (answers changed from NO_NEEDS, the findings expected: an empty set is the other side)
CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    (
        "two hospital stays",
        {"mh-hospital-stays": 2, "mh-last-discharge": "2026-02-10"},
        {"readmission-risk"},
    ),
    ("one hospital stay", {"mh-hospital-stays": 1, "mh-last-discharge": "2026-02-10"}, set()),
    ("two emergency visits", {"mh-ed-visits": 2}, {"frequent-emergency-visits"}),
    ("one emergency visit", {"mh-ed-visits": 1}, set()),
    ("pain most days", {"mh-pain": "most-days"}, {"pain"}),
    ("pain some days", {"mh-pain": "some-days"}, set()),
    ("hearing", {"mh-hearing": True}, {"hearing-or-vision"}),
    ("vision", {"mh-vision": True}, {"hearing-or-vision"}),
    (
        "advance directive help",
        {"mh-advance-directive": "no", "mh-advance-directive-help": True},
        {"advance-care-planning"},
    ),
    (
        "no advance directive, no help wanted",
        {"mh-advance-directive": "no", "mh-advance-directive-help": False},
        set(),
    ),
    ("forgets doses", {"mh-medication-barriers": ["forgetting"]}, {"medication-adherence"}),
    ("no one manages", {"cog-medication-manager": "no-one"}, {"medication-adherence"}),
    ("family manages", {"cog-medication-manager": "family"}, set()),
    ("medicine cost", {"mh-medication-barriers": ["cost"]}, {"medication-cost"}),
    ("went without medicines", {"sn-went-without": ["medicines"]}, {"medication-cost"}),
    ("daily help", {"fs-daily-help": True}, {"adl-help"}),
    ("household help", {"fs-household-help": True}, {"iadl-help"}),
    ("fell", FELL, {"fall-risk"}),
    ("unsteady", {"fs-unsteady": True}, {"fall-risk"}),
    ("worried about falling", {"fs-worried-falling": True}, {"fall-risk"}),
    ("uses a walker only", {"fs-mobility-aids": ["walker"]}, set()),
    ("memory concern", {"cog-memory-concern": "family"}, {"memory-concern"}),
    ("new confusion", {"cog-new-confusion": True}, {"new-confusion"}),
    (
        "heavy drinking day",
        {"eh-alcohol": "monthly-or-less", "eh-heavy-drinking-days": 1},
        {"unhealthy-alcohol-use"},
    ),
    ("drinks, no heavy day", {"eh-alcohol": "2-3-a-week", "eh-heavy-drinking-days": 0}, set()),
    ("smokes some days", {"eh-tobacco": "some-days"}, {"tobacco-use"}),
    ("drug use", {"eh-drug-use": 1}, {"drug-use"}),
    ("alone, no helper", {"ss-lives-alone": True, "ss-has-helper": False}, {"no-caregiver"}),
    ("alone with a helper", {"ss-lives-alone": True}, set()),
    ("not alone, no helper", {"ss-has-helper": False}, set()),
    ("helper strained", {"ss-helper-coping": "some-strain"}, {"caregiver-strain"}),
    ("helper cut back", {"ss-helper-cutbacks": True}, {"caregiver-strain"}),
    ("helper coping unknown", {"ss-helper-coping": "unknown"}, set()),
    ("no back-up helper", {"ss-backup-helper": False}, {"no-backup-caregiver"}),
    ("respite wanted", {"ss-respite-interest": True}, {"respite"}),
    ("hard stairs", {"hs-stairs": "hard", "hs-handrails": "yes"}, {"home-fall-hazards"}),
    ("missing rails", {"hs-stairs": "manageable", "hs-handrails": "some"}, {"home-fall-hazards"}),
    ("safe stairs", {"hs-stairs": "manageable", "hs-handrails": "yes"}, set()),
    ("bathroom trouble", {"hs-bathroom-difficulty": True}, {"home-fall-hazards"}),
    ("trip hazards", {"hs-trip-hazards": True}, {"home-fall-hazards"}),
    ("alarms unsure", {"hs-smoke-alarms": "not-sure"}, {"smoke-alarms"}),
    ("too hot or cold", {"hs-temperature": "not-always"}, {"home-temperature"}),
    ("cannot call for help", {"hs-call-for-help": False}, {"emergency-response"}),
    ("basics somewhat hard", {"sn-basics-hard": "somewhat-hard"}, {"financial-strain"}),
    ("went without food", {"sn-went-without": ["food"]}, {"food-insecurity"}),
    ("went without utilities", {"sn-went-without": ["utilities"]}, {"utilities"}),
    ("went without rent", {"sn-went-without": ["rent"]}, {"housing-instability"}),
    ("went without care", {"sn-went-without": ["medical-care"]}, {"missed-care-cost"}),
    ("benefits help", {"sn-benefits-help": True}, {"benefits-help"}),
    ("work help", {"sn-work": "looking", "sn-work-help": True}, {"employment"}),
    ("work help, but retired", {"sn-work": "retired", "sn-work-help": True}, set()),
    ("somewhat confident", {"sn-forms-confidence": "somewhat"}, {"health-literacy"}),
    ("quite confident", {"sn-forms-confidence": "quite-a-bit"}, set()),
    ("no coverage", {"sn-coverage": ["none"]}, {"no-insurance"}),
    ("no regular doctor", {"sn-regular-doctor": False}, {"no-primary-care"}),
    ("missed care, cost", MISSED | {"sn-missed-care-reasons": ["cost"]}, {"missed-care-cost"}),
    (
        "missed care, no ride",
        MISSED | {"sn-missed-care-reasons": ["transportation"]},
        {"transportation"},
    ),
    ("missed care, no appointment", MISSED | {"sn-missed-care-reasons": ["appointment"]}, set()),
    ("worried about housing", {"sn-housing": "worried"}, {"housing-instability"}),
    ("unsafe at home", {"sn-safe-home": False}, {"unsafe-at-home"}),
    ("unsafe neighborhood", {"sn-safe-neighborhood": False}, {"unsafe-neighborhood"}),
    ("no way to get there", {"sn-transport": ["no-way"]}, {"transportation"}),
    ("missed for lack of a ride", {"sn-transport-problem": True}, {"transportation"}),
    ("lonely often", {"sn-lonely": "often"}, {"social-isolation"}),
    ("lonely sometimes", {"sn-lonely": "sometimes"}, set()),
    ("little contact", {"sn-social-contact": "less-than-weekly"}, {"social-isolation"}),
    ("treated unfairly", {"sn-unfair-treatment": "sometimes"}, {"discrimination"}),
    ("prefers not to say", {"sn-unfair-treatment": "prefer-not"}, set()),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [(c, e) for _, c, e in CASES], ids=[n for n, _, _ in CASES]
)
def test_each_finding_on_both_sides_of_its_rule(
    form: Instrument, changes: dict[str, Any], expected: set[str]
) -> None:
    result = score(form, NO_NEEDS | changes)
    assert {f.code for f in result.findings} == expected
    assert all(f.instrument == "comprehensive" for f in result.findings)


def test_every_finding_has_a_positive_case(form: Instrument) -> None:
    covered = set().union(*(expected for _, _, expected in CASES))
    assert covered == {rule.code for rule in form.findings}


def test_evidence_names_the_answers(form: Instrument) -> None:
    answers = NO_NEEDS | {"ss-lives-alone": True, "ss-has-helper": False}
    answers |= {"mh-hospital-stays": 3, "mh-last-discharge": "2026-01-05"} | FELL
    found = {f.code: f for f in score(form, answers).findings}
    assert found["no-caregiver"].evidence == "Lives alone: Yes; has a regular helper: No"
    assert found["no-caregiver"].domain == "caregiver"
    assert found["readmission-risk"].evidence == (
        "3 hospital stays in the past 6 months; most recent discharge 2026-01-05"
    )
    assert found["fall-risk"].evidence == (
        "Fallen in the past year: Yes (times: 1; injured: No); unsteady: No; "
        "worried about falling: No"
    )
    assert found["fall-risk"].referral_category == "fall prevention"


def test_memory_concern_suggests_cognitive_screening(form: Instrument) -> None:
    [need] = score(form, NO_NEEDS | {"cog-memory-concern": "patient"}).findings
    assert need.need == "Memory concern: discuss cognitive screening with the primary-care provider"
    assert need.domain == "cognition"
    assert need.evidence.endswith(": Yes, I have noticed")


@pytest.mark.parametrize(
    "changes", [{"cog-new-confusion": True}, {"sn-safe-home": False}], ids=["confusion", "unsafe"]
)
def test_same_day_needs_say_so(form: Instrument, changes: dict[str, Any]) -> None:
    [need] = score(form, NO_NEEDS | changes).findings
    assert need.need.startswith("URGENT") and "today" in need.need


def test_shared_codes_match_the_screeners_they_echo(form: Instrument) -> None:
    # A need found again refreshes the open suggestion (services.assessments), so a need
    # the comprehensive assessment shares with a screener uses the screener's code.
    own = {rule.code: rule.domain for rule in form.findings}
    for ident in ("ahc-hrsn", "katz-adl", "lawton-iadl", "steadi", "lace"):
        for rule in get_instrument(ident).findings:
            if rule.code in own:
                assert own[rule.code] == rule.domain, rule.code
    shared = {"adl-help", "iadl-help", "fall-risk", "readmission-risk", "transportation"}
    shared |= {"food-insecurity", "utilities", "housing-instability"}
    assert shared <= set(own)

"""Instrument definitions: validation at load, the agency folder, and the command line."""

from __future__ import annotations

import argparse
import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carenav import cli
from carenav.cli_instruments import register
from carenav.errors import CareNavError
from carenav.instruments import (
    IncompleteAnswers,
    InvalidAnswer,
    InvalidInstrument,
    UnknownInstrument,
    available_instruments,
    get_instrument,
    load_definition,
    parse_definition,
    score,
)
from carenav.instruments.registry import BUNDLED

SHIPPED = {"phq9", "phq2", "gad7", "lace", "steadi", "ahc-hrsn", "katz-adl", "lawton-iadl"}
SHIPPED |= {"comprehensive", "hf-checkin"}

# A small agency instrument using every item type the engine scores or shows.
AGENCY: dict[str, Any] = {
    "id": "home-check",
    "title": "Home visit check (agency example)",
    "version": "2",
    "source": "Synthetic test instrument",
    "licence": "Test only",
    "items": [
        {"linkId": "intro", "type": "display", "text": "Ask at every home visit."},
        {"linkId": "lives_alone", "type": "boolean", "text": "Lives alone?", "required": True},
        {
            "linkId": "visits",
            "type": "integer",
            "text": "Visitors this week",
            "min": 0,
            "max": 7,
            "enableWhen": [{"question": "lives_alone", "operator": "=", "answer": True}],
        },
        {
            "linkId": "hazards",
            "type": "multi-choice",
            "text": "Hazards seen",
            "options": [
                {"code": "rugs", "display": "Loose rugs", "score": 1},
                {"code": "stairs", "display": "Stairs without rails", "score": 2},
                {"code": "none", "display": "None", "score": 0},
            ],
            "flag": {
                "when": {"operator": "=", "answer": "stairs"},
                "code": "stairs",
                "label": "Stairs without rails",
                "severity": "warning",
            },
        },
        {"linkId": "weight", "type": "decimal", "text": "Weight in kg", "min": 20, "max": 300},
        {"linkId": "last_fall", "type": "date", "text": "Date of the last fall"},
        {
            "linkId": "recent",
            "type": "text",
            "text": "What happened?",
            "enableWhen": [{"question": "last_fall", "operator": ">=", "answer": "2026-01-01"}],
        },
    ],
    "scoring": {"method": "sum", "items": ["lives_alone", "hazards"], "missing": "skip"},
    "bands": [
        {"min": 0, "max": 1, "label": "low", "source": "test"},
        {"min": 2, "max": 4, "label": "high", "source": "test"},
    ],
    "flags": [
        {
            "code": "isolated",
            "label": "Lives alone with no visitors",
            "severity": "warning",
            "behavior": "all",
            "when": [
                {"question": "lives_alone", "operator": "=", "answer": True},
                {"question": "visits", "operator": "=", "answer": 0},
            ],
        }
    ],
}


def write(folder: Path, definition: dict[str, Any], name: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{definition['id']}.json")
    path.write_text(json.dumps(definition), encoding="utf-8")
    return path


# -- the bundled files ----------------------------------------------------------------------


def test_every_bundled_instrument_loads_with_its_source_and_licence() -> None:
    instruments = {i.id: i for i in available_instruments()}
    assert set(instruments) == SHIPPED
    for instrument in instruments.values():
        assert instrument.source and instrument.licence
        assert all(b.source for b in instrument.bands), instrument.id
        assert instrument.path is not None and instrument.path.parent == BUNDLED
    assert instruments["phq9"].loinc == "44249-1"
    assert instruments["phq9"].total_loinc == "44261-6"
    assert instruments["gad7"].loinc == "69737-5"


def test_phq9_wording_matches_the_published_form() -> None:
    # PHQ-9 form, Pfizer (phqscreeners.com); Kroenke et al. 2001
    phq9 = get_instrument("phq9")
    q9 = phq9.item("q9")
    assert q9 is not None
    assert (
        q9.text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert [(o.code, o.display, o.score) for o in q9.options] == [
        ("0", "Not at all", 0),
        ("1", "Several days", 1),
        ("2", "More than half the days", 2),
        ("3", "Nearly every day", 3),
    ]


# -- validation -----------------------------------------------------------------------------


def _items(d: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = d["items"]
    return items


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "duplicate linkId",
        lambda d: _items(d).append(dict(_items(d)[1])),
        "'lives_alone' is used twice",
    ),
    (
        "enableWhen to an unknown item",
        lambda d: _items(d)[2]["enableWhen"][0].update(question="nope"),
        "item 'visits' depends on 'nope'",
    ),
    ("band gap", lambda d: d["bands"][1].update(min=3), "gap between bands 'low' and 'high'"),
    ("band overlap", lambda d: d["bands"][1].update(min=1), "'low' and 'high' overlap"),
    ("bands short", lambda d: d["bands"][1].update(max=3), "anywhere from 0 to 4"),
    (
        "option without score",
        lambda d: _items(d)[3]["options"][0].pop("score"),
        "'hazards' has option 'rugs' without a score",
    ),
    (
        "unknown type",
        lambda d: _items(d)[1].update(type="slider"),
        "'lives_alone' has unknown type",
    ),
    ("misspelt field", lambda d: _items(d)[1].update(requried=True), "unknown field 'requried'"),
    ("no source", lambda d: d.pop("source"), "needs a 'source'"),
    ("scoring unknown item", lambda d: d["scoring"]["items"].append("x"), "scoring uses 'x'"),
    ("unknown operator", lambda d: _items(d)[2]["enableWhen"][0].update(operator="~"), "'~'"),
    (
        "unknown option in enableWhen",
        lambda d: _items(d)[6]["enableWhen"][0].update(
            question="hazards", operator="=", answer="x"
        ),
        "'hazards' has no option 'x'",
    ),
    ("bad date", lambda d: _items(d)[6]["enableWhen"][0].update(answer="soon"), "YYYY-MM-DD"),
    ("severity", lambda d: d["flags"][0].update(severity="loud"), "severity must be one of"),
    (
        "rescreen",
        lambda d: d.update(rescreen={"when_band_at_least": "mid", "after_days": 9}),
        "'mid'",
    ),
    ("unscorable", lambda d: d["scoring"]["items"].append("recent"), "'recent' is of type text"),
    ("min over max", lambda d: _items(d)[2].update(min=9), "min is greater than max"),
    (
        "sum of an unscored item",
        lambda d: d["flags"][0]["when"].append(
            {"sum_of": ["recent"], "operator": ">", "answer": 1}
        ),
        "'recent' is of type text",
    ),
    ("unknown method", lambda d: d["scoring"].update(method="average"), "'average' is unknown"),
    (
        "unbounded integer",
        lambda d: d["scoring"]["items"].append("visits") or _items(d)[2].pop("max"),
        "'visits' needs min and max",
    ),
    # form hints: section, screener, context, help, maxLength
    (
        "section on a question",
        lambda d: _items(d)[1].update(section=True),
        "item 'lives_alone': 'section' applies only to display items, not boolean",
    ),
    (
        "section not true or false",
        lambda d: _items(d)[0].update(section="yes"),
        "item 'intro': 'section' must be true or false",
    ),
    (
        "screener on a question",
        lambda d: _items(d)[1].update(screener="phq9"),
        "item 'lives_alone': 'screener' applies only to display items",
    ),
    (
        "screener id with capitals and a space",
        lambda d: _items(d)[0].update(screener="PHQ 9"),
        "item 'intro': 'screener' must be an instrument id in lower-case letters",
    ),
    (
        "screener id with an underscore",
        lambda d: _items(d)[0].update(screener="katz_adl"),
        "item 'intro': 'screener' must be an instrument id",
    ),
    (
        "screener not text",
        lambda d: _items(d)[0].update(screener=["phq9"]),
        "item 'intro': 'screener' must be an instrument id",
    ),
    (
        "screener starting itself",
        lambda d: _items(d)[0].update(screener="home-check"),
        "item 'intro': 'screener' names this instrument itself",
    ),
    (
        "unknown context",
        lambda d: _items(d)[0].update(context="labs"),
        "item 'intro': 'context' 'labs' is unknown; use one of allergies, care-team",
    ),
    (
        "context not text",
        lambda d: _items(d)[0].update(context=["problems"]),
        "item 'intro': 'context' ['problems'] is unknown",
    ),
    (
        "context on a question",
        lambda d: _items(d)[6].update(context="problems"),
        "item 'recent': 'context' applies only to display items, not text",
    ),
    (
        "blank help",
        lambda d: _items(d)[1].update(help="  "),
        "item 'lives_alone': 'help' must be a non-empty text",
    ),
    (
        "help not text",
        lambda d: _items(d)[4].update(help=3),
        "item 'weight': 'help' must be a non-empty text",
    ),
    (
        "maxLength on a number",
        lambda d: _items(d)[2].update(maxLength=5),
        "item 'visits': 'maxLength' applies only to text items, not integer",
    ),
    (
        "maxLength zero",
        lambda d: _items(d)[6].update(maxLength=0),
        "item 'recent': 'maxLength' must be at least 1",
    ),
    (
        "maxLength not a whole number",
        lambda d: _items(d)[6].update(maxLength="200"),
        "item 'recent' maxLength must be a whole number",
    ),
    (
        "condition on a display item",
        lambda d: _items(d)[6]["enableWhen"][0].update(
            question="intro", operator="exists", answer=True
        ),
        "item 'recent' depends on 'intro', a display item that has no answer",
    ),
    ("type given as a list", lambda d: _items(d)[1].update(type=["boolean"]), "unknown type"),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_broken_definitions_are_refused_naming_file_and_item(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    definition = copy.deepcopy(AGENCY)
    mutate(definition)
    path = write(tmp_path, definition, "broken.json")
    with pytest.raises(InvalidInstrument) as caught:
        load_definition(path)
    assert caught.value.exit_code == 5
    assert "broken.json" in str(caught.value)
    assert expected in str(caught.value)


def test_the_example_itself_is_valid(tmp_path: Path) -> None:
    assert load_definition(write(tmp_path, AGENCY)).id == "home-check"


def test_form_hints_are_read_and_default_to_unset(tmp_path: Path) -> None:
    definition = copy.deepcopy(AGENCY)
    _items(definition)[0].update(section=True, screener="steadi", help="Ask at the door.")
    _items(definition)[0].update(context="caregivers")
    _items(definition)[1].update(help="Count only people who stay overnight.")
    _items(definition)[6].update(maxLength=40)
    check = load_definition(write(tmp_path, definition))
    intro, lives_alone, recent = check.items[0], check.items[1], check.items[6]
    assert (intro.section, intro.screener, intro.context) == (True, "steadi", "caregivers")
    assert intro.help == "Ask at the door."
    assert lives_alone.help == "Count only people who stay overnight."
    assert (lives_alone.section, lives_alone.screener, lives_alone.context) == (False, "", "")
    assert (recent.max_length, lives_alone.max_length) == (40, None)
    assert check.sections == (intro,)
    assert check.screeners == ("steadi",)


def test_text_longer_than_max_length_is_refused(tmp_path: Path) -> None:
    definition = copy.deepcopy(AGENCY)
    _items(definition)[6].update(maxLength=10)
    check = load_definition(write(tmp_path, definition))
    fell = {"lives_alone": False, "last_fall": "2026-02-03"}
    assert score(check, fell | {"recent": "x" * 10}).missing == ["hazards", "weight"]
    with pytest.raises(InvalidAnswer, match=r"'recent'.*11 characters long; at most 10 fit"):
        score(check, fell | {"recent": "x" * 11})


def test_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInstrument, match=r"bad.json.*not valid UTF-8 JSON"):
        load_definition(path)


# -- the agency folder --------------------------------------------------------------------


def test_agency_file_is_found_and_scored_with_no_code_change(tmp_path: Path) -> None:
    folder = tmp_path / "agency"
    write(folder, AGENCY)
    ids = [i.id for i in available_instruments(folder)]
    assert set(ids) >= SHIPPED and "home-check" in ids
    check = get_instrument("home-check", folder)

    result = score(check, {"lives_alone": True, "visits": 0, "hazards": ["rugs", "stairs"]})
    assert (result.total, result.band) == (4, "high")
    assert sorted(f.code for f in result.flags) == ["isolated", "stairs"]
    assert result.missing == ["weight", "last_fall"]  # "recent" is off: no fall date given

    # visits is disabled when the patient does not live alone: its answer is ignored
    other = score(check, {"lives_alone": False, "visits": 0, "hazards": ["none"], "weight": 71.5})
    assert (other.total, other.band, other.flags) == (0, "low", [])

    fell = {"lives_alone": False, "last_fall": "2026-02-03"}
    assert "recent" in score(check, fell).missing
    assert "recent" not in score(check, fell | {"last_fall": "2025-12-31"}).missing

    with pytest.raises(InvalidAnswer, match=r"'weight'.*above the highest allowed value, 300"):
        score(check, {"lives_alone": False, "weight": 301})
    with pytest.raises(InvalidAnswer, match="'hazards'"):
        score(check, {"lives_alone": False, "hazards": "rugs"})
    with pytest.raises(InvalidAnswer, match="'last_fall'"):
        score(check, {"lives_alone": False, "last_fall": "03/02/2026"})
    with pytest.raises(IncompleteAnswers, match="'lives_alone'"):
        score(check, {"hazards": ["none"]})


def test_agency_file_may_not_replace_a_bundled_instrument(tmp_path: Path) -> None:
    write(tmp_path, AGENCY | {"id": "phq9"}, "my-phq9.json")
    with pytest.raises(
        InvalidInstrument, match=r"my-phq9.json.*'phq9' is already used by a bundled"
    ):
        available_instruments(tmp_path)


def test_a_screener_must_name_a_loaded_instrument(tmp_path: Path) -> None:
    definition = copy.deepcopy(AGENCY)
    _items(definition)[0]["screener"] = "zarit"
    write(tmp_path, definition, "home-check.json")
    with pytest.raises(InvalidInstrument) as caught:
        available_instruments(tmp_path)
    message = str(caught.value)
    assert "home-check.json" in message
    assert "item 'intro' offers the screener 'zarit'" in message
    assert "not one of the instruments" in message and "phq9" in message
    with pytest.raises(InvalidInstrument, match="'zarit'"):
        get_instrument("home-check", tmp_path)


def test_a_screener_may_name_a_bundled_or_another_agency_instrument(tmp_path: Path) -> None:
    definition = copy.deepcopy(AGENCY)
    _items(definition)[0]["screener"] = "falls-extra"
    write(tmp_path, definition)
    other = copy.deepcopy(AGENCY) | {"id": "falls-extra", "title": "Falls extra"}
    _items(other)[0]["screener"] = "steadi"
    write(tmp_path, other)
    found = {i.id: i for i in available_instruments(tmp_path)}
    assert found["home-check"].screeners == ("falls-extra",)
    assert found["falls-extra"].screeners == ("steadi",)


def test_missing_folder_and_unknown_id_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InvalidInstrument, match="does not exist"):
        available_instruments(tmp_path / "nowhere")
    with pytest.raises(UnknownInstrument, match=r"'zarit'.*gad7"):
        get_instrument("zarit")


# -- command line -------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Through carenav.cli.main when the lead has wired it, else through our own parser."""
    cli.build_parser()
    if "score" in cli.COMMANDS and "instruments" in cli.COMMANDS:
        code = cli.main(list(argv))
    else:
        parser = argparse.ArgumentParser(prog="carenav")
        handlers = register(parser.add_subparsers(dest="command"))
        args = parser.parse_args(list(argv))
        try:
            code = handlers[args.command](args, cli.SecretReader(False, io.StringIO()))
        except CareNavError as exc:
            print(str(exc), file=__import__("sys").stderr)
            code = exc.exit_code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_instruments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "instruments", "--json")
    assert code == 0
    listed = json.loads(out)
    assert {"id": "phq9", "title": "PHQ-9 depression questionnaire"} in listed
    assert {i["id"] for i in listed} == SHIPPED


def test_cli_show_prints_the_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "instruments", "show", "gad7", "--json")
    assert code == 0
    shown = json.loads(out)
    assert (shown["id"], shown["title"]) == ("gad7", "GAD-7 anxiety questionnaire")
    q1 = next(i for i in shown["items"] if i["linkId"] == "q1")
    assert q1["text"] == "Feeling nervous, anxious or on edge"
    assert q1["type"] == "choice"
    assert q1["options"][3] == {"code": "3", "display": "Nearly every day", "score": 3}
    assert [(b["min"], b["max"], b["label"]) for b in shown["bands"]] == [
        (0, 4, "minimal"),
        (5, 9, "mild"),
        (10, 14, "moderate"),
        (15, 21, "severe"),
    ]


def test_cli_show_adds_form_hints_only_where_they_are_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "instruments", "show", "comprehensive", "--json")
    assert code == 0
    shown = json.loads(out)
    items = {i["linkId"]: i for i in shown["items"]}
    plain = {"linkId", "text", "type", "required", "options"}
    assert items["medical-history"]["section"] is True
    assert items["mh-problems"]["context"] == "problems"
    assert items["fs-katz"]["screener"] == "katz-adl"
    assert "STEADI key question" in items["fs-falls"]["help"]
    assert items["wm-matters-most"]["maxLength"] == 1000
    assert set(items["ss-lives-alone"]) == plain
    assert set(items["mh-problems"]) == plain | {"context"}
    assert {f["code"] for f in shown["findings"]} >= {"memory-concern", "no-caregiver"}

    code, out, _ = run(capsys, "instruments", "show", "gad7", "--json")
    shown = json.loads(out)
    assert all(set(i) == plain for i in shown["items"])
    assert shown["findings"] == [
        {
            "code": "anxiety",
            "need": "Anxiety symptoms",
            "domain": "behavioural-health",
            "referralCategory": "behavioural health",
            "source": shown["findings"][0]["source"],
        }
    ]
    assert "Spitzer" in shown["findings"][0]["source"]


def test_cli_show_text_marks_sections_screeners_and_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "instruments", "show", "comprehensive")
    assert code == 0
    assert "== Medical history ==" in out
    assert "[start the screener katz-adl]" in out
    assert "[shows the chart's medications]" in out
    assert "finding memory-concern: Memory concern" in out


def test_cli_show_reads_the_agency_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, AGENCY)
    code, out, _ = run(
        capsys, "instruments", "--instruments-folder", str(tmp_path), "show", "home-check"
    )
    assert code == 0
    assert "Home visit check" in out and "lives_alone *: Lives alone?" in out


def test_cli_scores_without_a_vault(capsys: pytest.CaptureFixture[str]) -> None:
    answers = {f"q{i}": "1" for i in range(1, 10)}
    code, out, _ = run(capsys, "score", "phq9", "--answers", json.dumps(answers))
    assert code == 0
    result = json.loads(out)
    assert (result["instrument"], result["total"], result["band"]) == ("phq9", 9, "mild")
    assert [f["code"] for f in result["flags"]] == ["self-harm-risk"]
    assert result["flags"][0]["severity"] == "urgent"


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"los": 3, "acuity": "elective", "ed_visits": 1}, "'charlson'"),
        ({"los": 3, "acuity": "urgent", "charlson": 1, "ed_visits": 1}, "'acuity'"),
    ],
)
def test_cli_score_exits_5_naming_the_item(
    capsys: pytest.CaptureFixture[str], answers: dict[str, Any], named: str
) -> None:
    code, out, err = run(capsys, "score", "lace", "--answers", json.dumps(answers))
    assert code == 5
    assert out == ""
    assert named in err


def test_cli_score_refuses_bad_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", "phq2", "--answers", "{q1: 1}")
    assert code == 5
    assert "--answers" in err and "not valid JSON" in err


def test_cli_score_prints_findings_with_their_evidence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = {f"q{i}": "2" for i in range(1, 8)}
    code, out, _ = run(capsys, "score", "gad7", "--answers", json.dumps(answers))
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["instrument", "total", "band", "flags", "missing", "findings"]
    assert result["findings"] == [
        {
            "code": "anxiety",
            "need": "Anxiety symptoms",
            "domain": "behavioural-health",
            "referralCategory": "behavioural health",
            "evidence": "GAD-7 score 14 (moderate)",
        }
    ]
    code, out, _ = run(capsys, "score", "gad7", "--answers", json.dumps(spread_gad7(9)))
    assert json.loads(out)["findings"] == []


def spread_gad7(total: int) -> dict[str, str]:
    return {f"q{i}": str(min(3, max(0, total - 3 * (i - 1)))) for i in range(1, 8)}


def test_count_positive_counts_items_scoring_above_zero() -> None:
    definition: dict[str, Any] = {
        "id": "count-demo",
        "title": "Count demo",
        "version": "1",
        "source": "Synthetic test instrument",
        "licence": "Test only",
        "items": [
            {
                "linkId": f"a{n}",
                "type": "choice",
                "text": f"Activity {n}",
                "required": True,
                "options": [
                    {"code": "dependent", "display": "Needs help", "score": 0},
                    {"code": "some", "display": "Some help", "score": 1},
                    {"code": "independent", "display": "Independent", "score": 2},
                ],
            }
            for n in (1, 2, 3)
        ],
        "scoring": {"method": "count-positive", "items": ["a1", "a2", "a3"]},
        "bands": [
            {"min": 0, "max": 1, "label": "dependent"},
            {"min": 2, "max": 3, "label": "independent"},
        ],
    }
    instrument = parse_definition(definition, "count-demo.json")
    result = score(instrument, {"a1": "independent", "a2": "some", "a3": "dependent"})
    assert (result.total, result.band) == (2, "independent")
    result = score(instrument, {"a1": "independent", "a2": "dependent", "a3": "dependent"})
    assert (result.total, result.band) == (1, "dependent")
    definition["bands"][1]["max"] = 6  # the method cannot reach 6: bands must match its range
    with pytest.raises(InvalidInstrument, match="anywhere from 0 to 3"):
        parse_definition(definition, "count-demo.json")


def test_cli_scores_a_screener_without_a_total(capsys: pytest.CaptureFixture[str]) -> None:
    answers = {
        "living-situation": "worried",
        "housing-problems": ["none"],
        "food-worry": "never",
        "food-didnt-last": "never",
        "transportation": "yes",
        "utilities": "no",
    }
    answers |= {k: "never" for k in ("physically-hurt", "insult", "threaten", "scream-curse")}
    code, out, _ = run(capsys, "score", "ahc-hrsn", "--answers", json.dumps(answers))
    assert code == 0
    result = json.loads(out)
    assert (result["total"], result["band"]) == (None, None)
    assert [f["code"] for f in result["flags"]] == ["housing-instability", "transportation"]
    assert result["flags"][0]["item"] is None


@pytest.mark.parametrize(
    ("kind", "answer", "expected"),
    [
        ("integer", "5", "must be a number"),
        ("decimal", None, "needs a number"),
        ("boolean", "true", "must be true or false"),
        ("text", 3, "must be text"),
    ],
)
def test_a_condition_answer_must_match_its_item_type(
    kind: str, answer: object, expected: str
) -> None:
    first: dict[str, object] = {"linkId": "first", "text": "First", "type": kind}
    if kind in ("integer", "decimal"):
        first.update(min=0, max=10)
    raw = {
        "id": "typed",
        "title": "Typed conditions",
        "version": "1",
        "source": "test",
        "licence": "test",
        "items": [
            first,
            {
                "linkId": "second",
                "text": "Second",
                "type": "text",
                "enableWhen": [{"question": "first", "operator": "=", "answer": answer}],
            },
        ],
    }
    with pytest.raises(InvalidInstrument, match=expected):
        parse_definition(raw)

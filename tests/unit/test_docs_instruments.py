"""docs/instruments.md: its example file loads and scores exactly as the page says."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from carenav import cli
from carenav.instruments import (
    IncompleteAnswers,
    Instrument,
    available_instruments,
    parse_definition,
    rescreen_due,
    score,
)
from carenav.instruments.definition import score_range

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"
JSON_BLOCK = re.compile(r"^```json\n(.*?)^```", re.DOTALL | re.MULTILINE)
SCORE_COMMAND = re.compile(r"^carenav score (\S+) --answers '(.*?)' --instruments-folder ", re.M)


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _example_raw() -> dict[str, Any]:
    """The first ```json block of the page: the complete example file."""
    first = JSON_BLOCK.search(_doc())
    assert first is not None, "docs/instruments.md has no ```json block"
    raw = json.loads(first.group(1))
    assert isinstance(raw, dict)
    return raw


@pytest.fixture(scope="module")
def example() -> Instrument:
    return parse_definition(_example_raw(), "carer-checkin.json")


# (answers, total, band, flags as (code, severity, item), finding codes, rescreen due)
# for a form signed on 2 March 2026: the table under "What three sets of answers give".
SIGNED = date(2026, 3, 2)
ROWS = [
    (
        {"worn-out": "often", "hours": 25, "own-health": True},
        5,
        "high",
        [("carer-health", "info", "own-health"), ("carer-strain-high", "warning", "")],
        {"carer-strain": "Carer check-in 5 (high); worn out: Often; hours a week: 25"},
        date(2026, 5, 1),
    ),
    (
        {"worn-out": "nearly-always", "hours": 5, "own-health": False},
        3,
        "moderate",
        [],
        {"carer-strain": "Carer check-in 3 (moderate); worn out: Nearly always; hours a week: 5"},
        date(2026, 5, 1),
    ),
    (
        {"worn-out": "sometimes", "hours": 5, "own-health": False},
        1,
        "low",
        [],
        {},
        None,
    ),
]


def test_the_example_is_the_first_json_block_and_loads(example: Instrument) -> None:
    assert example.id == "carer-checkin"
    assert [i.link_id for i in example.items] == ["worn-out", "hours", "own-health"]
    assert [i.type for i in example.items] == ["choice", "integer", "boolean"]
    assert example.scoring is not None and example.scoring.method == "sum"
    assert [(b.min, b.max, b.label) for b in example.bands] == [
        (0, 2, "low"),
        (3, 4, "moderate"),
        (5, 7, "high"),
    ]
    assert example.rescreen is not None
    assert (example.rescreen.when_band_at_least, example.rescreen.after_days) == ("moderate", 60)
    assert [f.code for f in example.findings] == ["carer-strain"]
    assert example.findings[0].domain == "caregiver"
    assert example.findings[0].referral_category == "caregiver support"


def test_the_possible_range_is_0_to_7_as_the_page_works_out(example: Instrument) -> None:
    assert example.scoring is not None
    by_id = {i.link_id: i for i in example.items}
    assert score_range(example.scoring, by_id) == (0, 7)
    assert "so 0–7" in _doc()


@pytest.mark.parametrize(("answers", "total", "band", "flags", "findings", "due"), ROWS)
def test_the_sample_answers_score_as_the_table_says(
    example: Instrument,
    answers: dict[str, Any],
    total: int,
    band: str,
    flags: list[tuple[str, str, str]],
    findings: dict[str, str],
    due: date | None,
) -> None:
    row = f"| `{json.dumps(answers)}` | {total} | {band} |"
    assert row in _doc(), f"the table in docs/instruments.md has no row starting {row}"
    result = score(example, answers)
    assert (result.total, result.band) == (total, band)
    assert [(f.code, f.severity, f.item) for f in result.flags] == flags
    assert {f.code: f.evidence for f in result.findings} == findings
    for evidence in findings.values():
        assert evidence in _doc()
    assert result.missing == []
    assert rescreen_due(result, SIGNED) == due


def test_the_rescreen_dates_on_the_page() -> None:
    assert "signed on 2 March 2026" in _doc()
    assert "rescreen on 1 May 2026" in _doc()


def test_leaving_out_a_required_answer_is_refused(example: Instrument) -> None:
    with pytest.raises(IncompleteAnswers) as caught:
        score(example, {"worn-out": "often", "own-health": True})
    assert caught.value.link_id == "hours"
    assert str(caught.value) in _doc()


def test_the_command_line_output_shown_is_what_carenav_score_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "carer-checkin.json").write_text(json.dumps(_example_raw()), encoding="utf-8")
    command = SCORE_COMMAND.search(_doc())
    assert command is not None, "docs/instruments.md shows no 'carenav score' command"
    ident, answers = command.groups()
    shown = [json.loads(b) for b in JSON_BLOCK.findall(_doc()) if '"instrument"' in b]
    assert len(shown) == 1, "expected one ```json block with the output of carenav score"
    code = cli.main(["score", ident, "--answers", answers, "--instruments-folder", str(tmp_path)])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == shown[0]


def test_the_folder_is_listed_after_the_bundled_instruments(tmp_path: Path) -> None:
    (tmp_path / "carer-checkin.json").write_text(json.dumps(_example_raw()), encoding="utf-8")
    ids = [i.id for i in available_instruments(tmp_path)]
    assert ids[-1] == "carer-checkin"
    assert ids.count("carer-checkin") == 1


def test_the_command_line_flags_are_spelled_as_the_cli_defines_them() -> None:
    parser = cli.build_parser()
    doc = _doc()
    for line in re.findall(r"^carenav (?:instruments|score) .*$", doc, re.M):
        words = line.replace("~/agency-instruments", "/tmp/x").split(" ")
        if words[1] == "score":
            words = [*words[:3], "--answers", "{}", *words[words.index("--instruments-folder") :]]
        args = parser.parse_args(words[1:])
        assert str(args.instruments_folder) == "/tmp/x", line

"""Assessments benchmark: five years of PHQ-9 scores in the trend chart and the Assessments tab.

    .venv/bin/python bench/assessments.py [--years 5] [--repeat 20] [--json FILE]

Builds a temporary encrypted vault with two made-up patients, each with years of
PHQ-9 forms signed through the assessments service (one monthly, one weekly) and a
GAD-7 every quarter, then measures offscreen, as median and p95 over the repetitions:

* the trend: ``score_series`` for the patient plus filling the ``TrendChart``, up to
  the moment it is painted (``grab()``), both in a new chart (its bands are built
  first) and in a chart already showing another patient (only the points change);
* the Assessments tab: ``AssessmentsPanel.show_patient`` (every query it makes plus
  filling its widgets) up to the moment it is painted, switching between the two
  patients as a care manager switching charts would; and, once, a new panel;
* opening an assessment window (``AssessmentDialog``) for a 60-question form, the
  comprehensive assessment and the PHQ-9, up to its first paint.

It prints a table with the 200 ms target for opening a trend marked PASS or FAIL and
always exits 0: it is a report, not a test. Every patient is made up; nothing but the
temporary vault (deleted at the end) and, if asked, the JSON file of timings is written.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import CHEAP_KDF, PASSPHRASE, ms, summary
from carenav.instruments import Instrument, get_instrument, parse_definition
from carenav.services import assessments as svc
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

SEED = 4
TARGET_TREND_MS = 200.0
TREND_SIZE = (900, 380)
PANEL_SIZE = (1280, 800)


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def painted(widget: Any) -> None:
    """Process pending events, then paint the widget as the screen would (grab)."""
    app().processEvents()
    widget.grab()


# -- building the vault ---------------------------------------------------------------


def answers_for(instrument: Instrument, total: int) -> dict[str, str]:
    """Answers to the scored items adding up to ``total`` (PHQ-9 item 9 always 0)."""
    assert instrument.scoring is not None
    answers: dict[str, str] = {}
    left = total
    for link_id in instrument.scoring.items:
        item = instrument.item(link_id)
        assert item is not None
        fitting = [o for o in item.options if (o.score or 0) <= left and link_id != "q9"]
        chosen = max(fitting or item.options[:1], key=lambda o: o.score or 0)
        answers[link_id] = chosen.code
        left -= chosen.score or 0
    return answers


def sign_history(
    vault: Vault, patient_id: uuid.UUID, instrument: Instrument, dates: list[datetime]
) -> None:
    """One signed form per date, scores wandering as they do in real follow-up."""
    rng = random.Random(f"{SEED}-{instrument.id}-{len(dates)}")
    highest = 3 * (len(instrument.scoring.items) - 1) if instrument.scoring else 0
    total = highest // 3
    for when in dates:
        total = max(0, min(highest, total + rng.randint(-3, 3)))
        svc.complete(
            vault,
            patient_id=patient_id,
            instrument=instrument,
            answers=answers_for(instrument, total),
            now=when,
        )


def build_patients(vault: Vault, years: int) -> dict[str, uuid.UUID]:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=365 * years)
    phq9, gad7 = get_instrument("phq9"), get_instrument("gad7")
    patients: dict[str, uuid.UUID] = {}
    for kind, step in (("monthly", timedelta(days=365 / 12)), ("weekly", timedelta(weeks=1))):
        patient_id = create_patient(
            vault,
            {
                "family_name": "Benchmark",
                "given_name": kind.title(),
                "birth_date": date(1944, 1, 1),
            },
        )
        count = int((now - start) / step)
        sign_history(vault, patient_id, phq9, [start + step * n for n in range(count)])
        quarters = [start + timedelta(days=91 * n + 2) for n in range(4 * years)]
        sign_history(vault, patient_id, gad7, quarters)
        svc.save_answers(vault, patient_id=patient_id, instrument=gad7, answers={"q1": "1"})
        patients[kind] = patient_id
    return patients


# -- measuring --------------------------------------------------------------------------


def measure_trend(vault: Vault, patients: dict[str, uuid.UUID], repeat: int) -> dict[str, Any]:
    from carenav.ui.pages.assessment.trend_chart import TrendChart

    phq9 = get_instrument("phq9")
    results: dict[str, Any] = {}
    reused = TrendChart()
    reused.resize(*TREND_SIZE)
    reused.show()
    for kind, patient_id in patients.items():
        points = svc.score_series(vault, patient_id, "phq9")
        new_times: list[float] = []
        reused_times: list[float] = []
        query_times: list[float] = []
        for _ in range(repeat):
            start = time.perf_counter()
            svc.score_series(vault, patient_id, "phq9")
            query_times.append(time.perf_counter() - start)

            def open_new(p: uuid.UUID = patient_id) -> Any:
                chart = TrendChart()
                chart.resize(*TREND_SIZE)
                chart.set_series(phq9, svc.score_series(vault, p, "phq9"))
                chart.show()
                painted(chart)
                return chart

            start = time.perf_counter()
            chart = open_new()
            new_times.append(time.perf_counter() - start)
            chart.close()
            chart.deleteLater()
            reused.clear()
            painted(reused)

            def open_again(p: uuid.UUID = patient_id) -> None:
                reused.set_series(phq9, svc.score_series(vault, p, "phq9"))
                painted(reused)

            reused_times.append(timed(open_again))
        app().processEvents()
        results[kind] = {
            "points": len(points),
            "new_chart": summary(new_times),
            "chart_reused": summary(reused_times),
            "query": summary(query_times),
        }
    reused.close()
    return results


def measure_panel(vault: Vault, patients: dict[str, uuid.UUID], repeat: int) -> dict[str, Any]:
    from carenav.ui.pages.assessment.panel import AssessmentsPanel

    def first_open() -> Any:
        panel = AssessmentsPanel()
        panel.resize(*PANEL_SIZE)
        panel.show_patient(vault, next(iter(patients.values())))
        panel.show()
        painted(panel)
        return panel

    start = time.perf_counter()
    panel = first_open()
    results: dict[str, Any] = {"new_panel_ms": ms(time.perf_counter() - start)}
    times: dict[str, list[float]] = {kind: [] for kind in patients}
    for _ in range(repeat):
        for kind, patient_id in patients.items():
            panel.clear()  # what locking or closing the chart does
            painted(panel)

            def open_chart_tab(p: uuid.UUID = patient_id) -> None:
                panel.show_patient(vault, p)
                painted(panel)

            times[kind].append(timed(open_chart_tab))
    rows = {kind: panel_rows(panel, vault, p) for kind, p in patients.items()}
    panel.close()
    panel.deleteLater()
    app().processEvents()
    for kind, seconds in times.items():
        results[kind] = dict(summary(seconds), forms=rows[kind])
    return results


def panel_rows(panel: Any, vault: Vault, patient_id: uuid.UUID) -> int:
    panel.show_patient(vault, patient_id)
    return int(panel.history.model.rowCount())


def synthetic_instrument(items: int) -> Instrument:
    """A made-up scored form with ``items`` four-answer questions in sections of ten."""
    options = [
        {"code": str(n), "display": text, "score": n}
        for n, text in enumerate(("Never", "Sometimes", "Often", "Always"))
    ]
    questions: list[dict[str, Any]] = []
    for n in range(1, items + 1):
        if n % 10 == 1:
            questions.append(
                {
                    "linkId": f"s{n}",
                    "type": "display",
                    "text": f"Part {n // 10 + 1}",
                    "section": True,
                }
            )
        questions.append(
            {
                "linkId": f"q{n}",
                "text": f"Synthetic question {n}: how often does this happen?",
                "type": "choice",
                "required": True,
                "options": options,
            }
        )
    return parse_definition(
        {
            "id": f"bench-{items}",
            "title": f"Synthetic {items}-question form",
            "version": "1",
            "source": "bench/assessments.py (made up for timing)",
            "licence": "none",
            "items": questions,
            "scoring": {"method": "sum", "items": [f"q{n}" for n in range(1, items + 1)]},
        }
    )


def measure_form_build(vault: Vault, patient_id: uuid.UUID, repeat: int) -> dict[str, Any]:
    """Opening an assessment window, up to its first paint (target: under 200 ms).

    Times ``AssessmentDialog`` (what "Start assessment" opens: the form built from
    the definition, its summary bar, section list and chart-record lists) for a
    synthetic 60-question definition, for the comprehensive assessment (about 100
    items in 8 sections) and for the PHQ-9. Building a form writes nothing: a
    draft is kept only once an answer is given.
    """
    from carenav.ui.pages.assessment.form_dialog import AssessmentDialog

    forms: list[tuple[str, Instrument]] = [
        ("synthetic 60 questions", synthetic_instrument(60)),
        ("comprehensive", get_instrument("comprehensive")),
        ("PHQ-9", get_instrument("phq9")),
    ]
    results: dict[str, Any] = {}
    for name, instrument in forms:
        times: list[float] = []
        for _ in range(repeat):
            start = time.perf_counter()
            dialog = AssessmentDialog(vault, patient_id, instrument)
            dialog.resize(*PANEL_SIZE)
            dialog.show()
            painted(dialog)
            times.append(time.perf_counter() - start)
            dialog.done(0)
            dialog.deleteLater()
            app().processEvents()
        items = sum(1 for i in instrument.items if i.type != "display")
        results[name] = dict(summary(times), questions=items)
    if svc.find_in_progress(vault, patient_id, "comprehensive") is not None:
        raise AssertionError("opening a form must not write a draft")
    return results


# -- report ----------------------------------------------------------------------------


def print_report(results: dict[str, Any]) -> None:
    print()
    print(
        f"CareNav assessments benchmark: {results['years']} years of PHQ-9, "
        f"{results['repeat']} runs each (offscreen Qt)"
    )
    print(f"Vault built in {results['build_s']} s (forms signed through the service)")
    rows: list[tuple[str, str, str, str]] = []
    for kind, figures in results["trend"].items():
        label = f"Trend, {figures['points']} {kind} scores"
        for case, name in (("new_chart", "new chart"), ("chart_reused", "chart reused")):
            f = figures[case]
            ok = f["p95_ms"] < TARGET_TREND_MS
            rows.append(
                (f"{label} ({name})", f"{f['median_ms']}", f"{f['p95_ms']}",
                 f"< {TARGET_TREND_MS:.0f} ms {'PASS' if ok else 'FAIL'}")
            )  # fmt: skip
        q = figures["query"]
        rows.append(
            (f"  of which score_series ({kind})", f"{q['median_ms']}", f"{q['p95_ms']}", "")
        )
    panel = results["panel"]
    rows.append(("Assessments tab, new panel (once)", f"{panel['new_panel_ms']}", "", ""))
    for kind in results["trend"]:
        f = panel[kind]
        rows.append(
            (f"Assessments tab opened ({kind}, {f['forms']} forms)", f"{f['median_ms']}",
             f"{f['p95_ms']}", "")
        )  # fmt: skip
    for name, f in results.get("form_build", {}).items():
        ok = f["p95_ms"] < TARGET_TREND_MS
        rows.append(
            (f"Form opened ({name}, {f['questions']} questions)", f"{f['median_ms']}",
             f"{f['p95_ms']}", f"< {TARGET_TREND_MS:.0f} ms {'PASS' if ok else 'FAIL'}")
        )  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'Figure':<{width}}  {'median ms':>9}  {'p95 ms':>7}  Target")
    for name, median, p95, target in rows:
        print(f"{name:<{width}}  {median:>9}  {p95:>7}  {target}")


def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="carenav-bench-assessments-"))
    vault: Vault | None = None
    try:
        results: dict[str, Any] = {"years": args.years, "repeat": args.repeat}
        app()
        vault, _code = Vault.create(folder / "bench.cnv", PASSPHRASE, kdf=CHEAP_KDF)
        start = time.perf_counter()
        patients = build_patients(vault, args.years)
        results["build_s"] = round(time.perf_counter() - start, 1)
        results["trend"] = measure_trend(vault, patients, args.repeat)
        results["panel"] = measure_panel(vault, patients, args.repeat)
        results["form_build"] = measure_form_build(vault, patients["monthly"], args.repeat)
        print_report(results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
            print(f"\nResults written to {args.json}")
    finally:
        if vault is not None:
            vault.close()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=5, help="years of history (5)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per figure (20)")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    run(parser.parse_args())
    return 0


if __name__ == "__main__":
    sys.exit(main())

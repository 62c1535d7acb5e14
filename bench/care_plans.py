"""Care-plan benchmark: opening a large plan and comparing its versions.

    .venv/bin/python bench/care_plans.py [--needs 10] [--versions 10] [--repeat 20] [--json FILE]

Builds a temporary encrypted vault with one made-up patient in chronic care management
whose plan is written through the care-plan services: 10 needs with 3 goals each (30
goals), 3 interventions per need, progress notes and education on every goal, the CMS
plan texts, and 10 published versions with changes between them (targets changed,
goals met, interventions completed, needs added), each agreed. Then it measures, as
median and p95 over the repetitions:

* opening the plan: ``load_plan`` + ``snapshot_of`` + ``coverage`` (what the care-plan
  tab and ``carenav plan show`` read), target under 150 ms; and, when the care-plan tab
  exists (``carenav.ui.pages.care_plan.panel.CarePlanPanel``), its ``show_patient`` up to
  the first paint offscreen, as a care manager switching charts would see it;
* comparing versions: ``compare_versions`` between version 1 and the newest, and between
  the two newest, target under 50 ms.

It prints a table with PASS or FAIL per target and always exits 0: it is a report, not a
test. Every patient is made up; nothing but the temporary vault (deleted at the end) and,
if asked, the JSON file of timings is written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import CHEAP_KDF, PASSPHRASE, ms, repeated, summary
from carenav.models import Condition, PlanGoal, PlanIntervention
from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient
from carenav.services.plan_coverage import coverage
from carenav.store.vault import Vault

TARGET_OPEN_MS = 150.0
TARGET_COMPARE_MS = 50.0
GOALS_PER_NEED = 3
PANEL_SIZE = (1280, 800)


# -- building the plan through the services ----------------------------------------------

PROBLEMS = (
    ("Heart failure with reduced ejection fraction (HFrEF)", "I50.22"),
    ("Type 2 diabetes with hyperglycemia", "E11.65"),
    ("COPD (chronic obstructive pulmonary disease)", "J44.9"),
    ("Chronic kidney disease, stage 3b", "N18.32"),
    ("Hypertensive heart disease with heart failure", "I11.0"),
    ("Major depressive disorder, recurrent, moderate", "F33.1"),
    ("Atrial fibrillation", "I48.91"),
    ("History of falls", "Z91.81"),
    ("Osteoarthritis of both knees", "M17.0"),
    ("Generalized anxiety disorder", "F41.1"),
)


def goal_values(need: int, n: int, start: date) -> dict[str, Any]:
    return {
        "text": f"Goal {n + 1} for need {need + 1}, in the patient's own words",
        "patient_facing": "I keep a log every day and bring it to each visit.",
        "measure": "Days each week with the log filled in",
        "target_value": f"At least {4 + n} of 7 days",
        "target_date": start + timedelta(days=30 * (n + 1)),
        "priority": ("high", "medium", "low")[n],
        "status": "in-progress",
    }


def step_values(n: int, start: date) -> dict[str, Any]:
    who = ("patient", "provider", "agency")[n]
    return {
        "what": f"Intervention {n + 1}: check the log and tell the team about changes",
        "category": ("monitoring", "coordination", "community-service")[n],
        "responsible": who,
        "responsible_name": {"provider": "Alan Whitaker, MD", "agency": "Meals on Wheels"}.get(
            who, ""
        ),
        "frequency": "weekly",
        "due_date": start + timedelta(days=14),
        "status": "in-progress",
    }


class PlanBuilder:
    """Writes the benchmark plan through the services, as a care manager would over a year."""

    def __init__(self, vault: Vault, needs: int) -> None:
        self.vault = vault
        self.start = date.today() - timedelta(days=360)
        self.patient = create_patient(
            vault,
            {
                "family_name": "Benchmark",
                "given_name": "Plan",
                "birth_date": date(1944, 1, 1),
                "programs": ["ccm"],
            },
        )
        self.conditions = [
            add_chart_record(vault, Condition, self.patient, {"text": t, "icd10_code": c})
            for t, c in (PROBLEMS * (needs // len(PROBLEMS) + 1))[:needs]
        ]
        self.plan = plans.start_plan(vault, self.patient, {"period_start": self.start}).id
        self.goals: list[uuid.UUID] = []
        self.steps: list[uuid.UUID] = []
        self.added = 0

    def write_texts(self) -> None:
        plans.update_plan(
            self.vault,
            self.plan,
            {
                "expected_outcome": "Stays at home with fewer hospital stays",
                "prognosis": "Guarded: two hospital stays this year",
                "symptom_management": "Daily weights and the heart failure zones",
                "medication_management": "Pharmacy blister packs; list reviewed at each visit",
                "community_services": "Meals on Wheels; senior center twice a week",
                "coordination": "Plan sent to the primary care provider and cardiology",
                "next_review": self.start + timedelta(days=30),
                "preferences": "Staying in my own home",
            },
        )

    def add_need(self) -> None:
        vault, n = self.vault, self.added
        need = plans.add_need_from_condition(vault, self.plan, self.conditions[n]).id
        for g in range(GOALS_PER_NEED):
            goal = plans.add_goal(vault, self.plan, need, goal_values(n, g, self.start)).id
            self.goals.append(goal)
            self.steps.append(
                plans.add_intervention(
                    vault, self.plan, need, step_values(g, self.start), goal_id=goal
                ).id
            )
            for days in (7, 21):
                plans.add_progress(
                    vault,
                    goal,
                    {"noted_on": self.start + timedelta(days=days), "value": f"{3 + g} of 7 days"},
                )
            plans.add_education(
                vault,
                self.plan,
                {"given_on": self.start + timedelta(days=3), "topic": f"Topic {n + 1}.{g + 1}"},
                goal_id=goal,
            )
        self.added += 1

    def revise(self, number: int) -> None:
        """The changes between two versions: targets, a goal met, steps done, a need added."""
        vault = self.vault
        for k in range(3):
            goal = self.goals[(number * 3 + k) % len(self.goals)]
            changes = {"target_date": self.start + timedelta(days=30 * number + 60 + k)}
            plans.update_item(vault, PlanGoal, goal, changes)
        plans.update_item(vault, PlanGoal, self.goals[number - 1], {"status": "achieved"})
        for step in self.steps[2 * (number - 1) : 2 * number]:
            plans.update_item(vault, PlanIntervention, step, {"status": "completed"})
        if self.added < len(self.conditions):
            self.add_need()
        review = self.start + timedelta(days=30 * number + 30)
        plans.update_plan(vault, self.plan, {"next_review": review})

    def publish_and_agree(self, number: int) -> None:
        version = versions.publish(self.vault, self.plan, change_note=f"Review {number}")
        versions.record_agreement(
            self.vault,
            version.id,
            {
                "agreed_by": "Plan Benchmark",
                "agreed_on": date.today(),
                "method": "verbal",
                "copy_given_on": date.today(),
                "copy_method": "mailed",
            },
        )


def build_plan(vault: Vault, needs: int, count: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The patient and plan: ``needs`` needs (all there by the last version), ``count``
    versions."""
    builder = PlanBuilder(vault, needs)
    builder.write_texts()
    first = max(1, needs - 3, needs - (count - 1))  # the rest: one per revision
    for _ in range(first):
        builder.add_need()
    builder.publish_and_agree(1)
    for number in range(2, count + 1):
        builder.revise(number)
        builder.publish_and_agree(number)
    while builder.added < needs:
        builder.add_need()
    return builder.patient, builder.plan


# -- measuring ------------------------------------------------------------------------------


def open_plan(vault: Vault, plan_id: uuid.UUID) -> Any:
    view = plans.load_plan(vault, plan_id)
    return coverage(versions.snapshot_of(view))


def measure_open(vault: Vault, plan_id: uuid.UUID, repeat: int) -> dict[str, Any]:
    view = plans.load_plan(vault, plan_id)
    return dict(
        summary(repeated(lambda: open_plan(vault, plan_id), repeat)),
        needs=len(view.needs),
        goals=len(view.goals()),
        interventions=len(view.interventions()),
        versions=len(view.versions),
    )


def measure_compare(vault: Vault, plan_id: uuid.UUID, newest: int, repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for old, new in ((1, newest), (newest - 1, newest), (newest, versions.DRAFT)):
        if old < 1 or old == new:
            continue

        def compare(o: int = old, n: int = new) -> Any:
            return versions.compare_versions(vault, plan_id, o, n)

        changes = len(compare())
        times = repeated(compare, repeat)
        name = f"{old}-{'draft' if new == versions.DRAFT else new}"
        results[name] = dict(summary(times), changes=changes)
    return results


def painted(widget: Any) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.grab()


def measure_panel(vault: Vault, patient_id: uuid.UUID, repeat: int) -> dict[str, Any] | None:
    """The care-plan tab's ``show_patient`` up to its first paint, or None without the tab."""
    try:
        from PySide6.QtWidgets import QApplication

        from carenav.ui.pages.care_plan.panel import CarePlanPanel
    except ImportError as exc:
        print(f"(care-plan tab not measured: {exc})")
        return None
    _app = QApplication.instance() or QApplication([])
    start = time.perf_counter()
    panel = CarePlanPanel()
    panel.resize(*PANEL_SIZE)
    panel.show_patient(vault, patient_id)
    panel.show()
    painted(panel)
    results: dict[str, Any] = {"new_panel_ms": ms(time.perf_counter() - start)}

    def switch_to_patient() -> None:
        panel.show_patient(vault, patient_id)
        painted(panel)

    times = []
    for _ in range(repeat):
        panel.clear()  # what locking or closing the chart does
        painted(panel)
        start = time.perf_counter()
        switch_to_patient()
        times.append(time.perf_counter() - start)
    panel.clear()
    panel.close()
    panel.deleteLater()
    QApplication.processEvents()
    results.update(summary(times))
    return results


# -- report ---------------------------------------------------------------------------------


def verdict(p95: float, target: float) -> str:
    return f"< {target:.0f} ms {'PASS' if p95 < target else 'FAIL'}"


def print_report(results: dict[str, Any]) -> None:
    opened = results["open"]
    print()
    print(
        f"CareNav care-plan benchmark: {opened['needs']} needs, {opened['goals']} goals, "
        f"{opened['interventions']} interventions, {opened['versions']} versions; "
        f"{results['repeat']} runs each"
    )
    print(f"Plan written through the services in {results['build_s']} s")
    rows: list[tuple[str, str, str, str]] = [
        (
            "Open the plan (load_plan + snapshot_of + coverage)",
            f"{opened['median_ms']}",
            f"{opened['p95_ms']}",
            verdict(opened["p95_ms"], TARGET_OPEN_MS),
        )
    ]
    panel = results.get("panel")
    if panel is None:
        rows.append(("Care-plan tab (not measured: no CarePlanPanel)", "", "", ""))
    else:
        rows.append(("Care-plan tab, new panel (once)", f"{panel['new_panel_ms']}", "", ""))
        rows.append(
            (
                "Care-plan tab show_patient + first paint",
                f"{panel['median_ms']}",
                f"{panel['p95_ms']}",
                verdict(panel["p95_ms"], TARGET_OPEN_MS),
            )
        )
    for name, figures in results["compare"].items():
        target = "" if name.endswith("draft") else verdict(figures["p95_ms"], TARGET_COMPARE_MS)
        rows.append(
            (
                f"Compare versions {name} ({figures['changes']} changes)",
                f"{figures['median_ms']}",
                f"{figures['p95_ms']}",
                target,
            )
        )
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'Figure':<{width}}  {'median ms':>9}  {'p95 ms':>7}  Target")
    for name, median, p95, target in rows:
        print(f"{name:<{width}}  {median:>9}  {p95:>7}  {target}")


def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="carenav-bench-plans-"))
    vault: Vault | None = None
    try:
        results: dict[str, Any] = {"repeat": args.repeat}
        vault, _code = Vault.create(folder / "bench.cnv", PASSPHRASE, kdf=CHEAP_KDF)
        start = time.perf_counter()
        patient_id, plan_id = build_plan(vault, args.needs, args.versions)
        results["build_s"] = round(time.perf_counter() - start, 1)
        results["open"] = measure_open(vault, plan_id, args.repeat)
        results["compare"] = measure_compare(vault, plan_id, args.versions, args.repeat)
        results["panel"] = measure_panel(vault, patient_id, args.repeat)
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
    parser.add_argument("--needs", type=int, default=10, help="needs, 3 goals each (10)")
    parser.add_argument("--versions", type=int, default=10, help="published versions (10)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per figure (20)")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args()
    if args.needs < 1 or args.versions < 2:
        parser.error("use at least 1 need and 2 versions")
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

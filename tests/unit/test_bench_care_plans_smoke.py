"""The care-plan benchmark still runs end to end (a small plan, two runs), so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "care_plans.py"


@pytest.mark.slow
def test_care_plans_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--needs",
            "4",
            "--versions",
            "3",
            "--repeat",
            "2",
            "--json",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    opened = results["open"]
    assert (opened["needs"], opened["goals"], opened["versions"]) == (4, 12, 3)
    assert opened["median_ms"] > 0 and opened["runs"] == 2
    assert set(results["compare"]) == {"1-3", "2-3", "3-draft"}
    assert results["compare"]["1-3"]["changes"] > results["compare"]["2-3"]["changes"] > 0
    assert results["compare"]["3-draft"]["changes"] == 0
    panel = results["panel"]
    assert panel is None or panel["median_ms"] > 0
    assert "Open the plan (load_plan + snapshot_of + coverage)" in done.stdout
    assert "PASS" in done.stdout or "FAIL" in done.stdout

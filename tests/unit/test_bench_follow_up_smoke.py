"""The follow-up benchmark still runs end to end (a small caseload, two runs), so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "follow_up.py"


@pytest.mark.slow
def test_follow_up_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--patients",
            "60",
            "--contacts",
            "2000",
            "--coming",
            "300",
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
    built = results["vault"]
    assert built["patients"] == 60
    assert built["contacts"] == max(2000, built["demo_contacts"])
    assert built["coming_follow_ups"] >= 300
    for figure in ("today", "month", "minutes"):
        assert results[figure]["median_ms"] > 0 and results[figure]["runs"] == 2
    assert results["today"]["items"] > 0
    assert results["month"]["follow_ups"] > 0
    assert results["minutes"]["patients"] > 0
    calendar = results["calendar"]
    assert calendar is None or calendar["median_ms"] > 0
    assert "Today: worklist" in done.stdout
    assert "PASS" in done.stdout or "FAIL" in done.stdout

"""The assessments benchmark still runs end to end (one year, two runs), so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "assessments.py"


@pytest.mark.slow
def test_assessments_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--years", "1", "--repeat", "2", "--json", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    assert results["years"] == 1
    assert set(results["trend"]) == {"monthly", "weekly"}
    assert results["trend"]["weekly"]["points"] == 52
    assert results["trend"]["monthly"]["new_chart"]["median_ms"] > 0
    assert results["panel"]["weekly"]["forms"] == 52 + 4
    assert "form_build" in results
    assert "Trend, 52 weekly scores (new chart)" in done.stdout

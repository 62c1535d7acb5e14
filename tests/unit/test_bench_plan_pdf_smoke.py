"""The printing benchmark still runs end to end (a small caseload, two runs), so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "plan_pdf.py"


@pytest.mark.slow
def test_printing_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--patients", "30", "--visits", "3", "--repeat", "2",
         "--json", str(out)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    assert results["vault"]["visits"] == 3
    for figure in ("plan_standard", "plan_large", "packet"):
        assert results[figure]["median_ms"] > 0 and results[figure]["runs"] == 2
    assert results["packet"]["bytes"] > results["plan_standard"]["bytes"] > 1000
    assert "One plan, standard print" in done.stdout
    assert "PASS" in done.stdout or "FAIL" in done.stdout

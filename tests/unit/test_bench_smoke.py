"""The benchmark still runs end to end (on a tiny caseload), so it cannot rot unseen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "caseload.py"


@pytest.mark.slow
def test_caseload_benchmark_runs_and_reports_every_target(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--patients", "60", "--json", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    assert results["patients"] == 60
    assert {"unlock", "caseload", "search", "floor", "charts"} <= set(results)
    assert len(results["targets"]) == 5
    assert results["search"]["query_p95_ms"] > 0

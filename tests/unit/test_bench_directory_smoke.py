"""The directory benchmark still runs end to end (a small directory, two runs), so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "directory.py"


@pytest.mark.slow
def test_directory_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--services",
            "300",
            "--repeat",
            "2",
            "--referrals",
            "120",
            "--patients",
            "20",
            "--json",
            str(out),
        ],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    assert results["vault"]["services"] == 300
    searches = results["searches"]
    assert set(searches) == {
        "everything",
        "category",
        "language",
        "category and language",
        "one word",
        "two words",
        "word and category",
        "no match",
    }
    for name, figures in searches.items():
        assert figures["median_ms"] > 0 and figures["runs"] == 2, name
    assert searches["everything"]["rows"] == 200
    assert searches["no match"]["rows"] == 0
    assert 0 < searches["category"]["rows"] <= 200
    assert results["export"]["services"] == 300 and results["import"]["services"] == 300
    assert results["round_trip_exact"] is True
    assert results["referrals_built"]["open_referrals"] == 120
    assert results["referrals"]["open"]["rows"] >= 120  # the demo may add a few of its own
    assert results["referrals"]["all_with_history"]["median_ms"] > 0
    assert "Directory: 300 services" in done.stdout
    assert "PASS" in done.stdout or "FAIL" in done.stdout

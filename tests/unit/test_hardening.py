"""Process hardening (security.md L4): no core dumps, not dumpable, checked in a child."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from carenav.hardening import HardeningReport

CHILD = textwrap.dedent(
    """
    import json, resource
    from carenav.hardening import harden_process, is_dumpable
    before = {"dumpable": is_dumpable(), "core": resource.getrlimit(resource.RLIMIT_CORE)}
    report = harden_process()
    again = harden_process()
    print(json.dumps({
        "before": before,
        "dumpable": is_dumpable(),
        "core": resource.getrlimit(resource.RLIMIT_CORE),
        "report": [report.core_dumps_disabled, report.not_dumpable, list(report.skipped)],
        "again_complete": again.complete,
    }))
    """
)


def run_child() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr == ""
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_hardened_process_cannot_dump_core_and_is_not_dumpable() -> None:
    result = run_child()
    before = result["before"]
    assert isinstance(before, dict) and before["dumpable"] is True  # the test can fail
    assert result["dumpable"] is False  # prctl(PR_GET_DUMPABLE) == 0
    assert result["core"] == [0, 0]  # getrlimit(RLIMIT_CORE) == (0, 0)
    assert result["report"] == [True, True, []]
    assert result["again_complete"] is True


def test_report_says_what_was_skipped() -> None:
    partial = HardeningReport(core_dumps_disabled=True, not_dumpable=False, skipped=("x: why",))
    assert not partial.complete
    assert HardeningReport(core_dumps_disabled=True, not_dumpable=True).complete

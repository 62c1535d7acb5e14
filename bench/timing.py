"""Shared by the benchmarks: milliseconds, nearest-rank percentiles, a run summary, repeated
runs, and the made-up vaults' passphrase and cheap key derivation."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from carenav.store.header import KdfParams


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def percentile(values: Iterable[float], share: float) -> float:
    """Nearest-rank percentile (share 0.95 -> p95)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def summary(seconds: list[float]) -> dict[str, float]:
    """Median, p95 and maximum in milliseconds, and how many runs."""
    return {
        "median_ms": ms(statistics.median(seconds)),
        "p95_ms": ms(percentile(seconds, 0.95)),
        "max_ms": ms(max(seconds)),
        "runs": len(seconds),
    }


def repeated(action: Callable[[], Any], repeat: int) -> list[float]:
    """Run ``action`` ``repeat`` times; the seconds each run took."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


# every benchmark vault holds made-up patients only; unlock is not what is measured
PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)

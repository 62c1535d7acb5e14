"""Shared by the benchmarks: milliseconds, nearest-rank percentiles and a run summary."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable


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

"""Repeating a measurement: one warm-up, then the median of several timed runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

REPETITIONS = 5


def repeat(
    run: Callable[[], Any],
    *,
    before: Callable[[], Any] | None = None,
    after: Callable[[], Any] | None = None,
    repetitions: int = REPETITIONS,
    warm_up: int = 1,
) -> dict:
    """Time `run` (not `before`/`after`, which set up and undo its work) and summarise.

    Returns the median and every run in seconds, and what the last run returned.
    """
    runs: list[float] = []
    result = None
    for n in range(warm_up + repetitions):
        if before:
            before()
        started = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - started
        if after:
            after()
        if n >= warm_up:
            runs.append(elapsed)
    return {
        "median_s": round(statistics.median(runs), 6),
        "runs_s": [round(r, 6) for r in runs],
        "last": result,
    }

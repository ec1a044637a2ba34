"""`make bench`: every measurement of docs/benchmarks.md, on PostgreSQL and Redis, in one run.

    .venv/bin/python -m benchmarks.run            # the full run (under 30 minutes on 2 cores)
    .venv/bin/python -m benchmarks.run --quick    # small sizes, for working on the benchmarks

Writes benchmarks/results/latest.json (or quick.json) and, for a full run, docs/benchmarks.md.
A measurement that fails is recorded with its error; the others still run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import environment

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

FULL = {
    "page_sizes": (1_000, 1_000_000),
    "sweep_sizes": (10_000, 100_000, 1_000_000),
    "due": 1_000,
    "rate_due": 10_000,
    "messages": 10_000,
    "repetitions": 5,
}
QUICK = {
    "page_sizes": (1_000, 20_000),
    "sweep_sizes": (10_000, 20_000),
    "due": 1_000,
    "rate_due": 3_000,
    "messages": 1_000,
    "repetitions": 3,
}


class Run:
    """Runs the steps in order, timing each and keeping going past a failure."""

    def __init__(self, sizes: dict):
        self.sizes = sizes
        self.started = time.monotonic()
        self.results: dict = {
            "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "sizes": {key: list(v) if isinstance(v, tuple) else v for key, v in sizes.items()},
            "data_sets": {},
            "measurements": {},
            "load_average": {},
        }

    def step(self, key: str, function: Callable[[], dict]) -> dict | None:
        self.results["load_average"][key] = [round(x, 2) for x in os.getloadavg()]
        began = time.monotonic()
        print(f"[{time.monotonic() - self.started:7.1f}s] {key} …", flush=True)
        try:
            value = function()
        except Exception as error:
            value = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
        value["seconds"] = round(time.monotonic() - began, 1)
        print(f"          {json.dumps(value, ensure_ascii=False, default=str)[:400]}", flush=True)
        return value

    def generate(self, items: int) -> None:
        from benchmarks.generate import generate

        self.results["data_sets"][str(items)] = self.step(
            f"generate {items}", lambda: generate(items=items).as_dict()
        )

    def measure(self, measurement: str, label: str, function: Callable[[], dict]) -> None:
        environment.settle()
        self.results["measurements"].setdefault(measurement, {})[label] = self.step(
            f"{measurement} {label}", function
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer repetitions")
    parser.add_argument(
        "--skip", default="", help="comma-separated measurements to leave out (e.g. E1,P1)"
    )
    parser.add_argument("--note", default="", help="what else the machine was doing, for the doc")
    options = parser.parse_args()
    sizes = QUICK if options.quick else FULL
    skip = {name.strip().upper() for name in options.skip.split(",") if name.strip()}

    environment.configure()
    environment.migrate()
    from benchmarks import imports, mail, pages, report, sweeps, transitions

    run = Run(sizes)
    run.results["machine"] = environment.machine()
    run.results["note"] = options.note
    run.results["command"] = ".venv/bin/python -m benchmarks.run" + (
        " --quick" if options.quick else ""
    )
    reps = sizes["repetitions"]
    small, large = sizes["page_sizes"]
    sweep_sizes = sizes["sweep_sizes"]

    run.generate(small)
    if "Q1" not in skip:
        run.measure("Q1", str(small), lambda: pages.measure_pages(timed=False))
    for items in sweep_sizes:
        if items != small:
            run.generate(items)
        if "S1" not in skip:
            run.measure(
                "S1", str(items), lambda: sweeps.measure_sweep(sizes["due"], repetitions=reps)
            )
    if large != sweep_sizes[-1]:
        run.generate(large)
    label = str(large)
    if "S2" not in skip:
        run.measure("S2", label, lambda: sweeps.measure_sweep(sizes["rate_due"], repetitions=reps))
    if "P1" not in skip:
        run.measure("P1", label, lambda: sweeps.measure_reference(sizes["due"], repetitions=reps))
    if "Q1" not in skip or "Q2" not in skip:
        run.measure("Q2", label, lambda: pages.measure_pages(timed=True, repetitions=reps))
    if "L1" not in skip:
        run.measure("L1", label, lambda: transitions.measure_pgbench(repetitions=reps))
    if "T1" not in skip:
        run.measure("T1", label, lambda: transitions.measure_transitions(repetitions=reps))
    if "E1" not in skip:
        run.measure(
            "E1",
            label,
            lambda: mail.measure_mail(messages=sizes["messages"], repetitions=reps),
        )
    if "I1" not in skip:
        run.measure("I1", label, lambda: imports.measure_import(repetitions=reps))

    run.results["total_seconds"] = round(time.monotonic() - run.started, 1)
    run.results["load_average"]["end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "quick.json" if options.quick else "latest.json"
    (RESULTS / name).write_text(
        json.dumps(run.results, ensure_ascii=False, indent=2, default=str) + "\n"
    )
    if not options.quick:
        (ROOT / "docs" / "benchmarks.md").write_text(report.render(run.results))
    print(f"done in {run.results['total_seconds']} s; results in {RESULTS / name}")


if __name__ == "__main__":
    main()

"""S1 on its own: one sweep of DUE due deadlines among the data set of ITEMS items.

    python -m benchmarks.sweep_scale --items 100000 --due 1000

It generates the data set (benchmarks.generate) in the bench database, then times the sweep.
"""

from __future__ import annotations

import argparse
import json

from benchmarks import environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--repetitions", type=int, default=5)
    options = parser.parse_args()
    environment.configure()
    environment.migrate()
    from benchmarks.generate import generate
    from benchmarks.sweeps import measure_sweep

    print(generate(items=options.items).as_dict())
    print(json.dumps(measure_sweep(options.due, repetitions=options.repetitions)))


if __name__ == "__main__":
    main()

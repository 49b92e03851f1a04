"""Simulation benchmarks (issue: simulated time).

1. `zone-outage-500`: 500 workers in 3 zones running 5,000 workload pods plus the
   registry, a zone outage at 10 min and recovery at 40 min, 1 hour simulated.
   Target: <= 20 s wall.
2. Generated scenarios (`twin.strategies.scenarios`, the property tests' input):
   scenarios simulated per minute. Target: >= 50.

    .venv/bin/python bench/bench_simulation.py              # both
    .venv/bin/python bench/bench_simulation.py --generated 0 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from twin import strategies as ts
from twin.run import run_scenario
from twin.scenarios.load import load_scenario

SCENARIO = Path(__file__).parent / "scenarios" / "zone-outage-500.yaml"


def large_run() -> dict:
    scenario = load_scenario(str(SCENARIO))
    start = time.perf_counter()
    result = run_scenario(scenario)
    wall = time.perf_counter() - start
    pods = sum(r.kind == "PodCreated" for r in result.records)
    return {"scenario": scenario.spec.name, "simulated_seconds": scenario.spec.duration, "wall_seconds": round(wall, 2),
            "pods_created": pods, "records": len(result.records),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def generated_runs(count: int) -> dict:
    durations: list[float] = []

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(ts.scenarios())
    def simulate(scenario):
        start = time.perf_counter()
        run_scenario(scenario)
        durations.append(time.perf_counter() - start)

    start = time.perf_counter()
    simulate()
    wall = time.perf_counter() - start
    return {"generated_scenarios": len(durations), "wall_seconds": round(wall, 2),
            "scenarios_per_minute": round(60 * len(durations) / wall, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=100, help="generated scenarios to run (0: skip)")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = {}
    if not args.skip_large:
        figures["zone_outage_500"] = large_run()
    if args.generated:
        figures["generated"] = generated_runs(args.generated)
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

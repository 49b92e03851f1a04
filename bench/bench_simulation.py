"""Simulation benchmarks (issues: simulated time; a planner's day in seconds).

1. `zone-outage-500`: 500 workers in 3 zones running 5,000 workload pods plus the
   registry, a zone outage at 10 min and recovery at 40 min, 1 hour simulated.
   Target: <= 20 s wall.
2. Generated scenarios (`twin.strategies.scenarios`, the property tests' input):
   scenarios simulated per minute. Target: >= 600.
3. `--day-500`: `bench/scenarios/day-500.yaml`, a whole day of 500 workers, 5,000 app
   pods from 500 internal images, diurnal pulls averaging 30/s, pushes, 3 replicas with
   read limits and a one-hour zone outage: wall time, requests per wall second end to end
   and peak RSS (this process: run it alone). Target: <= 30 s, RSS < 1 GiB.
4. `--pull-storm`: the built-in `zone-failure-pull-storm` (1 h). Target: <= 2 s.
5. `--autoscaled-500`: `bench/scenarios/autoscaled-500.yaml`, 500 workers as 3 Single-AZ
   autoscaled pools, 5,000 app pods, the cluster autoscaler and a 30-minute zone outage,
   1 h simulated, evaluated as `twin run` does (its 1.2 GB events.csv is not written
   here: time `twin run ... --out DIR --quiet` for that). Target: `twin run` <= 20 s.

    .venv/bin/python bench/bench_simulation.py              # 1 and 2
    .venv/bin/python bench/bench_simulation.py --generated 0 --json
    .venv/bin/python bench/bench_simulation.py --skip-large --generated 0 --day-500 --json
    .venv/bin/python bench/bench_simulation.py --skip-large --generated 0 --autoscaled-500 --json
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
DAY = Path(__file__).parent / "scenarios" / "day-500.yaml"
AUTOSCALED = Path(__file__).parent / "scenarios" / "autoscaled-500.yaml"


def large_run() -> dict:
    scenario = load_scenario(str(SCENARIO))
    start = time.perf_counter()
    result = run_scenario(scenario)
    wall = time.perf_counter() - start
    pods = sum(r.kind == "PodCreated" for r in result.records)
    return {"scenario": scenario.spec.name, "simulated_seconds": scenario.spec.duration, "wall_seconds": round(wall, 2),
            "pods_created": pods, "records": len(result.records),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def timed_run(scenario_path: str) -> dict:
    """One scenario run as `twin run` evaluates it (the verdicts included): wall time,
    requests issued and requests per wall second end to end, peak RSS of this process."""
    from twin.analysis.outcome import evaluate

    scenario = load_scenario(scenario_path)
    start = time.perf_counter()
    outcome = evaluate(scenario, scenario.spec.seed, None)
    wall = time.perf_counter() - start
    issued = outcome.document["requests"]["issued"]
    return {"scenario": scenario.spec.name, "simulated_seconds": scenario.spec.duration, "wall_seconds": round(wall, 2),
            "requests": issued, "requests_per_wall_second": round(issued / wall),
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
    parser.add_argument("--day-500", action="store_true", help="also the day-500 benchmark (minutes before issue 13)")
    parser.add_argument("--pull-storm", action="store_true", help="also the built-in zone-failure-pull-storm")
    parser.add_argument("--autoscaled-500", action="store_true", help="also the autoscaled-500 benchmark")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = {}
    if args.day_500:
        figures["day_500"] = timed_run(str(DAY))
    if args.autoscaled_500:
        figures["autoscaled_500"] = timed_run(str(AUTOSCALED))
    if args.pull_storm:
        figures["zone_failure_pull_storm"] = timed_run("zone-failure-pull-storm")
    if not args.skip_large:
        figures["zone_outage_500"] = large_run()
    if args.generated:
        figures["generated"] = generated_runs(args.generated)
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

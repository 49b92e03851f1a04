"""`twin check` benchmark: how fast the search finds the 4.22 zone-loss stall and how far
it shrinks it (target: found within 60 s, shrunk to <= 3 zones and <= 6 workers per zone).

1. `known`: the built-in zone-failure-3-replicas on 4.22, as the issue states it:
       twin check zone-failure-3-replicas --openshift 4.22 --vary cluster.zones=1..4
           --vary cluster.workers_per_zone=1..8 --vary faults.zone_outage=any --time 60s
   Hypothesis tries the simplest variation first: 1 zone, 1 worker, the registry's zone
   lost at 1 min; a one-zone cluster cannot survive its zone, so that is the find.
2. `search` (several search seeds): scenarios/zone-stall-search.yaml (2 replicas, 30 min),
   where the simplest variation holds and the stall must be searched for:
       twin check bench/scenarios/zone-stall-search.yaml --vary registry.replicas=1..6
           --vary cluster.zones=2..4 --vary cluster.workers_per_zone=2..8
           --vary faults.zone_outage=any --invariant zone_failure_recovery --time 60s --seed S
   (at least 2 workers per zone: with 2 replicas the operator sets required pod
   anti-affinity, so 1 worker left in the surviving zone cannot take the replacement on
   any version; `twin check` finds that too.)
3. `holds`: the same search on 4.23, where the stall does not exist: examples per 60 s.

    .venv/bin/python bench/bench_check.py [--seeds N] [--time SECONDS] [--skip-holds] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from twin.check import search
from twin.scenarios.variation import ScenarioDocument

SEARCH = str(Path(__file__).parent / "scenarios" / "zone-stall-search.yaml")
KNOWN_VARIES = ["cluster.zones=1..4", "cluster.workers_per_zone=1..8", "faults.zone_outage=any"]
SEARCH_VARIES = ["registry.replicas=1..6", "cluster.zones=2..4", "cluster.workers_per_zone=2..8",
                 "faults.zone_outage=any"]


def figures(result) -> dict:
    values = {k: v for k, v in result.values.items() if not k.startswith("faults.")}
    faults = [f for k, v in result.values.items() if k.startswith("faults.") for f in v]
    return {"found": result.found, "first_find_seconds": _round(result.found_after),
            "total_seconds": round(result.elapsed, 2), "examples": result.examples,
            "simulations": result.simulations, "shrink_simulations": result.shrink_simulations,
            "stopped": result.stopped, "values": values, "faults": faults,
            "failed": [v.name for v in result.failed]}


def known(budget: float) -> dict:
    document = ScenarioDocument.read("zone-failure-3-replicas").with_values({"openshift": "4.22"})
    return figures(search(document, KNOWN_VARIES, time_budget=budget))


def searched(seed: int, budget: float, openshift: str) -> dict:
    document = ScenarioDocument.read(SEARCH).with_values({"openshift": openshift})
    return figures(search(document, SEARCH_VARIES, invariant="zone_failure_recovery", time_budget=budget, seed=seed))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="search seeds for the `search` case")
    parser.add_argument("--time", type=float, default=60.0, help="the --time budget of each check (seconds)")
    parser.add_argument("--skip-holds", action="store_true", help="skip the 4.23 run (it takes the whole budget)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = {"known": known(args.time),
              "search": {str(seed): searched(seed, args.time, "4.22") for seed in range(args.seeds)}}
    if not args.skip_holds:
        report["holds"] = searched(0, args.time, "4.23")
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

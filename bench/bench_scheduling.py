"""Scheduling throughput benchmark (issue: foundation).

Places REPLICAS replicas of one Deployment, each with the registry's three DoNotSchedule
spread constraints (hostname, worker role, zone; maxSkew 1) and resource requests, one
after another (each seeing the ones before), onto NODES worker nodes in 3 zones that
already run EXISTING unrelated pods. Prints pods/s and the peak resident memory.

    .venv/bin/python bench/bench_scheduling.py            # the issue's sizes
    .venv/bin/python bench/bench_scheduling.py --replicas 2000 --nodes 1000 --existing 1000
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

from twin.model.cluster import ClusterView
from twin.model.labels import LabelSelector
from twin.model.objects import (
    DO_NOT_SCHEDULE,
    HOSTNAME_KEY,
    REGION_KEY,
    WORKER_ROLE_KEY,
    ZONE_KEY,
    Container,
    Node,
    Pod,
    TopologySpreadConstraint,
)
from twin.model.scheduling import Scheduler

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
REGISTRY_LABELS = {"docker-registry": "default"}


def worker(i: int) -> Node:
    name = f"worker-{i:05d}"
    labels = {HOSTNAME_KEY: name, ZONE_KEY: ZONES[i % 3], REGION_KEY: "us-east-1", WORKER_ROLE_KEY: ""}
    return Node(name, labels, allocatable={"cpu": 16000, "memory": 64 << 30, "pods": 110})


def unrelated(i: int, node: str) -> Pod:
    return Pod(f"app-{i:05d}", "apps", {"app": f"app-{i % 50}"}, node, (Container("main", {"cpu": 500, "memory": 1 << 30}),))


def replica(i: int) -> Pod:
    selector = LabelSelector.of(REGISTRY_LABELS)
    constraints = tuple(TopologySpreadConstraint(1, key, DO_NOT_SCHEDULE, selector)
                        for key in (HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY))
    return Pod(f"image-registry-{i:05d}", "openshift-image-registry", REGISTRY_LABELS,
               containers=(Container("registry", {"cpu": 100, "memory": 256 << 20}),),
               topology_spread_constraints=constraints)


def run(replicas: int, nodes: int, existing: int, seed: int) -> dict:
    build_start = time.perf_counter()
    cluster = [worker(i) for i in range(nodes)]
    view = ClusterView(cluster, [unrelated(i, cluster[i % nodes].name) for i in range(existing)])
    pods = [replica(i) for i in range(replicas)]
    build = time.perf_counter() - build_start
    scheduler = Scheduler(rng=seed)
    start = time.perf_counter()
    unplaced = sum(scheduler.place(view, pod).selected is None for pod in pods)
    elapsed = time.perf_counter() - start
    return {
        "replicas": replicas, "nodes": nodes, "existing_pods": existing,
        "setup_seconds": round(build, 3), "place_seconds": round(elapsed, 3),
        "pods_per_second": round(replicas / elapsed, 1), "unplaced": unplaced,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=5_000)
    parser.add_argument("--existing", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)
    figures = run(args.replicas, args.nodes, args.existing, args.seed)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>16}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

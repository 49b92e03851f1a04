"""Request-path benchmarks (issue: request path; issue: capacity physics).

1. Throughput: one registry pod on 4 cores, read limiter maxRunning 8, maxInQueue 32,
   maxWaitInQueue 1 s; Poisson arrivals of manifest GETs at rho = 0.9 of the limiter
   (lambda = 0.9 * 8 / mean service); the full physics: the storage phase with its
   log-normal latencies and S3 calls against the object store's ceilings, the CPU
   shared by processor sharing, memory; plus the twin's request statistics and the
   pod's Prometheus metrics, handed over every 10 s as the engine does.
   Target: >= 150,000 simulated requests per wall second.
2. Memory: the same for 10 million requests. Target: peak RSS < 500 MiB.
3. `zone-failure-pull-storm` end to end, and `saturation-ramp` with --ramp (target 30 s).

    .venv/bin/python bench/bench_requests.py                        # 1 and 3 (the pull storm)
    .venv/bin/python bench/bench_requests.py --requests 10000000 --skip-scenario --json
    .venv/bin/python bench/bench_requests.py --skip-throughput --ramp
    TWIN_PURE_PYTHON=1 .venv/bin/python bench/bench_requests.py     # the plain-Python data plane

`bench/bench_physics_cost.py` compares the pull storm with the commit before the physics.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time

import numpy as np

import twin
from twin.model.registry.batch import Client
from twin.model.registry.metrics import RegistryMetrics
from twin.model.registry.requests import Kind
from twin.model.registry.resources.memory import MemoryParams
from twin.model.registry.resources.nodes import NetworkSpec
from twin.model.registry.resources.objectstore import ObjectStore, ObjectStoreParams
from twin.model.registry.auth import REVIEWS
from twin.model.registry.service import ServiceParams, StorageOp
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.exchange import CALL, Connection, Req
from twin.sim.traffic.flushing import completed, served
from twin.sim.traffic.plane import DataPlane
from twin.sim.traffic.pod import PodServer
from twin.sim.traffic.stats import RequestStats

SLOTS, RHO, CORES = 8, 0.9, 4.0
WINDOW, OBSERVE_EVERY = 1.0, 10


def mean_service(params: ServiceParams) -> float:
    """A manifest GET's mean time in its slot: GetContent, its API reviews (a
    SelfSubjectReview and an access review, `model/registry/auth.py`) and its CPU."""
    latency = params.storage_latency[StorageOp.GetContent]
    reviews = 0.0
    if params.review_latency is not None:
        review = params.review_latency
        reviews = REVIEWS[Kind.MANIFEST_GET] * review.median * math.exp(review.sigma**2 / 2)
    return latency.median * math.exp(latency.sigma**2 / 2) + reviews + params.cpu[Kind.MANIFEST_GET]


class Poisson:
    """Open-loop arrivals: each arrival schedules the next one (the heap stays small). The
    gaps are drawn in blocks, so the harness itself holds no per-request list."""

    BLOCK = 1 << 16

    def __init__(self, plane: DataPlane, rate: float, total: int, rng: np.random.Generator) -> None:
        self.plane, self.total, self.sent, self.mean, self.rng = plane, total, 0, 1 / rate, rng
        self.gaps: list[float] = []

    def gap(self) -> float:
        if not self.gaps:
            self.gaps = self.rng.exponential(self.mean, self.BLOCK).tolist()[::-1]
        return self.gaps.pop()

    def __call__(self, now: float) -> None:
        self.plane.send(Req(Kind.MANIFEST_GET, 2000, Client.PULL), Connection())
        self.sent += 1
        if self.sent < self.total:
            self.plane.schedule(now + self.gap(), CALL, self)


def throughput(requests: int, seed: int = 1) -> dict:
    params = ServiceParams()
    lam = RHO * SLOTS / mean_service(params)
    rng = np.random.default_rng(seed)
    plane = DataPlane(params, MemoryParams(), ObjectStore(ObjectStoreParams(), rng.spawn(1)[0]),
                      lambda node: NetworkSpec.of(156.25e6, 1.25e9), rng.spawn(1)[0], rng.spawn(1)[0])
    server = PodServer("registry-0", "node-0", RegistrySettings(read=Limits(SLOTS, 32, 1.0)), CORES, MemoryParams(), None,
                       0.0)
    plane.add_server(server)
    plane.endpoints = ["registry-0"]
    metrics = RegistryMetrics(major="4", minor="23", git_commit="0", git_version="v4.23.0")
    stats = RequestStats()
    source = Poisson(plane, lam, requests, rng)
    plane.schedule(source.gap(), CALL, source)
    t, windows = 0.0, 0
    start = time.perf_counter()
    while source.sent < requests or plane.pending:
        t += WINDOW
        plane.run_until(t)
        windows += 1
        if windows % OBSERVE_EVERY == 0 or not plane.pending:
            _observe(server, metrics, stats, t)
    wall = time.perf_counter() - start
    totals = stats.totals()
    rejected = sum(v for k, v in totals["outcomes"].items() if k.endswith("/429"))
    return {"data_plane": twin.DATA_PLANE, "requests": requests, "wall_seconds": round(wall, 3),
            "requests_per_second": round(requests / wall), "rejected_fraction": round(rejected / requests, 5),
            "peak_rss_mib": _rss()}


def _observe(server: PodServer, metrics: RegistryMetrics, stats: RequestStats, now: float) -> None:
    rows, server.done = server.done, []
    if not rows:
        return
    done = served(rows)
    stats.issued_counts[Client.PULL * len(Kind) + Kind.MANIFEST_GET] += len(rows)
    stats.finished(done, "registry-0")
    metrics.observe(now, completed(done))


def scenario_run(name: str) -> dict:
    from twin.run import run_scenario
    from twin.scenarios.load import load_scenario

    scenario = load_scenario(name)
    start = time.perf_counter()
    result = run_scenario(scenario)
    wall = time.perf_counter() - start
    issued = int(result.traffic.engine.stats.issued_counts.sum())
    return {"scenario": scenario.spec.name, "data_plane": twin.DATA_PLANE, "simulated_seconds": scenario.spec.duration,
            "wall_seconds": round(wall, 2), "requests": issued, "requests_per_second": round(issued / wall),
            "peak_rss_mib": _rss()}


def _rss() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2_000_000, help="requests for the throughput run")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-scenario", action="store_true", help="skip zone-failure-pull-storm")
    parser.add_argument("--ramp", action="store_true", help="also run saturation-ramp (1 h, 6.6 million requests)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = {}
    if not args.skip_throughput:
        figures["throughput"] = throughput(args.requests)
    if not args.skip_scenario:
        figures["zone_failure_pull_storm"] = scenario_run("zone-failure-pull-storm")
    if args.ramp:
        figures["saturation_ramp"] = scenario_run("saturation-ramp")
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, values in figures.items():
            print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(argv=None))

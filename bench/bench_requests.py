"""Request-path benchmarks (issue: request path).

1. Throughput: one registry pod, read limiter maxRunning 8, maxInQueue 32,
   maxWaitInQueue 1 s; Poisson arrivals at rho = 0.9 (lambda = 0.9 * 8 / mean service),
   exponential service (mean 20 ms); the full server semantics (storage gate, limiter,
   response codes, pending requests committed as they finish, limiter peaks recomputed
   from the requests' own times) with the pod's Prometheus metrics and the twin's request
   statistics on, in 1 s windows as the traffic engine runs them.
   Target: >= 150,000 simulated requests per wall second.
2. Memory: the same for 10 million requests. Target: peak RSS < 500 MiB.
3. `zone-failure-pull-storm` end to end (cluster, kubelet pulls, background load).

    .venv/bin/python bench/bench_requests.py                    # all three
    .venv/bin/python bench/bench_requests.py --requests 10000000 --skip-scenario --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np

from twin.model.registry.batch import Arrivals, Client, Served
from twin.model.registry.metrics import Completed, RegistryMetrics
from twin.model.registry.requests import Kind
from twin.model.registry.server import RegistryServer, ServiceDemand
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.stats import RequestStats

MEAN_SERVICE = 0.020
SLOTS = 8
RHO = 0.9
WINDOW = 1.0
OBSERVE_EVERY = 10  # windows between hand-overs to stats and metrics, as the engine's flush


def throughput(requests: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    lam = RHO * SLOTS / MEAN_SERVICE
    server = RegistryServer("registry-0", RegistrySettings(read=Limits(SLOTS, 32, 1.0)), lambda b, n: 0.0)
    metrics = RegistryMetrics(major="4", minor="23", git_commit="0", git_version="v4.23.0")
    stats = RequestStats()
    done_parts: list[Served] = []
    t, issued, windows = 0.0, 0, 0
    start = time.perf_counter()
    while issued < requests:
        n = min(int(rng.poisson(lam * WINDOW)), requests - issued)
        arrivals = Arrivals.of(np.sort(rng.uniform(t, t + WINDOW, n)), np.full(n, Kind.MANIFEST_GET), np.zeros(n),
                               Client.PULL)
        stats.issued(arrivals)
        server.serve(arrivals, _demand(rng, n))
        t += WINDOW
        done_parts.append(server.commit(t))
        issued, windows = issued + n, windows + 1
        if windows % OBSERVE_EVERY == 0:
            _observe(done_parts, metrics, stats, t)
    _observe(done_parts + [server.kill(t)], metrics, stats, t)
    wall = time.perf_counter() - start
    totals = stats.totals()
    rejected = sum(v for k, v in totals["outcomes"].items() if k.endswith("/429"))
    return {"requests": issued, "wall_seconds": round(wall, 3), "requests_per_second": round(issued / wall),
            "rejected_fraction": round(rejected / issued, 5), "peak_rss_mib": _rss()}


def _demand(rng, n: int) -> ServiceDemand:
    return ServiceDemand(rng.exponential(MEAN_SERVICE, n), np.full((n, 2), np.nan), np.zeros(n, np.int64),
                         np.full(n, 300, np.int64), np.full(n, 2000, np.int64), np.zeros(n, bool))


def _observe(parts: list[Served], metrics: RegistryMetrics, stats: RequestStats, now: float) -> None:
    done = Served.concat(parts)
    parts.clear()
    stats.finished(done, "registry-0")
    metrics.observe(now, Completed(kind=done.kind, code=done.code, start=done.start, end=done.end, cpu=done.cpu,
                                   storage=done.storage, transfer=done.transfer, request_bytes=done.request_bytes,
                                   response_bytes=done.response_bytes))


def scenario_run() -> dict:
    from twin.run import run_scenario
    from twin.scenarios.load import load_scenario

    scenario = load_scenario("zone-failure-pull-storm")
    start = time.perf_counter()
    result = run_scenario(scenario)
    wall = time.perf_counter() - start
    issued = int(result.traffic.engine.stats.issued_counts.sum())
    return {"scenario": scenario.spec.name, "simulated_seconds": scenario.spec.duration, "wall_seconds": round(wall, 2),
            "requests": issued, "requests_per_second": round(issued / wall), "peak_rss_mib": _rss()}


def _rss() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2_000_000, help="requests for the throughput run")
    parser.add_argument("--skip-scenario", action="store_true", help="skip the end-to-end scenario run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = {"throughput": throughput(args.requests)}
    if not args.skip_scenario:
        figures["zone_failure_pull_storm"] = scenario_run()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, values in figures.items():
            print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

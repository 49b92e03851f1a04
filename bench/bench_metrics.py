"""Registry metrics benchmark: `RegistryMetrics.observe` of 100,000-request batches of mixed
kinds and codes (`twin/model/registry/metrics.py`). Target: <= 0.15 s per batch, i.e. about
1.5 us per request. Also times one `exposition()` and reports peak RSS.

    .venv/bin/python bench/bench_metrics.py
    .venv/bin/python bench/bench_metrics.py --batch 100000 --batches 20 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np

from twin.model.registry.metrics import Completed, RegistryMetrics
from twin.model.registry.requests import STORAGE_OPERATIONS, SUCCESS_CODE, Kind


def batch(rng: np.random.Generator, n: int, t0: float) -> Completed:
    """n requests of mixed kinds: mostly successes, some 307 blob GETs, 429s, 405s, 503s and 0s."""
    kind = rng.choice(len(Kind), size=n, p=[0.2, 0.1, 0.3, 0.1, 0.05, 0.1, 0.05, 0.05, 0.04, 0.01]).astype(np.int8)
    code = np.array([int(SUCCESS_CODE[k]) for k in Kind], dtype=np.int16)[kind]
    code[(kind == Kind.BLOB_GET) & (rng.random(n) < 0.5)] = 307
    code[rng.random(n) < 0.05] = 429
    code[rng.random(n) < 0.01] = 405
    code[rng.random(n) < 0.005] = 503
    code[rng.random(n) < 0.001] = 0
    start = t0 + rng.random(n)
    storage = rng.lognormal(-5, 1, size=(n, 2))
    ops = np.array([len(STORAGE_OPERATIONS[k]) for k in Kind])[kind]
    storage[ops < 2, 1] = np.nan
    storage[ops < 1, 0] = np.nan
    end = start + storage[:, 0].clip(0) + np.nan_to_num(storage[:, 1]) + rng.exponential(0.05, n)
    return Completed(kind=kind, code=code, start=start, end=end, cpu=rng.exponential(1e-3, n), storage=storage,
                     transfer=rng.exponential(0.01, n), request_bytes=rng.integers(200, 2000, n),
                     response_bytes=rng.lognormal(10, 3, n).astype(np.int64))


def run(size: int, batches: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    inputs = [batch(rng, size, 60.0 * i) for i in range(batches)]
    metrics = RegistryMetrics(major="4", minor="23", git_commit="0000000", git_version="v4.23.0")
    metrics.observe(0.0, inputs[0])  # warm-up: children created, caches filled
    elapsed = []
    for i, b in enumerate(inputs):
        start = time.perf_counter()
        metrics.observe(60.0 * (i + 1), b)
        elapsed.append(time.perf_counter() - start)
    start = time.perf_counter()
    body = metrics.exposition(60.0 * (batches + 1))
    exposition = time.perf_counter() - start
    best, median = min(elapsed), float(np.median(elapsed))
    return {"batch": size, "batches": batches, "median_batch_seconds": round(median, 4), "best_batch_seconds": round(best, 4),
            "median_us_per_request": round(1e6 * median / size, 3), "exposition_seconds": round(exposition, 4),
            "exposition_bytes": len(body), "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.batch, args.batches, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"observe(): {result['median_batch_seconds']} s per {args.batch:,}-request batch "
              f"(median of {args.batches}; best {result['best_batch_seconds']} s) = "
              f"{result['median_us_per_request']} us per request (target <= 1.5)")
        print(f"exposition(): {result['exposition_seconds']} s, {result['exposition_bytes']:,} bytes; "
              f"peak RSS {result['peak_rss_mib']} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

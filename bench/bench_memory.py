"""Memory that stays flat (issue 13 item 4): what a long run keeps, by the module that
allocated it, as simulated time goes on.

The scenario (default `scenarios/day-500.yaml`, a whole day) runs with `tracemalloc` on
(one frame per allocation, so the run takes about twice as long); at a few instants of
simulated time a snapshot sums the live memory by the file that allocated it, and the
process's RSS is read. What grows between the first sample after the warm-up and the
end is either an output the user asked for (the event records behind events.csv, the
per-interval series behind queues.parquet, resources.parquet and requests.parquet, the
latency windows), or state the modelled system itself grows (a registry's storage holds
every blob pushed to it), or a leak. The table names each file's growth; the files
whose memory is an output are marked (`OUTPUTS`), and `beyond_outputs_mib` is the growth
of everything else.

    .venv/bin/python bench/bench_memory.py                       # day-500, ≈ 3 minutes
    .venv/bin/python bench/bench_memory.py --scenario zone-failure-pull-storm --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc

import twin.run as run_module
from twin.run import run_scenario
from twin.scenarios.load import load_scenario

DAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios", "day-500.yaml")
SAMPLES = (4, 25, 50, 75, 100)
"""Hundredths of the simulated time at which a snapshot is taken (the first: after the warm-up)."""
OUTPUTS = {
    "twin/sim/recorder.py": "event records (events.csv, the summary's findings)",
    "twin/sim/traffic/stats.py": "per-sample queue series and limiter peaks (queues.parquet), "
                                 "per-interval outcomes (requests.parquet), latency windows (latency.parquet)",
    "twin/sim/traffic/usage.py": "per-interval resource rows (resources.parquet)",
    "twin/model/registry/summaries.py": "latency windows' sparse counts (latency.parquet)",
}
"""Files whose allocations that outlive a flush are outputs, and which outputs."""


def rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def by_file(snapshot: tracemalloc.Snapshot) -> dict[str, int]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(run_module.__file__)))
    sizes: dict[str, int] = {}
    for stat in snapshot.statistics("filename"):
        name = stat.traceback[0].filename
        name = _outside(name) if "site-packages/" in name or not name.startswith(root) else os.path.relpath(name, root)
        sizes[name] = sizes.get(name, 0) + stat.size
    return sizes


def _outside(name: str) -> str:
    """A library's file as `package/…` (site-packages and the standard library stripped)."""
    for marker in ("site-packages/", "lib/python3"):
        if marker in name:
            return name.split(marker, 1)[1].lstrip("/0123456789.")
    return name


def transient(engine) -> dict[str, int]:
    """What the data plane holds at the instant and lets go of later (each bounded): the
    requests in flight (open or queued at a pod), events waiting, ended requests waiting
    for the next flush (every 10 s) and flushed rows and ended sessions waiting to be
    counted (every 100,000)."""
    plane, stats = engine.plane, engine.stats
    servers = list(plane.servers.values())
    return {"in_flight": sum(len(s.open) + s.running_and_queued()[1] for s in servers), "events": plane.pending,
            "ended_unflushed": sum(len(s.done) for s in servers) + len(plane.unrouted),
            "rows_uncounted": stats.pending.rows, "sessions_uncounted": len(stats.tally.clients)}


def measure(path: str) -> dict:
    scenario = load_scenario(path)
    samples: list[dict] = []
    started = time.perf_counter()
    worlds: list = []
    build_world = run_module.build_world

    def keep_world(*args, **kwargs):  # the run's traffic engine, for `transient`
        built = build_world(*args, **kwargs)
        worlds.append(built)
        return built

    def progress(now: float, duration: float) -> None:
        step = round(now / duration * run_module.PROGRESS_STEPS)
        if step in SAMPLES:
            paused = time.perf_counter()
            sizes = by_file(tracemalloc.take_snapshot())
            samples.append({"simulated_hours": round(now / 3600, 2), "rss_mib": round(rss_mib(), 1),
                            "traced_mib": round(sum(sizes.values()) / 2**20, 1), "files": sizes,
                            **transient(worlds[0][2].engine)})
            nonlocal started
            started += time.perf_counter() - paused  # snapshots are not the run's time

    run_module.build_world = keep_world
    tracemalloc.start(1)
    try:
        result = run_scenario(scenario, progress=progress)
    finally:
        run_module.build_world = build_world
    wall = time.perf_counter() - started
    tracemalloc.stop()
    first, last = samples[0], samples[-1]
    growth = {name: last["files"].get(name, 0) - first["files"].get(name, 0)
              for name in set(first["files"]) | set(last["files"])}
    beyond = sum(size for name, size in growth.items() if name not in OUTPUTS)
    return {
        "scenario": result.scenario, "simulated_hours": round(result.duration / 3600, 2),
        "wall_seconds_traced": round(wall, 1), "records": len(result.records),
        "samples": [{k: v for k, v in s.items() if k != "files"} for s in samples],
        "growth_mib_by_file": {name: round(size / 2**20, 2) for name, size in
                               sorted(growth.items(), key=lambda item: -abs(item[1]))[:15]},
        "outputs_mib": round(sum(growth.get(name, 0) for name in OUTPUTS) / 2**20, 2),
        "beyond_outputs_mib": round(beyond / 2**20, 2),
        "from_hours": first["simulated_hours"], "to_hours": last["simulated_hours"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=DAY, help="a scenario file or built-in name (default: day-500)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = measure(args.scenario)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"{figures['scenario']}: {figures['simulated_hours']} h simulated, {figures['wall_seconds_traced']} s "
          f"with tracemalloc, {figures['records']:,} records")
    columns = ("in_flight", "events", "ended_unflushed", "rows_uncounted", "sessions_uncounted")
    print(f"{'hours':>6} {'RSS MiB':>8} {'traced MiB':>11} " + " ".join(f"{c:>18}" for c in columns))
    for sample in figures["samples"]:
        print(f"{sample['simulated_hours']:>6} {sample['rss_mib']:>8} {sample['traced_mib']:>11} "
              + " ".join(f"{sample[c]:>18,}" for c in columns))
    print(f"growth from {figures['from_hours']} h to {figures['to_hours']} h, by allocating file (MiB):")
    for name, mib in figures["growth_mib_by_file"].items():
        print(f"  {mib:>8.2f}  {name}{'  [output: ' + OUTPUTS[name] + ']' if name in OUTPUTS else ''}")
    print(f"outputs {figures['outputs_mib']} MiB; everything else {figures['beyond_outputs_mib']} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

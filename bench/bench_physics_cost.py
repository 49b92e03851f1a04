"""What the capacity physics costs end to end (issue: capacity physics): the wall time of
`zone-failure-pull-storm` (`run_scenario` only, imports excluded) at a commit before the
physics and at this checkout, compiled and as plain Python, measured in one run with
the rounds interleaved. Target: this checkout no more than 1.5x slower than before.

    .venv/bin/python bench/bench_physics_cost.py                   # before = 167b27d, 3 rounds
    .venv/bin/python bench/bench_physics_cost.py --before <commit> --rounds 5 --json

The earlier commit is checked out with `git worktree` into a temporary folder (removed
afterwards) and run with this virtualenv's Python, its `twin` package found first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "167b27d"  # the last commit before the capacity physics
SCENARIO = "zone-failure-pull-storm"
TIMER = ("import time; from twin.run import run_scenario; from twin.scenarios.load import load_scenario; "
         f"s = load_scenario({SCENARIO!r}); t = time.perf_counter(); r = run_scenario(s); "
         "print(time.perf_counter() - t, int(r.traffic.engine.stats.issued_counts.sum()))")


def timed(source: Path, pure: bool = False) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONHASHSEED": "0"}
    env.pop("TWIN_PURE_PYTHON", None)
    if pure:
        env["TWIN_PURE_PYTHON"] = "1"
    out = subprocess.run([sys.executable, "-c", TIMER], env=env, capture_output=True, text=True, check=True, cwd=source)
    seconds, requests = out.stdout.split()
    return float(seconds), int(requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.before], check=True,
                       capture_output=True)
        try:
            cases = {"before": lambda: timed(old), "compiled": lambda: timed(ROOT),
                     "python": lambda: timed(ROOT, pure=True)}
            times: dict[str, list[float]] = {name: [] for name in cases}
            requests: dict[str, int] = {}
            for round_ in range(args.rounds):
                order = list(cases) if round_ % 2 == 0 else list(reversed(cases))
                for name in order:
                    seconds, requests[name] = cases[name]()
                    times[name].append(seconds)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False,
                           capture_output=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    figures = {"scenario": SCENARIO, "before": args.before, "rounds": args.rounds,
               "median_seconds": {k: round(v, 2) for k, v in medians.items()},
               "all_seconds": {k: [round(x, 2) for x in v] for k, v in times.items()}, "requests": requests,
               "ratio_compiled": round(medians["compiled"] / medians["before"], 2),
               "ratio_python": round(medians["python"] / medians["before"], 2)}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`twin calibrate` on the issue's sizes (issue: meet reality): about 1 million access-log
lines, and a day of 30 s scrapes of 3 pods. Targets: each ≤ 30 s and < 1 GiB. And the
replay of the 1 million lines through 3 replicas (`traffic.replay`): target ≤ 30 s
(`twin run`, the log's reading included).

The inputs are the twin's own (`twin run --access-log`, `--metrics-every 30s`): a
`peak-load` run gives 1.7 million lines (the first 1,000,000 are kept); a day of
scrapes comes from a 24 h scenario of 3 replicas at a low pull rate. Each calibration runs
in a child process so its peak RSS is its own.

    .venv/bin/python bench/bench_calibrate.py [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

LINES = 1_000_000
DAY = textwrap.dedent("""\
    name: a-day-of-scrapes
    seed: 1
    duration: 24h
    registry: {config: {spec: {replicas: 3, managementState: Managed, storage: {s3: {}}}}}
    traffic: {background: {pulls: {constant: 0.5}}}
    invariants: [{name: request_conservation}]
    """)
REPLAY = textwrap.dedent("""\
    name: replay-a-million
    seed: 1
    duration: {duration}s
    registry: {{config: {{spec: {{replicas: 3, managementState: Managed, storage: {{s3: {{}}}}}}}}}}
    traffic: {{warm_up: 2m, background: {{pulls: {{constant: 0}}}}, replay: {{access_log: lines.log}}}}
    invariants: [{{name: request_conservation}}]
    """)
MEASURE = ("import resource, sys, time; from twin.cli import main; t = time.perf_counter(); "
           "code = main(sys.argv[1:]); print(time.perf_counter() - t, "
           "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, code)")


def twin(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "twin", *args], check=True)


def measured(*args: str) -> dict:
    """`twin ARGS --quiet` in a child process: its wall seconds (imports excluded), peak RSS, exit code."""
    child = subprocess.run([sys.executable, "-c", MEASURE, *args, "--quiet"], check=False, capture_output=True, text=True)
    out = child.stdout.split()
    if len(out) != 3:
        raise RuntimeError(f"twin {' '.join(args)} failed: {child.stderr[-2000:]}")
    return {"seconds": round(float(out[0]), 2), "peak_rss_mib": round(float(out[1]), 1), "exit": int(out[2])}


def calibrate(*args: str) -> dict:
    return measured("calibrate", *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        twin("run", "peak-load", "--out", str(tmp / "load"), "--access-log", "--quiet")
        with (tmp / "load" / "access.log").open() as source, (tmp / "lines.log").open("w") as target:
            for n, line in enumerate(source):
                if n == LINES:
                    break
                target.write(line)
        figures["access_log_1M_lines"] = calibrate("--access-log", str(tmp / "lines.log"), "--out", str(tmp / "a"))
        (tmp / "replay.yaml").write_text(REPLAY.format(duration=3000))
        figures["replay_1M_lines"] = measured("run", str(tmp / "replay.yaml"))
        (tmp / "day.yaml").write_text(DAY)
        started = time.perf_counter()
        twin("run", str(tmp / "day.yaml"), "--out", str(tmp / "day"), "--metrics-every", "30s", "--quiet")
        scrapes = sum(1 for _ in (tmp / "day" / "metrics").rglob("*.prom"))
        figures["day_of_scrapes"] = {**calibrate("--metrics", str(tmp / "day"), "--interval", "5m", "--out", str(tmp / "m")),
                                     "scrapes": scrapes, "generated_in_seconds": round(time.perf_counter() - started, 1)}
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for name, f in figures.items():
            print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in f.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

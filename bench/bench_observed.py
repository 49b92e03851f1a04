"""Access-log parsing benchmark (`twin/observed/accesslog.py`): 1,000,000 JSON
application-log lines and 1,000,000 combined access-log lines, generated in a temporary
folder by repeating the real distribution 2.8.2 lines of `tests/observed/data/` with
perturbed times, request ids, durations, sizes and repositories; prints lines/s and the
peak RSS of the process (target for a whole calibration: <= 30 s and < 1 GiB for 1 M
lines; parsing should be a small part of it). Each format is parsed in a child process so
its peak RSS is its own.

    .venv/bin/python bench/bench_observed.py [--lines N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "observed" / "data" / "distribution-2.8.2"


def generate(kind: str, lines: int, out: Path, seed: int = 1) -> Path:
    """`lines` lines of the real log `kind`, repeated with perturbed fields."""
    rng = random.Random(seed)
    source = "app-json.log" if kind == "json" else "access-combined.log"
    real = [line for line in (DATA / source).read_text().splitlines()]
    path = out / f"{kind}.log"
    base = 1796530913.0
    with path.open("w") as f:
        for i in range(lines):
            line = real[i % len(real)]
            repo = f"ns{rng.randrange(200)}/app{rng.randrange(50)}"
            line = line.replace("apps/one", repo)
            t = base + i * 0.002
            if kind == "json":
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e9):09d}Z"
                line = re.sub(r'"time":"[^"]*"', f'"time":"{stamp}"', line)
                line = re.sub(r'"http.response.duration":"[^"]*"',
                              f'"http.response.duration":"{rng.uniform(0.2, 40):.6f}ms"', line)
                line = re.sub(r'"http.request.id":"[^"]*"', f'"http.request.id":"{i:08x}-bench"', line)
            else:
                stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t))
                line = re.sub(r"\[[^\]]*\]", f"[{stamp}]", line, count=1)
            f.write(line + "\n")
    return path


def measure(path: str) -> dict:
    from twin.observed.accesslog import read_access_log

    start = time.perf_counter()
    frame = read_access_log(path)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"lines": frame.attrs["lines"], "requests": len(frame), "seconds": round(seconds, 2),
            "lines_per_second": round(frame.attrs["lines"] / seconds), "peak_rss_mib": round(rss / 2**20)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("json", "combined"):
            path = generate(kind, args.lines, Path(tmp))
            out = subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True,
                                 capture_output=True, text=True).stdout
            results[kind] = json.loads(out)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for kind, r in results.items():
            print(f"{kind:9s} {r['lines']:>9,} lines -> {r['requests']:>9,} requests in {r['seconds']:6.2f} s: "
                  f"{r['lines_per_second']:>9,} lines/s, peak RSS {r['peak_rss_mib']} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

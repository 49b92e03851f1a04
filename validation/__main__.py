"""`python -m validation smoke --out DIR`: a measurement of seconds (push, two skopeo
pulls, one load level); `python -m validation measure --level RATE:SECONDS ... --out DIR`;
`python -m validation validate --out DIR`: the whole validation (`make validate`);
`validate --reuse` calibrates and predicts again from the measurements already in DIR
(after a change to the twin or its calibration: seconds instead of minutes)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from validation.measure import measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation", description=__doc__)
    parser.add_argument("command", choices=("smoke", "measure", "validate"))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--level", action="append", default=[], help="pull sessions per second:seconds (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="validate: use the measurements already in --out")
    args = parser.parse_args(argv)
    if args.command == "validate":
        from validation.validate import validate
        validate(args.out, seed=args.seed, reuse=args.reuse)
        return 0
    levels = [(5.0, 5.0)] if args.command == "smoke" else [_level(text) for text in args.level]
    if not levels:
        parser.error("measure needs at least one --level RATE:SECONDS")
    document = measure(args.out, levels, seed=args.seed)
    json.dump(document["levels"], sys.stdout, indent=1)
    print()
    return 0


def _level(text: str) -> tuple[float, float]:
    rate, _, seconds = text.partition(":")
    return float(rate), float(seconds)


if __name__ == "__main__":
    sys.exit(main())

"""`twin sweep`: a scenario for every combination of --param values × seeds on Dask (a thin
shell over `twin.sweep.run_sweep`); print the aggregate and where the tables are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.cli.outputs import folder_output
from twin.cli.terminal import is_terminal
from twin.errors import InputError
from twin.scenarios.variation import ScenarioDocument
from twin.sweep import SweepResult, parse_param, run_sweep
from twin.sweep.store import DEFINITION, RUNS, TABLES
from twin.sweep.text import aggregate_text

EXAMPLES = """examples:
  twin sweep zone-failure --param registry.replicas=2,3,4,6 --seeds 10
  twin sweep zone-failure-pull-storm --param registry.replicas=2,3,4,6 --param registry.requests.read.maxRunning=0,50 --seeds 5
  twin sweep zone-failure-3-replicas --param openshift=4.22,4.23 --seeds 5 --out sweeps/zf3
  twin sweep my-scenario.yaml --param duration=15m,30m --workers 1 --quiet
  twin sweep zone-failure --param cluster.workers_per_zone=1,2,3 --seeds 20 --scheduler tcp://10.0.0.5:8786
"""
PARAM_HELP = ("a scenario path and its values, PATH=V1,V2,... (e.g. registry.replicas=2,3,4, duration=15m,1h; "
              "paths: twin/scenarios/variation.py, docs/sweeps.md); each value is read as YAML reads a scalar. "
              "Repeatable: the sweep runs the cartesian product")


def register(commands) -> None:
    parser = commands.add_parser(
        "sweep", help="run a scenario over a grid of parameter values and seeds (Dask)",
        description="Run a scenario (a YAML file or a built-in name) for every combination of the --param values and "
                    "--seeds seeds on Dask: a local cluster of worker processes by default, or an existing scheduler. "
                    "Each finished run is saved at once in OUT/runs/, so running the same command again after an "
                    "interruption only runs what is missing. Writes OUT/runs.parquet (one row per run: parameters, "
                    "seed, exit status, invariant verdicts, KPIs) and OUT/aggregate.parquet (per combination: mean, "
                    "std and 95 % confidence interval across seeds; share of seeds holding each invariant), and prints "
                    "the aggregate. Exit code 0 when the sweep completed, 2 on bad input (nothing runs).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file or built-in name")
    parser.add_argument("--param", metavar="PATH=VALUES", action="append", default=[], help=PARAM_HELP)
    parser.add_argument("--seeds", metavar="N", type=int, default=1,
                        help="seeds per combination: the scenario's seed s, s+1, ..., s+N-1 (default 1: as `twin run`)")
    parser.add_argument("--out", metavar="DIR", help="folder for sweep.json, runs/ and the tables "
                                                     "(default: sweeps/<scenario name>/ in the current directory)")
    parser.add_argument("--workers", metavar="N", type=int,
                        help="worker processes of the local cluster (default: one per core; 0: run in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786 "
                                                               "(its workers need twin installed)")
    parser.add_argument("--openshift", metavar="VERSION", help="override the scenario's OpenShift version (4.21-4.23)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no table; rely on the files")
    parser.set_defaults(run=run)


def run(args) -> int:
    params = parse_params(args.param)
    out = _folder(args.out) if args.out is not None else None
    document = ScenarioDocument.read(args.scenario)
    if out is None:
        out = _folder(str(Path("sweeps") / document.scenario().spec.name))
    try:
        result = run_sweep(document, params, args.seeds, openshift=args.openshift, out=out, workers=args.workers,
                           scheduler=args.scheduler, progress=not args.quiet and is_terminal(sys.stderr))
    except KeyboardInterrupt:
        print(f"twin: interrupted; the finished runs are kept in {out / 'runs'}: run the same command again to "
              "finish the sweep", file=sys.stderr)
        return 130
    if not args.quiet:
        print(report(result))
    return 0


def _folder(text: str) -> Path:
    return folder_output("--out", text, files=(DEFINITION, *TABLES), folders=(RUNS,))


def parse_params(texts: list[str]) -> dict[str, list]:
    """--param PATH=V1,V2 … in order; a path given twice is refused."""
    params: dict[str, list] = {}
    for text in texts:
        path, values = parse_param(text)
        if path in params:
            raise InputError("--param", path, "expected each path once; list all its values in one --param")
        params[path] = values
    return params


def report(result: SweepResult) -> str:
    total = len(result.plan.runs)
    lines = [aggregate_text(result.aggregate, result.plan.paths), "",
             f"{total} runs: {result.ran} ran now, {result.skipped} already done (in {result.out})",
             f"results: {result.out / 'runs.parquet'} (one row per run), {result.out / 'aggregate.parquet'}"]
    return "\n".join(lines)

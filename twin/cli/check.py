"""`twin check`: search around a scenario for a violated invariant (a thin shell over
`twin.check.search`); print what was found and write counterexample.yaml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.check import FAULT_KINDS, FILE_NAME, CheckResult, search
from twin.check.counterexample import value_lines, verdict_lines
from twin.check.explore import DEFAULT_MAX_SHRINKS
from twin.cli.inputs import version_option
from twin.cli.outputs import folder_output
from twin.errors import InputError
from twin.files import write_text
from twin.scenarios.fields import seconds
from twin.model.bounds import check_seed

EXAMPLES = """examples:
  twin check zone-failure-3-replicas --openshift 4.22 --vary cluster.zones=1..4 --vary faults.zone_outage=any
  twin check zone-failure-3-replicas --openshift 4.22 --vary cluster.workers_per_zone=1..8 --vary faults.node_crash=any
  twin check zone-failure --vary registry.replicas=1..6 --vary faults.zone_outage=any --invariant zone_failure_recovery
  twin check my-scenario.yaml --vary faults.node_crash=any --time 60s --out checks/
  twin check peak-load --vary registry.requests.read.maxRunning=1..50 --invariant rejection_rate --max-examples 30
"""
VARY_HELP = (f"what to vary: a scenario path (docs/scenarios.md, e.g. cluster.zones, registry.replicas, duration) set "
             f"to an integer range a..b or to choices v1,v2,...; or faults.KIND=any with KIND one of "
             f"{', '.join(FAULT_KINDS)} (a fault of that kind anywhere in the run; docs/check.md). Repeatable")


def register(commands) -> None:
    parser = commands.add_parser(
        "check", help="search around a scenario for a violated invariant (Hypothesis)",
        description="Vary a scenario (a YAML file or a built-in name) along the --vary paths with Hypothesis, simulate "
                    "each variation and judge its invariants; shrink the first failure to a minimal scenario, print "
                    "it with its evidence and write it to counterexample.yaml, which `twin run` reproduces. Exit "
                    "code 1 when a counterexample was found, 0 when the budget ran out without one, 2 on bad input.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file or built-in name")
    parser.add_argument("--vary", metavar="PATH=SPEC", action="append", default=[], help=VARY_HELP)
    parser.add_argument("--invariant", metavar="NAME", help="only this invariant counts (added with its defaults "
                                                             "when the scenario lacks it); default: any of the scenario's")
    parser.add_argument("--max-examples", metavar="N", type=int, help="examples to try (default 100; with --time, "
                                                                       "no limit)")
    parser.add_argument("--time", metavar="DURATION", help="wall-clock budget for the search, e.g. 60s; shrinking a "
                                                           "find may take as long again")
    parser.add_argument("--max-shrinks", metavar="N", type=int, default=DEFAULT_MAX_SHRINKS,
                        help=f"simulations allowed for shrinking a find (default {DEFAULT_MAX_SHRINKS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search (default 0): the same command finds "
                                                            "the same counterexample")
    parser.add_argument("--openshift", metavar="VERSION", help="override the scenario's OpenShift version (4.21-4.23)")
    parser.add_argument("--out", metavar="DIR", default=".", help=f"write {FILE_NAME} here (default: the current "
                                                                   f"directory)")
    parser.add_argument("--quiet", action="store_true", help="print nothing; rely on the exit code and the file")
    parser.set_defaults(run=run)


def run(args) -> int:
    check_seed(args.seed, "--seed")
    openshift = version_option(args.openshift).name if args.openshift else None
    out = folder_output("--out", args.out, files=(FILE_NAME,))
    result = search(args.scenario, args.vary, invariant=args.invariant, max_examples=args.max_examples,
                    time_budget=_time_budget(args.time), seed=args.seed, max_shrinks=args.max_shrinks,
                    openshift=openshift)
    path = out / FILE_NAME
    if result.found and not _written(path, result.text or ""):
        return 1
    if not args.quiet:
        print("\n".join(report_lines(result, path)))
    return 1 if result.found else 0


def _written(path: Path, text: str) -> bool:
    """Write the counterexample; when that fails after all (the disk changed during the
    search), print it on stdout instead, so the search is never lost, and say so on
    stderr (even with --quiet: there is no file to rely on)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
        return True
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"twin: error: --out: could not write {str(path)!r} ({reason}); the counterexample follows on stdout: "
              f"save it as {FILE_NAME} and reproduce it with `twin run {FILE_NAME}`", file=sys.stderr)
        sys.stdout.write(text)
        return False


def report_lines(result: CheckResult, path: Path) -> list[str]:
    """What the check found (or did not), for people."""
    if not result.found:
        return [f"no counterexample: {', '.join(result.counted)} held in {result.examples} example(s) "
                f"({result.simulations} simulation(s), {result.elapsed:.1f} s; stopped: {result.stopped})"]
    return [f"counterexample after {result.examples} example(s) ({result.found_after:.1f} s), shrunk with "
            f"{result.shrink_simulations} more simulation(s) ({result.elapsed:.1f} s in all):",
            *(f"  {line}" for line in value_lines(result.values)),
            "fails:", *(f"  {line}" for line in verdict_lines(result.failed)),
            f"written: {path}", f"reproduce: twin run {path}"]


def _time_budget(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = seconds(float(text) if text.replace(".", "", 1).isdigit() else text)
    except ValueError as exc:
        raise InputError("--time", "", str(exc)) from None
    if value <= 0:
        raise InputError("--time", "", f"expected a positive duration, got {text!r}")
    return value

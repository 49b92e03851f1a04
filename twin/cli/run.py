"""`twin run`: simulate a scenario and judge its invariants; `twin scenarios`: list the
built-in library."""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from twin.analysis.outcome import evaluate
from twin.analysis.summary import summary_text
from twin.cli.inputs import version_option
from twin.cli.outputs import ACCESS_LOG, file_output, run_folder_output
from twin.cli.terminal import paint_verdicts, progress_line, use_colour
from twin.errors import InputError
from twin.model.bounds import MIN_SCRAPE_INTERVAL, check_seed
from twin.files import staged_folder
from twin.report.junit import write_junit
from twin.scenarios.fields import seconds
from twin.scenarios.load import library_names, load_scenario

EXAMPLES = """examples:
  twin run zone-failure
  twin run zone-failure-3-replicas --openshift 4.22 --out runs/zf3-422
  twin run my-scenario.yaml --seed 7 --out out/
  twin run zone-failure --quiet --junit reports/zone-failure.xml
  twin run zone-failure-pull-storm --report
"""
REPORTS = Path("reports")
"""Where `--report` writes the run without --out: reports/<scenario name>/."""
LAST = ("summary.json", "report.md", "report.html")
"""Moved into an existing --out folder last: the files that say the run (its report) is complete."""
SCENARIOS_EXAMPLES = """examples:
  twin scenarios
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "run", help="simulate a scenario and check its invariants",
        description="Run a scenario (a YAML file or a built-in name, see `twin scenarios`) in simulated time, print "
                    "a summary and, with --out, write summary.json and events.csv. Exit code 0 when every "
                    "invariant holds, 1 when one fails, 2 on bad input.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file or built-in name")
    parser.add_argument("--seed", type=int, help="override the scenario's seed")
    parser.add_argument("--openshift", metavar="VERSION", help="override the scenario's OpenShift version (4.21-4.23)")
    parser.add_argument("--out", metavar="DIR", help="write summary.json and events.csv here")
    parser.add_argument("--quiet", action="store_true", help="print nothing; rely on the exit code and --out")
    parser.add_argument("--report", action="store_true",
                        help="also write report.html (self-contained), report.md and plots/ into the run folder "
                             "(--out, default reports/<scenario name>/); see `twin report`")
    parser.add_argument("--junit", metavar="FILE", help="write the verdicts as JUnit XML (one testcase per invariant)")
    parser.add_argument("--metrics-every", metavar="DURATION", type=_duration,
                        help="scrape every registry pod at this interval (e.g. 30s) as Prometheus would, and write "
                             "each scrape to metrics/<pod>/<time>.prom plus metrics.parquet (needs --out)")
    parser.add_argument("--access-log", action="store_true",
                        help="also write access.log: a line per request, as the OpenShift registry logs it, which "
                             "`twin calibrate --access-log` reads (needs --out)")
    parser.set_defaults(run=run)
    listing = commands.add_parser("scenarios", help="list the built-in scenarios",
                                  description="List the built-in scenario library with descriptions.",
                                  epilog=SCENARIOS_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    listing.set_defaults(run=list_scenarios)


def run(args) -> int:
    if args.seed is not None:
        check_seed(args.seed, "--seed")
    junit = file_output("--junit", args.junit) if args.junit is not None else None
    out = _run_folder("--out", args.out, args) if args.out is not None else None
    scenario = load_scenario(args.scenario)
    openshift = version_option(args.openshift).name if args.openshift else None
    if out is None and args.report:
        out = _run_folder("--report", str(REPORTS / scenario.spec.name), args)
    if args.metrics_every is not None and out is None:
        raise InputError("--metrics-every", "", "expected --out as well: the scrapes are written there")
    if args.access_log and out is None:
        raise InputError("--access-log", "", "expected --out as well: access.log is written there")
    written = ""
    with staged_folder(out, last=LAST) if out is not None else nullcontext() as folder:
        with access_log(folder if args.access_log else None) as log:
            outcome, wall_seconds = judge(scenario, args, openshift, log)
        if out is not None and folder is not None:
            from twin.report.run_outputs import write_run_folder  # pandas, networkx: only with --out
            write_run_folder(folder, outcome, scenario)
            if args.report:
                from twin.report.run_report import write_report  # matplotlib: only for --report

                plots = len(write_report(folder).plots)
                written = f"\nreport: {out / 'report.html'} (report.md, {plots} plot files in plots/)"
    result, verdicts, document = outcome.result, outcome.verdicts, outcome.document
    if not args.quiet:
        from twin.cli import one_line  # the package imports this module first

        for warning in outcome.warnings:  # legitimate but probably not meant (twin/analysis/sanity.py)
            print(f"twin: warning: {one_line(str(warning))}", file=sys.stderr)
    if junit is not None:
        write_junit(junit, document, wall_seconds)
    if not args.quiet:
        print(paint_verdicts(summary_text(document, result.records), use_colour(sys.stdout)))
    if written and not args.quiet:
        print(written)
    return 0 if all(v.holds for v in verdicts) else 1


def _run_folder(flag: str, text: str, args) -> Path:
    return run_folder_output(flag, text, report=args.report, metrics=args.metrics_every is not None,
                             access_log=args.access_log)


def judge(scenario, args, openshift: str | None, log=None):
    """The judged run and its wall seconds, with a progress line on a terminal's stderr."""
    started = time.perf_counter()
    with progress_line(scenario.spec.name, quiet=args.quiet) as progress:
        outcome = evaluate(scenario, args.seed, openshift, metrics_every=args.metrics_every, progress=progress,
                           access_log=log)
    return outcome, time.perf_counter() - started


@contextmanager
def access_log(folder: Path | None):
    """`folder/access.log`, written as the run goes (a long run's log need not fit in
    memory); `folder` is the run folder being built, published only when the run ends
    well (`twin.files.staged_folder`)."""
    if folder is None:
        yield None
        return
    with (folder / ACCESS_LOG).open("w", encoding="utf-8") as stream:
        yield stream


def _duration(text: str) -> float:
    """A positive Go-style duration or number of seconds, for --metrics-every."""
    try:
        value = seconds(float(text) if text.replace(".", "", 1).isdigit() else text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive duration, got {text!r}")
    if value < MIN_SCRAPE_INTERVAL:
        raise argparse.ArgumentTypeError(f"expected at least 1ms (Prometheus' smallest scrape interval), got {text!r}")
    return value


def list_scenarios(args) -> int:
    for name in library_names():
        scenario = load_scenario(name)
        print(f"{name}\n    {scenario.spec.description}")
    return 0

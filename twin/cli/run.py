"""`twin run`: simulate a scenario and judge its invariants; `twin scenarios`: list the
built-in library."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from twin.analysis.outcome import evaluate
from twin.analysis.summary import summary_text
from twin.cli.inputs import version_option
from twin.cli.terminal import paint_verdicts, progress_line, use_colour
from twin.errors import InputError
from twin.files import FILE_MODE
from twin.report.junit import write_junit
from twin.report.run_outputs import write_run_folder
from twin.report.run_report import write_report
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
    if args.seed is not None and args.seed < 0:
        raise InputError("--seed", "", f"expected a non-negative integer, got {args.seed}")
    scenario = load_scenario(args.scenario)
    openshift = version_option(args.openshift).name if args.openshift else None
    out = prepare_out(args.out if args.out or not args.report else str(REPORTS / scenario.spec.name))
    if args.metrics_every is not None and out is None:
        raise InputError("--metrics-every", "", "expected --out as well: the scrapes are written there")
    if args.access_log and out is None:
        raise InputError("--access-log", "", "expected --out as well: access.log is written there")
    junit = prepare_junit(args.junit)
    with access_log(out if args.access_log else None) as log:
        outcome, wall_seconds = judge(scenario, args, openshift, log)
    result, verdicts, document = outcome.result, outcome.verdicts, outcome.document
    if out is not None:
        write_run_folder(out, outcome, scenario)
    if junit is not None:
        write_junit(junit, document, wall_seconds)
    if not args.quiet:
        print(paint_verdicts(summary_text(document, result.records), use_colour(sys.stdout)))
    if args.report:
        files = write_report(out)
        if not args.quiet:
            print(f"\nreport: {files.html} ({files.markdown.name}, {len(files.plots)} plot files in plots/)")
    return 0 if all(v.holds for v in verdicts) else 1


def judge(scenario, args, openshift: str | None, log=None):
    """The judged run and its wall seconds, with a progress line on a terminal's stderr."""
    started = time.perf_counter()
    with progress_line(scenario.spec.name, quiet=args.quiet) as progress:
        outcome = evaluate(scenario, args.seed, openshift, metrics_every=args.metrics_every, progress=progress,
                           access_log=log)
    return outcome, time.perf_counter() - started


@contextmanager
def access_log(out: Path | None):
    """A temporary file in `out` that becomes `out/access.log` when the run ends well
    (written as the run goes: a long run's log need not fit in memory)."""
    if out is None:
        yield None
        return
    out.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=out, prefix=".access.log.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            yield stream
        os.chmod(temp, FILE_MODE)
        os.replace(temp, out / "access.log")
    finally:
        Path(temp).unlink(missing_ok=True)


def prepare_junit(junit: str | None) -> Path | None:
    if junit is None:
        return None
    path = Path(junit)
    if path.is_dir():
        raise InputError("--junit", "", f"expected a file name, got the directory {junit!r}")
    return path


def prepare_out(out: str | None) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise InputError("--out", "", f"expected a directory, got the file {out!r}")
    return path


def _duration(text: str) -> float:
    """A positive Go-style duration or number of seconds, for --metrics-every."""
    try:
        value = seconds(float(text) if text.replace(".", "", 1).isdigit() else text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive duration, got {text!r}")
    return value


def list_scenarios(args) -> int:
    for name in library_names():
        scenario = load_scenario(name)
        print(f"{name}\n    {scenario.spec.description}")
    return 0

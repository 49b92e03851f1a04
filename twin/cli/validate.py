"""`twin validate`: run a (calibrated) scenario and compare its predictions with what a
registry recorded (twin/comparison/)."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import asdict

from twin.cli.inputs import version_option
from twin.cli.outputs import folder_output
from twin.errors import InputError
from twin.files import staged_folder, write_bytes, write_text
from twin.scenarios.load import load_scenario
from twin.model.bounds import check_seed

FILES = ("validation.json", "validation.md", "plots/validation.png")
EXAMPLES = """examples:
  twin validate calibrated/calibrated.yaml --access-log registry.log --metrics scrapes/ --from 1796531200 --to 1796532100 --out validation/
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "validate", help="compare a scenario's predictions with a registry's logs and metrics",
        description="Run SCENARIO and compare, per request kind, its p50, p99 and answered requests per second, and "
                    "its 429 and 503 shares and requests in flight, with what the access log and metrics recorded "
                    "between --from and --to. A figure is within tolerance at 15 %% (p50, requests per second), "
                    "25 %% (p99, in flight) or 1 point (shares). Writes validation.json, validation.md and "
                    "plots/validation.png. Exit code 0 when every comparable figure is within, 1 when one is not, "
                    "2 on bad input.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", metavar="SCENARIO")
    parser.add_argument("--access-log", action="append", default=[], metavar="FILE")
    parser.add_argument("--metrics", action="append", default=[], metavar="PATH")
    parser.add_argument("--query-range", action="append", default=[], metavar="FILE")
    parser.add_argument("--from", dest="start", type=float, metavar="T", help="observation window start (data's clock, s)")
    parser.add_argument("--to", dest="end", type=float, metavar="T", help="observation window end (data's clock, s)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--openshift", metavar="VERSION")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(run=run)


def run(args) -> int:
    # scipy, pandas and matplotlib: imported when the command runs (`calibrate.py`)
    from twin.calibration.inputs import observation
    from twin.comparison.compare import compare, table
    from twin.comparison.figures import observed_figures
    from twin.comparison.plot import overlay
    from twin.comparison.predict import predict

    if args.openshift is not None:
        version_option(args.openshift)
    if args.seed is not None:
        check_seed(args.seed, "--seed")
    out = folder_output("--out", args.out, files=FILES, folders=("plots",))
    scenario = load_scenario(args.scenario)
    data = observation(args.access_log, args.metrics, args.query_range)
    try:
        start, end = data.window(args.start, args.end).span()
    except ValueError:
        raise InputError("twin validate", "--from/--to", "expected a window holding observations") from None
    start, end = args.start if args.start is not None else start, args.end if args.end is not None else end
    warm_up = scenario.spec.traffic.warm_up
    observed = observed_figures(data, start, end)
    predicted = predict(scenario, args.seed, args.openshift)
    rows = compare(observed, predicted)
    lines = [f"# Validation: {scenario.spec.name}", "", f"Observed {end - start:.0f} s of {', '.join(data.sources)}; "
             f"predicted by the twin over its {scenario.spec.duration - warm_up:.0f} s of traffic.", "", *table(rows), "",
             "![observed and predicted](plots/validation.png)", ""]
    buffer = io.BytesIO()
    overlay(observed, predicted).savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    with staged_folder(out, last=("validation.md",)) as folder:
        (folder / "plots").mkdir()
        write_text(folder / "validation.json", json.dumps({"observed": observed, "predicted": predicted,
                                                           "rows": [asdict(r) for r in rows]}, indent=1, sort_keys=True)
                   + "\n")
        write_text(folder / "validation.md", "\n".join(lines))
        write_bytes(folder / "plots" / "validation.png", buffer.getvalue())
    judged = [r for r in rows if r.within is not None]
    if not args.quiet:
        print("\n".join(table(rows)))
        print(f"{sum(r.within for r in judged)} of {len(judged)} comparable figures within tolerance; "
              f"wrote validation.json, validation.md, plots/validation.png to {out}/")
    return 0 if all(r.within for r in judged) else 1

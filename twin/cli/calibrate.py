"""`twin calibrate`: fit the twin's request path to a real registry's access logs and
metrics (twin/observed/ reads them, twin/calibration/ fits), and write a calibrated
scenario, the estimates with their intervals, and what the data could not identify."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


from twin.cli.inputs import name_option
from twin.cli.outputs import folder_output
from twin.errors import InputError
from twin.files import staged_folder, write_bytes, write_text
from twin.scenarios.fields import seconds
from twin.scenarios.load import scenario_from_body
from twin.model.bounds import check_seed
from twin.model.kube_io.reader import parse_documents

EXAMPLES = """examples:
  twin calibrate --access-log registry.log --metrics scrapes/ --out calibrated/
  twin calibrate --query-range export.json --access-log registry.log --base my-cluster/scenario.yaml --out calibrated/
  twin calibrate --metrics runs/storm --interval 30s --from 600 --to 2400 --out calibrated/
  twin run calibrated/calibrated.yaml
"""
FILES = ("calibrated.yaml", "calibration.json", "calibration.md", "plots/")


def register(commands) -> None:
    parser = commands.add_parser(
        "calibrate", help="fit the twin's traffic and service demands to a registry's logs and metrics",
        description="Read a registry's access logs (distribution's JSON or text lines, the OpenShift registry's own "
                    "lines, or the Apache combined log), Prometheus scrapes (folders like `twin run --metrics-every` "
                    "writes) and query_range exports; fit the arrival profile (constant, steps or daily, by BIC), "
                    "layer sizes, one stream's bandwidth, CPU per request and per byte, storage latencies and the "
                    "working set; write calibrated.yaml (a scenario: --base's, or a minimal one, with the fitted "
                    "traffic section; its header lists each estimate with its 95 %% interval and every parameter "
                    "the data did not identify), calibration.json, and calibration.md with plots/ (the "
                    "observed arrivals against each fitted profile). docs/calibration.md. Exit code 0, 2 on bad "
                    "input (nothing written).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--access-log", action="append", default=[], metavar="FILE", help="a registry log (repeatable)")
    parser.add_argument("--metrics", action="append", default=[], metavar="PATH",
                        help="scrapes: a run folder, metrics/ folder, a folder of .prom files or one file (repeatable)")
    parser.add_argument("--query-range", action="append", default=[], metavar="FILE",
                        help="a Prometheus query_range JSON export (repeatable)")
    parser.add_argument("--from", dest="start", type=float, metavar="T", help="window start, on the data's clock (s)")
    parser.add_argument("--to", dest="end", type=float, metavar="T", help="window end, on the data's clock (s)")
    parser.add_argument("--interval", default="60s", metavar="DURATION", help="counting interval (default 60s)")
    parser.add_argument("--base", metavar="SCENARIO", help="the scenario to calibrate (file or built-in name)")
    parser.add_argument("--name", default="calibrated", help="the minimal scenario's name (without --base)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    parser.add_argument("--out", required=True, metavar="DIR", help="where to write calibrated.yaml and calibration.json")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.set_defaults(run=run)


def run(args) -> int:
    # The fitting needs scipy, pandas and matplotlib: imported when the command runs, not
    # by every `twin` command's start (`twin --version` took 2.7 s with them, 0.5 s without).
    from twin.calibration.calibrate import calibrate
    from twin.calibration.fragment import document, estimates, scenario_text
    from twin.calibration.inputs import base_scenario, observation
    from twin.calibration.report import arrival_plots, markdown

    interval = _interval(args.interval)
    if args.name is not None:
        name_option("--name", args.name)
    if args.seed is not None:
        check_seed(args.seed, "--seed")
    out = folder_output("--out", args.out, files=FILES[:3], folders=("plots",))
    data = observation(args.access_log, args.metrics, args.query_range)
    try:
        data = data.window(args.start, args.end)
        data.span()
    except ValueError:
        raise InputError("twin calibrate", "--from/--to", "expected a window holding observations") from None
    result = calibrate(data, interval, args.seed)
    base = base_scenario(args.base, out) if args.base else None
    text = scenario_text(result, base, args.name, data.sources)
    _check_loads(text, out)
    with staged_folder(out, last=("calibrated.yaml",)) as folder:
        write_text(folder / "calibration.json", json.dumps(document(result, data.sources), indent=1, sort_keys=True)
                   + "\n")
        write_text(folder / "calibration.md", markdown(result, data.sources))
        (folder / "plots").mkdir()
        for name, png in arrival_plots(result).items():
            write_bytes(folder / "plots" / name, png)
        write_text(folder / "calibrated.yaml", text)
    if not args.quiet:
        print("\n".join(_summary(result, len(estimates(result)))))
        print(f"wrote {', '.join(FILES)} to {out}/; run it: twin run {out / 'calibrated.yaml'}")
    return 0


def _interval(text: str) -> float:
    try:
        value = seconds(text)
    except ValueError as error:
        raise InputError("twin calibrate", "--interval", str(error)) from None
    if not value > 0:
        raise InputError("twin calibrate", "--interval", f"expected a positive duration, got {text!r}")
    return value


def _check_loads(text: str, out: Path) -> None:
    """The calibrated scenario must load as `twin run` will load it (relative paths from
    `out`), before anything is written."""
    from twin.calibration.inputs import rebased

    # `out` may not exist yet: name the files as they will be found from it
    body = rebased(parse_documents(text, str(out / "calibrated.yaml"))[0],
                   lambda value: os.path.normpath(out.resolve() / value))
    scenario_from_body(body, out, str(out / "calibrated.yaml"))


def _summary(result, estimates: int) -> list[str]:
    from twin.calibration.arrivals import ArrivalFit

    lines = [f"window {result.span[1] - result.span[0]:.0f} s, {result.pods} registry pod(s)"]
    for name, fit in (("pulls", result.pulls), ("pushes", result.pushes)):
        if isinstance(fit, ArrivalFit):
            others = ", ".join(f.kind for f in fit.candidates if f is not fit.chosen)
            lines.append(f"{name}: {fit.chosen.kind} (by BIC{', over ' + others if others else ''})")
        else:
            lines.append(f"{name}: not identified ({fit.why})")
    lines.append(f"{estimates} estimates; {len(result.not_identified())} parameters not identified "
                 f"(calibrated.yaml's header names each)")
    return lines

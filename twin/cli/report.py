"""`twin report`: build the report of a run folder (`twin run --out`): report.html,
report.md and plots/, from the folder's files only."""

from __future__ import annotations

import argparse

from twin.cli.outputs import report_folder

EXAMPLES = """examples:
  twin report runs/zone-failure
  twin run zone-failure-pull-storm --out runs/storm && twin report runs/storm
  twin report reports/zone-failure --quiet
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "report", help="write the HTML and Markdown report of a run folder",
        description="Read a run folder written by `twin run --out` (summary.json, events.csv, cluster.json and the "
                    "Parquet frames) and write into it a self-contained report.html (every plot embedded, no "
                    "script), a short report.md, and every plot as PNG and SVG in plots/. The same folder always "
                    "gives the same bytes, so this rebuilds exactly what `twin run --report` wrote. Exit code 0, "
                    "2 when the folder is not a run folder.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", metavar="OUT_DIR", help="a run folder (twin run --out OUT_DIR)")
    parser.add_argument("--quiet", action="store_true", help="print nothing; rely on the exit code")
    parser.set_defaults(run=run)


def run(args) -> int:
    from twin.report.run_report import write_report  # matplotlib: imported when the command runs

    files = write_report(report_folder(args.folder))
    if not args.quiet:
        print(f"report: {files.html} ({files.markdown.name}, {len(files.plots)} plot files in plots/)")
    return 0

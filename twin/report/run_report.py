"""Write a run folder's report: `plots/<id>.png` and `.svg` for every plot, `report.md`
and a self-contained `report.html`. The report is built whole in a temporary folder
inside the run folder and only then moved in (`twin.files.staged_folder`), report.html
last, so a failure never leaves half a report, nor a report.html whose plots are
missing. Plots an earlier report of the folder had and this one has not (say the traffic
plots) are removed afterwards; nothing else in the folder is touched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twin.files import staged_folder, write_bytes
from twin.report.html import report_html
from twin.report.markdown import report_markdown
from twin.report.run_folder import read_run_folder
from twin.report.sections import PLOT_IDS, RunReport, build_report

REPORT_FOLDERS = ("plots",)
REPORT_FILES = ("report.md", "report.html", *(f"plots/{plot_id}{suffix}" for plot_id in PLOT_IDS
                                               for suffix in (".png", ".svg")))
"""Everything a report may write into its run folder."""


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    markdown: Path
    plots: tuple[Path, ...]


def write_report(folder: str | Path) -> ReportFiles:
    """Read the run folder, build the report and write it into the same folder."""
    run = read_run_folder(folder)
    report = build_report(run)
    return write_report_files(run.path, report)


def write_report_files(folder: Path, report: RunReport) -> ReportFiles:
    with staged_folder(folder, last=("report.md", "report.html")) as staging:
        (staging / "plots").mkdir()
        names = []
        for plot in report.plots:
            for suffix, data in ((".png", plot.png), (".svg", plot.svg)):
                names.append(write_bytes(staging / "plots" / f"{plot.id}{suffix}", data).name)
        write_bytes(staging / "report.md", report_markdown(report).encode("utf-8"))
        write_bytes(staging / "report.html", report_html(report).encode("utf-8"))
    _remove_stale(folder / "plots", {p.id for p in report.plots})
    return ReportFiles(folder / "report.html", folder / "report.md", tuple(folder / "plots" / name for name in names))


def _remove_stale(plots_dir: Path, current: set[str]) -> None:
    for plot_id in sorted(set(PLOT_IDS) - current):
        for suffix in (".png", ".svg"):
            (plots_dir / f"{plot_id}{suffix}").unlink(missing_ok=True)

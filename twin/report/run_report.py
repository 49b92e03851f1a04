"""Write a run folder's report: `plots/<id>.png` and `.svg` for every plot, `report.md`
and a self-contained `report.html`, each written to a temporary name and renamed, so a
failure never leaves half a file. Plots an earlier report of the folder had and this
one has not (say the traffic plots) are removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twin.files import write_bytes
from twin.report.html import report_html
from twin.report.markdown import report_markdown
from twin.report.run_folder import read_run_folder
from twin.report.sections import PLOT_IDS, RunReport, build_report


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
    plots_dir = folder / "plots"
    plots_dir.mkdir(exist_ok=True)
    written = []
    for plot in report.plots:
        for suffix, data in ((".png", plot.png), (".svg", plot.svg)):
            written.append(write_bytes(plots_dir / f"{plot.id}{suffix}", data))
    _remove_stale(plots_dir, {p.id for p in report.plots})
    markdown = write_bytes(folder / "report.md", report_markdown(report).encode("utf-8"))
    html = write_bytes(folder / "report.html", report_html(report).encode("utf-8"))
    return ReportFiles(html, markdown, tuple(written))


def _remove_stale(plots_dir: Path, current: set[str]) -> None:
    for plot_id in sorted(set(PLOT_IDS) - current):
        for suffix in (".png", ".svg"):
            (plots_dir / f"{plot_id}{suffix}").unlink(missing_ok=True)

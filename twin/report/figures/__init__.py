"""The report's plots: one module per plot, each turning analysis frames into a `Plot`
(PNG and SVG bytes plus its caption). Rendering uses matplotlib's Agg canvas explicitly
(no pyplot, no global backend switch, so a notebook importing this keeps its backend)
and fixed settings for byte-identical files: a fixed `svg.hashsalt`, no dates in the
metadata, text drawn as paths with the DejaVu Sans font matplotlib ships."""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STYLE = {
    "svg.hashsalt": "registry-twin-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
DPI = 100
FAULT_COLOR = "#d62728"


@dataclass(frozen=True)
class Plot:
    """`id`: the file stem in `plots/` and the HTML anchor; `title` and `caption` say what
    it shows and how it is computed."""

    id: str
    title: str
    caption: str
    png: bytes
    svg: bytes


def styled(plot_function):
    """Run a plot function under STYLE (rc parameters are read as artists are made)."""
    @functools.wraps(plot_function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return plot_function(*args, **kwargs)
    return wrapper


def new_figure(width: float, height: float, rows: int = 1, below: float = 0.0):
    """A figure on the Agg canvas with `rows` stacked axes (a list) sharing the x axis.
    The margins are fixed in inches (not fitted to the legend), so the time axes of all
    time series line up; `below`: extra inches under the axes for a legend there."""
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0].tolist()
    figure.subplots_adjust(left=0.8 / width, right=1 - 2.2 / width, top=1 - 0.2 / height,
                           bottom=(0.6 + below) / height, hspace=0.15)
    return figure, axes


def finish(figure: Figure, plot_id: str, title: str, caption: str) -> Plot:
    """Both files of a figure drawn under STYLE (`styled`)."""
    png, svg = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    figure.clear()
    return Plot(plot_id, title, caption, png.getvalue(), svg.getvalue())


def minutes_axis(ax, end: float) -> None:
    ax.set_xlim(0, end / 60)
    ax.set_xlabel("simulated time (min)")


def shade_faults(axes: list, marks: pd.DataFrame, labelled: bool = True) -> None:
    """Fault windows as shaded spans, single faults as dotted lines, on every axis; their
    labels along the top of the first."""
    for ax in axes:
        for start, end in zip(marks["start"], marks["end"]):
            if math.isnan(end):
                ax.axvline(start / 60, color=FAULT_COLOR, linestyle=":", linewidth=1.2, zorder=1)
            else:
                ax.axvspan(start / 60, end / 60, color=FAULT_COLOR, alpha=0.10, linewidth=0, zorder=0)
    if labelled and len(axes):
        for start, label in zip(marks["start"], marks["label"]):
            axes[0].annotate(label, (start / 60, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                             textcoords="offset points", va="top", fontsize=7, color=FAULT_COLOR)


def step_to_end(times: list[float], values: list[float], end: float) -> tuple[list[float], list[float]]:
    """A step series (value from each time on) extended to `end`, in minutes."""
    return [t / 60 for t in times] + [end / 60], list(values) + [values[-1] if values else 0]

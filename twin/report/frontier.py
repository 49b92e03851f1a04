"""The capacity-planning picture of a sweep: every combination of two parameters as a
point, filled where it meets the planner's targets and hollow where it does not, with the
frontier (the smallest `y` meeting the targets for each `x`) drawn as a line; one panel
per value of a third parameter (the load). Reads frames only: the aggregate and a boolean
Series saying which rows meet the targets (`twin.sweep.planning`)."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from twin.report.figures import STYLE


def frontier_figure(aggregate: pd.DataFrame, meets: pd.Series, x: str, y: str, by: str | None = None) -> Figure:
    """A matplotlib Figure (shown inline by notebooks; `.savefig` for files)."""
    panels = sorted(aggregate[by].unique()) if by else [None]
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(4.2 * len(panels), 3.6), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots(1, len(panels), squeeze=False, sharey=True)[0]
        for ax, panel in zip(axes, panels):
            rows = aggregate if panel is None else aggregate[aggregate[by] == panel]
            _panel(ax, rows, meets.loc[rows.index], x, y)
            ax.set_title(f"{by} = {panel}" if by else "")
        axes[0].set_ylabel(y)
        axes[-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def _panel(ax, rows: pd.DataFrame, meets: pd.Series, x: str, y: str) -> None:
    ok, not_ok = rows[meets], rows[~meets]
    ax.scatter(ok[x], ok[y], s=60, color="#2ca02c", label="meets the targets", zorder=3)
    ax.scatter(not_ok[x], not_ok[y], s=60, facecolors="none", edgecolors="#d62728", label="misses a target", zorder=3)
    line = ok.groupby(x)[y].min().sort_index()
    if len(line):
        ax.step(line.index, line.to_numpy(), where="mid", color="black", linewidth=1, label=f"smallest {y}")
    ax.set_xlabel(x)
    ax.set_xticks(sorted(rows[x].unique()))

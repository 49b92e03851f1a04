"""Registered nodes per machine pool over time (`analysis/pools.py`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import MaxNLocator

from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, step_to_end, styled

PLOT_ID = "machine-pools"
TITLE = "Nodes per machine pool"
CAPTION = ("Registered nodes of each machine pool (NotReady ones included), from the nodes the run starts with and "
           "the NodeAdded / NodeRemoved records of the pools' MachineSets. Machines still provisioning, and machines "
           "that never registered, are not counted. Shaded: fault windows; dotted: single faults.")


@styled
def pools_plot(frame: pd.DataFrame, marks: pd.DataFrame, end: float) -> Plot:
    figure, (ax,) = new_figure(10, 3.2)
    top = 1
    for pool, part in frame.groupby("pool", sort=True):
        x, y = step_to_end(list(part["time"]), list(part["nodes"]), end)
        ax.step(x, y, where="post", linewidth=1.5, label=pool)
        top = max(top, max(y))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, top + 1)
    ax.set_ylabel("nodes")
    minutes_axis(ax, end)
    shade_faults([ax], marks)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="pool")
    return finish(figure, PLOT_ID, TITLE, CAPTION)

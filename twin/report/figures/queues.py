"""Each registry pod's running and queued requests over time."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import MaxNLocator

from twin.analysis.traffic import short_pod
from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, styled

PLOT_ID = "queue-length"
TITLE = "Requests running and queued per registry pod"
CAPTION = ("Each registry pod's requests in service (top) and waiting in its limiters' queues (bottom), sampled every "
           "10 s while the pod's container runs (queues.parquet; the peaks between samples are in the KPIs). "
           "Shaded: fault windows; dotted: single faults.")


@styled
def queues_plot(queues: pd.DataFrame, marks: pd.DataFrame, end: float) -> Plot:
    figure, axes = new_figure(10, 5.0, rows=2)
    for pod in sorted(set(queues["pod"])):
        part = queues[queues["pod"] == pod].sort_values("time", kind="stable")
        for ax, column in zip(axes, ("running", "queued")):
            ax.step(part["time"] / 60, part[column], where="post", linewidth=1, label=short_pod(pod))
    for ax, column in zip(axes, ("running", "queued")):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{column} requests")
    minutes_axis(axes[-1], end)
    shade_faults(axes, marks)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="pod")
    return finish(figure, PLOT_ID, TITLE, CAPTION)

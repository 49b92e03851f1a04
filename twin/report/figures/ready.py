"""Ready registry replicas over time, stacked by zone, with the desired count and the
fault windows."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import MaxNLocator

from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, styled

PLOT_ID = "ready-replicas"
TITLE = "Ready registry replicas per zone"
CAPTION = ("Ready, non-terminating image-registry pods in each zone (stacked), replayed from the PodBound, PodReady, "
           "PodNotReady, ContainerRestart, PodTerminating and PodDeleted records with the nodes' zones from "
           "cluster.json; the dashed line is the Config's replicas (RegistryDesired). Shaded: fault windows "
           "(outage to recovery); dotted: single faults.")


@styled
def ready_plot(ready: pd.DataFrame, desired: list[tuple[float, int]], marks: pd.DataFrame, end: float) -> Plot:
    figure, (ax,) = new_figure(10, 3.6)
    wide = ready.pivot_table(index="time", columns="zone", values="ready", aggfunc="last").sort_index().ffill().fillna(0)
    wide.loc[end] = wide.iloc[-1]
    minutes, base = wide.index.to_numpy() / 60, 0
    for zone in wide.columns:
        top = base + wide[zone].to_numpy()
        ax.fill_between(minutes, base, top, step="post", alpha=0.75, linewidth=0, label=f"{zone}")
        base = top
    if desired:
        times, values = zip(*[*desired, (end, desired[-1][1])])
        ax.step([t / 60 for t in times], values, where="post", color="black", linestyle="--", linewidth=1,
                label="desired (Config replicas)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(float(base.max()) if len(minutes) else 0, max((v for _, v in desired), default=0)) + 1)
    ax.set_ylabel("Ready replicas")
    minutes_axis(ax, end)
    shade_faults([ax], marks)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(figure, PLOT_ID, TITLE, CAPTION)


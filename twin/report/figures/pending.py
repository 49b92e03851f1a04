"""Pending pods over time, stacked by the scheduler's reason."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, styled

PLOT_ID = "pending-pods"
TITLE = "Pending pods and the scheduler's reasons"
CAPTION = ("Pods created but not yet bound (nor deleted), stacked by the message of each pod's latest SchedulingFailed "
           "record (kube-scheduler's FitError text); \"not yet tried\" is a pod waiting for its first scheduling "
           "attempt. Shaded: fault windows; dotted: single faults.")
MOST_REASONS = 6  # the rest are drawn as one band
NONE = "no pod was Pending"


@styled
def pending_plot(pending: pd.DataFrame, marks: pd.DataFrame, end: float) -> Plot:
    """With no Pending pod at all, a flat line at 0 (the plot is always there, so runs
    compare side by side)."""
    wide = _bands(pending, end) if len(pending) else pd.DataFrame()
    if wide.columns.empty:
        wide = pd.DataFrame({NONE: [0, 0]}, index=[0.0, end])
    below = 0.3 + 0.16 * sum(textwrap.fill(reason, 110).count("\n") + 1 for reason in wide.columns)
    figure, (ax,) = new_figure(10, 3.0 + below, below=below)
    minutes, base = wide.index.to_numpy() / 60, np.zeros(len(wide))
    for reason in wide.columns:
        top = base + wide[reason].to_numpy()
        if reason == NONE:
            ax.step(minutes, top, where="post", color="black", linewidth=1, label=NONE)
        else:
            ax.fill_between(minutes, base, top, step="post", alpha=0.75, linewidth=0, label=textwrap.fill(reason, 110))
        base = top
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, float(base.max()) + 1)
    ax.set_ylabel("Pending pods")
    minutes_axis(ax, end)
    shade_faults([ax], marks)
    ax.legend(loc="lower left", bbox_to_anchor=(0.01, 0.01), bbox_transform=figure.transFigure, title="reason")
    return finish(figure, PLOT_ID, TITLE, CAPTION)


def _bands(pending: pd.DataFrame, end: float) -> pd.DataFrame:
    """Pods per reason at every change (time index), the reasons holding the most
    pod-time first, beyond MOST_REASONS summed as "other reasons"."""
    wide = pending.pivot_table(index="time", columns="reason", values="pods", aggfunc="last", sort=False)
    wide = wide.sort_index().ffill().fillna(0)
    wide.loc[end] = wide.iloc[-1]
    spans = pd.Series(wide.index.to_numpy(), index=wide.index).diff().shift(-1).fillna(0)
    weight = wide.mul(spans, axis=0).sum()
    order = sorted(wide.columns, key=lambda reason: (-weight[reason], reason))
    wide = wide[order]
    if len(order) > MOST_REASONS:
        rest = wide[order[MOST_REASONS:]].sum(axis=1)
        wide = wide[order[:MOST_REASONS]].assign(**{"other reasons": rest})
    return wide.loc[:, (wide > 0).any()]

"""Client-seen latency p50 and p99 by request kind over time."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.ticker import FuncFormatter

from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, styled

PLOT_ID = "request-latency"
TITLE = "Request latency by kind (p50, p99)"
CAPTION = ("Arrival to response of the requests answered 2xx or 3xx (queueing included), per {window:.0f} s window of "
           "their end time and per kind: the median (top) and the 99th percentile (bottom), from DDSketch bins with "
           "1 % relative accuracy (latency.parquet). A point is drawn at the middle of its window; windows with no "
           "answered request of a kind have none. Shaded: fault windows; dotted: single faults.")


@styled
def latency_plot(latency: pd.DataFrame, marks: pd.DataFrame, end: float, window: float) -> Plot:
    figure, axes = new_figure(10, 5.6, rows=2)
    for kind in sorted(set(latency["kind"])):
        part = latency[latency["kind"] == kind].sort_values("time")
        minutes = (part["time"] + window / 2) / 60
        for ax, column in zip(axes, ("p50", "p99")):
            ax.plot(minutes, part[column], marker=".", markersize=3, linewidth=1, label=kind)
    for ax, column in zip(axes, ("p50", "p99")):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(_seconds))
        ax.yaxis.set_minor_formatter(FuncFormatter(_two_and_five))
        ax.set_ylabel(f"{column} latency")
    minutes_axis(axes[-1], end)
    shade_faults(axes, marks)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(figure, PLOT_ID, TITLE, CAPTION.format(window=window))


def _seconds(value: float, _position) -> str:
    return f"{value * 1000:g} ms" if value < 1 else f"{value:g} s"


def _two_and_five(value: float, position) -> str:
    """Minor ticks labelled at 2 and 5 times a power of ten only (no overlapping labels)."""
    mantissa = round(value / 10 ** math.floor(math.log10(value))) if value > 0 else 0
    return _seconds(value, position) if mantissa in (2, 5) else ""

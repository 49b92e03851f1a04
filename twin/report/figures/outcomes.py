"""429, 405, 503 and failed requests per second over time."""

from __future__ import annotations

import pandas as pd

from twin.analysis.traffic import RATES
from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, styled

PLOT_ID = "rejection-rates"
TITLE = "429, 405 and 503 answers per second"
CAPTION = ("Requests finished per second in each {interval:.0f} s interval (requests.parquet) answered 429 (a limiter's "
           "queue full or its wait exceeded), 405 (a write to a read-only registry), 503 (storage unavailable), and "
           "those with no HTTP answer (broken, refused or timed-out connections). Classes with no request in the "
           "whole run are left out and named in the legend. Shaded: fault windows; dotted: single faults.")
COLORS = {"too_many": "#ff7f0e", "not_allowed": "#9467bd", "unavailable": "#d62728", "failed": "#7f7f7f"}


@styled
def outcomes_plot(rates: pd.DataFrame, marks: pd.DataFrame, end: float, interval: float) -> Plot:
    figure, (ax,) = new_figure(10, 3.4)
    minutes = rates["time"] / 60
    absent = []
    for column, label in RATES.items():
        if rates[column].any():
            ax.step(minutes, rates[column], where="post", color=COLORS[column], linewidth=1, label=label)
        else:
            absent.append(label)
    if absent:
        ax.plot([], [], " ", label="none at all: " + ", ".join(absent))
    ax.set_ylim(bottom=0)
    ax.set_ylabel("requests / s")
    minutes_axis(ax, end)
    shade_faults([ax], marks)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(figure, PLOT_ID, TITLE, CAPTION.format(interval=interval))

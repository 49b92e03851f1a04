"""The overlay plot of a validation: per request kind, observed and predicted p50 and p99
(log scale) and answered requests per second."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def overlay(observed: dict, predicted: dict) -> Figure:
    kinds = sorted(set(observed["kinds"]) & set(predicted["kinds"]))
    figure = Figure(figsize=(9, 4.2))
    axes = figure.subplots(1, 2)
    x = np.arange(len(kinds))
    for side, (label, colour) in enumerate((("observed", "#4c72b0"), ("predicted", "#dd8452"))):
        source = observed if side == 0 else predicted
        for q, marker in (("p50", "o"), ("p99", "^")):
            values = [source["kinds"][k].get(q) or np.nan for k in kinds]
            axes[0].plot(x + (side - 0.5) * 0.2, np.array(values) * 1000, marker, color=colour, label=f"{label} {q}")
        axes[1].bar(x + (side - 0.5) * 0.35, [source["kinds"][k]["requests_per_second"] for k in kinds], 0.35,
                    color=colour, label=label)
    for ax, title in ((axes[0], "latency (ms, log scale)"), (axes[1], "answered requests per second")):
        ax.set_xticks(x, kinds, rotation=30, ha="right", fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    axes[0].set_yscale("log")
    figure.tight_layout()
    return figure

"""Each registry pod's CPU, node link and memory over time, against what it could use."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from twin.analysis.traffic import short_pod
from twin.report.figures import Plot, finish, minutes_axis, new_figure, shade_faults, styled

PLOT_ID = "resources"
TITLE = "CPU, network and memory per registry pod"
CAPTION = ("Per registry pod and 10 s sampling interval (resources.parquet), each value drawn over the interval it "
           "ends: (a) the cores the pod's requests kept busy on average (solid) and the cores it could use (dashed: "
           "its CPU limit, or what the other pods leave on its node, at least its request); (b) the bytes per second "
           "through the link of the pod's node (the bodies the registry pods there stream and the blobs that node's "
           "kubelet downloads after a redirect; pods on one node share its line), 1 MB = 10\u2076 bytes, and the "
           "link's capacity, burst included (dashed; not drawn before the link first carried anything); (c) the "
           "pod's peak memory in the interval, 1 MiB = 2\u00b2\u2070 bytes, and its limit (dashed: the container's "
           "limit, or without one what its node has left). Pods at the same dashed value take turns along the "
           "dashes. Links of nodes without a registry pod are in the file but not drawn.{clipped} Shaded: fault "
           "windows; dotted: single faults.")
CLIPPED = (" In {panels} a dashed value is more than {ratio:.0f}\u00d7 the largest solid value: the axis stops at "
           "{headroom:g}\u00d7 that value (or just above the dashed values below {ratio:.0f}\u00d7 it), and the limits "
           "above it ({what}) are not drawn; their range is written beside the panel.")
RATIO = 20.0  # a dashed value this many times the solid peak would flatten the panel
HEADROOM = 1.5  # the axis top, times the solid peak, when it is clipped
MB, MIB = 1e6, float(2 ** 20)
PANELS = (("cpu_used", "cpu_cores", "(a) CPU (cores)", "used", "available"),
          ("network_used", "network_capacity", "(b) node link (MB/s)", "carried", "capacity"),
          ("memory_peak", "memory_limit", "(c) memory (MiB)", "peak", "limit"))
"""Per panel: the solid and the dashed column, the y label, and their legend labels."""
STYLE_COLOR = "#444444"
DASH = 4.0  # points: the length of a dash
TURNS = 5  # up to this many pods take turns along the dashes; more share one pattern


@styled
def resources_plot(resources: pd.DataFrame, marks: pd.DataFrame, end: float) -> Plot:
    figure, caption = resources_figure(resources, marks, end)
    return finish(figure, PLOT_ID, TITLE, caption)


@styled
def resources_figure(resources: pd.DataFrame, marks: pd.DataFrame, end: float):
    """The figure (three axes: CPU, node link, memory) and its caption. `resources`: the
    rows of resources.parquet; rows without a pod (node links that host no registry pod)
    are left out. Solid lines are `Line2D`s, the dashed ones a `LineCollection` per pod
    and panel; both labelled "<short pod> <column>"."""
    frame = _scaled(resources[resources["pod"] != ""])
    pods = sorted(set(frame["pod"]))  # sorted as in the queue plot, so a pod keeps its colour
    columns = max(1, min(4, len(pods)))
    below = 0.35 + 0.17 * math.ceil(len(pods) / columns)
    figure, axes = new_figure(10, 7.4 + below, rows=3, below=below)
    minutes_axis(axes[-1], end)
    interval = _interval(frame)
    width = axes[0].get_position().width * figure.get_figwidth() * 72  # points
    points_per_minute = width / max(end / 60, 1e-9)
    for index, pod in enumerate(pods):
        part = frame[frame["pod"] == pod].sort_values("time", kind="stable")
        color, name = f"C{index % 10}", short_pod(pod)
        for ax, (solid, dashed, *_) in zip(axes, PANELS):
            ax.step(*_steps(part, solid, interval), where="pre", color=color, linewidth=1, label=f"{name} {solid}")
            ax.add_collection(_dashed(_runs(part, dashed, interval), color, index, len(pods), points_per_minute,
                                      f"{name} {dashed}"))
    clipped = []
    for ax, letter, (solid, dashed, label, solid_label, dashed_label) in zip(axes, "abc", PANELS):
        if dashed == "memory_limit":
            dashed_label = _memory_label(set(frame["memory_limited"].astype(bool)))
        ax.set_ylabel(label)
        note = _fit(ax, frame[solid].to_numpy(float), frame[dashed].to_numpy(float), dashed)
        if note:
            clipped.append((letter, dashed_label))
            ax.annotate(f"{dashed_label} above the axis,\nnot drawn: {note}", (1.01, 0.0), xycoords="axes fraction",
                        va="bottom", fontsize=7, color=STYLE_COLOR)
        ax.legend(handles=[Line2D([], [], color=STYLE_COLOR, linewidth=1, label=solid_label),
                           Line2D([], [], color=STYLE_COLOR, linewidth=1, linestyle=(0, (DASH, 3)), label=dashed_label)],
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))
    shade_faults(axes, marks)
    figure.legend(handles=[Line2D([], [], color=f"C{i % 10}", linewidth=1.5, label=short_pod(pod))
                           for i, pod in enumerate(pods)],
                  loc="lower left", bbox_to_anchor=(0.8 / 10, 0.05 / figure.get_figheight()), ncol=columns,
                  title="pod (solid: used, carried, peak; dashed: what it could use)")
    return figure, CAPTION.format(clipped=_clipped(clipped))


def _scaled(frame: pd.DataFrame) -> pd.DataFrame:
    """The drawn units: MB/s, MiB; a link capacity of 0 (no link yet) as missing."""
    return frame.assign(network_used=frame["network_bytes_per_second"] / MB,
                        network_capacity=frame["network_capacity"].where(frame["network_capacity"] > 0) / MB,
                        memory_peak=frame["memory_peak"] / MIB, memory_limit=frame["memory_limit"] / MIB)


def _memory_label(limited: set[bool]) -> str:
    return " or ".join(label for flag, label in ((True, "limit"), (False, "node left")) if flag in limited) or "limit"


def _interval(frame: pd.DataFrame) -> float:
    """The sampling interval: the median step between sample times (10 s)."""
    steps = np.diff(np.unique(frame["time"].to_numpy(float)))
    return float(np.median(steps)) if len(steps) else 10.0


def _spans(part: pd.DataFrame, column: str, interval: float):
    """(start, end, value) in seconds per row: a value holds over the interval it ends,
    from the previous sample, or one interval earlier after a gap of more than 1.5
    intervals (no sample: the container was not running)."""
    times, values = part["time"].to_numpy(float), part[column].to_numpy(float)
    previous = None
    for t, v in zip(times, values):
        start = previous if previous is not None and t - previous <= 1.5 * interval else max(t - interval, 0.0)
        previous = t
        yield start, t, v


def _steps(part: pd.DataFrame, column: str, interval: float) -> tuple[np.ndarray, np.ndarray]:
    """Minutes and values for a step drawn `where="pre"`, broken (NaN) at gaps."""
    xs, ys, last = [], [], None
    for start, end, value in _spans(part, column, interval):
        if last != start:
            if last is not None:
                xs.append(last)
                ys.append(math.nan)
            xs.append(start)
            ys.append(value)
        xs.append(end)
        ys.append(value)
        last = end
    return np.asarray(xs, float) / 60, np.asarray(ys, float)


def _runs(part: pd.DataFrame, column: str, interval: float) -> list[tuple[float, float, float]]:
    """(start, end, value) in minutes, equal neighbouring values merged, missing ones left out."""
    runs: list[list[float]] = []
    for start, end, value in _spans(part, column, interval):
        if math.isnan(value):
            continue
        if runs and runs[-1][1] == start and runs[-1][2] == value:
            runs[-1][1] = end
        else:
            runs.append([start, end, value])
    return [(start / 60, end / 60, value) for start, end, value in runs]


def _dashed(runs: list, color: str, index: int, pods: int, points_per_minute: float, label: str) -> LineCollection:
    """A pod's dashed step line. Every horizontal run starts its dashes at a phase fixed
    on the x axis, so with 2 to TURNS pods the pods' dashes take turns where their lines
    coincide (two pods on alike nodes) instead of hiding one another; the steps between
    runs are plain dashes."""
    turns = pods if 2 <= pods <= TURNS else 1
    period = DASH * max(turns, 2)
    shift = DASH * (index % turns)
    segments, styles = [], []
    for i, (start, end, value) in enumerate(runs):
        segments.append([(start, value), (end, value)])
        styles.append(((start * points_per_minute - shift) % period, (DASH, period - DASH)))
        if i and runs[i - 1][1] == start:
            segments.append([(start, runs[i - 1][2]), (start, value)])
            styles.append((0, (DASH, 3.0)))
    return LineCollection(segments, colors=color, linewidths=1, linestyles=styles or "dashed", label=label)


def _fit(ax, solid: np.ndarray, dashed: np.ndarray, column: str) -> str | None:
    """The y range from 0: everything, unless a dashed value is more than RATIO times
    the solid peak; then up to HEADROOM times the solid peak (or just above the dashed
    values under RATIO times it, which stay drawn), and the range of the dashed values
    above the axis (for the note beside the panel)."""
    finite = dashed[np.isfinite(dashed)]
    solid_top = float(np.nanmax(solid)) if np.isfinite(solid).any() else 0.0
    dashed_top = float(finite.max()) if len(finite) else 0.0
    if solid_top > 0 and dashed_top > RATIO * solid_top:
        near = finite[finite <= RATIO * solid_top]
        top = max(HEADROOM * solid_top, 1.08 * float(near.max()) if len(near) else 0.0)
        above = finite[finite > top]
        if len(above):
            ax.set_ylim(0, top)
            low, high = _value(column, float(above.min())), _value(column, float(above.max()))
            return low if low == high else f"{low} to {high}"
    ax.set_ylim(0, max(solid_top, dashed_top) * 1.08 or 1.0)
    return None


def _value(column: str, value: float) -> str:
    if column == "cpu_cores":
        return f"{value:.2f} cores"
    if column == "network_capacity":
        return f"{value:,.0f} MB/s"
    return f"{value / 1024:.1f} GiB" if value >= 1024 else f"{value:.0f} MiB"


def _clipped(clipped: list[tuple[str, str]]) -> str:
    """The caption's sentence on the panels whose axis stops below their dashed lines."""
    if not clipped:
        return ""
    return CLIPPED.format(panels=" and ".join(f"({letter})" for letter, _ in clipped), ratio=RATIO, headroom=HEADROOM,
                          what="; ".join(label for _, label in clipped))

"""The resource plot from a small hand-made resources frame: its id, one solid and one
dashed line per pod on each of its three panels, and the cases it must not draw (node
links without a registry pod, a link capacity of 0, a limit that would flatten the
memory panel, a gap while a container is not running)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from twin.report.figures.resources import MIB, PLOT_ID, resources_figure, resources_plot
from twin.sim.traffic.usage import COLUMNS

A = "openshift-image-registry/image-registry-7db5df549c-aaaaa"
B = "openshift-image-registry/image-registry-7db5df549c-bbbbb"
NO_MARKS = pd.DataFrame({"start": [], "end": [], "label": []})
SOLID = ("cpu_used", "network_used", "memory_peak")
DASHED = ("cpu_cores", "network_capacity", "memory_limit")


def row(time, pod, node, cores, used, memory_mib, limit_mib, limited, link_bytes, capacity) -> dict:
    return dict(zip(COLUMNS, (time, pod, node, cores, used, used / cores if cores else 0.0, int(memory_mib * MIB),
                              limit_mib * MIB, limited, link_bytes, capacity, link_bytes / capacity if capacity else 0.0)))


def frame() -> pd.DataFrame:
    """A: 1 core, a 512 MiB container limit, its link unknown (capacity 0) in the first
    interval; B: no limit (8 GiB left on its node) and no sample at 60 s; a node link
    with no registry pod."""
    rows = []
    for t in np.arange(10.0, 130.0, 10.0):
        rows.append(row(t, A, "n1", 1.0, 0.2 + t / 1000, 150, 512, True, 2e6 if t > 10 else 0.0, 1.25e9 if t > 10 else 0))
        if t != 60:
            rows.append(row(t, B, "n2", 2.0, 0.5, 200, 8192, False, 5e6, 1.25e9))
        rows.append(row(t, "", "n3", 0.0, 0.0, 0, math.nan, False, 9e6, 1.25e9))
    return pd.DataFrame(rows, columns=list(COLUMNS))


@pytest.fixture(scope="module")
def drawn():
    return resources_figure(frame(), NO_MARKS, end=150.0)


def lines(ax, column: str) -> dict:
    """The solid lines of a panel by pod (short name)."""
    return {line.get_label().split()[0]: line for line in ax.lines if line.get_label().split()[-1] == column}


def dashed(ax, column: str) -> dict:
    return {c.get_label().split()[0]: c for c in ax.collections
            if isinstance(c, LineCollection) and c.get_label().split()[-1] == column}


def test_the_plot_has_its_id_title_and_both_files():
    plot = resources_plot(frame(), NO_MARKS, end=150.0)
    assert (plot.id, PLOT_ID) == ("resources", "resources")
    assert plot.title == "CPU, network and memory per registry pod"
    assert plot.png.startswith(b"\x89PNG") and b"<svg" in plot.svg
    assert "resources.parquet" in plot.caption and "10 s" in plot.caption


def test_each_of_the_three_panels_has_one_solid_and_one_dashed_line_per_pod(drawn):
    figure, _ = drawn
    assert len(figure.axes) == 3
    for ax, solid, limit in zip(figure.axes, SOLID, DASHED):
        assert sorted(lines(ax, solid)) == ["7db5df549c-aaaaa", "7db5df549c-bbbbb"]
        assert all(line.get_linestyle() == "-" for line in lines(ax, solid).values())
        collections = dashed(ax, limit)
        assert sorted(collections) == ["7db5df549c-aaaaa", "7db5df549c-bbbbb"]
        for collection in collections.values():
            assert all(pattern is not None for _, pattern in collection.get_linestyle())  # dashed, none solid
    assert [ax.get_ylabel() for ax in figure.axes] == ["(a) CPU (cores)", "(b) node link (MB/s)", "(c) memory (MiB)"]


def test_node_links_without_a_registry_pod_are_not_drawn(drawn):
    figure, _ = drawn
    network = lines(figure.axes[1], "network_used")
    assert max(np.nanmax(line.get_ydata()) for line in network.values()) == pytest.approx(5.0)  # MB/s, not n3's 9


def test_a_link_capacity_of_0_is_not_drawn_and_values_hold_over_the_interval_they_end(drawn):
    figure, _ = drawn
    (segment, *_) = dashed(figure.axes[1], "network_capacity")["7db5df549c-aaaaa"].get_segments()
    assert segment.tolist() == [[10 / 60, 1250.0], [120 / 60, 1250.0]]  # from the second interval on, merged
    cpu = lines(figure.axes[0], "cpu_used")["7db5df549c-aaaaa"]
    assert cpu.get_xdata()[:3].tolist() == pytest.approx([0.0, 10 / 60, 20 / 60])
    assert cpu.get_ydata()[:3].tolist() == pytest.approx([0.21, 0.21, 0.22])


def test_a_missing_sample_breaks_the_line(drawn):
    figure, _ = drawn
    memory = lines(figure.axes[2], "memory_peak")["7db5df549c-bbbbb"]
    assert np.isnan(memory.get_ydata()).sum() == 1
    limit = dashed(figure.axes[2], "memory_limit")["7db5df549c-bbbbb"]
    horizontal = [s.tolist() for s in limit.get_segments() if s[0][1] == s[1][1]]
    assert horizontal == [[[0.0, 8192.0], [50 / 60, 8192.0]], [[60 / 60, 8192.0], [120 / 60, 8192.0]]]


def test_a_limit_far_above_the_peaks_does_not_flatten_the_memory_panel_and_the_caption_says_so(drawn):
    """The axis stops at 1.5 times the solid peak, or above the dashed values under 20
    times it."""
    figure, caption = drawn
    cpu, network, memory = figure.axes
    assert memory.get_ylim() == pytest.approx((0, 1.08 * 512))  # A's limit stays drawn, B's 8 GiB not
    assert network.get_ylim() == pytest.approx((0, 1.5 * 5.0))  # 1250 MB/s against 5 MB/s
    assert cpu.get_ylim()[1] >= 2.0  # the cores fit: drawn whole
    assert "In (b) and (c) a dashed value is more than 20\u00d7" in caption
    assert "the limits above it (capacity; limit or node left) are not drawn" in caption
    legend = [t.get_text() for t in memory.get_legend().get_texts()]
    assert legend == ["peak", "limit or node left"]
    notes = [t.get_text() for t in memory.texts]
    assert "limit or node left above the axis,\nnot drawn: 8.0 GiB" in notes


def test_without_anything_to_clip_the_caption_has_no_clipping_sentence():
    small = frame().assign(memory_limit=300 * MIB, network_capacity=1e7, memory_limited=True)
    figure, caption = resources_figure(small, NO_MARKS, end=150.0)
    assert "not drawn;" not in caption
    assert [t.get_text() for t in figure.axes[2].get_legend().get_texts()] == ["peak", "limit"]
    assert figure.axes[2].get_ylim()[1] >= 300


def test_a_dashed_value_just_above_20_times_the_peak_but_under_the_axis_top_is_not_called_clipped():
    near = frame().assign(memory_limited=True, memory_limit=np.where(frame()["pod"] == A, 3980 * MIB, 4100 * MIB))
    figure, caption = resources_figure(near, NO_MARKS, end=150.0)  # peaks 150 and 200 MiB: 20x is 4000 MiB
    assert "In (b) a dashed value" in caption and "the limits above it (capacity) are not drawn" in caption
    assert figure.axes[2].get_ylim()[1] >= 4100

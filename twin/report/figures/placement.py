"""The cluster as a picture: one column per zone, a box per node, a square per pod bound
to it, the registry's pods highlighted."""

from __future__ import annotations

import math

from matplotlib.collections import PatchCollection
from matplotlib.patches import Patch, Rectangle

from twin.analysis.cluster import Snapshot
from twin.report.figures import Plot, finish, new_figure, styled

UNIT = 0.19  # inches per pod square (a data unit)
PER_ROW = 12  # pods per row inside a node box
COLUMN = PER_ROW + 1.5  # a zone column's width, gap included
HEADER = 1.6  # a node box's title band
GAP = 0.6  # between node boxes
FILL = {"registry": "#d62728", "daemonset": "#9ecae1", "workload": "#9e9e9e"}
LABEL = {"registry": "image-registry pod", "daemonset": "DaemonSet pod (node-ca)", "workload": "other pod"}
CAPTION = ("Zones (columns), their nodes (boxes) and the pods bound to each node (squares; the registry's first) {when}: "
           "image-registry pods in red, DaemonSet pods in blue, other pods in grey; a hollow square is a pod "
           "not Ready, a hatched one a terminating pod; a grey node is not Ready (its Ready condition is Unknown or "
           "False). Replayed from the records over the nodes and initial pods of cluster.json.")


@styled
def placement_plot(snapshot: Snapshot, plot_id: str, title: str, when: str) -> Plot:
    zones = sorted(set(snapshot.nodes["zone"]) | set(snapshot.pods["zone"]))
    tallest = max((_column_height(snapshot, zone) for zone in zones), default=HEADER)
    width, height = max(len(zones), 1) * COLUMN + 0.5, tallest + 3.0
    figure, (ax,) = new_figure(max(width * UNIT, 6.0), min(height * UNIT + 0.8, 40.0))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.7 / figure.get_figheight())
    patches = []
    for index, zone in enumerate(zones):
        patches += _zone_column(ax, snapshot, zone, index * COLUMN)
    ax.add_collection(PatchCollection([p for p in patches if not p.get_hatch()], match_original=True))
    for patch in (p for p in patches if p.get_hatch()):  # a collection has a single hatch
        ax.add_patch(patch)
    ax.text(0, -2.4, _unbound(snapshot.unbound), va="center", fontsize=8)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(tallest + 0.5, -3.0)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.legend(handles=_legend(snapshot), loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3,
              bbox_transform=figure.transFigure)
    return finish(figure, plot_id, title, CAPTION.format(when=when))


def _unbound(unbound: dict[str, int]) -> str:
    if not unbound:
        return "No pod waits for a node."
    counts = ", ".join(f"{n} {LABEL[group]}{'s' if n > 1 else ''}" for group, n in unbound.items())
    return f"Not bound to any node (Pending): {counts}."


def _pods_by_node(snapshot: Snapshot) -> dict[str, list[tuple]]:
    """Per node, its pods' (group, state): the registry's first, then by name."""
    by_node: dict[str, list[tuple]] = {}
    for node, group, state in zip(snapshot.pods["node"], snapshot.pods["group"], snapshot.pods["state"]):
        by_node.setdefault(node, []).append((group, state))
    order = list(FILL)
    return {node: sorted(pods, key=lambda pod: order.index(pod[0])) for node, pods in by_node.items()}


def _nodes_of(snapshot: Snapshot, zone: str) -> list[tuple]:
    nodes = snapshot.nodes[snapshot.nodes["zone"] == zone]
    listed = [(n, r, ready, c) for n, r, ready, c in zip(nodes["node"], nodes["roles"], nodes["ready"], nodes["cordoned"])]
    known = {n for n, *_ in listed}
    orphans = sorted(set(snapshot.pods[snapshot.pods["zone"] == zone]["node"]) - known)
    return listed + [(name, "", "removed", False) for name in orphans]


def _box_height(pods: int) -> float:
    return HEADER + max(math.ceil(pods / PER_ROW), 1)


def _column_height(snapshot: Snapshot, zone: str) -> float:
    by_node = _pods_by_node(snapshot)
    return sum(_box_height(len(by_node.get(n, []))) + GAP for n, *_ in _nodes_of(snapshot, zone))


def _zone_column(ax, snapshot: Snapshot, zone: str, x: float) -> list:
    ax.text(x + PER_ROW / 2, -1.0, zone, ha="center", va="center", fontsize=10, fontweight="bold")
    by_node, y, patches = _pods_by_node(snapshot), 0.0, []
    for name, roles, ready, cordoned in _nodes_of(snapshot, zone):
        pods = by_node.get(name, [])
        height = _box_height(len(pods))
        patches.append(_node_box(x, y, height, ready))
        ax.text(x + 0.3, y + 0.8, _node_label(name, roles, ready, cordoned), va="center", fontsize=6.5)
        patches += [_pod_square(x, y, i, group, state) for i, (group, state) in enumerate(pods)]
        y += height + GAP
    return patches


def _node_box(x: float, y: float, height: float, ready: str) -> Rectangle:
    healthy = ready == "True"
    return Rectangle((x, y), PER_ROW, height, facecolor="white" if healthy else "#dddddd",
                     edgecolor="#555555", linewidth=0.8, linestyle="-" if healthy else "--")


def _node_label(name: str, roles: str, ready: str, cordoned: bool) -> str:
    notes = [roles] if roles else []
    notes += [] if ready == "True" else ["node gone" if ready == "removed" else f"Ready={ready}"]
    notes += ["cordoned"] if cordoned else []
    return f"{name} ({', '.join(notes)})" if notes else name


def _pod_square(x: float, y: float, index: int, group: str, state: str) -> Rectangle:
    row, col = divmod(index, PER_ROW)
    color = FILL[group]
    return Rectangle((x + col + 0.1, y + HEADER + row + 0.1), 0.8, 0.8,
                     facecolor=color if state == "Ready" else "white", edgecolor=color,
                     linewidth=1.4 if group == "registry" else 0.8, hatch="////" if state == "Terminating" else None)


def _legend(snapshot: Snapshot) -> list:
    groups = [g for g in FILL if g in set(snapshot.pods["group"])]
    handles = [Patch(facecolor=FILL[g], edgecolor=FILL[g], label=LABEL[g]) for g in groups]
    handles.append(Patch(facecolor="white", edgecolor="#555555", label="not Ready (hollow)"))
    handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="////", label="terminating (hatched)"))
    handles.append(Patch(facecolor="#dddddd", edgecolor="#555555", linestyle="--", label="node not Ready"))
    return handles

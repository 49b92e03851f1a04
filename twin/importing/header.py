"""The comment header of an imported scenario: where it came from, what it holds, and
everything left out or approximated, with the reason."""

from __future__ import annotations

import textwrap
from collections import Counter

from twin.model import objects as obj
from twin.model.objects import ZONE_KEY
from twin.importing.choose import Chosen

WIDTH = 100
MAX_REFUSED = 20  # refused pods named one by one, up to this many


def comment(paragraphs: list[str]) -> str:
    """Each paragraph wrapped and commented; continuation lines indented."""
    lines = []
    for text in paragraphs:
        if not text:
            lines.append("#")
            continue
        lines += textwrap.wrap(text, WIDTH - 2, initial_indent="# ", subsequent_indent="#   ",
                               break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) + "\n"


def node_line(nodes: list[obj.Node]) -> str:
    roles = Counter(_role(n) for n in nodes)
    zones = Counter(n.labels.get(ZONE_KEY, "") for n in nodes)
    zone_text = ", ".join(f"{z} ({c})" for z, c in sorted(zones.items()) if z) or "none labelled"
    if "" in zones and len(zones) > 1:
        zone_text += f", {zones['']} node(s) without a zone"
    role_text = ", ".join(f"{c} {r}" for r, c in sorted(roles.items()))
    return f"Nodes: {len(nodes)} ({role_text}); zones ({ZONE_KEY}): {zone_text}."


def _role(node: obj.Node) -> str:
    for label, role in (("node-role.kubernetes.io/master", "control-plane"),
                        ("node-role.kubernetes.io/control-plane", "control-plane"),
                        ("node-role.kubernetes.io/infra", "infra"), ("node-role.kubernetes.io/worker", "worker")):
        if label in node.labels:
            return role
    return "without a role label"


def pod_lines(chosen: Chosen) -> list[str]:
    lines = [f"Pods: {len(chosen.kept)} copied as existing pods, bound to the nodes they ran on (pods.yaml: metadata "
             "trimmed to name, namespace, labels and owners; spec whole; status to the phase)."]
    if chosen.pending:
        lines.append(f"{chosen.pending} of them were Pending on their node; the twin starts every existing pod Running "
                     "and Ready.")
    lines.append("No controller replaces a copied pod that is lost (evicted, or on a node that fails): the twin "
                 "knows their Deployments and DaemonSets only as owner names.")
    return lines


def left_out_lines(chosen: Chosen, extra: list[str]) -> list[str]:
    lines = [f"- {count} {reason}" for reason, count in sorted(chosen.left_out.items(), key=lambda rc: (-rc[1], rc[0]))]
    lines += [f"  - {text}" for text in chosen.refused[:MAX_REFUSED]]
    if len(chosen.refused) > MAX_REFUSED:
        lines.append(f"  - ... and {len(chosen.refused) - MAX_REFUSED} more")
    return lines + [f"- {text}" for text in extra]

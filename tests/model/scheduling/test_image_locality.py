"""ImageLocality, with the cases of upstream `TestImageLocalityPriority` and
`TestNormalizedImageName` (pkg/scheduler/framework/plugins/imagelocality/
image_locality_test.go, the version that scales the threshold by the number of
containers and counts init containers); each case id is the upstream test name."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from twin.model.cluster import ClusterView
from twin.model.objects import Container, Node, NodeImage, Pod
from twin.model.scheduling.config import SchedulerConfig
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins import image_locality
from twin.model.scheduling.plugins.image_locality import normalized_image_name

MB = 1024 * 1024


def images(*entries: tuple[tuple[str, ...], int]) -> tuple[NodeImage, ...]:
    return tuple(NodeImage(names, size * MB) for names, size in entries)


NODE_40_300_2000 = images((("gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"), 40),
                          (("gcr.io/300:latest", "gcr.io/300:v1"), 300), (("gcr.io/2000:latest",), 2000))
NODE_250_10 = images((("gcr.io/250:latest",), 250), (("gcr.io/10:latest", "gcr.io/10:v1"), 10))
NODE_600_40_900 = images((("gcr.io/600:latest",), 600), (("gcr.io/40:latest",), 40), (("gcr.io/900:latest",), 900))
NODE_300_600_900 = images((("gcr.io/300:latest",), 300), (("gcr.io/600:latest",), 600), (("gcr.io/900:latest",), 900))
NODE_4000_30 = images((("gcr.io/4000:latest",), 4000), (("gcr.io/30:latest",), 30))
NODE_20_30_40 = images((("gcr.io/20:latest",), 20), (("gcr.io/30:latest",), 30), (("gcr.io/40:latest",), 40))


def pod(*names: str, init: tuple[str, ...] = ()) -> Pod:
    return Pod("p", containers=tuple(Container(f"c{i}", image=n) for i, n in enumerate(names)),
               init_containers=tuple(Container(f"i{i}", image=n) for i, n in enumerate(init)))


CASES = [
    ("two images spread on two nodes, prefer the larger image one",
     pod("gcr.io/40", "gcr.io/250"), [NODE_40_300_2000, NODE_250_10], [0, 5]),
    ("two images on one node, prefer this node", pod("gcr.io/40", "gcr.io/300"), [NODE_40_300_2000, NODE_250_10], [7, 0]),
    ("if exceed limit, use limit", pod("gcr.io/10", "gcr.io/4000"), [NODE_4000_30, NODE_250_10], [100, 0]),
    ("if exceed limit, use limit (with node which has no images present)",
     pod("gcr.io/10", "gcr.io/4000"), [NODE_4000_30, NODE_250_10, ()], [66, 0, 0]),
    ("pod with multiple large images, node2 is preferred",
     pod("gcr.io/300", "gcr.io/600", "gcr.io/900"), [NODE_600_40_900, NODE_300_600_900, ()], [32, 36, 0]),
    ("pod with multiple small images", pod("gcr.io/30", "gcr.io/40"), [NODE_20_30_40, NODE_4000_30], [1, 0]),
    ("include InitContainers: two images spread on two nodes, prefer the larger image one",
     pod("gcr.io/30", init=("gcr.io/300",)), [NODE_40_300_2000, NODE_20_30_40], [6, 0]),
]


def scores(incoming: Pod, node_images: list) -> list[int]:
    nodes = [Node(f"node{i + 1}", images=imgs) for i, imgs in enumerate(node_images)]
    ctx = CycleContext(ClusterView(nodes), incoming, SchedulerConfig())
    return image_locality.score(ctx, np.arange(len(nodes))).tolist()


@pytest.mark.parametrize(("incoming", "node_images", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_image_locality_priority_upstream_cases(incoming, node_images, expected):
    assert scores(incoming, node_images) == expected


DIGEST = "sha256:" + hashlib.sha256(b"root").hexdigest()


@pytest.mark.parametrize(("name", "normalised"), [
    ("root", "root:latest"), ("gcr.io:5000/root", "gcr.io:5000/root:latest"), ("root:tag", "root:tag"),
    (f"root@{DIGEST}", f"root@{DIGEST}"),
], ids=["add :latest postfix 1", "add :latest postfix 2", "keep it as is 1", "keep it as is 2"])
def test_normalized_image_name_upstream_cases(name, normalised):
    assert normalized_image_name(name) == normalised


def test_without_any_node_images_every_node_scores_zero_and_a_warning_says_so():
    ctx = CycleContext(ClusterView([Node("a"), Node("b")]), pod("gcr.io/40"), SchedulerConfig())
    assert image_locality.score(ctx, np.arange(2)).tolist() == [0, 0]
    assert [n.plugin for n in ctx.notices] == ["ImageLocality"]

"""NodePorts, with cases transcribed from upstream `TestNodePorts`
(pkg/scheduler/framework/plugins/nodeports/node_ports_test.go): each case id is the
upstream test name. A port is written `PROTOCOL/hostIP/hostPort` as upstream's `newPod`."""

from __future__ import annotations

import pytest
from cycle import run_prebuilt, verdicts

from twin.model.objects import Container, ContainerPort, Node, Pod

REASON = "node(s) didn't have free ports for the requested pod ports"
NODE = Node("m1", allocatable={"cpu": 4000, "memory": 1 << 34, "pods": 110})


def pod(name: str, *ports: str, on: str | None = None) -> Pod:
    parsed = []
    for spec in ports:
        protocol, ip, port = spec.split("/")
        parsed.append(ContainerPort(int(port), int(port), ip, protocol))
    return Pod(name, node_name=on, containers=(Container("c", ports=tuple(parsed)),))


CASES = [
    ("other port", ["UDP/127.0.0.1/8080"], ["UDP/127.0.0.1/9090"], True),
    ("same udp port", ["UDP/127.0.0.1/8080"], ["UDP/127.0.0.1/8080"], False),
    ("same tcp port", ["TCP/127.0.0.1/8080"], ["TCP/127.0.0.1/8080"], False),
    ("different host ip", ["TCP/127.0.0.1/8080"], ["TCP/127.0.0.2/8080"], True),
    ("different protocol", ["UDP/127.0.0.1/8080"], ["TCP/127.0.0.1/8080"], True),
    ("second udp port conflict", ["UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"], ["UDP/127.0.0.1/8080"], False),
    ("first tcp port conflict", ["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"],
     ["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"], False),
    ("first tcp port conflict due to 0.0.0.0 hostIP", ["TCP/0.0.0.0/8001"], ["TCP/127.0.0.1/8001"], False),
    ("TCP hostPort conflict due to 0.0.0.0 hostIP", ["TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"],
     ["TCP/127.0.0.1/8001"], False),
    ("second tcp port conflict to 0.0.0.0 hostIP", ["TCP/127.0.0.1/8001"], ["TCP/0.0.0.0/8001"], False),
    ("second different protocol", ["UDP/127.0.0.1/8001"], ["TCP/0.0.0.0/8001"], True),
    ("UDP hostPort conflict due to 0.0.0.0 hostIP", ["UDP/127.0.0.1/8001"],
     ["TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"], False),
]


@pytest.mark.parametrize(("wanted", "used", "fits"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_node_ports_upstream_cases(wanted, used, fits):
    result = run_prebuilt([NODE], [pod("existing", *used, on="m1")], pod("incoming", *wanted))
    expected = ("Success", ()) if fits else ("Unschedulable", (REASON,))
    assert verdicts(result, "NodePorts")["m1"] == expected


def test_skip_filter_a_pod_without_host_ports_skips_the_plugin():
    """Upstream "skip filter": PreFilter returns Skip; container ports without hostPort
    do not count either."""
    plain = Pod("p", containers=(Container("c", ports=(ContainerPort(8080),)),))
    result = run_prebuilt([NODE], [pod("existing", "TCP/0.0.0.0/8080", on="m1")], plain)
    assert "NodePorts" not in result.filters


def test_an_empty_host_ip_means_every_address():
    result = run_prebuilt([NODE], [pod("existing", "TCP/127.0.0.1/80", on="m1")], pod("p", "TCP//80"))
    assert verdicts(result, "NodePorts")["m1"] == ("Unschedulable", (REASON,))

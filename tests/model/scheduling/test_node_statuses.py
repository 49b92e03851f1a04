"""Every node's status, computed once per scheduling result (`node_statuses.py`), is what
the node-by-node reading of the filter outcomes gives (kube-scheduler's NodeToStatus: the
first failing filter plugin in profile order), and the FitError counts follow from it."""

from __future__ import annotations

from collections import Counter

from builders import node, pod
from cycle import run_cycle

from twin.model.scheduling.framework import filter_status
from twin.model.scheduling.status import UNSCHEDULABLE, Status

NODES = [node("a").cordoned().cpu("100m"), node("b").cpu("100m"), node("c").taint("dedicated"),
         node("d").cpu("4"), node("e").cpu("100m").taint("dedicated"), node("f").max_pods(0)]


def by_node(result) -> list:
    return [filter_status(result.filters, n) for n in range(len(result.node_names))]


def test_each_node_has_the_status_of_its_first_failing_plugin_as_read_node_by_node():
    result = run_cycle(NODES, [], pod("p").req(cpu="1"))
    assert [result.node_status(n) for n in range(len(NODES))] == by_node(result)
    assert [p for _, p in by_node(result)] == ["NodeUnschedulable", "NodeResourcesFit", "TaintToleration", None,
                                                "TaintToleration", "NodeResourcesFit"]


def test_the_failure_reasons_count_and_order_the_reasons_as_a_node_by_node_pass():
    result = run_cycle(NODES, [], pod("p").req(cpu="1"))
    expected: Counter = Counter()
    for status, _ in by_node(result):
        expected.update(status.reasons)
    reasons = result.failure_reasons()
    assert reasons == expected and list(reasons) == list(expected)
    reasons["Insufficient cpu"] += 10  # a new Counter each time: the result's stays as it was
    assert result.failure_reasons() == expected


def test_a_status_found_with_the_nominated_pods_counted_overrides_the_filters_one():
    result = run_cycle(NODES, [], pod("p").req(cpu="1"))
    nominated = (Status(UNSCHEDULABLE, ("Insufficient memory",)), "NodeResourcesFit")
    result.nominated_failures = {3: nominated}
    result._statuses = None
    assert result.node_status(3) == nominated
    assert result.failure_reasons()["Insufficient memory"] == 1


def test_preemption_may_help_only_on_the_unschedulable_nodes():
    result = run_cycle(NODES, [], pod("p").req(cpu="1"))
    codes = [status.code == UNSCHEDULABLE for status, _ in by_node(result)]
    assert result.statuses().unschedulable().tolist() == codes


def test_the_diagnosis_texts_name_the_plugin_and_its_reasons():
    result = run_cycle(NODES[:4], [], pod("p").req(cpu="1"))
    assert result.statuses().texts() == [
        "NodeUnschedulable: node(s) were unschedulable", "NodeResourcesFit: Insufficient cpu",
        "TaintToleration: node(s) had untolerated taint(s)", "Success"]

"""`twin explain` for a pod no node fits: the preemption candidates and the victims
DefaultPreemption would choose, or why preemption cannot help."""

from __future__ import annotations

import textwrap

from helpers import twin, twin_json

NODES = textwrap.dedent("""\
    apiVersion: v1
    kind: NodeList
    items:
    - metadata: {name: n1, labels: {kubernetes.io/hostname: n1}}
      status: {allocatable: {cpu: "1", memory: 4Gi, pods: "110"}}
    - metadata: {name: n2, labels: {kubernetes.io/hostname: n2}}
      status: {allocatable: {cpu: "1", memory: 4Gi, pods: "110"}}
    """)
PODS = textwrap.dedent("""\
    apiVersion: v1
    kind: List
    items:
    - metadata: {name: batch-1, namespace: apps}
      spec: {nodeName: n1, priority: 10, containers: [{name: c, resources: {requests: {cpu: 900m}}}]}
    - metadata: {name: batch-2, namespace: apps}
      spec: {nodeName: n2, priority: 5, containers: [{name: c, resources: {requests: {cpu: 400m}}}]}
    - metadata: {name: batch-3, namespace: apps}
      spec: {nodeName: n2, priority: 6, containers: [{name: c, resources: {requests: {cpu: 500m}}}]}
    """)


def pod(priority_class: str, extra: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: image-registry-x, namespace: openshift-image-registry}}
        spec:
          priorityClassName: {priority_class}
          containers: [{{name: registry, resources: {{requests: {{cpu: 200m}}}}}}]
        {extra}""")


def files(tmp_path, pod_text: str) -> list[str]:
    for name, text in (("nodes.yaml", NODES), ("pods.yaml", PODS), ("pod.yaml", pod_text)):
        (tmp_path / name).write_text(text)
    return ["explain", "--nodes", str(tmp_path / "nodes.yaml"), "--pods", str(tmp_path / "pods.yaml"),
            "--pod", str(tmp_path / "pod.yaml")]


def test_a_system_cluster_critical_pod_shows_the_candidates_and_the_chosen_victims(capsys, tmp_path):
    doc = twin_json(capsys, *files(tmp_path, pod("system-cluster-critical")))
    assert doc["selected"] is None
    preemption = doc["preemption"]
    assert preemption["eligible"] and preemption["nominated"] == "n2"  # its highest victim's priority is lower
    assert {c["node"]: c["victims"] for c in preemption["candidates"]} == {
        "n1": ["apps/batch-1"], "n2": ["apps/batch-2"]}  # batch-3 (priority 6) is reprieved first: 500m + 200m fit


def test_the_table_says_which_pods_would_be_evicted(capsys, tmp_path):
    code, out, _ = twin(capsys, *files(tmp_path, pod("system-cluster-critical")))
    assert code == 0
    assert "preemption: would nominate n2, evicting apps/batch-2" in out


def test_a_pod_of_priority_0_cannot_preempt_and_the_table_says_why(capsys, tmp_path):
    code, out, _ = twin(capsys, *files(tmp_path, pod('""')))
    assert code == 0
    assert "preemption: no candidate: preemption would not help any node" in out


def test_a_pod_with_preemption_policy_never_is_not_eligible(capsys, tmp_path):
    text = pod("system-cluster-critical").replace("spec:\n", "spec:\n  preemptionPolicy: Never\n")
    doc = twin_json(capsys, *files(tmp_path, text))
    assert doc["preemption"] == {"eligible": False, "reason": "not eligible due to preemptionPolicy=Never.",
                                 "candidates": [], "nominated": None, "nodes": {}}


def test_a_pod_that_fits_has_no_preemption_entry(capsys, tmp_path):
    text = pod("system-cluster-critical").replace("200m", "50m")
    assert "preemption" not in twin_json(capsys, *files(tmp_path, text))

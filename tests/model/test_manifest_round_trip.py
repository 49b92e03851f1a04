"""Writing objects as manifests and loading them back gives the same objects.

The properties go through the real loader path: `twin.model.kube_io.dump` writes a
`NodeList` / `PodList` / `List` (JSON) or a multi-document YAML file, and
`twin.model.kube_io.load` reads it back. The examples check that `oc get -o yaml`
output, with all the fields the twin ignores, loads as expected.
"""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin import strategies as ts
from twin.model.kube_io.dump import (
    list_manifest,
    namespace_manifest,
    node_manifest,
    pod_manifest,
    service_manifest,
    workload_manifest,
)
from twin.model.kube_io.load import load_nodes, load_objects, load_pods
from twin.model.objects import NO_SCHEDULE, Container, Node, NodeImage, Pod, Taint

SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # same text as safe_dump_all, faster
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One directory per module: Hypothesis examples overwrite the same files."""
    return tmp_path_factory.mktemp("manifests")


def write_json(path, document) -> str:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return str(path)


def write_yaml(path, documents) -> str:
    text = yaml.dump_all(documents, Dumper=SafeDumper, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def typed_list(kind: str, items: list[dict]) -> dict:
    return {"apiVersion": "v1", "kind": kind, "metadata": {"resourceVersion": ""}, "items": items}


def other_objects():
    """Services, workloads and namespaces with distinct names."""
    return st.tuples(
        st.integers(0, 3).flatmap(lambda n: st.tuples(*(ts.services(f"svc-{i}") for i in range(n)))),
        st.integers(0, 3).flatmap(lambda n: st.tuples(*(ts.workloads(f"owner-{i}") for i in range(n)))),
        st.lists(ts.namespace_objects(), max_size=3, unique_by=lambda ns: ns.name),
    )


# --- properties -------------------------------------------------------------------


@FAST
@given(cluster=ts.clusters())
def test_nodes_written_as_a_node_list_in_json_load_back_equal(workdir, cluster):
    file = write_json(workdir / "nodes.json", typed_list("NodeList", [node_manifest(n) for n in cluster.nodes]))
    assert load_nodes(file) == list(cluster.nodes)


@FAST
@given(cluster=ts.clusters())
def test_nodes_written_as_multi_document_yaml_load_back_equal(workdir, cluster):
    file = write_yaml(workdir / "nodes.yaml", [node_manifest(n) for n in cluster.nodes])
    assert load_nodes(file) == list(cluster.nodes)


@FAST
@given(cluster=ts.clusters(max_zones=2), incoming=ts.incoming_pod_lists(min_size=0, max_size=4))
def test_pods_written_as_a_pod_list_in_json_load_back_equal(workdir, cluster, incoming):
    pods = list(cluster.pods) + incoming
    file = write_json(workdir / "pods.json", typed_list("PodList", [pod_manifest(p) for p in pods]))
    assert load_pods(file, cluster.node_names) == pods


@FAST
@given(incoming=ts.incoming_pod_lists(min_size=1, max_size=4))
def test_pods_written_as_multi_document_yaml_load_back_equal(workdir, incoming):
    file = write_yaml(workdir / "pods.yaml", [pod_manifest(p) for p in incoming])
    assert load_pods(file) == incoming


@FAST
@given(objects=other_objects())
def test_services_workloads_and_namespaces_written_as_a_list_load_back_equal(workdir, objects):
    services, workloads, namespaces = objects
    items = [service_manifest(s) for s in services] + [workload_manifest(w) for w in workloads]
    items += [namespace_manifest(n) for n in namespaces]
    loaded = load_objects([write_json(workdir / "objects.json", list_manifest(items))])
    assert (loaded.services, loaded.workloads, loaded.namespaces) == (list(services), list(workloads), list(namespaces))


@pytest.mark.slow
@SLOW
@given(cluster=ts.clusters(), incoming=ts.incoming_pod_lists(min_size=0, max_size=4), objects=other_objects())
def test_every_generated_object_loads_back_equal_from_one_yaml_file(workdir, cluster, incoming, objects):
    services, workloads, namespaces = objects
    items = [node_manifest(n) for n in cluster.nodes] + [pod_manifest(p) for p in cluster.pods + tuple(incoming)]
    items += [service_manifest(s) for s in services] + [workload_manifest(w) for w in workloads]
    items += [namespace_manifest(n) for n in namespaces]
    loaded = load_objects([write_yaml(workdir / "everything.yaml", items)])
    assert loaded.nodes == list(cluster.nodes)
    assert loaded.pods == list(cluster.pods) + incoming
    assert (loaded.services, loaded.workloads, loaded.namespaces) == (list(services), list(workloads), list(namespaces))


# --- examples ---------------------------------------------------------------------

OC_GET_NODES_YAML = textwrap.dedent("""\
    apiVersion: v1
    items:
    - apiVersion: v1
      kind: Node
      metadata:
        annotations:
          machine.openshift.io/machine: openshift-machine-api/ci-worker-a-x7k2p
          volumes.kubernetes.io/controller-managed-attach-detach: "true"
        creationTimestamp: "2024-04-02T08:11:45Z"
        labels:
          beta.kubernetes.io/arch: amd64
          kubernetes.io/hostname: ci-worker-a-x7k2p
          node-role.kubernetes.io/worker: ""
          topology.kubernetes.io/region: us-east-1
          topology.kubernetes.io/zone: us-east-1a
        managedFields:
        - apiVersion: v1
          fieldsType: FieldsV1
          fieldsV1:
            f:metadata:
              f:labels:
                .: {}
          manager: kubelet
          operation: Update
          time: "2024-04-02T08:11:45Z"
        name: ci-worker-a-x7k2p
        resourceVersion: "918273"
        uid: 0c6d1f0e-8d2b-4c57-9a52-6a0f1b1b2c3d
      spec:
        providerID: aws:///us-east-1a/i-0abc123def4567890
        taints:
        - effect: NoSchedule
          key: dedicated
          value: registry
      status:
        addresses:
        - address: 10.0.1.23
          type: InternalIP
        - address: ci-worker-a-x7k2p
          type: Hostname
        allocatable:
          cpu: 3500m
          ephemeral-storage: "114396791822"
          hugepages-1Gi: "0"
          memory: 15225844Ki
          pods: "250"
        capacity:
          cpu: "4"
          ephemeral-storage: 125293548Ki
          memory: 16279540Ki
          pods: "250"
        conditions:
        - lastHeartbeatTime: "2024-05-01T12:00:00Z"
          message: kubelet has sufficient memory available
          reason: KubeletHasSufficientMemory
          status: "False"
          type: MemoryPressure
        - lastHeartbeatTime: "2024-05-01T12:00:00Z"
          message: kubelet is posting ready status
          reason: KubeletReady
          status: "True"
          type: Ready
        daemonEndpoints:
          kubeletEndpoint:
            Port: 10250
        images:
        - names:
          - quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:0123
          sizeBytes: 1106124584
        nodeInfo:
          architecture: amd64
          kernelVersion: 5.14.0-284.el9.x86_64
          kubeletVersion: v1.29.4+4a87b53
          osImage: Red Hat Enterprise Linux CoreOS 416.94
    - apiVersion: v1
      kind: Node
      metadata:
        labels:
          kubernetes.io/hostname: ci-master-0
          node-role.kubernetes.io/master: ""
        name: ci-master-0
      spec:
        taints:
        - effect: NoSchedule
          key: node-role.kubernetes.io/master
        unschedulable: true
      status:
        capacity:
          cpu: "8"
          memory: 32Gi
          pods: "250"
        conditions:
        - status: Unknown
          type: Ready
    kind: List
    metadata:
      resourceVersion: ""
    """)


def test_an_oc_get_nodes_yaml_list_loads_and_its_unknown_fields_are_ignored(tmp_path):
    file = tmp_path / "nodes.yaml"
    file.write_text(OC_GET_NODES_YAML, encoding="utf-8")
    worker, master = load_nodes(file)
    assert worker == Node(
        name="ci-worker-a-x7k2p",
        labels={
            "beta.kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "ci-worker-a-x7k2p",
            "node-role.kubernetes.io/worker": "", "topology.kubernetes.io/region": "us-east-1",
            "topology.kubernetes.io/zone": "us-east-1a",
        },
        taints=(Taint("dedicated", "registry", NO_SCHEDULE),),
        allocatable={
            "cpu": 3500, "ephemeral-storage": 114396791822, "hugepages-1Gi": 0,
            "memory": 15225844 * 1024, "pods": 250,
        },
        ready="True",
        images=(NodeImage(("quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:0123",), 1106124584),),
    )
    assert (master.unschedulable, master.ready) == (True, "Unknown")


def test_a_node_without_allocatable_offers_its_capacity(tmp_path):
    file = tmp_path / "nodes.yaml"
    file.write_text(OC_GET_NODES_YAML, encoding="utf-8")
    master = load_nodes(file)[1]
    assert master.allocatable == {"cpu": 8000, "memory": 32 * 2**30, "pods": 250}


def test_a_dumped_node_reads_like_oc_get_output():
    node = Node("n1", {"kubernetes.io/hostname": "n1"}, allocatable={"cpu": 1500, "memory": 2**30, "pods": 110})
    manifest = node_manifest(node)
    assert manifest["status"]["allocatable"] == {"cpu": "1500m", "memory": "1Gi", "pods": "110"}
    assert manifest["status"]["capacity"] == manifest["status"]["allocatable"]
    assert manifest["status"]["conditions"] == [{"type": "Ready", "status": "True"}]


def test_a_container_without_a_memory_request_is_dumped_without_one():
    pod = Pod("p", containers=(Container("c", {"cpu": 100}),))
    assert pod_manifest(pod)["spec"]["containers"] == [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}]

"""`twin explain` / `twin place` with real pods: host ports, volumes and storage objects
from `--objects`, node images, trimmed node exports (warnings) and the explained pod
also listed in `--pods` (left out, with a note)."""

from __future__ import annotations

import json

import yaml
from helpers import data, twin, twin_json

POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "registry-0", "namespace": "openshift-image-registry", "uid": "u-1",
                 "labels": {"docker-registry": "default"}},
    "spec": {
        "containers": [{"name": "registry", "image": "quay.io/openshift/registry",
                        "ports": [{"containerPort": 5000, "hostPort": 5000, "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}}}],
        "volumes": [{"name": "storage", "persistentVolumeClaim": {"claimName": "image-registry-storage"}},
                    {"name": "certs", "secret": {"secretName": "tls"}}],
        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"docker-registry": "default"}}}]}},
    },
}
STORAGE = [
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
     "metadata": {"name": "image-registry-storage", "namespace": "openshift-image-registry",
                  "annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
     "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": "pvc-1", "storageClassName": "gp3-csi",
              "resources": {"requests": {"storage": "100Gi"}}}},
    {"apiVersion": "v1", "kind": "PersistentVolume",
     "metadata": {"name": "pvc-1", "labels": {"topology.kubernetes.io/zone": "us-east-1b"}},
     "spec": {"storageClassName": "gp3-csi", "capacity": {"storage": "100Gi"}, "accessModes": ["ReadWriteOnce"],
              "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"}}},
    {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "gp3-csi"},
     "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "WaitForFirstConsumer"},
    {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": "worker-us-east-1b-0"},
     "spec": {"drivers": [{"name": "ebs.csi.aws.com", "nodeID": "i-1", "allocatable": {"count": 25}}]}},
]


def write(tmp_path, name: str, body) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(body) if isinstance(body, list) else json.dumps(body), encoding="utf-8")
    return str(path)


def explain(capsys, tmp_path, *extra: str) -> dict:
    return twin_json(capsys, "explain", "--nodes", data("nodes.json"), "--pod", write(tmp_path, "pod.json", POD), *extra)


def test_a_registry_on_a_zonal_volume_fits_only_its_zone(capsys, tmp_path):
    doc = explain(capsys, tmp_path, "--objects", write(tmp_path, "storage.yaml", STORAGE))
    assert doc["selected"] and doc["selected"].startswith("worker-us-east-1b")
    other = doc["nodes"]["worker-us-east-1a-0"]
    assert other["failed_plugin"] == "VolumeZone"
    assert other["filters"]["VolumeZone"]["reasons"] == ["node(s) had no available volume zone"]


def test_without_storage_objects_the_volume_plugins_warn_naming_themselves(capsys, tmp_path):
    doc = explain(capsys, tmp_path)
    plugins = {w["plugin"] for w in doc["warnings"]}
    assert {"VolumeZone", "VolumeBinding", "VolumeRestrictions", "NodeVolumeLimits"} <= plugins
    assert sum(e["status"] == "Success" for e in doc["nodes"].values()) == 6


def test_the_explained_pod_in_pods_is_left_out_with_a_note_instead_of_repelling_itself(capsys, tmp_path):
    bound = {**POD, "spec": {**POD["spec"], "nodeName": "worker-us-east-1a-0"}}
    pods = write(tmp_path, "pods.json", {"apiVersion": "v1", "kind": "PodList", "items": [bound]})
    doc = explain(capsys, tmp_path, "--pods", pods)
    assert doc["nodes"]["worker-us-east-1a-0"]["status"] == "Success"
    assert doc["nodes"]["worker-us-east-1a-0"]["filters"]["NodePorts"]["status"] == "Success"
    notes = [w for w in doc["warnings"] if w["plugin"] is None]
    assert len(notes) == 1 and "openshift-image-registry/registry-0" in notes[0]["message"]


def test_another_pod_holding_the_host_port_rejects_the_node(capsys, tmp_path):
    other = {**POD, "metadata": {"name": "other", "namespace": "default", "uid": "u-2"},
             "spec": {"nodeName": "worker-us-east-1a-0", "containers": POD["spec"]["containers"]}}
    pods = write(tmp_path, "pods.json", {"apiVersion": "v1", "kind": "PodList", "items": [other]})
    entry = explain(capsys, tmp_path, "--pods", pods)["nodes"]["worker-us-east-1a-0"]
    assert entry["failed_plugin"] == "NodePorts"
    assert entry["filters"]["NodePorts"]["reasons"] == ["node(s) didn't have free ports for the requested pod ports"]


def test_a_node_without_status_is_named_in_a_warning_in_json_and_text(capsys, tmp_path):
    nodes = json.loads(open(data("nodes.json")).read())
    del nodes["items"][3]["status"]
    name = nodes["items"][3]["metadata"]["name"]
    nodes_file = write(tmp_path, "nodes.json", nodes)
    pod = write(tmp_path, "pod.json", POD)
    doc = twin_json(capsys, "explain", "--nodes", nodes_file, "--pod", pod)
    warning = next(w for w in doc["warnings"] if w["plugin"] == "NodeResourcesFit")
    assert name in warning["message"] and "capacity" in warning["message"]
    assert doc["nodes"][name]["filters"]["NodeResourcesFit"]["reasons"][0] == "Too many pods"
    code, out, _ = twin(capsys, "explain", "--nodes", nodes_file, "--pod", pod)
    assert code == 0 and f"warning: NodeResourcesFit: node {name} has no status" in out


def test_node_images_feed_image_locality(capsys, tmp_path):
    nodes = json.loads(open(data("nodes.json")).read())
    for item in nodes["items"]:
        if item["metadata"]["name"] == "worker-us-east-1c-1":
            item["status"]["images"] = [{"names": ["quay.io/openshift/registry:latest"], "sizeBytes": 700 << 20}]
    doc = twin_json(capsys, "explain", "--nodes", write(tmp_path, "nodes.json", nodes),
                    "--pod", write(tmp_path, "pod.json", POD))
    scores = {name: e["scores"]["ImageLocality"] for name, e in doc["nodes"].items() if e.get("scores")}
    assert scores["worker-us-east-1c-1"] > 0 and scores["worker-us-east-1c-0"] == 0
    assert not any(w["plugin"] == "ImageLocality" for w in doc["warnings"])


def test_a_bad_host_port_is_a_field_path_error(capsys, tmp_path):
    bad = {**POD, "spec": {**POD["spec"], "containers": [{"name": "c", "ports": [{"containerPort": 1, "hostPort": "80"}]}]}}
    code, _, err = twin(capsys, "explain", "--nodes", data("nodes.json"), "--pod", write(tmp_path, "pod.json", bad))
    assert code == 2 and "spec.containers[0].ports[0].hostPort: expected an integer, got '80'" in err


def test_a_bad_storage_class_binding_mode_is_a_field_path_error(capsys, tmp_path):
    bad = [{**STORAGE[2], "volumeBindingMode": "Later"}]
    code, _, err = twin(capsys, "explain", "--nodes", data("nodes.json"), "--pod", write(tmp_path, "pod.json", POD),
                        "--objects", write(tmp_path, "sc.yaml", bad))
    assert code == 2 and "volumeBindingMode: expected Immediate or WaitForFirstConsumer, got 'Later'" in err


def test_place_reports_warnings_once_and_in_json(capsys, tmp_path):
    doc = twin_json(capsys, "place")
    assert [w["plugin"] for w in doc["warnings"]] == ["ImageLocality"]
    code, out, _ = twin(capsys, "place")
    assert out.count("warning: ImageLocality") == 1

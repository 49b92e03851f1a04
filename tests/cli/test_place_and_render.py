"""`twin place` and `twin render` on the bundled example and on given files."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml
from helpers import data, twin, twin_json

from twin.cli.place import DEFAULT_CONFIG, example
from twin.model.objects import HOSTNAME_KEY, ZONE_KEY

ROSA = example(DEFAULT_CONFIG)


def test_place_without_arguments_places_two_replicas_in_two_zones(capsys):
    doc = twin_json(capsys, "place")
    nodes = [r["node"] for r in doc["replicas"]]
    zones = {r["zone"] for r in doc["replicas"]}
    assert len(nodes) == 2 and len(set(nodes)) == 2 and len(zones) == 2
    assert all(n.startswith("worker-") for n in nodes)
    assert doc["pending"] == 0


def test_place_is_identical_for_the_same_seed(capsys):
    first = twin(capsys, "place", "--seed", "3")[1]
    second = twin(capsys, "place", "--seed", "3")[1]
    assert first == second


def test_place_prints_the_table_and_per_node_reasons(capsys):
    code, out, _ = twin(capsys, "place")
    assert code == 0
    assert "REPLICA" in out and "replica 2:" in out
    assert "TaintToleration: node(s) had untolerated taint(s)" in out


def test_six_replicas_on_the_example_cluster_use_every_worker_once(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: imageregistry.operator.openshift.io/v1\nkind: Config\n"
                      "metadata: {name: cluster}\nspec: {replicas: 6, storage: {s3: {}}}\n")
    doc = twin_json(capsys, "place", "--config", str(config))
    assert len({r["node"] for r in doc["replicas"]}) == 6


def test_render_prints_the_deployment_and_the_pdb_as_yaml(capsys):
    code, out, _ = twin(capsys, "render", "--config", ROSA,
                        "--nodes", data("nodes.json"))
    deployment, pdb = yaml.safe_load_all(out)
    assert deployment["kind"] == "Deployment" and pdb["kind"] == "PodDisruptionBudget"
    keys = [c["topologyKey"] for c in deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]]
    assert keys == [HOSTNAME_KEY, "node-role.kubernetes.io/worker", ZONE_KEY]


def test_render_for_4_22_has_no_match_label_keys(capsys):
    doc = twin_json(capsys, "render", "--config", ROSA,
                    "--nodes", data("nodes.json"), "--openshift", "4.22")
    deployment = doc["items"][0]
    assert deployment["spec"]["progressDeadlineSeconds"] == 120
    assert all("matchLabelKeys" not in c for c in deployment["spec"]["template"]["spec"]["topologySpreadConstraints"])


def test_place_output_is_byte_identical_across_processes_and_hash_seeds():
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-m", "twin", "place", "--output", "json", "--seed", "5"],
                              capture_output=True, env=env, timeout=120)
        assert done.returncode == 0
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_succeeded_and_pending_pods_are_not_in_the_schedulers_cache(capsys, tmp_path):
    pods = tmp_path / "pods.yaml"
    pods.write_text(
        "apiVersion: v1\nkind: PodList\nitems:\n"
        "- {kind: Pod, metadata: {name: done, namespace: openshift-image-registry, labels: {docker-registry: default}},\n"
        "   spec: {nodeName: worker-us-east-1a-0, containers: [{name: c}]}, status: {phase: Succeeded}}\n"
        "- {kind: Pod, metadata: {name: waiting, namespace: openshift-image-registry, labels: {docker-registry: default}},\n"
        "   spec: {containers: [{name: c}]}, status: {phase: Pending}}\n")
    doc = twin_json(capsys, "explain", "--nodes", data("nodes.json"), "--pods", str(pods), "--pod", data("pod.yaml"))
    assert sum(e["status"] == "Success" for e in doc["nodes"].values()) == 6


def test_render_adds_the_operators_routes_with_their_hosts(capsys, tmp_path):
    """CIRO listRoutes/expected: default-route first (reencrypt, host from library-go's
    GenerateHostname), then spec.routes[] in order, a certificate only with a secret."""
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: imageregistry.operator.openshift.io/v1\nkind: Config\nmetadata: {name: cluster}\n"
                      "spec: {replicas: 2, storage: {s3: {}}, defaultRoute: true,\n"
                      "       routes: [{name: public, hostname: registry.example.org, secretName: public-tls}]}\n")
    code, out, _ = twin(capsys, "render", "--config", str(config), "--nodes", data("nodes.json"),
                        "--apps-domain", "apps.mycluster.example.net")
    _, _, default, public = yaml.safe_load_all(out)
    assert (default["kind"], default["metadata"]["name"]) == ("Route", "default-route")
    assert default["spec"]["host"] == "default-route-openshift-image-registry.apps.mycluster.example.net"
    assert default["spec"]["tls"] == {"termination": "reencrypt"}
    assert default["spec"]["to"] == {"kind": "Service", "name": "image-registry"}
    assert public["spec"]["host"] == "registry.example.org" and "certificate" in public["spec"]["tls"]


def test_render_without_routes_prints_the_deployment_and_the_pdb_only(capsys):
    _, out, _ = twin(capsys, "render", "--config", ROSA, "--nodes", data("nodes.json"))
    assert [d["kind"] for d in yaml.safe_load_all(out)] == ["Deployment", "PodDisruptionBudget"]


def test_render_refuses_an_apps_domain_that_is_no_dns_name(capsys):
    code, out, err = twin(capsys, "render", "--config", ROSA, "--nodes", data("nodes.json"), "--apps-domain", "Apps_X")
    assert code == 2 and out == ""
    assert err.startswith("twin: error: --apps-domain: Apps_X: expected a DNS name: must consist of lower case")

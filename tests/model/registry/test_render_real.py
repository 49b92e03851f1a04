"""The rendered Deployment against what real OpenShift 4.8/4.9 CI clusters ran
(tests/importing/data/SOURCE.md): the aws (s3, 2 replicas), azure (azure, 2 replicas)
and metal (emptyDir, 1 replica) Configs are rendered with the 4.21 rules and compared
with that cluster's Deployment and, for the pod template (the must-gather's Deployments
are trimmed to metadata, replicas, selector and strategy), with a running registry pod.

Compared: Deployment name, namespace, labels, replicas, selector, strategy; container
name, ports, resources, volumeMounts, every env var's value or valueFrom, and the order
of the operator's own env vars; pod volumes, nodeSelector, priorityClassName,
serviceAccountName and (2 replicas) affinity. The CIRO history leaves these unchanged between
release-4.9 and release-4.23 except for the commits excluded below.

Excluded, with the CIRO commit that changed them after these clusters were built (none
is an ancestor of release-4.9):
* REGISTRY_HEALTH_STORAGEDRIVER_{ENABLED,INTERVAL,THRESHOLD}: added by b68ed811b
  ("Enable health check for storage driver"), which also set the probes' initial delays
  5/15 s, so probes are excluded too;
* REGISTRY_STORAGE_S3_VIRTUALHOSTEDSTYLE became REGISTRY_STORAGE_S3_FORCEPATHSTYLE in
  fde302b6a ("use force path style in favour of virtual hosted style");
* the azure driver's env order: 8bb474a7b (workload identity) moved ACCOUNTKEY first, so
  the storage env vars are compared as a set, their position (first) apart;
* command: `--output` added by 9625bf48f; lifecycle preStop and
  terminationGracePeriodSeconds 55: a0286d092 ("Avoid disruptions");
  terminationMessagePolicy: 1fea78e2d; container securityContext readOnlyRootFilesystem:
  723cdc479 (and a pod's carries SCC-added fields); pod securityContext
  fsGroupChangePolicy: 0da9683c5 (and fsGroup is per cluster);
  topologySpreadConstraints: 6fcf0eaae, which also dropped the preferred hostname
  anti-affinity for replica counts other than 2 (so affinity is compared only for the
  2-replica clusters, aws and azure); progressDeadlineSeconds: 18e33e70a;
* REGISTRY_HTTP_SECRET: removed from the stored Configs (SOURCE.md); the image: a
  payload digest; tolerations, kube-api-access-* volume and mount, imagePullSecrets,
  enableServiceLinks, priority: added to pods by admission, not by the operator;
  annotations: removed from the stored objects (SOURCE.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from twin.model.objects import Node
from twin.model.registry.config import load_registry_config
from twin.model.registry.render import render_registry
from twin.model.registry.versions import openshift_version

DATA = Path(__file__).parents[2] / "importing" / "data"
CLUSTERS = ["aws", "azure", "metal"]
ADDED_SINCE = {"REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", "REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL",
               "REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD", "REGISTRY_STORAGE_S3_FORCEPATHSTYLE"}
REMOVED_SINCE = {"REGISTRY_STORAGE_S3_VIRTUALHOSTEDSTYLE"}
NOT_IN_THE_DATA = {"REGISTRY_HTTP_SECRET"}
ADMISSION_VOLUME_PREFIX = "kube-api-access-"


def _folder(cluster: str) -> Path:
    [folder] = [p for p in (DATA / cluster).iterdir() if p.is_dir()]
    return folder


def _items(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text())["items"]


def rendered_deployment(cluster: str) -> dict:
    folder = _folder(cluster)
    config = load_registry_config(
        folder / "cluster-scoped-resources/imageregistry.operator.openshift.io/configs/cluster.yaml")
    nodes: list[Node] = []  # nodes only decide the spread constraints, which are excluded
    return render_registry(config, nodes, openshift_version("4.21")).deployment


def real_deployment(cluster: str) -> dict:
    items = _items(_folder(cluster) / "namespaces/openshift-image-registry/apps/deployments.yaml")
    [deployment] = [d for d in items if d["metadata"]["name"] == "image-registry"]
    return deployment


def real_pod_spec(cluster: str) -> dict:
    items = _items(_folder(cluster) / "namespaces/openshift-image-registry/core/pods.yaml")
    pods = [p for p in items if p["metadata"].get("labels", {}).get("docker-registry") == "default"]
    return pods[0]["spec"]


def _without_admission(entries: list[dict]) -> list[dict]:
    return [e for e in entries if not e["name"].startswith(ADMISSION_VOLUME_PREFIX)]


def _env(container: dict, leave_out: set[str]) -> dict[str, dict]:
    return {e["name"]: {k: v for k, v in e.items() if k != "name"} for e in container["env"] if e["name"] not in leave_out}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_the_deployment_metadata_replicas_selector_and_strategy_match_the_real_cluster(cluster):
    rendered, real = rendered_deployment(cluster), real_deployment(cluster)
    for key in ("name", "namespace", "labels"):
        assert rendered["metadata"][key] == real["metadata"][key], key
    for key in ("replicas", "selector", "strategy"):
        assert rendered["spec"][key] == real["spec"][key], key


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_env_var_unchanged_since_4_9_has_the_real_value(cluster):
    [rendered] = rendered_deployment(cluster)["spec"]["template"]["spec"]["containers"]
    [real] = real_pod_spec(cluster)["containers"]
    assert _env(rendered, ADDED_SINCE | NOT_IN_THE_DATA) == _env(real, REMOVED_SINCE | NOT_IN_THE_DATA)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_storage_env_comes_first_and_the_operators_own_env_keeps_the_real_order(cluster):
    [rendered] = rendered_deployment(cluster)["spec"]["template"]["spec"]["containers"]
    [real] = real_pod_spec(cluster)["containers"]
    rendered_names = [e["name"] for e in rendered["env"] if e["name"] not in ADDED_SINCE]
    real_names = [e["name"] for e in real["env"] if e["name"] not in REMOVED_SINCE]
    first_fixed = real_names.index("REGISTRY_HTTP_ADDR")
    assert set(rendered_names[:first_fixed]) == set(real_names[:first_fixed])
    assert all(name.startswith("REGISTRY_STORAGE") for name in real_names[:first_fixed])
    assert rendered_names[first_fixed:] == real_names[first_fixed:]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_container_name_ports_resources_and_volume_mounts_match_the_real_pod(cluster):
    [rendered] = rendered_deployment(cluster)["spec"]["template"]["spec"]["containers"]
    [real] = real_pod_spec(cluster)["containers"]
    for key in ("name", "ports", "resources"):
        assert rendered[key] == real[key], key
    assert rendered["volumeMounts"] == _without_admission(real["volumeMounts"])


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_pod_volumes_and_scheduling_fields_match_the_real_pod(cluster):
    rendered, real = rendered_deployment(cluster)["spec"]["template"]["spec"], real_pod_spec(cluster)
    assert rendered["volumes"] == _without_admission(real["volumes"])
    for key in ("nodeSelector", "priorityClassName", "serviceAccountName", "serviceAccount", "dnsPolicy",
                "restartPolicy", "schedulerName"):
        assert rendered[key] == real[key], key
    if real_deployment(cluster)["spec"]["replicas"] == 2:
        assert rendered["affinity"] == real["affinity"]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_the_api_server_defaults_written_out_are_those_the_real_container_shows(cluster):
    [rendered] = rendered_deployment(cluster)["spec"]["template"]["spec"]["containers"]
    [real] = real_pod_spec(cluster)["containers"]
    for key in ("imagePullPolicy", "terminationMessagePath"):
        assert rendered[key] == real[key], key
    for probe in ("livenessProbe", "readinessProbe"):
        defaults = ("periodSeconds", "successThreshold", "failureThreshold", "timeoutSeconds", "httpGet")
        assert {k: rendered[probe][k] for k in defaults} == {k: real[probe][k] for k in defaults}

"""The Deployment and PDB the operator renders (spec/registry-operator.md §2.2–§2.4, §7)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from twin.model.kube_io.schema import PodSchema
from twin.model.objects import HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY, Node
from twin.model.registry.config import RegistryConfig, RequestLimits, default_rosa_config
from twin.model.registry.render import generate_log_level, pod_template_manifest, render_registry
from twin.model.registry.versions import openshift_version

V421, V422, V423 = (openshift_version(v) for v in ("4.21", "4.22", "4.23"))
SELECTOR = {"matchLabels": {"docker-registry": "default"}}
ZONED = [Node("w1", {HOSTNAME_KEY: "w1", ZONE_KEY: "us-east-1a"}), Node("w2", {HOSTNAME_KEY: "w2"})]
UNZONED = [Node("w1", {HOSTNAME_KEY: "w1"}), Node("w2", {HOSTNAME_KEY: "w2"})]


def rosa(**changes) -> RegistryConfig:
    return replace(default_rosa_config(), **changes)


def deployment(config: RegistryConfig, nodes=ZONED, version=V423) -> dict:
    return render_registry(config, nodes, version).deployment


def pod_spec(config: RegistryConfig, nodes=ZONED, version=V423) -> dict:
    return deployment(config, nodes, version)["spec"]["template"]["spec"]


def container(config: RegistryConfig) -> dict:
    [registry] = pod_spec(config)["containers"]
    return registry


def env(config: RegistryConfig) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(config)["env"]}


def spread_keys(config: RegistryConfig, nodes=ZONED, version=V423) -> list[str] | None:
    constraints = pod_spec(config, nodes, version).get("topologySpreadConstraints")
    return None if constraints is None else [c["topologyKey"] for c in constraints]


# ---- Deployment (§2.2) -----------------------------------------------------------------


def test_the_deployment_is_image_registry_in_openshift_image_registry_selecting_docker_registry_default():
    manifest = deployment(default_rosa_config())
    assert (manifest["apiVersion"], manifest["kind"]) == ("apps/v1", "Deployment")
    metadata = {key: value for key, value in manifest["metadata"].items() if key != "annotations"}
    assert metadata == {
        "name": "image-registry", "namespace": "openshift-image-registry", "labels": {"docker-registry": "default"},
    }
    assert manifest["spec"]["selector"] == SELECTOR
    assert manifest["spec"]["template"]["metadata"]["labels"] == {"docker-registry": "default"}


@pytest.mark.parametrize("replicas", [1, 2, 3, 6])
def test_the_deployment_asks_for_the_configured_replicas(replicas):
    assert deployment(rosa(replicas=replicas))["spec"]["replicas"] == replicas


STRATEGIES = [
    # replicas, rolloutStrategy, expected strategy
    (1, "RollingUpdate", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}}),
    (2, "RollingUpdate", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}),
    (3, "RollingUpdate", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2, "maxSurge": "25%"}}),
    (6, "RollingUpdate", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 5, "maxSurge": "25%"}}),
    (6, "", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 5, "maxSurge": "25%"}}),
    (1, "Recreate", {"type": "Recreate"}),
    (2, "Recreate", {"type": "Recreate"}),
]


@pytest.mark.parametrize("replicas, rollout, expected", STRATEGIES)
def test_strategy_arithmetic_follows_the_replica_count(replicas, rollout, expected):
    assert deployment(rosa(replicas=replicas, rollout_strategy=rollout))["spec"]["strategy"] == expected


def test_two_replicas_get_max_unavailable_1_and_max_surge_1():
    rolling = deployment(rosa(replicas=2))["spec"]["strategy"]["rollingUpdate"]
    assert (rolling["maxUnavailable"], rolling["maxSurge"]) == (1, 1)


def test_zero_replicas_render_max_unavailable_minus_one_as_the_operator_computes_it():
    rolling = deployment(rosa(replicas=0))["spec"]["strategy"]["rollingUpdate"]
    assert rolling == {"maxUnavailable": -1, "maxSurge": "25%"}


@pytest.mark.parametrize("version, seconds", [(V421, 60), (V422, 120), (V423, 120)])
def test_progress_deadline_seconds_follow_the_version(version, seconds):
    assert deployment(default_rosa_config(), version=version)["spec"]["progressDeadlineSeconds"] == seconds


# ---- pod template (§2.3) ------------------------------------------------------------------


def test_the_pod_runs_one_registry_container_on_port_5000_tcp():
    registry = container(default_rosa_config())
    assert registry["name"] == "registry"
    assert registry["ports"] == [{"containerPort": 5000, "protocol": "TCP"}]


def test_the_pod_is_system_cluster_critical_with_a_55_second_grace_period_and_a_25_second_pre_stop_sleep():
    spec = pod_spec(default_rosa_config())
    assert spec["priorityClassName"] == "system-cluster-critical"
    assert spec["terminationGracePeriodSeconds"] == 55
    assert spec["containers"][0]["lifecycle"] == {"preStop": {"exec": {"command": ["sleep", "25"]}}}


@pytest.mark.parametrize("probe, delay", [("livenessProbe", 5), ("readinessProbe", 15)])
def test_probes_are_https_healthz_with_their_delay_and_the_api_server_defaults(probe, delay):
    assert container(default_rosa_config())[probe] == {
        "httpGet": {"path": "/healthz", "port": 5000, "scheme": "HTTPS"},
        "initialDelaySeconds": delay, "timeoutSeconds": 5,
        "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
    }


def test_default_resources_request_100m_cpu_and_256mi_memory_without_limits():
    assert container(default_rosa_config())["resources"] == {"requests": {"cpu": "100m", "memory": "256Mi"}}


def test_spec_resources_replace_the_default_whole():
    resources = {"limits": {"memory": "1Gi"}}
    assert container(rosa(resources=resources))["resources"] == resources


def test_empty_spec_resources_leave_the_container_without_requests():
    assert container(rosa(resources={}))["resources"] == {}


# ---- nodeSelector and tolerations --------------------------------------------------------


@pytest.mark.parametrize("spec_selector, expected", [
    (None, {"kubernetes.io/os": "linux"}),
    ({}, {"kubernetes.io/os": "linux"}),
    ({"node-role.kubernetes.io/infra": ""}, {"node-role.kubernetes.io/infra": "", "kubernetes.io/os": "linux"}),
    ({"kubernetes.io/os": "windows"}, {"kubernetes.io/os": "windows"}),
])
def test_node_selector_gains_kubernetes_io_os_linux_unless_set(spec_selector, expected):
    assert pod_spec(rosa(node_selector=spec_selector))["nodeSelector"] == expected


def test_tolerations_are_passed_through_and_absent_by_default():
    toleration = {"key": "node-role.kubernetes.io/infra", "operator": "Exists", "effect": "NoSchedule"}
    assert "tolerations" not in pod_spec(default_rosa_config())
    assert pod_spec(rosa(tolerations=(toleration,)))["tolerations"] == [toleration]


# ---- topology spread constraints -----------------------------------------------------------


def test_default_spread_constraints_are_hostname_worker_and_zone_exactly_as_the_spec_lists_them():
    expected = [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": SELECTOR}
        for key in (HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY)
    ]
    assert pod_spec(default_rosa_config(), version=V422)["topologySpreadConstraints"] == expected


def test_the_zone_constraint_is_left_out_when_no_node_has_a_zone_label():
    assert spread_keys(default_rosa_config(), UNZONED) == [HOSTNAME_KEY, WORKER_ROLE_KEY]


def test_one_zoned_node_of_any_role_is_enough_for_the_zone_constraint():
    master = Node("m1", {HOSTNAME_KEY: "m1", "node-role.kubernetes.io/master": "", ZONE_KEY: "a"})
    assert spread_keys(default_rosa_config(), [*UNZONED, master])[-1] == ZONE_KEY


def test_an_empty_zone_label_value_still_counts_as_a_zone_label():
    assert spread_keys(default_rosa_config(), [Node("w1", {ZONE_KEY: ""})])[-1] == ZONE_KEY


@pytest.mark.parametrize("selector", [{}, {"node-role.kubernetes.io/infra": ""}])
def test_a_non_nil_node_selector_drops_the_default_spread_constraints(selector):
    assert "topologySpreadConstraints" not in pod_spec(rosa(node_selector=selector))


def test_user_spread_constraints_replace_the_defaults_verbatim_even_with_a_node_selector():
    user = {"maxSkew": 2, "topologyKey": ZONE_KEY, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": SELECTOR}
    config = rosa(topology_spread_constraints=(user,), node_selector={"infra": ""})
    assert pod_spec(config)["topologySpreadConstraints"] == [user]


def test_an_explicit_empty_spread_constraint_list_disables_the_defaults():
    assert "topologySpreadConstraints" not in pod_spec(rosa(topology_spread_constraints=()))


def test_on_4_23_each_default_constraint_counts_per_revision_and_honors_taints_and_affinity():
    for constraint in pod_spec(default_rosa_config(), version=V423)["topologySpreadConstraints"]:
        assert constraint["matchLabelKeys"] == ["pod-template-hash"]
        assert (constraint["nodeAffinityPolicy"], constraint["nodeTaintsPolicy"]) == ("Honor", "Honor")


@pytest.mark.parametrize("version", [V421, V422])
def test_before_4_23_default_constraints_carry_none_of_the_extra_fields(version):
    for constraint in pod_spec(default_rosa_config(), version=version)["topologySpreadConstraints"]:
        assert set(constraint) == {"maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector"}


def test_user_spread_constraints_get_no_extra_fields_on_4_23():
    user = {"maxSkew": 1, "topologyKey": HOSTNAME_KEY, "whenUnsatisfiable": "DoNotSchedule"}
    assert pod_spec(rosa(topology_spread_constraints=(user,)), version=V423)["topologySpreadConstraints"] == [user]


# ---- affinity ------------------------------------------------------------------------------

ANTI_AFFINITY = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
    {"topologyKey": HOSTNAME_KEY, "namespaces": ["openshift-image-registry"], "labelSelector": SELECTOR},
]}}


def test_two_replicas_without_user_affinity_get_required_hostname_anti_affinity():
    assert pod_spec(rosa(replicas=2))["affinity"] == ANTI_AFFINITY


@pytest.mark.parametrize("replicas", [0, 1, 3, 6])
def test_other_replica_counts_get_no_affinity(replicas):
    assert "affinity" not in pod_spec(rosa(replicas=replicas))


def test_a_user_affinity_replaces_the_default_anti_affinity():
    user = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}
    assert pod_spec(rosa(replicas=2, affinity=user))["affinity"] == user


def test_an_empty_user_affinity_is_kept_and_disables_the_default():
    assert pod_spec(rosa(replicas=2, affinity={}))["affinity"] == {}


# ---- env -------------------------------------------------------------------------------------


def test_the_fixed_env_of_the_spec_is_always_set():
    fixed = {
        "REGISTRY_HEALTH_STORAGEDRIVER_ENABLED": "true", "REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL": "10s",
        "REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD": "1", "REGISTRY_OPENSHIFT_QUOTA_ENABLED": "true",
        "REGISTRY_OPENSHIFT_METRICS_ENABLED": "true", "REGISTRY_STORAGE_DELETE_ENABLED": "true",
        "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR": "inmemory",
        "REGISTRY_OPENSHIFT_SERVER_ADDR": "image-registry.openshift-image-registry.svc:5000",
    }
    assert fixed.items() <= env(default_rosa_config()).items()


LOG_LEVELS = [
    # logLevel, logging, REGISTRY_LOG_LEVEL
    ("Normal", 0, "info"), ("", 0, "info"), ("Normal", 1, "warn"), ("Normal", 2, "info"), ("Normal", 3, "info"),
    ("Normal", 4, "debug"), ("Normal", -1, "debug"), ("Debug", 1, "debug"), ("Trace", 0, "debug"),
    ("TraceAll", 2, "debug"),
]


@pytest.mark.parametrize("log_level, logging, expected", LOG_LEVELS)
def test_registry_log_level_follows_generate_log_level(log_level, logging, expected):
    assert generate_log_level(log_level, logging) == expected
    assert env(rosa(log_level=log_level, logging=logging))["REGISTRY_LOG_LEVEL"] == expected


def test_no_request_limit_env_is_set_while_both_limits_are_zero():
    names = env(rosa(read=RequestLimits(0, 0, 10**9)))
    assert not any(name.startswith("REGISTRY_OPENSHIFT_REQUESTS_") for name in names)


@pytest.mark.parametrize("limits, wait", [
    (RequestLimits(10, 0, 0), "0s"),
    (RequestLimits(0, 5, 500_000_000), "500ms"),
    (RequestLimits(8, 16, 90 * 10**9), "1m30s"),
])
def test_request_limit_env_is_set_when_max_running_or_max_in_queue_is_non_zero(limits, wait):
    values = env(rosa(write=limits))
    assert values["REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXRUNNING"] == str(limits.max_running)
    assert values["REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXINQUEUE"] == str(limits.max_in_queue)
    assert values["REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXWAITINQUEUE"] == wait
    assert "REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING" not in values


def test_read_only_sets_the_maintenance_env():
    assert "REGISTRY_STORAGE_MAINTENANCE_READONLY" not in env(default_rosa_config())
    assert env(rosa(read_only=True))["REGISTRY_STORAGE_MAINTENANCE_READONLY"] == "{enabled: true}"


def test_disable_redirect_sets_the_redirect_env():
    assert "REGISTRY_STORAGE_REDIRECT_DISABLE" not in env(default_rosa_config())
    assert env(rosa(disable_redirect=True))["REGISTRY_STORAGE_REDIRECT_DISABLE"] == "true"


def test_env_names_are_unique():
    names = [e["name"] for e in container(rosa(read_only=True, read=RequestLimits(1), write=RequestLimits(1)))["env"]]
    assert len(names) == len(set(names))


# ---- PodDisruptionBudget (§2.4) ---------------------------------------------------------------


@pytest.mark.parametrize("replicas, min_available", [(0, 0), (1, 0), (2, 1), (3, 1), (6, 1)])
def test_pdb_min_available_is_1_for_more_than_one_replica_else_0(replicas, min_available):
    pdb = render_registry(rosa(replicas=replicas), ZONED, V423).pdb
    assert pdb["spec"]["minAvailable"] == min_available


def test_the_pdb_is_image_registry_selecting_docker_registry_default():
    pdb = render_registry(default_rosa_config(), ZONED, V422).pdb
    assert (pdb["apiVersion"], pdb["kind"]) == ("policy/v1", "PodDisruptionBudget")
    assert pdb["metadata"] == {"name": "image-registry", "namespace": "openshift-image-registry"}
    assert pdb["spec"] == {"minAvailable": 1, "selector": SELECTOR}


@pytest.mark.parametrize("version, policy", [(V421, None), (V422, None), (V423, "AlwaysAllow")])
def test_the_pdb_sets_unhealthy_pod_eviction_policy_always_allow_on_4_23_only(version, policy):
    pdb = render_registry(default_rosa_config(), ZONED, version).pdb
    assert pdb["spec"].get("unhealthyPodEvictionPolicy") == policy


# ---- manifests are plain data -------------------------------------------------------------------


def test_the_rendered_manifests_dump_to_json():
    rendered = render_registry(rosa(affinity={"podAffinity": {}}), ZONED, V423)
    assert json.loads(json.dumps(rendered.deployment)) == rendered.deployment
    assert json.loads(json.dumps(rendered.pdb)) == rendered.pdb


def test_changing_a_rendered_manifest_does_not_change_the_config():
    config = rosa(affinity={"podAffinity": {}}, resources={"requests": {"cpu": "1"}})
    spec = pod_spec(config)
    spec["affinity"]["podAffinity"]["x"] = 1
    spec["containers"][0]["resources"]["requests"]["cpu"] = "2"
    assert (config.affinity, config.resources) == ({"podAffinity": {}}, {"requests": {"cpu": "1"}})


# ---- from template to schedulable pod -------------------------------------------------------------


def test_the_pod_template_becomes_a_schedulable_pod_requesting_100_millicores_and_256_mebibytes():
    manifest = pod_template_manifest(render_registry(default_rosa_config(), ZONED, V423))
    pod = PodSchema.model_validate(manifest).to_domain()
    assert (pod.namespace, dict(pod.labels)) == ("openshift-image-registry", {"docker-registry": "default"})
    assert pod.requests == {"cpu": 100, "memory": 268435456}
    assert pod.priority_class_name == "system-cluster-critical"
    assert dict(pod.node_selector) == {"kubernetes.io/os": "linux"}


def test_the_schedulable_pod_keeps_spread_constraints_and_anti_affinity():
    manifest = pod_template_manifest(render_registry(default_rosa_config(), ZONED, V423))
    pod = PodSchema.model_validate(manifest).to_domain()
    assert [c.topology_key for c in pod.topology_spread_constraints] == [HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY]
    assert all(c.match_label_keys == ("pod-template-hash",) for c in pod.topology_spread_constraints)
    assert [t.topology_key for t in pod.affinity.pod_anti_affinity.required] == [HOSTNAME_KEY]


def test_the_pod_manifest_takes_a_name_and_extra_labels():
    rendered = render_registry(default_rosa_config(), ZONED, V423)
    manifest = pod_template_manifest(rendered, name="image-registry-abc12", labels={"pod-template-hash": "abc"})
    assert manifest["metadata"] == {
        "name": "image-registry-abc12", "namespace": "openshift-image-registry",
        "labels": {"docker-registry": "default", "pod-template-hash": "abc"},
    }
    assert rendered.deployment["spec"]["template"]["metadata"]["labels"] == {"docker-registry": "default"}

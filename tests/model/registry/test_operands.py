"""The operator's operands as workload values (spec/registry-operator.md §2.2, §2.4, §2.5)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from twin.errors import InputError
from twin.model.labels import LabelSelector
from twin.model.objects import HOSTNAME_KEY, ZONE_KEY, Node
from twin.model.registry.config import RegistryConfig, default_rosa_config
from twin.model.registry.operands import (
    deployment_from_manifest,
    internal_registry_hostname,
    manifest_template_changed,
    pdb_from_manifest,
    prune_registry_args,
    template_changed,
)
from twin.model.registry.render import render_registry
from twin.model.registry.versions import openshift_version

V421, V422, V423 = (openshift_version(v) for v in ("4.21", "4.22", "4.23"))
NODES = [Node("w1", {HOSTNAME_KEY: "w1", ZONE_KEY: "a"}), Node("w2", {HOSTNAME_KEY: "w2", ZONE_KEY: "b"})]
SELECTOR = LabelSelector.of({"docker-registry": "default"})


def rosa(**changes) -> RegistryConfig:
    return replace(default_rosa_config(), **changes)


def manifest(config: RegistryConfig | None = None, version=V423) -> dict:
    return render_registry(config or rosa(), NODES, version).deployment


def deployment(config: RegistryConfig | None = None, version=V423):
    return deployment_from_manifest(manifest(config, version))


def pdb(config: RegistryConfig | None = None, version=V423):
    return pdb_from_manifest(render_registry(config or rosa(), NODES, version).pdb)


# ---- Deployment ---------------------------------------------------------------------


def test_the_rendered_rosa_deployment_becomes_a_deployment_value():
    result = deployment_from_manifest(manifest(), generation=3, created=12.5)
    assert (result.name, result.namespace, result.generation, result.created) == (
        "image-registry", "openshift-image-registry", 3, 12.5,
    )
    spec = result.spec
    assert (spec.replicas, spec.selector, spec.strategy) == (2, SELECTOR, "RollingUpdate")
    assert (spec.max_surge, spec.max_unavailable) == (1, 1)
    assert (spec.min_ready_seconds, spec.revision_history_limit, spec.paused) == (0, 10, False)
    assert result.status.conditions == ()


def test_the_template_pod_is_named_image_registry_and_carries_the_template_labels():
    pod = deployment().spec.template
    assert (pod.name, pod.namespace) == ("image-registry", "openshift-image-registry")
    assert dict(pod.labels) == {"docker-registry": "default"}
    assert pod.priority_class_name == "system-cluster-critical"
    assert pod.node_selector == {"kubernetes.io/os": "linux"}
    assert [c.topology_key for c in pod.topology_spread_constraints] == [
        "kubernetes.io/hostname", "node-role.kubernetes.io/worker", "topology.kubernetes.io/zone",
    ]
    assert pod.requests == {"cpu": 100, "memory": 256 * 1024**2}


def test_two_replicas_carry_the_required_hostname_anti_affinity_into_the_template_pod():
    [term] = deployment().spec.template.affinity.pod_anti_affinity.required
    assert (term.topology_key, term.label_selector, term.namespaces) == (HOSTNAME_KEY, SELECTOR, ("openshift-image-registry",))


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable"),
    [(1, "25%", 0), (2, 1, 1), (3, "25%", 2), (6, "25%", 5)],
)
def test_the_rolling_update_values_follow_the_replica_count(replicas, surge, unavailable):
    spec = deployment(rosa(replicas=replicas)).spec
    assert (spec.max_surge, spec.max_unavailable) == (surge, unavailable)


def test_recreate_has_no_rolling_update_values():
    spec = deployment(rosa(replicas=1, rollout_strategy="Recreate")).spec
    assert (spec.strategy, spec.max_surge, spec.max_unavailable) == ("Recreate", None, None)


@pytest.mark.parametrize(("version", "deadline"), [(V421, 60), (V422, 120), (V423, 120)])
def test_progress_deadline_seconds_is_60_on_4_21_and_120_from_4_22(version, deadline):
    assert deployment(version=version).spec.progress_deadline_seconds == deadline


def test_unset_fields_take_the_apps_v1_defaults():
    body = manifest()
    spec = body["spec"]
    for key in ("replicas", "strategy", "progressDeadlineSeconds"):
        del spec[key]
    result = deployment_from_manifest(body).spec
    assert (result.replicas, result.strategy, result.max_surge, result.max_unavailable) == (1, "RollingUpdate", "25%", "25%")
    assert (result.progress_deadline_seconds, result.revision_history_limit, result.min_ready_seconds) == (600, 10, 0)


def test_explicit_min_ready_and_revision_history_are_read():
    body = manifest()
    body["spec"].update(minReadySeconds=5, revisionHistoryLimit=2, paused=True)
    spec = deployment_from_manifest(body).spec
    assert (spec.min_ready_seconds, spec.revision_history_limit, spec.paused) == (5, 2, True)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("spec", "replicas"), "2", "spec.replicas"),
        (("spec", "strategy", "rollingUpdate", "maxSurge"), "25", "spec.strategy.rollingUpdate.maxSurge"),
        (("spec", "strategy", "type"), "BlueGreen", "spec.strategy.type"),
        (("spec", "template", "spec", "priorityClassName"), 7, "spec.template.spec.priorityClassName"),
    ],
)
def test_a_bad_field_is_reported_with_its_path(path, value, where):
    body = copy.deepcopy(manifest())
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InputError) as error:
        deployment_from_manifest(body)
    assert error.value.path == where


# ---- rollout trigger ------------------------------------------------------------------


def test_a_replicas_only_edit_does_not_change_the_template():
    assert not template_changed(deployment(rosa(replicas=3)), deployment(rosa(replicas=6)))


def test_leaving_two_replicas_changes_the_template_because_the_default_anti_affinity_goes():
    assert template_changed(deployment(rosa(replicas=2)), deployment(rosa(replicas=3)))


def test_a_node_selector_edit_changes_the_template():
    old, new = deployment(), deployment(rosa(node_selector={"node-role.kubernetes.io/infra": ""}))
    assert template_changed(old, new)


def test_a_resources_edit_changes_the_template():
    new = deployment(rosa(resources={"requests": {"cpu": "200m", "memory": "256Mi"}}))
    assert template_changed(deployment(), new)


def test_the_same_config_rendered_twice_does_not_change_the_template():
    assert not template_changed(deployment(), deployment())


def test_an_env_only_edit_changes_the_template_through_its_checksum_annotation():
    old, new = manifest(), manifest(rosa(read_only=True))
    assert manifest_template_changed(old, new)
    assert template_changed(deployment_from_manifest(old), deployment_from_manifest(new))


def test_a_replicas_only_edit_leaves_the_manifest_template_alone():
    assert not manifest_template_changed(manifest(rosa(replicas=3)), manifest(rosa(replicas=6)))


# ---- PodDisruptionBudget ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("replicas", "version", "min_available", "policy"),
    [(2, V423, 1, "AlwaysAllow"), (1, V423, 0, "AlwaysAllow"), (2, V422, 1, "IfHealthyBudget"), (3, V421, 1, "IfHealthyBudget")],
)
def test_the_rendered_pdb_becomes_a_budget(replicas, version, min_available, policy):
    budget = pdb(rosa(replicas=replicas), version)
    assert (budget.name, budget.namespace, budget.selector) == ("image-registry", "openshift-image-registry", SELECTOR)
    assert (budget.min_available, budget.max_unavailable, budget.unhealthy_pod_eviction_policy) == (min_available, None, policy)


def test_a_pdb_with_both_min_available_and_max_unavailable_is_refused():
    body = render_registry(rosa(), NODES, V423).pdb
    body["spec"]["maxUnavailable"] = "50%"
    with pytest.raises(InputError, match="cannot be both set"):
        pdb_from_manifest(body)


def test_a_pdb_percentage_must_end_in_percent():
    body = render_registry(rosa(), NODES, V423).pdb
    body["spec"]["minAvailable"] = "half"
    with pytest.raises(InputError) as error:
        pdb_from_manifest(body)
    assert error.value.path == "spec.minAvailable"


# ---- Service, images.config and the pruner -----------------------------------------------


@pytest.mark.parametrize(
    ("service_exists", "args"),
    [
        (True, ("--prune-registry=true", "--registry-url=https://image-registry.openshift-image-registry.svc:5000")),
        (False, ("--prune-registry=false",)),
    ],
)
def test_prune_registry_follows_the_service(service_exists, args):
    assert prune_registry_args(internal_registry_hostname(service_exists)) == args


def test_the_internal_hostname_is_the_service_address_while_the_service_exists():
    assert internal_registry_hostname(True) == "image-registry.openshift-image-registry.svc:5000"
    assert internal_registry_hostname(False) == ""


def test_any_non_empty_hostname_is_pruned_over_https():
    assert prune_registry_args("registry.example.com:443") == (
        "--prune-registry=true", "--registry-url=https://registry.example.com:443",
    )

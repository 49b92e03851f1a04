"""The operator in simulated time: managementState, storage, the pruner's arguments."""

from __future__ import annotations

from build import first, simulate

REMOVED = {"at": 300, "config_edit": {"patch": {"spec": {"managementState": "Removed"}}}}
MANAGED = {"at": 600, "config_edit": {"patch": {"spec": {"managementState": "Managed"}}}}


def config(storage_state: str) -> dict:
    return {"config": {"spec": {"replicas": 2, "storage": {"managementState": storage_state, "s3": {"bucket": "b"}}}}}


def test_removed_deletes_the_operands_and_the_storage_the_operator_manages(tmp_path):
    records = simulate(tmp_path, registry=config("Managed"), faults=[REMOVED]).records
    assert first(records, "DeploymentDeleted", after=300) is not None
    assert first(records, "StorageRemoved", after=300) is not None
    assert first(records, "OperatorCondition", "Removed", after=300, status="True") is not None


def test_removed_keeps_storage_the_operator_does_not_manage(tmp_path):
    records = simulate(tmp_path, registry=config("Unmanaged"), faults=[REMOVED]).records
    assert first(records, "StorageRemoved") is None
    assert first(records, "StorageKept", after=300) is not None


def test_the_pruner_prunes_the_registry_only_while_its_service_exists(tmp_path):
    records = simulate(tmp_path, faults=[REMOVED, MANAGED]).records
    args = [(r.time, r.details["args"][0]) for r in records if r.kind == "PrunerArgs"]
    assert args[-3:] == [(0.0, "--prune-registry=true"), (300.0, "--prune-registry=false"),
                         (600.0, "--prune-registry=true")]


def test_unmanaged_leaves_the_deployment_alone_when_the_config_changes(tmp_path):
    faults = [{"at": 300, "config_edit": {"patch": {"spec": {"managementState": "Unmanaged"}}}},
              {"at": 400, "config_edit": {"patch": {"spec": {"replicas": 4}}}}]
    records = simulate(tmp_path, faults=faults).records
    assert first(records, "OperandApplied", after=300) is None
    assert first(records, "OperatorCondition", "Available", after=300, reason="Unmanaged") is not None


def test_an_unavailable_registry_turns_degraded_only_after_the_versions_inertia(tmp_path):
    faults = [{"at": 300, "config_edit": {"patch": {"spec": {"nodeSelector": {"pool": "nowhere"}}}}}]
    for openshift, inertia in (("4.21", 60), ("4.22", 120), ("4.23", 300)):
        records = simulate(tmp_path, openshift=openshift, faults=faults, duration="30m",
                           registry={"config": {"spec": {"replicas": 1, "rolloutStrategy": "Recreate",
                                                         "storage": {"s3": {}}}}}).records
        unavailable = first(records, "OperatorCondition", "Available", after=300, status="False")
        degraded = first(records, "OperatorCondition", "Degraded", after=300, reason="Unavailable")
        assert degraded.time - unavailable.time > inertia
        assert degraded.time - unavailable.time < inertia + 15


def test_force_is_an_unknown_state_the_operator_applies_nothing_for(tmp_path):
    """CIRO `pkg/operator/controller.go` `sync()`: Force falls to `default:` ("unknown custom
    resource state"), so neither a replica change nor anything else is applied; the
    conditions still follow the Managed rules (`status.go`)."""
    faults = [{"at": 300, "config_edit": {"patch": {"spec": {"managementState": "Force"}}}},
              {"at": 400, "config_edit": {"patch": {"spec": {"replicas": 4}}}}]
    records = simulate(tmp_path, faults=faults).records
    assert first(records, "OperandApplied", after=300) is None
    assert first(records, "OperatorCondition", "Available", after=300, reason="Unmanaged") is None


def test_with_storage_management_unset_removed_deletes_the_bucket_the_operator_created(tmp_path):
    """`s3.go` `CreateStorage`: no bucket named, the operator creates one and writes
    storage.managementState Managed; Removed then deletes it."""
    registry = {"config": {"spec": {"replicas": 2, "storage": {"s3": {}}}}}
    records = simulate(tmp_path, registry=registry, faults=[REMOVED]).records
    assert first(records, "StorageRemoved", after=300) is not None


def test_with_storage_management_unset_removed_keeps_a_bucket_the_user_named(tmp_path):
    """`s3.go` `CreateStorage`: a named bucket that exists gets storage.managementState
    Unmanaged; Removed leaves it."""
    registry = {"config": {"spec": {"replicas": 2, "storage": {"s3": {"bucket": "mine"}}}}}
    records = simulate(tmp_path, registry=registry, faults=[REMOVED]).records
    assert first(records, "StorageRemoved") is None
    assert first(records, "StorageKept", after=300) is not None


def test_an_empty_http_secret_is_generated_once_and_survives_later_edits(tmp_path):
    """`complete.go` `applyDefaults`: 64 random bytes as hex into spec.httpSecret, passed
    as REGISTRY_HTTP_SECRET; an edit of another field keeps it (no second rollout for it)."""
    faults = [{"at": 300, "config_edit": {"patch": {"spec": {"logLevel": "Debug"}}}}]
    result = simulate(tmp_path, faults=faults)
    deployment = result.world.store.get("Deployment", "openshift-image-registry/image-registry")
    env = dict(deployment.spec.template.containers[0].env)
    assert len(env["REGISTRY_HTTP_SECRET"]) == 128 and int(env["REGISTRY_HTTP_SECRET"], 16) >= 0
    applied = [r.details["generation"] for r in result.records if r.kind == "OperandApplied"]
    assert applied == [1, 2]  # created, then the logLevel edit


def test_terminating_replicas_are_shown_from_kubernetes_1_35_only(tmp_path):
    """KEP-3973's `status.terminatingReplicas` (gate DeploymentReplicaSetTerminatingReplicas:
    alpha and off in 1.34, beta and on from 1.35, k/k `pkg/features/kube_features.go`): the
    API server drops it on 4.21 (`dropDisabledStatusFields`); on 4.22 and 4.23 a rollout's
    old pods are counted while they terminate (the registry's preStop sleep holds them)."""
    edit = [{"at": 300, "config_edit": {"patch": {"spec": {"logLevel": "Debug"}}}}]
    for openshift, shown in (("4.21", False), ("4.22", True), ("4.23", True)):
        result = simulate(tmp_path, openshift=openshift, faults=edit)
        counts = [r.details["terminating"] for r in result.records
                  if r.kind == "DeploymentTerminating" and r.subject == "openshift-image-registry/image-registry"]
        deployment = result.world.store.get("Deployment", "openshift-image-registry/image-registry")
        assert (deployment.status.terminating_replicas is not None) == shown
        assert (max(counts, default=0) > 0) == shown
        if shown:
            assert counts[-1] == 0  # all gone once the rollout is over

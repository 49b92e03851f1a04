"""Scenario variations: parameter paths set in the scenario document, validated as if
written by hand (`twin/scenarios/variation.py`)."""

from __future__ import annotations

import pytest
import yaml

from twin.errors import InputError
from twin.scenarios.variation import ScenarioDocument, parse_value


@pytest.fixture(scope="module")
def storm():
    return ScenarioDocument.read("zone-failure-pull-storm")


@pytest.fixture(scope="module")
def zone_failure():
    return ScenarioDocument.read("zone-failure")


def test_registry_paths_set_the_config_spec(storm):
    scenario = storm.with_values({"registry.replicas": 3, "registry.requests.read.maxRunning": 50}).scenario()
    assert scenario.config.replicas == 3
    assert scenario.config.read.max_running == 50
    assert scenario.config.read.max_in_queue == 32  # the rest of the limits are kept


def test_a_config_file_is_inlined_before_a_registry_path_is_set(zone_failure):
    varied = zone_failure.with_values({"registry.replicas": 3})
    assert "config_file" not in varied.body["registry"]
    assert varied.body["registry"]["config"]["spec"]["storage"]["s3"]  # the file's storage is kept
    assert varied.scenario().config.replicas == 3


def test_cluster_shortcuts_set_the_generated_cluster(zone_failure):
    scenario = zone_failure.with_values({"cluster.zones": 2, "cluster.workers_per_zone": 1}).scenario()
    workers = [n for n in scenario.nodes if "node-role.kubernetes.io/worker" in n.labels]
    assert len(workers) == 2
    assert len({n.labels["topology.kubernetes.io/zone"] for n in workers}) == 2


def test_workload_paths_name_the_workload(storm):
    scenario = storm.with_values({"workloads.app.replicas": 2}).scenario()
    assert scenario.spec.workloads[0].replicas == 2


def test_top_level_fields_and_document_paths(storm):
    varied = storm.with_values({"openshift": parse_value("4.22"), "traffic.background.pulls.constant": 5})
    assert varied.scenario().spec.openshift == "4.22"
    assert varied.body["traffic"]["background"]["pulls"] == {"constant": 5}


def test_the_original_document_is_not_changed(storm):
    storm.with_values({"registry.replicas": 6})
    assert storm.body["registry"]["config"]["spec"]["replicas"] == 2


@pytest.mark.parametrize("values, message", [
    ({"nope": 1}, "expected a path starting with one of registry"),
    ({"registry.foo": 1}, "expected a field of the registry Config"),
    ({"registry.requests.read.maxRuning": 1}, "got 'maxRuning'"),
    ({"registry.replicas": "three"}, "registry.config.spec.replicas: expected an integer"),
    ({"cluster.zones": "x"}, "cluster.generate.zones: expected an integer"),
    ({"workloads.web.replicas": 1}, "expected the name of a workload of the scenario (app)"),
    ({"duration.x": 1}, "expected duration alone"),
    ({"registry": 1}, "expected a field of registry"),
])
def test_a_path_or_value_the_scenario_does_not_accept_is_named(storm, values, message):
    with pytest.raises(InputError) as caught:
        storm.with_values(values)
    assert message in str(caught.value)
    assert str(caught.value).startswith("--param")


def test_a_generated_cluster_shortcut_on_a_nodes_file_scenario_is_refused():
    edge = ScenarioDocument.read("tainted-edge-zone")
    with pytest.raises(InputError, match="expected a generated cluster"):
        edge.with_values({"cluster.zones": 2})


@pytest.mark.parametrize("text, value", [("2", 2), ("true", True), ("1s", "1s"), ("0.5", 0.5), ("4.23", 4.23)])
def test_values_are_read_as_yaml_scalars(text, value):
    assert parse_value(text) == value


def test_a_standalone_document_loads_from_another_folder(tmp_path):
    edge = ScenarioDocument.read("tainted-edge-zone")
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(edge.standalone()))
    copy = ScenarioDocument.read(str(path)).scenario()
    assert len(copy.nodes) == len(edge.scenario().nodes)


@pytest.fixture
def pooled(storm):
    body = {**storm.body, "cluster": {"generate": {"zones": 3, "workers_per_zone": 2},
                                      "machine_pools": [{"name": "burst", "autoscaling": {"min": 0, "max": 6}}]}}
    return ScenarioDocument(body, storm.base, storm.source)


def test_a_machine_pool_field_is_set_on_the_pool_called_by_name(pooled):
    varied = pooled.with_values({"cluster.machine_pools.burst.autoscaling.max": 12,
                                 "cluster.machine_pools.burst.instance_type": "m5.2xlarge"})
    pool = varied.body["cluster"]["machine_pools"][0]
    assert pool["autoscaling"] == {"min": 0, "max": 12} and pool["instance_type"] == "m5.2xlarge"
    assert pooled.body["cluster"]["machine_pools"][0]["autoscaling"]["max"] == 6


@pytest.mark.parametrize("values, message", [
    ({"cluster.machine_pools.infra.replicas": 3}, "expected the name of a machine pool of the scenario (burst)"),
    ({"cluster.machine_pools.burst": 3}, "expected cluster.machine_pools.NAME.FIELD"),
    ({"cluster.machine_pools.burst.autoscaling.max": 4}, "multiple of 3"),
])
def test_a_machine_pool_path_or_value_the_scenario_does_not_accept_is_named(pooled, values, message):
    with pytest.raises(InputError) as caught:
        pooled.with_values(values)
    assert message in str(caught.value)

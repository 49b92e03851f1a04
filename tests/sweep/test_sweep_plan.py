"""A sweep's plan (`twin/sweep/plan.py`): the product of the parameter values × seeds in a
fixed order, every combination validated before anything runs, and the definition that
tells one sweep from another."""

from __future__ import annotations

import os

import pytest
import yaml

from twin.errors import InputError
from twin.scenarios.variation import ScenarioDocument
from twin.sweep import parse_param, plan_sweep
from twin.sweep.task import run_one


@pytest.fixture(scope="module")
def zone_failure():
    return ScenarioDocument.read("zone-failure")


def test_the_first_parameter_varies_slowest_and_seeds_run_within_each_combination(zone_failure):
    plan = plan_sweep(zone_failure, {"registry.replicas": [2, 3], "duration": ["15m", "20m"]}, seeds=2)
    assert [(r.values["registry.replicas"], r.values["duration"], r.seed) for r in plan.runs] == [
        (2, "15m", 1), (2, "15m", 2), (2, "20m", 1), (2, "20m", 2),
        (3, "15m", 1), (3, "15m", 2), (3, "20m", 1), (3, "20m", 2)]
    assert [r.name for r in plan.runs[:3]] == ["0000-seed-1", "0000-seed-2", "0001-seed-1"]
    assert plan.paths == ["registry.replicas", "duration"]


def test_seeds_start_at_the_scenarios_own_seed(tmp_path):
    body = ScenarioDocument.read("zone-failure").standalone() | {"seed": 41}
    path = tmp_path / "seeded.yaml"
    path.write_text(yaml.safe_dump(body))
    assert plan_sweep(str(path), seeds=3).seeds == (41, 42, 43)


def test_one_seed_and_no_parameters_is_the_scenario_as_twin_run_runs_it(zone_failure):
    (run,) = plan_sweep(zone_failure).runs
    assert (run.values, run.seed) == ({}, 1)


def test_each_run_carries_its_varied_validated_document(zone_failure):
    plan = plan_sweep(zone_failure, {"registry.replicas": [2, 3]})
    assert [r.body["registry"]["config"]["spec"]["replicas"] for r in plan.runs] == [2, 3]
    assert "config_file" not in plan.runs[0].body["registry"]


def test_every_combination_is_validated_before_anything_runs(zone_failure):
    with pytest.raises(InputError) as caught:
        plan_sweep(zone_failure, {"duration": ["15m"], "registry.replicas": [2, "three"]})
    assert str(caught.value).startswith("--param duration=15m, registry.replicas=three: ")
    assert "expected an integer" in str(caught.value)


@pytest.mark.parametrize("params, message", [
    ({"registry.foo": [1]}, "expected a field of the registry Config"),
    ({"seed": [1, 2]}, "expected --seeds to vary the seed"),
    ({"registry.replicas": []}, "expected a non-empty list of values"),
    ({"registry.replicas": "2,3"}, "expected a non-empty list of values"),
])
def test_a_parameter_the_sweep_cannot_vary_is_named(zone_failure, params, message):
    with pytest.raises(InputError, match=message):
        plan_sweep(zone_failure, params)


@pytest.mark.parametrize("seeds", [0, -1, 1.5, True])
def test_seeds_must_be_a_whole_number_of_at_least_one(zone_failure, seeds):
    with pytest.raises(InputError, match="--seeds: expected a whole number of seeds >= 1"):
        plan_sweep(zone_failure, seeds=seeds)


def test_openshift_is_either_an_override_or_a_parameter(zone_failure):
    assert plan_sweep(zone_failure, openshift="4.22").runs[0].openshift == "4.22"
    with pytest.raises(InputError, match="expected either --openshift or an openshift parameter"):
        plan_sweep(zone_failure, {"openshift": ["4.22"]}, openshift="4.23")
    with pytest.raises(InputError, match="--openshift: expected 4.21"):
        plan_sweep(zone_failure, openshift="4.9")


@pytest.mark.parametrize("text, expected", [
    ("registry.replicas=2,3,4", ("registry.replicas", [2, 3, 4])),
    ("duration=15m, 1h", ("duration", ["15m", "1h"])),
    ("registry.disableRedirect=true,false", ("registry.disableRedirect", [True, False])),
])
def test_a_param_is_a_path_and_comma_separated_yaml_scalars(text, expected):
    assert parse_param(text) == expected


@pytest.mark.parametrize("text", ["registry.replicas", "registry.replicas=", "registry.replicas=2,,3", "=2,3",
                                  "registry.replicas=2,"])
def test_a_malformed_param_is_refused(text):
    with pytest.raises(InputError, match=r"expected PATH=VALUE\[,VALUE...\]"):
        parse_param(text)


def test_the_definition_names_the_document_parameters_seeds_and_version(zone_failure):
    definition = plan_sweep(zone_failure, {"registry.replicas": [2, 3]}, seeds=2).definition
    assert definition["params"] == [{"path": "registry.replicas", "values": [2, 3]}]
    assert (definition["seeds"], definition["openshift"], definition["scenario"]) == ([1, 2], None, "zone-failure")
    edited = ScenarioDocument(zone_failure.body | {"duration": "2h"}, zone_failure.base, zone_failure.source)
    assert plan_sweep(edited).definition["document_sha256"] != plan_sweep(zone_failure).definition["document_sha256"]
    assert plan_sweep(zone_failure).definition["document_sha256"] == definition["document_sha256"]


def test_node_files_travel_with_the_run_so_a_worker_elsewhere_can_run_it(tmp_path, monkeypatch):
    run = plan_sweep("tainted-edge-zone", {"duration": ["5m"]}).runs[0]
    assert run.body["cluster"]["nodes"] in run.files
    monkeypatch.chdir(tmp_path)
    record = run_one(run)
    assert record["summary"]["scenario"] == "tainted-edge-zone"
    assert os.listdir(tmp_path) == []

"""`twin import must-gather` on real must-gathers (data/SOURCE.md): the scenario holds the
real nodes (names, zones, allocatable), the pods that ran on them less the registry's own
and finished ones, the real Config, and `twin run` accepts it."""

from __future__ import annotations

import csv
import json

import pytest
import yaml
from importing_helpers import FILES, MUST_GATHERS, copy_of, image_folder, must_gather, twin

from twin.cli import main
from twin.model.objects import ZONE_KEY
from twin.scenarios.load import load_scenario

KI = 1024
NODES = {  # name -> (zone, allocatable cpu millicores, memory bytes), read off the node files
    "aws": {
        "ip-10-0-129-220.ec2.internal": ("us-east-1b", 3500, 15256136 * KI),
        "ip-10-0-151-183.ec2.internal": ("us-east-1b", 3500, 15256136 * KI),
        "ip-10-0-187-218.ec2.internal": ("us-east-1b", 3500, 14783296 * KI),
        "ip-10-0-189-142.ec2.internal": ("us-east-1b", 3500, 14955320 * KI),
        "ip-10-0-195-177.ec2.internal": ("us-east-1c", 3500, 14955328 * KI),
        "ip-10-0-254-204.ec2.internal": ("us-east-1c", 3500, 15256132 * KI),
    },
    "azure": {
        "ci-ln-k7vx6h2-002ac-w7gjh-master-0": ("eastus2-3", 7500, 31772648 * KI),
        "ci-ln-k7vx6h2-002ac-w7gjh-master-1": ("eastus2-1", 7500, 31772648 * KI),
        "ci-ln-k7vx6h2-002ac-w7gjh-master-2": ("eastus2-2", 7500, 31772648 * KI),
        "ci-ln-k7vx6h2-002ac-w7gjh-worker-eastus21-gqtkz": ("eastus2-1", 3500, 15258444 * KI),
        "ci-ln-k7vx6h2-002ac-w7gjh-worker-eastus22-vthrm": ("eastus2-2", 3500, 15258448 * KI),
        "ci-ln-k7vx6h2-002ac-w7gjh-worker-eastus23-d49js": ("eastus2-3", 3500, 15258448 * KI),
    },
    "metal": {f"{role}-{i}.ci-ln-xj8t7ct-86010.origin-ci-int-aws.dev.rhcloud.com": (None, 15500, 31500616 * KI)
              for role in ("master", "worker") for i in range(3)},
}
# In the four kept namespaces: pods copied / Succeeded / registry pods / node-ca pods
PODS = {"aws": (21, 12, 2, 6), "azure": (21, 12, 2, 6), "metal": (21, 6, 1, 6)}
CONFIG = {"aws": (2, "s3"), "azure": (2, "azure"), "metal": (1, "emptyDir")}
VERSION = {"aws": "4.8.0-0.nightly-2021-07-31-065602", "azure": "4.8.11", "metal": "4.9.0-0.nightly-2021-09-10-170926"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each real must-gather imported once: name -> the scenario folder."""
    folders = {}
    for name in MUST_GATHERS:
        out = tmp_path_factory.mktemp("imports") / name
        code = main(["import", "must-gather", str(must_gather(name)), "--out", str(out), "--quiet"])
        assert code == 0
        folders[name] = out
    return folders


@pytest.mark.parametrize("name", MUST_GATHERS)
def test_the_scenario_has_the_real_nodes_with_their_zones_and_allocatable(imported, name):
    scenario = load_scenario(str(imported[name] / "scenario.yaml"))
    found = {n.name: (n.labels.get(ZONE_KEY), n.allocatable["cpu"], n.allocatable["memory"]) for n in scenario.nodes}
    assert found == NODES[name]


@pytest.mark.parametrize("name", MUST_GATHERS)
def test_the_scenario_has_the_running_pods_less_the_registry_node_ca_and_finished_ones(imported, name):
    scenario = load_scenario(str(imported[name] / "scenario.yaml"))
    copied, finished, registry, node_ca = PODS[name]
    assert len(scenario.pods) == copied
    assert all(p.node_name in NODES[name] and p.phase == "Running" for p in scenario.pods)
    assert not [p for p in scenario.pods if p.labels.get("docker-registry") == "default" or p.name.startswith("node-ca-")]
    header = (imported[name] / "scenario.yaml").read_text()
    assert f"# - {finished} finished pods" in header
    assert f"# - {registry} registry pods" in header
    assert f"# - {node_ca} node-ca pods" in header


@pytest.mark.parametrize("name", MUST_GATHERS)
def test_the_scenario_has_the_real_config(imported, name):
    scenario = load_scenario(str(imported[name] / "scenario.yaml"))
    replicas, backend = CONFIG[name]
    assert (scenario.config.replicas, scenario.config.storage.backends) == (replicas, (backend,))


def test_the_configs_http_secret_is_not_copied_and_the_header_says_so(tmp_path, capsys):
    root = copy_of("aws", tmp_path)  # the real aws Config with a made-up httpSecret put back (SOURCE.md: it was removed)
    file = root / "cluster-scoped-resources/imageregistry.operator.openshift.io/configs/cluster.yaml"
    config = yaml.safe_load(file.read_text())
    config["spec"]["httpSecret"] = "made-up-for-this-test"
    file.write_text(yaml.safe_dump(config))
    code, _, err = twin(capsys, "import", "must-gather", str(root), "--out", str(tmp_path / "s"), "--quiet")
    assert code == 0, err
    assert "made-up-for-this-test" not in "".join(p.read_text() for p in (tmp_path / "s").iterdir())
    assert "Config spec.httpSecret: a credential the twin does not use." in (tmp_path / "s" / "scenario.yaml").read_text()


@pytest.mark.parametrize("name", MUST_GATHERS)
def test_a_version_the_twin_does_not_model_becomes_the_closest_and_the_header_says_so(imported, name):
    scenario = load_scenario(str(imported[name] / "scenario.yaml"))
    assert scenario.spec.openshift == "4.21"
    assert f"The cluster runs OpenShift {VERSION[name]}" in (imported[name] / "scenario.yaml").read_text()


def test_nodes_of_an_instance_type_the_twin_lacks_get_a_network_and_the_header_says_so(imported):
    scenario = load_scenario(str(imported["aws"] / "scenario.yaml"))
    m4 = {"ip-10-0-129-220.ec2.internal", "ip-10-0-151-183.ec2.internal", "ip-10-0-254-204.ec2.internal"}
    assert set(scenario.spec.cluster.node_network) == m4  # the workers are m4.xlarge; the masters m5.xlarge
    assert "(m4.xlarge) get m5.xlarge's link" in (imported["aws"] / "scenario.yaml").read_text()


def test_the_image_folder_itself_imports_the_same_files(imported, tmp_path, capsys):
    out = tmp_path / "aws"  # same folder name, so the same scenario name
    code, _, err = twin(capsys, "import", "must-gather", str(image_folder(must_gather("aws"))), "--out", str(out))
    assert code == 0, err
    for file in FILES - {"scenario.yaml"}:
        assert (out / file).read_bytes() == (imported["aws"] / file).read_bytes()


def test_a_must_gather_with_only_the_per_pod_files_gives_the_same_pods(imported, tmp_path, capsys):
    root = copy_of("aws", tmp_path)  # real aws data, with namespaces/openshift-image-registry/core/pods.yaml removed
    (root / "namespaces/openshift-image-registry/core/pods.yaml").unlink()
    out = tmp_path / "aws"
    code, _, err = twin(capsys, "import", "must-gather", str(root), "--out", str(out), "--quiet")
    assert code == 0, err
    assert (out / "pods.yaml").read_bytes() == (imported["aws"] / "pods.yaml").read_bytes()


def test_the_summary_names_the_nodes_and_what_was_left_out(tmp_path, capsys):
    code, out, _ = twin(capsys, "import", "must-gather", str(must_gather("aws")), "--out", str(tmp_path / "s"))
    assert code == 0
    assert "6 nodes: ip-10-0-129-220.ec2.internal, " in out
    assert "21 pods copied, 20 left out (12 finished pods, 2 registry pods, 6 node-ca pods)" in out
    assert f"run it: twin run {tmp_path / 's' / 'scenario.yaml'}" in out


@pytest.mark.parametrize("name", MUST_GATHERS)
def test_twin_run_accepts_the_imported_scenario_and_places_the_registry_on_the_real_nodes(imported, name, tmp_path,
                                                                                          capsys):
    code, _, err = twin(capsys, "run", str(imported[name] / "scenario.yaml"), "--out", str(tmp_path / "run"), "--quiet")
    assert code in (0, 1), err
    cluster = json.loads((tmp_path / "run" / "cluster.json").read_text())
    assert {n["name"] for n in cluster["nodes"]} == set(NODES[name])
    with open(tmp_path / "run" / "events.csv", newline="") as handle:
        bound = [json.loads(r["details"])["node"] for r in csv.DictReader(handle)
                 if r["kind"] == "PodBound" and r["subject"].startswith("openshift-image-registry/image-registry-")]
    assert len(bound) == CONFIG[name][0] and set(bound) <= set(NODES[name])


def test_deployments_are_counted_in_the_header_not_made_workloads(imported):
    scenario = load_scenario(str(imported["aws"] / "scenario.yaml"))
    assert scenario.spec.workloads == []
    real = sum(len(yaml.safe_load(f.read_text())["items"])
               for f in image_folder(must_gather("aws")).glob("namespaces/*/apps/deployments.yaml"))
    assert f"# - {real} Deployments (" in (imported["aws"] / "scenario.yaml").read_text()

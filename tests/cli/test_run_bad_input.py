"""`twin run` on bad scenario input: one line `twin: error: <file>: <field path>: <message>`
on stderr, exit code 2, nothing on stdout, no traceback, and nothing written to --out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from helpers import twin, twin_process

from twin.errors import InputError
from twin.scenarios.load import library_names, load_scenario

CONFIG = "{kind: Config, spec: {replicas: 2, storage: {s3: {}}}}"
FAULT_KINDS_MESSAGE = ("expected exactly one of node_crash, node_recovery, network_partition, partition_heal, zone_outage, "
                       "zone_recovery, cordon, uncordon, drain, add_node, remove_node, config_edit, storage_outage, "
                       "storage_recovery")


@dataclass(frozen=True)
class Case:
    """A scenario file and the error it must give. `source` and `ref` are templates:
    {scenario} is the scenario file, {tmp} the test's directory. `exact` asks for the
    whole line; otherwise `message` only has to appear after `<source>: <path>: `."""

    name: str
    text: str
    path: str
    message: str
    exact: bool = True
    source: str = "{scenario}"
    ref: str = "{scenario}"
    args: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("a negative request rate is refused",
         "name: x\ntraffic: {background: {pulls: {constant: -5}}}\n",
         "traffic.background.pulls.constant", "expected a number >= 0, got -5"),
    Case("a request rate that is not a number is refused",
         "name: x\ntraffic: {background: {pulls: {constant: fast}}}\n",
         "traffic.background.pulls.constant", "expected a number, got 'fast'"),
    Case("a malformed client think time is refused",
         "name: x\ntraffic: {clients: {pull: {think: 1x}}}\n",
         "traffic.clients.pull.think", "expected a duration such as 90s, 10m or 1h30m, got '1x'"),
    Case("an unknown request kind is refused",
         "name: x\ntraffic: {service: {cpu: {blob_fetch: 2ms}}}\n",
         "traffic.service.cpu.blob_fetch", "expected manifest_get, manifest_head, blob_get, blob_head, upload_start, "
         "upload_chunk, upload_commit, manifest_put, token_get, metrics_get or ping, got 'blob_fetch'"),
    Case("a storage latency whose p99 is below its median is refused",
         "name: x\ntraffic: {service: {storage_latency: {Stat: {median: 50ms, p99: 10ms}}}}\n",
         "traffic.service.storage_latency.Stat", "p99: expected p99 >= median > 0, got median 0.05 s and p99 0.01 s"),
    Case("a zero storage stream bandwidth is refused",
         "name: x\ntraffic: {service: {storage_stream_bandwidth: 0}}\n",
         "traffic.service.storage_stream_bandwidth", "expected a positive whole number of bytes, got 0"),
    Case("an unknown top-level field is refused",
         "name: x\ncolour: blue\n",
         "colour", "Extra inputs are not permitted, got 'blue'"),
    Case("an unknown field inside a fault is refused",
         "name: x\nfaults:\n  - {at: 1m, node_crash: {node: registry, grace: 5m}}\n",
         "faults[0].node_crash.grace", "Extra inputs are not permitted, got '5m'"),
    Case("a misspelled field inside a fault is reported as the required field it replaces",
         "name: x\nfaults:\n  - {at: 1m, node_crash: {nodes: registry}}\n",
         "faults[0].node_crash.node", "required field is missing"),
    Case("a duration given as true is refused",
         "name: x\nduration: true\n",
         "duration", "expected a duration such as 90s, 10m or 1h30m, got True"),
    Case("a seed given as text is refused",
         'name: x\nseed: "one"\n',
         "seed", "expected an integer, got 'one'"),
    Case("a zone count given as a string is refused",
         'name: x\ncluster: {generate: {zones: "3"}}\n',
         "cluster.generate.zones", "expected an integer, got '3'"),
    Case("a malformed duration is refused",
         "name: x\nduration: 1x\n",
         "duration", "expected a duration such as 90s, 10m or 1h30m, got '1x'"),
    Case("a negative duration in seconds is refused",
         "name: x\nduration: -5\n",
         "duration", "expected a duration that is not negative, got -5"),
    Case("a negative Go-style duration is refused",
         "name: x\nduration: -1m\n",
         "duration", "expected a duration that is not negative, got '-1m'"),
    Case("faults out of time order name the later fault's time",
         "name: x\nfaults:\n  - {at: 10m, zone_outage: {zone: registry}}\n  - {at: 5m, zone_recovery: {zone: registry}}\n",
         "faults[1].at", "expected faults in time order, got 300 s after 600 s"),
    Case("a fault with two kinds is refused",
         "name: x\nfaults:\n  - {at: 10m, zone_outage: {zone: registry}, node_crash: {node: registry}}\n",
         "faults[0]", f"{FAULT_KINDS_MESSAGE}, got 2"),
    Case("a fault with no kind is refused",
         "name: x\nfaults:\n  - {at: 10m}\n",
         "faults[0]", f"{FAULT_KINDS_MESSAGE}, got 0"),
    Case("a fault naming a node that does not exist is refused",
         "name: x\nfaults:\n  - {at: 10m, node_crash: {node: ghost}}\n",
         "faults[0].node_crash.node", "expected a node of the cluster or 'registry', got 'ghost'"),
    Case("a fault naming a zone that does not exist is refused",
         "name: x\nfaults:\n  - {at: 10m, zone_outage: {zone: mars-1a}}\n",
         "faults[0].zone_outage.zone", "expected a zone of the cluster or 'registry', got 'mars-1a'"),
    Case("an unknown rollout strategy in the inline Config is refused",
         "name: x\nregistry:\n  config: {kind: Config, spec: {replicas: 2, rolloutStrategy: Rolling, storage: {s3: {}}}}\n",
         "registry.config.spec.rolloutStrategy", "expected RollingUpdate or Recreate, got 'Rolling'"),
    Case("an inline Config without replicas is refused",
         "name: x\nregistry:\n  config: {kind: Config, spec: {storage: {s3: {}}}}\n",
         "registry.config.spec.replicas", "required field is missing"),
    Case("both config and config_file are refused",
         f"name: x\nregistry:\n  config: {CONFIG}\n  config_file: config.yaml\n",
         "registry", "expected config or config_file, not both",
         files={"config.yaml": f"{CONFIG}\n"}),
    Case("a cluster with both generate and nodes is refused",
         "name: x\ncluster:\n  generate: {zones: 3}\n  nodes: nodes.yaml\n",
         "cluster", "expected exactly one of generate or nodes"),
    Case("a nodes file that does not exist is reported as that file",
         "name: x\ncluster:\n  nodes: absent-nodes.yaml\n",
         "", "cannot read file", exact=False, source="{tmp}/absent-nodes.yaml"),
    Case("an unsupported openshift value in the file is refused",
         'name: x\nopenshift: "4.9"\n',
         "openshift", "expected 4.21, 4.22 or 4.23, got '4.9'"),
    Case("an unsupported --openshift on the command line is refused",
         "name: x\nduration: 1m\n",
         "", "expected 4.21, 4.22 or 4.23, got '4.9'", source="--openshift", args=("--openshift", "4.9")),
    Case("a scenario that is neither a file nor a built-in is refused",
         "name: x\n",
         "", f"expected a scenario file or a built-in scenario ({', '.join(library_names())})",
         source="no-such-scenario", ref="no-such-scenario"),
    Case("malformed YAML names the line and column",
         "name: x\nfaults: [ {at: 1m\n",
         "line 3 column 1", "malformed YAML: ", exact=False),
]


def write_case(case: Case, tmp_path) -> tuple[str, str]:
    """Write the case's files; returns (the SCENARIO argument, the expected source)."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(case.text)
    for name, text in case.files.items():
        (tmp_path / name).write_text(text)
    values = {"scenario": scenario, "tmp": tmp_path}
    return case.ref.format(**values), case.source.format(**values)


def assert_one_line_error(err: str, source: str, path: str, message: str, exact: bool) -> None:
    prefix = "twin: error: " + ": ".join(p for p in (source, path) if p) + ": "
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    if exact:
        assert err == f"{prefix}{message}\n"
    else:
        assert err.startswith(prefix), err
        assert message in err[len(prefix):]


@pytest.mark.parametrize("out_exists", [False, True], ids=["--out absent", "--out existing and empty"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_scenario_input_is_one_line_with_exit_code_2_and_nothing_written(capsys, tmp_path, monkeypatch, case,
                                                                             out_exists):
    monkeypatch.chdir(tmp_path)
    ref, source = write_case(case, tmp_path)
    out = tmp_path / "out"
    if out_exists:
        out.mkdir()
    target = out if out_exists else out / "run"  # a missing --out, with a missing parent too
    code, stdout, err = twin(capsys, "run", ref, "--out", str(target), *case.args)
    assert code == 2
    assert stdout == ""
    assert_one_line_error(err, source, case.path, case.message, case.exact)
    if out_exists:
        assert list(out.iterdir()) == []
    else:
        assert not out.exists()


def test_an_out_path_that_is_a_file_is_refused_and_left_unchanged(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\n")
    out = tmp_path / "out"
    out.write_text("keep me\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(out))
    assert code == 2 and stdout == ""
    assert err == f"twin: error: --out: expected a directory, got the file {str(out)!r}\n"
    assert out.read_text() == "keep me\n"


SUBPROCESS_CASES = [c for c in CASES if c.name in ("faults out of time order name the later fault's time",
                                                  "a fault naming a node that does not exist is refused")]


assert len(SUBPROCESS_CASES) == 2


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c.name for c in SUBPROCESS_CASES])
def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path, case):
    ref, source = write_case(case, tmp_path)
    out = tmp_path / "out"
    done = twin_process("run", ref, "--out", str(out))
    assert done.returncode == 2 and done.stdout == ""
    assert_one_line_error(done.stderr, source, case.path, case.message, case.exact)
    assert not out.exists()


# Bugs found while writing these tests: each test states the behaviour expected.


def test_a_bad_workload_quantity_is_reported_with_its_field_path(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nworkloads:\n  - {name: web, replicas: 1, requests: {cpu: lots}}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err == (f"twin: error: {scenario}: workloads[0].requests.cpu: "
                   "expected a Kubernetes quantity such as 100m, 256Mi, 4 or 16Gi, got 'lots'\n")
    assert not (tmp_path / "out").exists()


def test_a_bad_workload_spread_constraint_is_reported_with_its_field_path(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nworkloads:\n"
                        "  - {name: web, replicas: 1, topology_spread_constraints: [{maxSkew: 1}]}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: workloads[0].topology_spread_constraints[0].")
    assert "required field is missing" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_negative_seed_on_the_command_line_is_refused(capsys, tmp_path):
    code, stdout, err = twin(capsys, "run", "zone-failure", "--seed", "-1", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith("twin: error: --seed: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_negative_seed_in_the_file_is_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nseed: -1\nduration: 1m\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: seed: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_infinite_duration_is_refused_when_the_scenario_is_loaded(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: .inf\n")
    with pytest.raises(InputError) as error:
        load_scenario(str(scenario))
    assert (error.value.source, error.value.path) == (str(scenario), "duration")


def test_a_nan_duration_is_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: .nan\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: duration: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_nan_fault_time_is_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nfaults:\n  - {at: .nan, node_crash: {node: registry}}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: faults[0].at: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_pods_next_to_a_generated_cluster_are_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\ncluster:\n  generate: {zones: 3}\n  pods: absent-pods.yaml\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    prefix = f"twin: error: {scenario}: "
    assert err.startswith(f"{prefix}cluster") and "pods" in err[len(prefix):] and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_invalid_config_edit_patch_names_the_scenario_file_and_the_fault(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 5m\nfaults:\n"
                        "  - {at: 1m, config_edit: {patch: {spec: {rolloutStrategy: Rolling}}}}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: faults[0].config_edit")
    assert "expected RollingUpdate or Recreate, got 'Rolling'" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_unquoted_openshift_version_is_accepted_or_refused_with_a_message_asking_for_quotes(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nopenshift: 4.22\n")
    out = tmp_path / "out"
    code, _, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(out))
    if code == 2:
        prefix = f"twin: error: {scenario}: openshift: "
        assert err.startswith(prefix)
        message = err[len(prefix):]
        assert "quote" in message or "string" in message
    else:
        assert code == 0
        assert json.loads((out / "summary.json").read_text())["openshift"] == "4.22"

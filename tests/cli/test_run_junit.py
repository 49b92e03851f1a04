"""`twin run --junit FILE`: the verdicts as JUnit XML without pytest, one testcase per
invariant, written whole, and nothing written on bad input."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from helpers import twin

SCENARIO = """\
name: short-zone-failure
seed: 3
duration: 20m
openshift: "{openshift}"
cluster:
  generate: {{zones: 3, workers_per_zone: 1, control_plane: 3}}
registry:
  config:
    spec:
      managementState: Managed
      replicas: 3
      storage: {{managementState: Managed, s3: {{bucket: registry, region: us-east-1}}}}
faults:
  - {{at: 5m, zone_outage: {{zone: registry}}}}
  - {{at: 15m, zone_recovery: {{zone: registry}}}}
invariants:
  - {{name: max_skew}}
  - {{name: zone_failure_recovery, within: 10m}}
"""


@pytest.fixture
def scenario(tmp_path):
    def write(openshift: str) -> str:
        path = tmp_path / f"scenario-{openshift}.yaml"
        path.write_text(SCENARIO.format(openshift=openshift), encoding="utf-8")
        return str(path)
    return write


def junit_run(capsys, scenario_file: str, junit) -> tuple[int, ET.Element]:
    code, out, err = twin(capsys, "run", scenario_file, "--quiet", "--junit", str(junit))
    assert out == "" and err == ""
    return code, ET.parse(junit).getroot()


def test_a_failing_run_writes_a_failure_element_for_the_failed_invariant(capsys, scenario, tmp_path):
    code, root = junit_run(capsys, scenario("4.22"), tmp_path / "run.xml")
    assert code == 1
    suite = root.find("testsuite")
    assert suite.get("name") == "short-zone-failure" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"max_skew", "zone_failure_recovery"}
    assert {c.get("classname") for c in cases.values()} == {"short-zone-failure"}
    assert cases["max_skew"].find("failure") is None
    failure = cases["zone_failure_recovery"].find("failure")
    assert failure.get("type") == "InvariantViolated"
    assert failure.get("message") == "the registry did not regain its replicas before the zone returned"
    assert "pending_reason:" in failure.text


def test_a_passing_run_writes_no_failure_and_records_seed_and_openshift(capsys, scenario, tmp_path):
    code, root = junit_run(capsys, scenario("4.23"), tmp_path / "reports" / "run.xml")
    assert code == 0
    assert root.find(".//failure") is None
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties["seed"] == "3" and properties["openshift"] == "4.23"
    assert float(root.find("testsuite").get("time")) > 0


def test_the_report_differs_between_runs_only_in_its_time_attributes(capsys, scenario, tmp_path):
    junit_run(capsys, scenario("4.22"), tmp_path / "a.xml")
    junit_run(capsys, scenario("4.22"), tmp_path / "b.xml")
    untimed = [re.sub(r' time="[0-9.]+"', "", (tmp_path / n).read_text(encoding="utf-8")) for n in ("a.xml", "b.xml")]
    assert untimed[0] == untimed[1]


def test_bad_input_writes_no_report(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nduration: 20x\n", encoding="utf-8")
    code, out, err = twin(capsys, "run", str(bad), "--junit", str(tmp_path / "run.xml"))
    assert code == 2 and err.startswith("twin: error: ") and err.count("\n") == 1
    assert not (tmp_path / "run.xml").exists()


def test_a_directory_as_junit_file_is_refused_before_the_run(capsys, tmp_path):
    code, out, err = twin(capsys, "run", "zone-failure", "--junit", str(tmp_path))
    assert code == 2
    assert err == f"twin: error: --junit: expected a file name, got the directory {str(tmp_path)!r}\n"

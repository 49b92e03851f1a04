"""`twin.report.junit`: a judged run as JUnit XML, with the element names pytest's
`--junitxml` uses, deterministic apart from the time attributes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import hypothesis.internal.observability  # noqa: F401  (pytester's inline run would import it afresh)

from twin.report.junit import FAILURE_TYPE, failure_text, junit_xml, property_value, run_properties, write_junit

pytest_plugins = ["pytester"]

HOLDS = {"name": "max_skew", "holds": True, "detail": "4 bindings checked, none above maxSkew", "evidence": {"bindings": 4}}
FAILS = {"name": "zone_failure_recovery", "holds": False,
         "detail": "the registry did not regain its replicas before the zone returned",
         "evidence": {"outage_at": 600.0, "recovery_seconds": None, "pending_reason": "0/6 nodes are available"}}
KPIS = {"registry_recovery_seconds": None, "min_ready_replicas": 2, "pending_pod_seconds": 1800.0}


def document(*verdicts: dict) -> dict:
    return {"scenario": "zone-failure-3-replicas", "seed": 1, "openshift": "4.22", "simulated_seconds": 3600.0,
            "invariants": list(verdicts), "kpis": KPIS}


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_one_testsuite_named_after_the_scenario_with_one_testcase_per_invariant():
    root = parse(junit_xml(document(HOLDS, FAILS), 12.5))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "zone-failure-3-replicas"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("2", "1", "0", "0")
    assert [(c.get("classname"), c.get("name")) for c in suite.findall("testcase")] == [
        ("zone-failure-3-replicas", "max_skew"), ("zone-failure-3-replicas", "zone_failure_recovery")]


def test_a_failed_invariant_has_a_failure_element_with_its_detail_and_evidence():
    suite = parse(junit_xml(document(HOLDS, FAILS), 1.0)).find("testsuite")
    holds, fails = suite.findall("testcase")
    assert holds.find("failure") is None
    failure = fails.find("failure")
    assert failure.get("type") == FAILURE_TYPE == "InvariantViolated"
    assert failure.get("message") == FAILS["detail"]
    assert failure.text == failure_text(FAILS)
    assert "recovery_seconds: null" in failure.text and "pending_reason: 0/6 nodes are available" in failure.text


def test_a_run_whose_invariants_hold_has_no_failure_element():
    root = parse(junit_xml(document(HOLDS), 1.0))
    assert root.find(".//failure") is None and root.find("testsuite").get("failures") == "0"


def test_the_wall_seconds_are_the_testsuite_time_and_testcases_take_none():
    suite = parse(junit_xml(document(HOLDS, FAILS), 12.3456)).find("testsuite")
    assert suite.get("time") == "12.346"
    assert {c.get("time") for c in suite.findall("testcase")} == {"0.000"}


def test_the_properties_hold_seed_openshift_and_kpis():
    properties = parse(junit_xml(document(HOLDS), 1.0)).find("testsuite/properties")
    found = {p.get("name"): p.get("value") for p in properties.findall("property")}
    assert found["seed"] == "1" and found["openshift"] == "4.22" and found["simulated_seconds"] == "3600.0"
    assert found["registry_recovery_seconds"] == "null" and found["min_ready_replicas"] == "2"


def test_request_figures_are_properties_only_when_requests_were_issued():
    quiet = {**document(HOLDS), "requests": {"issued": 0}}
    busy = {**document(HOLDS), "requests": {"issued": 10, "rejected_429_fraction": 0.25, "peak_429_per_second": 3.0}}
    assert not any(name.startswith("requests_") for name, _ in run_properties(quiet))
    assert ("requests_rejected_429_fraction", "0.25") in run_properties(busy)


def test_property_values_are_strings_as_they_are_and_json_otherwise():
    assert [property_value(v) for v in ("4.22", None, True, 2, 1.5)] == ["4.22", "null", "true", "2", "1.5"]


def test_the_same_document_and_time_give_the_same_bytes():
    assert junit_xml(document(HOLDS, FAILS), 3.0) == junit_xml(document(HOLDS, FAILS), 3.0)


def test_the_file_is_written_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "reports" / "run.xml"
    write_junit(path, document(HOLDS, FAILS), 2.0)
    assert path.read_text(encoding="utf-8") == junit_xml(document(HOLDS, FAILS), 2.0)
    assert [p.name for p in path.parent.iterdir()] == ["run.xml"]


def test_the_elements_are_those_pytest_junitxml_writes(pytester):
    """Every element pytest's report has where ours has it, and at least its attributes,
    so what reads pytest's reports reads ours (our extra: the failure's `type`)."""
    pytester.makepyfile(test_x="def test_ok(record_testsuite_property):\n    record_testsuite_property('seed', 1)\n\n"
                               "def test_bad():\n    assert False\n")
    pytester.runpytest("--junitxml=pytest.xml")
    theirs = ET.parse(pytester.path / "pytest.xml").getroot()
    ours = parse(junit_xml(document(HOLDS, FAILS), 1.0))
    assert _shape(ours) <= _shape(theirs)
    for tag in ("testsuite", "testcase", "failure", "property"):
        expected = set(theirs.find(f".//{tag}").attrib) - {"timestamp", "hostname"}
        assert expected <= set(ours.find(f".//{tag}").attrib), tag


def _shape(root: ET.Element) -> set[tuple[str, str]]:
    """(parent tag, child tag) pairs."""
    return {(parent.tag, child.tag) for parent in root.iter() for child in parent}

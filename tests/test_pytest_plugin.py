"""The pytest plugin (`twin.pytest_plugin`, loaded through the `pytest11` entry point):
`*.twin.yaml` files become test items that fail, readably, when an invariant fails.
Each test runs pytest on a scratch directory (pytester) with small 20-minute scenarios."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import hypothesis.internal.observability  # noqa: F401  (imported at the end of every session by hypothesis' plugin)
import pytest

# pytester's inline runs forget the modules they import; imported here, they are shared
import twin.analysis.outcome  # noqa: F401
import twin.report.junit  # noqa: F401
import twin.scenarios.load  # noqa: F401

pytest_plugins = ["pytester"]

# 3 replicas on 3 zones x 1 worker: when a zone goes dark, 4.23 places the replacement in
# a live zone at once; 4.22 still counts the dead zone and leaves it Pending (spec/scheduling.md).
SCENARIO = """\
name: {name}
description: a zone failure, short
seed: 1
duration: 20m
openshift: "{openshift}"
cluster:
  generate: {{zones: 3, workers_per_zone: 1, control_plane: 3}}
registry:
  config:
    spec:
      managementState: Managed
      replicas: 3
      rolloutStrategy: RollingUpdate
      storage: {{managementState: Managed, s3: {{bucket: registry, region: us-east-1}}}}
faults:
  - {{at: 5m, zone_outage: {{zone: registry}}}}
  - {{at: 15m, zone_recovery: {{zone: registry}}}}
invariants:
  - {{name: max_skew}}
  - {{name: zone_failure_recovery, within: 10m}}
  - {{name: registry_availability, min_ready: 2}}
"""


def scenario_file(pytester: pytest.Pytester, file: str, name: str = "zone-failure-short", openshift: str = "4.23"):
    return pytester.makefile(".twin.yaml", **{file: SCENARIO.format(name=name, openshift=openshift)})


def test_a_scenario_whose_invariants_hold_is_one_passing_item_named_after_the_scenario_and_its_seed(pytester):
    scenario_file(pytester, "passing")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*passing.twin.yaml::zone-failure-short[[]seed=1[]] PASSED*"])


def test_a_failing_invariant_fails_the_item_with_its_name_detail_and_evidence_and_no_traceback(pytester):
    scenario_file(pytester, "failing", openshift="4.22")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*1 of 3 invariant(s) failed*",
        "FAILS  zone_failure_recovery: the registry did not regain its replicas before the zone returned",
        "*evidence:",
        "*pending_reason: 0/6 nodes are available*",
        "holds  max_skew: *",
        "FAILED failing.twin.yaml::zone-failure-short[[]seed=1[]] - zone_failure_recovery*",
    ])
    assert "Traceback" not in result.stdout.str() and "twin/pytest_plugin.py" not in result.stdout.str()


def test_a_bad_scenario_file_fails_its_item_with_the_one_line_input_error(pytester):
    pytester.makefile(".twin.yaml", broken="name: broken\nduration: 20x\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["broken.twin.yaml: duration: expected a duration such as 90s, 10m or 1h30m, got '20x'"])
    assert "Traceback" not in result.stdout.str()


def test_twin_seeds_runs_consecutive_seeds_from_the_scenarios_own_seed(pytester):
    scenario_file(pytester, "seeds")
    result = pytester.runpytest("--collect-only", "-q", "--twin-seeds", "3")
    result.stdout.fnmatch_lines([f"seeds.twin.yaml::zone-failure-short[[]seed={s}[]]" for s in (1, 2, 3)])


def test_twin_seed_moves_the_first_seed_and_alone_runs_just_that_seed(pytester):
    scenario_file(pytester, "seeds")
    alone = pytester.runpytest("--collect-only", "-q", "--twin-seed", "7")
    alone.stdout.fnmatch_lines(["seeds.twin.yaml::zone-failure-short[[]seed=7[]]", "1 test collected*"])
    both = pytester.runpytest("--collect-only", "-q", "--twin-seed", "7", "--twin-seeds", "2")
    both.stdout.fnmatch_lines(["*[[]seed=7[]]", "*[[]seed=8[]]", "2 tests collected*"])


def test_the_twin_seeds_ini_option_sets_the_default_number_of_seeds(pytester):
    scenario_file(pytester, "seeds")
    pytester.makeini("[pytest]\ntwin_seeds = 2\n")
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*[[]seed=1[]]", "*[[]seed=2[]]", "2 tests collected*"])


def test_twin_openshift_runs_each_scenario_on_each_version_given(pytester):
    scenario_file(pytester, "versions")
    result = pytester.runpytest("-v", "--twin-openshift", "4.22", "--twin-openshift", "4.23")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*::zone-failure-short[[]openshift=4.22,seed=1[]] FAILED*",
                                 "*::zone-failure-short[[]openshift=4.23,seed=1[]] PASSED*"])


@pytest.mark.parametrize("option", [("--twin-openshift", "4.99"), ("--twin-seeds", "0"), ("--twin-seed", "-1")])
def test_an_impossible_option_value_is_a_usage_error(pytester, option):
    result = pytester.runpytest(*option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{option[0]}*"])


def test_only_files_ending_in_twin_yaml_are_collected(pytester):
    pytester.makefile(".yaml", plain=SCENARIO.format(name="plain", openshift="4.23"))
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_scenario_items_carry_the_twin_marker(pytester):
    scenario_file(pytester, "marked")
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    result = pytester.runpytest("--collect-only", "-q", "-m", "twin")
    result.stdout.fnmatch_lines(["marked.twin.yaml::zone-failure-short[[]seed=1[]]", "1/2 tests collected*"])


def test_junitxml_holds_a_failure_element_for_a_failing_scenario_and_the_kpis_as_properties(pytester):
    scenario_file(pytester, "failing", openshift="4.22")
    scenario_file(pytester, "passing", name="passes")
    pytester.runpytest("--junitxml=report.xml").assert_outcomes(passed=1, failed=1)
    cases = {c.get("name"): c for c in ET.parse(pytester.path / "report.xml").getroot().iter("testcase")}
    failing, passing = cases["zone-failure-short[seed=1]"], cases["passes[seed=1]"]
    assert failing.get("classname") == "failing.twin.yaml"
    assert failing.find("failure").get("message").startswith("zone_failure_recovery: the registry did not regain")
    assert "pending_reason:" in failing.find("failure").text
    assert passing.find("failure") is None
    properties = {p.get("name"): p.get("value") for p in passing.iter("property")}
    assert properties["seed"] == "1" and properties["openshift"] == "4.23"
    assert float(properties["registry_recovery_seconds"]) > 0
    assert properties["invariant_zone_failure_recovery"] == "holds"


def test_importing_the_plugin_loads_nothing_heavy():
    """Every pytest run in the environment imports it, through the entry point."""
    probe = textwrap.dedent("""
        import sys, twin.pytest_plugin
        print(sorted(m for m in ("numpy", "pandas", "pydantic", "simpy", "yaml") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""The notebook API (`twin/api.py`): the same runs and verdicts as `twin run`, frames for
analysis, and side-by-side comparisons."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import twin.api as twin
from twin.errors import InputError


@pytest.fixture(scope="module")
def zone_failure_422():
    return twin.run("zone-failure-3-replicas", openshift="4.22")


def test_a_run_gives_the_summary_that_twin_run_writes(tmp_path, zone_failure_422):
    subprocess.run([sys.executable, "-m", "twin", "run", "zone-failure-3-replicas", "--openshift", "4.22",
                    "--out", str(tmp_path), "--quiet"], check=False)
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written == json.loads(json.dumps(zone_failure_422.summary))


def test_verdicts_are_a_frame_with_one_row_per_invariant(zone_failure_422):
    verdicts = zone_failure_422.verdicts.set_index("invariant")
    assert not verdicts.loc["zone_failure_recovery", "holds"]
    assert verdicts.loc["max_skew", "holds"]
    assert not zone_failure_422.holds


def test_events_frame_holds_the_records(zone_failure_422):
    assert len(zone_failure_422.events) == len(zone_failure_422.records)
    assert "Fault" in set(zone_failure_422.events["kind"])


def test_values_vary_the_scenario():
    result = twin.run("zone-failure", values={"registry.replicas": 1, "duration": "15m"})
    assert result.summary["simulated_seconds"] == 900.0


def test_bad_values_are_input_errors():
    with pytest.raises(InputError, match="registry.config.spec.replicas"):
        twin.run("zone-failure", values={"registry.replicas": "two"})


def test_compare_puts_variants_side_by_side():
    table = twin.compare("zone-failure-3-replicas", {"4.22": {"openshift": "4.22"}, "4.23": {"openshift": "4.23"}})
    by_variant = table.set_index("variant")
    assert list(table["variant"]) == ["4.22", "4.23"]
    assert not by_variant.loc["4.22", "holds.zone_failure_recovery"]
    assert by_variant.loc["4.23", "holds.zone_failure_recovery"]
    assert by_variant.loc["4.23", "registry_recovery_seconds"] > 0


def test_a_traffic_run_has_request_frames():
    result = twin.run("peak-load", values={"duration": "25m"})  # the 100/s step starts at 20 min
    assert result.requests_kpis["rejected_429_fraction"] > 0
    assert result.requests["too_many"].sum() > 0
    assert {"pod", "queued", "read_queued_peak"} <= set(result.queues.columns)


def test_write_gives_the_folder_twin_run_writes(tmp_path, zone_failure_422):
    subprocess.run([sys.executable, "-m", "twin", "run", "zone-failure-3-replicas", "--openshift", "4.22",
                    "--out", str(tmp_path / "cli"), "--quiet"], check=False)
    folder = zone_failure_422.write(tmp_path / "api", report=True)
    for name in ("summary.json", "events.csv", "cluster.json", "requests.parquet"):
        assert (folder / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert (folder / "report.html").is_file()
    assert twin.report(folder) == folder / "report.html"
